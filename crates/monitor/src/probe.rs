//! The prober: a monitor's check prepared once (its URL parsed, its pattern compiled, its header
//! secrets read from the environment) and then run at each interval, within the monitor's
//! timeout, to a [`Verdict`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use pacta_core::clock::Clock;
use pacta_core::monitor::{Check, Monitor, RecordType};
use rustls::pki_types::CertificateDer;

use crate::resolve::{ResolverError, Resolvers};
use crate::trust::{Trust, TrustError};
use crate::verdict::{Failure, Verdict};
use crate::{dns, http, tcp, tls};

/// At most this much of an HTTP answer's body is read (and searched).
pub const MAX_BODY: usize = 64 * 1024;

/// A check ready to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) target: Target,
    pub(crate) timeout: Duration,
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    Http(Box<http::HttpTarget>),
    Tcp {
        host: String,
        port: u16,
    },
    Tls {
        host: String,
        port: u16,
        warning_days: i64,
    },
    Dns(dns::DnsTarget),
}

/// A monitor that cannot be checked as it stands: the prober's trouble or the monitor's
/// settings, never the target's — so it gives no result (the time stays unmonitored) and is
/// reported to the operator instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("header `{header}`: the prober's environment has no variable `{var}`")]
    MissingSecret { header: String, var: String },
    #[error("header `{header}`: {why}")]
    Header { header: String, why: String },
    #[error("url: {0}")]
    Url(String),
    #[error("body_regex: {0}")]
    Regex(String),
    #[error("{field}: {why}")]
    Setting { field: &'static str, why: String },
}

/// The prober cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ProberError {
    #[error(transparent)]
    Resolver(#[from] ResolverError),
    #[error(transparent)]
    Trust(#[from] TrustError),
    #[error("the HTTP client cannot be built: {0}")]
    Http(String),
}

/// What every check shares: the clock, the resolvers, the TLS configurations and the HTTP
/// clients (one per combination of TLS verification and redirects, each with its pool of
/// connections, reused from one check to the next).
#[derive(Clone)]
pub struct Prober {
    pub(crate) clock: Clock,
    pub(crate) resolvers: Resolvers,
    pub(crate) trust: Trust,
    pub(crate) http: Arc<[reqwest::Client; 4]>,
}

impl Prober {
    /// A prober on `clock`, trusting Mozilla's roots and `extra_roots`.
    pub fn new(
        clock: Clock,
        extra_roots: &[CertificateDer<'static>],
    ) -> Result<Prober, ProberError> {
        let resolvers = Resolvers::system()?;
        let trust = Trust::new(clock.clone(), extra_roots)?;
        let client = |verify: bool, follow: bool| {
            let tls = if verify {
                &trust.verifying
            } else {
                &trust.accepting
            };
            reqwest::Client::builder()
                .tls_backend_preconfigured((**tls).clone())
                .dns_resolver(Arc::new(resolvers.clone()))
                .redirect(if follow {
                    reqwest::redirect::Policy::limited(10)
                } else {
                    reqwest::redirect::Policy::none()
                })
                .user_agent(concat!("Pacta-probe/", env!("CARGO_PKG_VERSION")))
                .no_proxy()
                .pool_idle_timeout(Duration::from_secs(120))
                .build()
                .map_err(|e| ProberError::Http(e.to_string()))
        };
        let http = [
            client(false, false)?,
            client(false, true)?,
            client(true, false)?,
            client(true, true)?,
        ];
        Ok(Prober {
            clock,
            resolvers,
            trust,
            http: Arc::new(http),
        })
    }

    /// Prepares `monitor`'s check; `env` reads the prober's environment for header secrets.
    pub fn prepare(
        &self,
        monitor: &Monitor,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Prepared, PrepareError> {
        let port = |p: i64| {
            u16::try_from(p).map_err(|_| PrepareError::Setting {
                field: "port",
                why: format!("{p} is not a port"),
            })
        };
        let target = match &monitor.check {
            Check::Http(h) => Target::Http(Box::new(http::prepare(h, env)?)),
            Check::Tcp(t) => Target::Tcp {
                host: t.host.clone(),
                port: port(t.port)?,
            },
            Check::Tls(t) => Target::Tls {
                host: t.host.clone(),
                port: port(t.port)?,
                warning_days: t.warning_days,
            },
            Check::Dns(d) => Target::Dns(dns::DnsTarget {
                name: d.name.clone(),
                record_type: d.record_type,
                expected: d.expected.iter().map(|e| dns::normalize(e)).collect(),
                resolver: d.resolver.as_deref().map(resolver_addr).transpose()?,
            }),
        };
        Ok(Prepared {
            target,
            timeout: Duration::from_secs(u64::try_from(monitor.timeout.0).unwrap_or(1).max(1)),
        })
    }

    /// Runs a prepared check: its verdict within its timeout.
    pub async fn check(&self, p: &Prepared) -> Verdict {
        let run = async {
            match &p.target {
                Target::Http(h) => http::check(self, h).await,
                Target::Tcp { host, port } => tcp::check(self, host, *port).await,
                Target::Tls {
                    host,
                    port,
                    warning_days,
                } => tls::check(self, host, *port, *warning_days).await,
                Target::Dns(d) => dns::check(self, d).await,
            }
        };
        match tokio::time::timeout(p.timeout, run).await {
            Ok(verdict) => verdict,
            Err(_) => Verdict::failed(
                Failure::Timeout,
                format!("no answer within {} s", p.timeout.as_secs()),
            ),
        }
    }
}

/// `IP` (port 53) or `IP:PORT` (`[IPv6]:PORT`).
fn resolver_addr(text: &str) -> Result<SocketAddr, PrepareError> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| PrepareError::Setting {
            field: "resolver",
            why: format!("`{text}` is not IP or IP:PORT"),
        })
}

/// The hickory record type of a monitor's.
pub(crate) fn record_type(t: RecordType) -> hickory_resolver::proto::rr::RecordType {
    use hickory_resolver::proto::rr::RecordType as H;
    match t {
        RecordType::A => H::A,
        RecordType::Aaaa => H::AAAA,
        RecordType::Cname => H::CNAME,
        RecordType::Mx => H::MX,
        RecordType::Ns => H::NS,
        RecordType::Txt => H::TXT,
        RecordType::Srv => H::SRV,
        RecordType::Caa => H::CAA,
        RecordType::Ptr => H::PTR,
        RecordType::Soa => H::SOA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolver_is_an_ip_with_or_without_a_port() {
        assert_eq!(
            resolver_addr("127.0.0.1").unwrap(),
            "127.0.0.1:53".parse().unwrap()
        );
        assert_eq!(
            resolver_addr("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            resolver_addr("[::1]:54").unwrap(),
            "[::1]:54".parse().unwrap()
        );
        assert_eq!(resolver_addr("::1").unwrap(), "[::1]:53".parse().unwrap());
        assert!(resolver_addr("dns.example").is_err());
    }
}
