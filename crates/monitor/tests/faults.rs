//! The probes against targets the tests start, one per way a target can fail (issue 11,
//! "Faults"): each gets its verdict. Certificates are made here, and judged against an injected
//! clock; no assertion is about how long anything took.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record, RecordType};
use pacta_core::clock::{Clock, SettableClock};
use pacta_core::monitor::Monitor;
use pacta_monitor::{Failure, Outcome, PrepareError, Prober, Verdict, MAX_BODY};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// The instant the tests' clock shows: certificates are valid or expired relative to it.
const NOW: &str = "2026-06-01T12:00:00Z";

fn clock() -> Clock {
    SettableClock::new(NOW.parse().unwrap())
}

fn monitor(kind: &str, settings: Value, timeout: i64) -> Monitor {
    serde_json::from_value(json!({
        "code": "t", "name": {"en": "T"}, "service": "S", "kind": kind, "settings": settings,
        "interval": "30s", "timeout": format!("{timeout}s"), "failures_before_down": 3,
        "successes_before_up": 2, "counts_for_availability": true,
    }))
    .unwrap()
}

fn http(url: String, extra: Value) -> Monitor {
    let mut settings = json!({"method": "GET", "url": url, "verify_tls": true,
        "follow_redirects": false});
    if let (Value::Object(s), Value::Object(e)) = (&mut settings, extra) {
        s.extend(e);
    }
    monitor("http", settings, 2)
}

async fn verdict_with(prober: &Prober, m: &Monitor) -> Verdict {
    let prepared = prober.prepare(m, &|_| None).expect("prepared");
    prober.check(&prepared).await
}

async fn verdict(m: &Monitor) -> Verdict {
    verdict_with(&Prober::new(clock(), &[]).unwrap(), m).await
}

fn failed(v: &Verdict) -> (Failure, &str) {
    match &v.outcome {
        Outcome::Failed(reason, why) => (*reason, why.as_str()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// A target that answers each connection with `handle`.
async fn target<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = Arc::new(handle);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream));
        }
    });
    addr
}

/// Reads a request's head (up to the blank line).
async fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

/// An HTTP/1.1 target answering every request with `status` and `body`.
async fn answering(status: &'static str, body: &'static str) -> SocketAddr {
    target(move |mut s| async move {
        loop {
            read_head(&mut s).await;
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\ncontent-type: text/plain\r\n\r\n{body}",
                body.len()
            );
            if s.write_all(answer.as_bytes()).await.is_err() {
                return;
            }
        }
    })
    .await
}

#[tokio::test]
async fn http_answers_are_judged_by_status_body_and_pattern() {
    let up = answering("200 OK", "all systems operational").await;
    let url = format!("http://{up}/health");
    let v = verdict(&http(url.clone(), json!({"body_contains": "operational"}))).await;
    assert_eq!(v.outcome, Outcome::Ok);
    assert!(v.latency_ms.is_some());
    let v = verdict(&http(url.clone(), json!({"body_contains": "degraded"}))).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Body);
    assert!(why.contains("lacks \"degraded\""), "{why}");
    assert!(
        v.latency_ms.is_some(),
        "an answer that failed is still timed"
    );
    let v = verdict(&http(
        url.clone(),
        json!({"body_regex": "^all .* operational$"}),
    ))
    .await;
    assert_eq!(v.outcome, Outcome::Ok);
    let v = verdict(&http(url.clone(), json!({"body_regex": "^down"}))).await;
    assert_eq!(failed(&v).0, Failure::Body);
    let v = verdict(&http(url.clone(), json!({"expected_statuses": [204]}))).await;
    let (reason, why) = failed(&v);
    assert_eq!((reason, why), (Failure::Status, "200 OK, expected 204"));

    let down = answering("503 Service Unavailable", "maintenance").await;
    let v = verdict(&http(format!("http://{down}/"), json!({}))).await;
    assert_eq!(
        failed(&v),
        (Failure::Status, "503 Service Unavailable, expected 2xx")
    );
    let v = verdict(&http(
        format!("http://{down}/"),
        json!({"expected_statuses": [200, 503]}),
    ))
    .await;
    assert_eq!(v.outcome, Outcome::Ok);
}

