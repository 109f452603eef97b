//! Name resolution for the probes: one hickory resolver on the system's configuration for the
//! targets' host names (the HTTP client asks it too, so that a name that does not resolve is a
//! `dns` failure, not a `connect` one), and one per resolver that a `dns` monitor names.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::TokioResolver;

/// A name that did not resolve: the message says why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct DnsFailure(pub String);

/// The prober's resolvers.
#[derive(Clone)]
pub struct Resolvers {
    system: TokioResolver,
    named: Arc<Mutex<HashMap<SocketAddr, TokioResolver>>>,
}

/// The resolver cannot start: the system's configuration is unreadable. A prober without one
/// would report every target by name as down, so it does not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the system's DNS configuration (/etc/resolv.conf): {0}")]
pub struct ResolverError(String);

/// What a failed lookup says, in a probe's words.
pub fn describe(name: &str, e: &NetError) -> String {
    if e.is_nx_domain() {
        format!("{name} does not exist (NXDOMAIN)")
    } else if e.is_no_records_found() {
        format!("{name} has no such record")
    } else {
        format!("{name} did not resolve: {e}")
    }
}

/// Whether a failed lookup is the resolver's silence (a timeout) rather than an answer.
pub fn timed_out(e: &NetError) -> bool {
    matches!(e, NetError::Timeout)
}

impl Resolvers {
    pub fn system() -> Result<Resolvers, ResolverError> {
        let system = TokioResolver::builder_tokio()
            .map_err(|e| ResolverError(e.to_string()))?
            .build()
            .map_err(|e| ResolverError(e.to_string()))?;
        Ok(Resolvers {
            system,
            named: Arc::default(),
        })
    }

    /// The IP addresses of `host` (an IP literal is itself).
    pub async fn lookup_ip(&self, host: &str) -> Result<Vec<IpAddr>, DnsFailure> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        match self.system.lookup_ip(host).await {
            Ok(found) => {
                let ips: Vec<IpAddr> = found.iter().collect();
                if ips.is_empty() {
                    Err(DnsFailure(format!("{host} has no address")))
                } else {
                    Ok(ips)
                }
            }
            Err(e) => Err(DnsFailure(describe(host, &e))),
        }
    }

    /// The resolver at `addr` (answers are not cached: each check asks), made once.
    pub fn at(&self, addr: SocketAddr) -> Result<TokioResolver, DnsFailure> {
        let mut named = self.named.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = named.get(&addr) {
            return Ok(r.clone());
        }
        let mut server = NameServerConfig::udp_and_tcp(addr.ip());
        for c in &mut server.connections {
            c.port = addr.port();
        }
        let mut opts = ResolverOpts::default();
        opts.cache_size = 0;
        opts.attempts = 1;
        let resolver = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![server]),
            TokioRuntimeProvider::default(),
        )
        .with_options(opts)
        .build()
        .map_err(|e| DnsFailure(format!("resolver {addr}: {e}")))?;
        named.insert(addr, resolver.clone());
        Ok(resolver)
    }

    /// The system's resolver.
    pub fn system_resolver(&self) -> &TokioResolver {
        &self.system
    }
}

/// The HTTP client resolves through the prober's resolver.
impl reqwest::dns::Resolve for Resolvers {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let ips = this.lookup_ip(&host).await?;
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}
