//! `serve --demo` probes something real (issue 11, point 4): a few local endpoints on ports the
//! system assigns — an HTTP server with a path per demo monitor, a TLS server with a
//! certificate made at start by a demo CA (trusted by the probes of this process only), a DNS
//! server and a TCP listener — and the demo monitors pointed at them. The HTTP path of
//! [`FLAKY`] fails on a fixed schedule counted from the start ([`flaky_is_down`]), so that a
//! newcomer sees an outage open and close within minutes.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::MX;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use pacta_core::clock::Clock;
use pacta_core::monitor::{Check, Monitor};
use pacta_store::monitors::MonitorFilter;
use pacta_store::{Scope, Stamp};
use pacta_web::CancellationToken;

/// The demo monitor whose endpoint fails on a schedule.
pub const FLAKY: &str = "web-hosting-https";

/// The MX record the demo's DNS server gives `example.invalid`, as the demo monitor expects.
const DEMO_MX: (&str, u16, &str) = ("example.invalid.", 10, "mx1.example.invalid.");

/// The secret of the demo monitor that sends an `Authorization` header.
pub const DEMO_SECRET: (&str, &str) = ("DEMO_APP_HOSTING_TOKEN", "demo-token");

/// Whether the flaky endpoint is down `elapsed` seconds after the start: from minute 2 to
/// minute 4, then 2 minutes in every 10 (12–14, 22–24, …).
pub fn flaky_is_down(elapsed: i64) -> bool {
    let minute = elapsed.div_euclid(60);
    minute >= 2 && (2..4).contains(&minute.rem_euclid(10))
}

/// The demo's endpoints, running.
pub struct DemoTargets {
    pub http: SocketAddr,
    pub tls: SocketAddr,
    pub dns: SocketAddr,
    pub tcp: SocketAddr,
    /// The demo CA's certificate: the probes trust it.
    pub root: pacta_monitor::CertificateDer<'static>,
}

#[derive(Clone)]
struct HttpState {
    clock: Clock,
    started: i64,
}

async fn answer(State(s): State<HttpState>, Path(code): Path<String>) -> (StatusCode, String) {
    if code == FLAKY && flaky_is_down(s.clock.now().as_second() - s.started) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "{\"status\": \"down\", \"why\": \"the demo's schedule\"}".into(),
        );
    }
    (
        StatusCode::OK,
        format!("{{\"status\": \"ok\", \"monitor\": \"{code}\"}}"),
    )
}

impl DemoTargets {
    /// Starts the endpoints on 127.0.0.1 (until `shutdown`).
    pub async fn start(clock: Clock, shutdown: CancellationToken) -> anyhow::Result<DemoTargets> {
        let started = clock.now().as_second();
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let http_addr = http.local_addr()?;
        let app = axum::Router::new()
            .route("/{code}", axum::routing::get(answer))
            .with_state(HttpState {
                clock: clock.clone(),
                started,
            });
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(http, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
        });

        let (root, tls_config) = certificates(&clock)?;
        let tls = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let tls_addr = tls.local_addr()?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config));
        let stop = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    accepted = tls.accept() => if let Ok((stream, _)) = accepted {
                        let acceptor = acceptor.clone();
                        // The handshake is all a TLS check asks for.
                        tokio::spawn(async move { let _ = acceptor.accept(stream).await; });
                    }
                }
            }
        });

        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let tcp_addr = tcp.local_addr()?;
        let stop = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tcp.accept() => {}
                }
            }
        });

        let dns = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let dns_addr = dns.local_addr()?;
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            loop {
                let received = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    r = dns.recv_from(&mut buf) => r,
                };
                let Ok((n, from)) = received else { continue };
                if let Some(reply) = dns_answer(&buf[..n]) {
                    let _ = dns.send_to(&reply, from).await;
                }
            }
        });
        Ok(DemoTargets {
            http: http_addr,
            tls: tls_addr,
            dns: dns_addr,
            tcp: tcp_addr,
            root,
        })
    }

    /// `m`'s check pointed at these endpoints, if `m` is a demo monitor that still points at
    /// the demo's (its `.invalid` hosts, or a previous start's endpoints).
    pub fn retarget(&self, m: &Monitor) -> Option<Check> {
        let demo_host =
            |host: &str| host.ends_with(".invalid") || host == "127.0.0.1" || host == "localhost";
        let mut check = m.check.clone();
        match &mut check {
            Check::Http(h) => {
                let url = url_host(&h.url)?;
                if !demo_host(&url) {
                    return None;
                }
                h.url = format!("http://{}/{}", self.http, m.code);
            }
            Check::Tls(t) => {
                if !demo_host(&t.host) {
                    return None;
                }
                t.host = "localhost".into();
                t.port = i64::from(self.tls.port());
            }
            Check::Tcp(t) => {
                if !demo_host(&t.host) {
                    return None;
                }
                t.host = "127.0.0.1".into();
                t.port = i64::from(self.tcp.port());
            }
            Check::Dns(d) => {
                if !demo_host(&d.name) {
                    return None;
                }
                d.resolver = Some(self.dns.to_string());
            }
        }
        (check != m.check).then_some(check)
    }

    /// Points the stored demo monitors at these endpoints.
    pub async fn retarget_all(&self, db: &pacta_store::Db, stamp: Stamp<'_>) -> anyhow::Result<()> {
        let demo_codes = demo_codes()?;
        for stored in db
            .list_monitors(Scope::All, &MonitorFilter::default())
            .await?
        {
            if !demo_codes.contains(&stored.monitor.code) {
                continue;
            }
            if let Some(check) = self.retarget(&stored.monitor) {
                let mut m = stored.monitor.clone();
                m.check = check;
                db.update_monitor(&stored.id, &m, stored.revision, stamp)
                    .await
                    .with_context(|| {
                        format!("cannot point demo monitor {} at its endpoint", m.code)
                    })?;
            }
        }
        tracing::info!(http = %self.http, "demo endpoints started; {FLAKY} fails from minute 2 to 4, then 2 minutes in every 10");
        Ok(())
    }
}