#[tokio::test]
async fn redirects_are_followed_only_when_asked() {
    let to = answering("200 OK", "here").await;
    let from = target(move |mut s| async move {
        read_head(&mut s).await;
        let answer = format!(
            "HTTP/1.1 302 Found\r\nlocation: http://{to}/there\r\ncontent-length: 0\r\n\r\n"
        );
        let _ = s.write_all(answer.as_bytes()).await;
    })
    .await;
    let url = format!("http://{from}/");
    let v = verdict(&http(url.clone(), json!({}))).await;
    assert_eq!(failed(&v), (Failure::Status, "302 Found, expected 2xx"));
    let v = verdict(&http(
        url,
        json!({"follow_redirects": true, "body_contains": "here"}),
    ))
    .await;
    assert_eq!(v.outcome, Outcome::Ok);
}

#[tokio::test]
async fn a_slow_answer_fails_its_latency_limit() {
    let slow = target(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .await;
    })
    .await;
    let v = verdict(&http(
        format!("http://{slow}/"),
        json!({"max_latency_ms": 50}),
    ))
    .await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Latency);
    assert!(why.contains("over the limit of 50 ms"), "{why}");
    assert!(v.latency_ms.unwrap() >= 50);
}

#[tokio::test]
async fn a_target_that_hangs_times_out() {
    let hang = target(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(s);
    })
    .await;
    let mut m = http(format!("http://{hang}/"), json!({}));
    m.timeout.0 = 1;
    let v = verdict(&m).await;
    assert_eq!(failed(&v), (Failure::Timeout, "no answer within 1 s"));
    // A TCP check of the same target connects: it is up as far as TCP goes.
    let v = verdict(&monitor(
        "tcp",
        json!({"host": "127.0.0.1", "port": hang.port()}),
        1,
    ))
    .await;
    assert_eq!(v.outcome, Outcome::Ok);
}

#[tokio::test]
async fn a_reset_connection_and_a_closed_port_are_connect_failures() {
    let reset = target(|mut s| async move {
        read_head(&mut s).await;
        #[allow(deprecated)] // a reset is what this target is for
        let _ = s.set_linger(Some(Duration::ZERO));
        drop(s);
    })
    .await;
    let v = verdict(&http(format!("http://{reset}/"), json!({}))).await;
    assert_eq!(failed(&v).0, Failure::Connect, "{v:?}");

    // A port nobody listens on: bound, then released.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let v = verdict(&http(format!("http://{closed}/"), json!({}))).await;
    assert_eq!(failed(&v).0, Failure::Connect, "{v:?}");
    let v = verdict(&monitor(
        "tcp",
        json!({"host": "127.0.0.1", "port": closed.port()}),
        2,
    ))
    .await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Connect);
    assert!(why.contains(&closed.to_string()), "{why}");
}

#[tokio::test]
async fn garbage_is_not_an_http_answer() {
    let garbage = target(|mut s| async move {
        read_head(&mut s).await;
        let _ = s.write_all(b"\x00\x01SSH-2.0-OpenSSH\r\n\r\n").await;
        let _ = s.shutdown().await;
    })
    .await;
    let v = verdict(&http(format!("http://{garbage}/"), json!({}))).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Status, "{why}");
    assert!(why.starts_with("not an HTTP answer"), "{why}");
    let stored = v.to_result(0);
    assert!(stored.detail.unwrap().chars().all(|c| !c.is_control()));
}

#[tokio::test]
async fn an_endless_body_is_read_no_further_than_the_limit() {
    let endless = target(|mut s| async move {
        read_head(&mut s).await;
        if s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 8192, "a".repeat(8192));
        // Until the probe hangs up: it must, after MAX_BODY bytes.
        while s.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let url = format!("http://{endless}/");
    let v = verdict(&http(url.clone(), json!({}))).await;
    assert_eq!(v.outcome, Outcome::Ok);
    let v = verdict(&http(url, json!({"body_contains": "b"}))).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Body);
    assert!(why.contains(&format!("first {MAX_BODY} bytes")), "{why}");
}

#[tokio::test]
async fn names_that_do_not_resolve_are_dns_failures() {
    let v = verdict(&http("http://no-such-host.invalid/".into(), json!({}))).await;
    assert_eq!(failed(&v).0, Failure::Dns, "{v:?}");
    let v = verdict(&monitor(
        "tcp",
        json!({"host": "no-such-host.invalid", "port": 80}),
        3,
    ))
    .await;
    assert_eq!(failed(&v).0, Failure::Dns, "{v:?}");
}