/// The codes of the demo's monitors.
fn demo_codes() -> anyhow::Result<std::collections::BTreeSet<String>> {
    let doc = pacta_core::catalogue::document::parse_yaml(crate::serve::DEMO_MONITORS)
        .map_err(|e| anyhow::anyhow!("demo monitors: {e}"))?;
    let monitors = pacta_core::monitor::read_monitors(&doc, &Default::default())
        .map_err(|_| anyhow::anyhow!("demo monitors are invalid"))?;
    Ok(monitors.into_iter().map(|m| m.code).collect())
}

/// The host of an http(s) URL.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    Some(host.to_owned())
}

/// The demo CA's certificate, and a TLS server configuration for `localhost` signed by it,
/// valid from yesterday to a year on (by Pacta's clock).
fn certificates(
    clock: &Clock,
) -> anyhow::Result<(pacta_monitor::CertificateDer<'static>, rustls::ServerConfig)> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let today = clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let from = today.yesterday().unwrap_or(today);
    let until = today.saturating_add(jiff::Span::new().years(1));
    let ymd = |d: jiff::civil::Date| {
        rcgen::date_time_ymd(
            i32::from(d.year()),
            u8::try_from(d.month()).unwrap_or(1),
            u8::try_from(d.day()).unwrap_or(1),
        )
    };
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.not_before = ymd(from);
    ca.not_after = ymd(until);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Pacta demo CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;
    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf.not_before = ymd(from);
    leaf.not_after = ymd(until);
    let cert = leaf.signed_by(&key, &ca)?;
    let der = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], der)?;
    Ok((ca.der().clone(), config))
}

/// The demo DNS server's answer to one query: `example.invalid` MX, and NXDOMAIN otherwise.
fn dns_answer(query: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    let mut answer = Message::response(query.metadata.id, OpCode::Query);
    answer.metadata.recursion_desired = query.metadata.recursion_desired;
    answer.metadata.recursion_available = true;
    answer.add_queries(query.queries.clone());
    let (name, preference, exchange) = DEMO_MX;
    match query.queries.first() {
        Some(q) if q.name().to_ascii().eq_ignore_ascii_case(name) => {
            if q.query_type() == RecordType::MX {
                answer.add_answer(Record::from_rdata(
                    q.name().clone(),
                    300,
                    RData::MX(MX::new(preference, Name::from_ascii(exchange).ok()?)),
                ));
            }
        }
        _ => answer.metadata.response_code = ResponseCode::NXDomain,
    }
    answer.to_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flaky_endpoint_is_down_2_minutes_in_every_10_from_minute_2() {
        let down: Vec<i64> = (0..30).filter(|m| flaky_is_down(m * 60)).collect();
        assert_eq!(down, vec![2, 3, 12, 13, 22, 23]);
        assert!(!flaky_is_down(119));
        assert!(flaky_is_down(120));
        assert!(flaky_is_down(239));
        assert!(!flaky_is_down(240));
        assert!(!flaky_is_down(-60));
    }

    #[test]
    fn a_urls_host_is_found() {
        assert_eq!(
            url_host("https://www.example.invalid/health").as_deref(),
            Some("www.example.invalid")
        );
        assert_eq!(
            url_host("http://127.0.0.1:4321/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            url_host("http://u:p@host.example:80").as_deref(),
            Some("host.example")
        );
    }

    #[test]
    fn the_dns_server_answers_the_demo_mx_and_nothing_else() {
        let mut q = Message::query();
        q.add_query(hickory_proto::op::Query::query(
            Name::from_ascii("example.invalid.").unwrap(),
            RecordType::MX,
        ));
        let a = Message::from_vec(&dns_answer(&q.to_vec().unwrap()).unwrap()).unwrap();
        assert_eq!(a.answers.len(), 1);
        assert_eq!(a.answers[0].data.to_string(), "10 mx1.example.invalid.");
        let mut q = Message::query();
        q.add_query(hickory_proto::op::Query::query(
            Name::from_ascii("other.invalid.").unwrap(),
            RecordType::MX,
        ));
        let a = Message::from_vec(&dns_answer(&q.to_vec().unwrap()).unwrap()).unwrap();
        assert_eq!(a.metadata.response_code, ResponseCode::NXDomain);
    }
}