#[tokio::test]
async fn a_missing_secret_is_the_probers_trouble_not_a_failure() {
    let m = http(
        "http://127.0.0.1:9/".into(),
        json!({"headers": {"Authorization": "${env:PACTA_TEST_NO_SUCH_SECRET}"}}),
    );
    let prober = Prober::new(clock(), &[]).unwrap();
    assert_eq!(
        prober.prepare(&m, &|_| None).unwrap_err(),
        PrepareError::MissingSecret {
            header: "Authorization".into(),
            var: "PACTA_TEST_NO_SUCH_SECRET".into()
        }
    );
    // With the secret, the header is sent.
    let seen = Arc::new(tokio::sync::Mutex::new(String::new()));
    let seen_ = seen.clone();
    let echo = target(move |mut s| {
        let seen = seen_.clone();
        async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if s.read(&mut byte).await.unwrap_or(0) != 1 {
                    return;
                }
                head.push(byte[0]);
            }
            *seen.lock().await = String::from_utf8_lossy(&head).to_lowercase();
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    })
    .await;
    let m = http(
        format!("http://{echo}/"),
        json!({"headers": {"Authorization": "${env:PACTA_TEST_SECRET}"}}),
    );
    let prepared = prober
        .prepare(&m, &|name| {
            (name == "PACTA_TEST_SECRET").then(|| "Bearer s3cret".into())
        })
        .unwrap();
    assert_eq!(prober.check(&prepared).await.outcome, Outcome::Ok);
    assert!(seen.lock().await.contains("authorization: bearer s3cret"));
}

// ---- TLS -------------------------------------------------------------------------------------

struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2040, 1, 1);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Pacta test CA");
        Pki {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn root(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A leaf for `name`, valid from 2026-01-01 to `until` (y, m, d), signed by the CA or by
    /// itself.
    fn leaf(&self, name: &str, until: (i32, u8, u8), self_signed: bool) -> rustls::ServerConfig {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2026, 1, 1);
        params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
        let cert = if self_signed {
            params.self_signed(&key).unwrap()
        } else {
            params.signed_by(&key, &self.ca).unwrap()
        };
        let chain = vec![cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap()
    }
}

/// A TLS target on 127.0.0.1 that answers HTTP requests with 200 "secure".
async fn tls_target(config: rustls::ServerConfig) -> SocketAddr {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    target(move |s| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(s).await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = tls.read(&mut buf).await;
            let _ = tls
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nsecure")
                .await;
            let _ = tls.shutdown().await;
        }
    })
    .await
}

fn tls_monitor(port: u16, warning_days: i64) -> Monitor {
    monitor(
        "tls",
        json!({"host": "localhost", "port": port, "warning_days": warning_days}),
        3,
    )
}

#[tokio::test]
async fn certificates_are_judged_against_the_injected_clock() {
    let pki = Pki::new();
    let prober = Prober::new(clock(), &[pki.root()]).unwrap();

    let valid = tls_target(pki.leaf("localhost", (2027, 1, 1), false)).await;
    let v = verdict_with(&prober, &tls_monitor(valid.port(), 14)).await;
    assert_eq!(v.outcome, Outcome::Ok);
    assert!(v.latency_ms.is_some());
    let v = verdict_with(
        &prober,
        &http(
            format!("https://localhost:{}/", valid.port()),
            json!({"body_contains": "secure"}),
        ),
    )
    .await;
    assert_eq!(v.outcome, Outcome::Ok, "{v:?}");

    // Expires 2026-06-06T00:00Z: 4.5 days after the clock's now, inside 14 warning days.
    let soon = tls_target(pki.leaf("localhost", (2026, 6, 6), false)).await;
    let v = verdict_with(&prober, &tls_monitor(soon.port(), 14)).await;
    match &v.outcome {
        Outcome::Degraded(why) => assert!(why.contains("in 4 days"), "{why}"),
        other => panic!("expected degraded, got {other:?}"),
    }
    let stored = v.to_result(0);
    assert!(stored.ok, "a warning is not downtime");
    assert!(stored.detail.unwrap().starts_with("degraded: "));
    let v = verdict_with(&prober, &tls_monitor(soon.port(), 3)).await;
    assert_eq!(v.outcome, Outcome::Ok);

    // Expired on 2026-05-01, a month before the clock's now (and valid by the system's time
    // or not: the clock decides).
    let expired = tls_target(pki.leaf("localhost", (2026, 5, 1), false)).await;
    let v = verdict_with(&prober, &tls_monitor(expired.port(), 14)).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Tls);
    assert!(why.to_lowercase().contains("expired"), "{why}");
    let v = verdict_with(
        &prober,
        &http(format!("https://localhost:{}/", expired.port()), json!({})),
    )
    .await;
    assert_eq!(failed(&v).0, Failure::Tls, "{v:?}");
    // A clock a month earlier finds the same certificate valid.
    let earlier = Prober::new(
        SettableClock::new("2026-04-01T00:00:00Z".parse().unwrap()),
        &[pki.root()],
    )
    .unwrap();
    let v = verdict_with(&earlier, &tls_monitor(expired.port(), 14)).await;
    assert_eq!(v.outcome, Outcome::Ok);
}

#[tokio::test]
async fn self_signed_and_wrong_name_certificates_fail_unless_verification_is_off() {
    let pki = Pki::new();
    let prober = Prober::new(clock(), &[pki.root()]).unwrap();

    let own = tls_target(pki.leaf("localhost", (2027, 1, 1), true)).await;
    let v = verdict_with(&prober, &tls_monitor(own.port(), 14)).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Tls);
    assert!(why.to_lowercase().contains("issuer"), "{why}");
    let url = format!("https://localhost:{}/", own.port());
    let v = verdict_with(&prober, &http(url.clone(), json!({}))).await;
    assert_eq!(failed(&v).0, Failure::Tls, "{v:?}");
    let v = verdict_with(
        &prober,
        &http(url, json!({"verify_tls": false, "body_contains": "secure"})),
    )
    .await;
    assert_eq!(v.outcome, Outcome::Ok, "{v:?}");

    let other = tls_target(pki.leaf("other.example", (2027, 1, 1), false)).await;
    let v = verdict_with(&prober, &tls_monitor(other.port(), 14)).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Tls);
    assert!(why.to_lowercase().contains("name"), "{why}");

    // Plain HTTP where TLS is expected: the handshake fails, not the connection.
    let plain = target(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await;
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest).await;
    })
    .await;
    let v = verdict_with(&prober, &tls_monitor(plain.port(), 14)).await;
    assert_eq!(failed(&v).0, Failure::Tls, "{v:?}");
}

// ---- DNS -------------------------------------------------------------------------------------

/// A DNS server on loopback (UDP) that knows `ok.test.` (A 192.0.2.1) and nothing else.
async fn dns_server() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let mut answer = Message::response(query.metadata.id, OpCode::Query);
            answer.metadata.recursion_desired = query.metadata.recursion_desired;
            answer.metadata.recursion_available = true;
            answer.add_queries(query.queries.clone());
            match query.queries.first() {
                Some(q) if q.name().to_ascii().eq_ignore_ascii_case("ok.test.") => {
                    if q.query_type() == RecordType::A {
                        answer.add_answer(Record::from_rdata(
                            q.name().clone(),
                            60,
                            RData::A(A(Ipv4Addr::new(192, 0, 2, 1))),
                        ));
                    }
                }
                _ => answer.metadata.response_code = ResponseCode::NXDomain,
            }
            let _ = socket.send_to(&answer.to_vec().unwrap(), from).await;
        }
    });
    addr
}

fn dns_monitor(name: &str, record_type: &str, expected: Value, resolver: SocketAddr) -> Monitor {
    monitor(
        "dns",
        json!({"name": name, "record_type": record_type, "expected": expected,
               "resolver": resolver.to_string()}),
        2,
    )
}

#[tokio::test]
async fn dns_answers_are_judged_by_their_records() {
    let server = dns_server().await;
    let v = verdict(&dns_monitor("ok.test", "A", json!(["192.0.2.1"]), server)).await;
    assert_eq!(v.outcome, Outcome::Ok, "{v:?}");
    let v = verdict(&dns_monitor("ok.test", "A", json!([]), server)).await;
    assert_eq!(v.outcome, Outcome::Ok, "{v:?}");
    let v = verdict(&dns_monitor("ok.test", "A", json!(["192.0.2.9"]), server)).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Dns);
    assert!(
        why.contains("lacks 192.0.2.9 (it holds 192.0.2.1)"),
        "{why}"
    );
    let v = verdict(&dns_monitor("ok.test", "AAAA", json!([]), server)).await;
    assert_eq!(failed(&v).0, Failure::Dns, "{v:?}");
    let v = verdict(&dns_monitor("gone.test", "A", json!([]), server)).await;
    let (reason, why) = failed(&v);
    assert_eq!(reason, Failure::Dns);
    assert!(why.contains("gone.test"), "{why}");
}

#[tokio::test]
async fn a_resolver_that_never_answers_times_out() {
    // Bound, so nothing refuses the query; never read, so nothing answers.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let v = verdict(&dns_monitor(
        "ok.test",
        "A",
        json!([]),
        silent.local_addr().unwrap(),
    ))
    .await;
    assert_eq!(failed(&v).0, Failure::Timeout, "{v:?}");
    drop(silent);
}
