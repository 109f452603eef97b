//! `pacta serve --demo` on the system clock probes something real (issue 11, points 3 and 4):
//! the demo monitors are pointed at the demo's own endpoints, and their results reach the store
//! through the ingest. Waits for results to appear (polling with a deadline); asserts nothing
//! about how long that took.

mod common;

use std::time::Duration;

use common::{db_dir, serve_live, Server};
use pacta_core::monitor::Check;
use pacta_store::monitors::MonitorFilter;
use pacta_store::{Db, Scope};

const METRICS_TOKEN: &str = "e2e-metrics";

/// `GET /metrics` with the metrics token.
fn metrics(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer {METRICS_TOKEN}\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200"),
        "{out}"
    );
    out
}

fn serve_demo(url: &str, extra: &[&str]) -> Server {
    let mut args = vec!["--demo"];
    args.extend_from_slice(extra);
    serve_live(url, &args, &[("PACTA_METRICS_TOKEN", METRICS_TOKEN)])
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_probes_its_own_endpoints_and_stores_the_results() {
    let (dir, url) = db_dir("probes-demo");
    let server = serve_demo(&url, &[]);
    let db = Db::open_existing(&url).await.unwrap();
    let monitors = db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await
        .unwrap();
    // Every demo monitor now watches a local endpoint, none a `.invalid` host.
    for m in &monitors {
        match &m.monitor.check {
            Check::Http(h) => assert!(
                h.url.starts_with("http://127.0.0.1:"),
                "{}: {}",
                m.monitor.code,
                h.url
            ),
            Check::Tcp(t) => assert_eq!(t.host, "127.0.0.1"),
            Check::Tls(t) => assert_eq!(t.host, "localhost"),
            Check::Dns(d) => assert!(d.resolver.as_deref().unwrap().starts_with("127.0.0.1:")),
        }
    }
    let https: Vec<i64> = monitors
        .iter()
        .filter(|m| matches!(m.monitor.check, Check::Http(_)))
        .map(|m| m.seq)
        .collect();
    assert!(https.len() >= 10);
    // The demo's history ends where the server started; probed results come after it, one per
    // 30 s per monitor on phases spread over the interval.
    let started = jiff::Timestamp::now().as_second() - 5;
    let mut probed = Vec::new();
    for _ in 0..120 {
        probed.clear();
        for &seq in &https {
            probed.extend(
                db.monitor_results(seq, started, started + 3600, 100)
                    .await
                    .unwrap(),
            );
        }
        if probed.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(probed.len() >= 3, "probed results stored: {probed:?}");
    assert!(
        probed.iter().all(|r| r.ok && r.latency_ms.is_some()),
        "the demo's endpoints answer (the flaky one only fails from minute 2): {probed:?}"
    );
    // The metrics show the probes at work: latencies of http checks, monitors up, results
    // written, and the build.
    let mut text = String::new();
    for _ in 0..40 {
        text = metrics(server.port);
        if text.contains("pacta_probe_results_written_total") && text.contains("pacta_monitor_up{")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        text.contains("pacta_probe_latency_seconds_bucket{"),
        "{text}"
    );
    assert!(text.contains("kind=\"http\""), "{text}");
    assert!(text.contains("pacta_monitor_up{"), "{text}");
    assert!(text.contains("pacta_probe_checks_total"), "{text}");
    assert!(
        text.contains("pacta_probe_scheduling_lateness_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("pacta_build_info{"), "{text}");
    db.close().await;
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_probes_leaves_the_demo_monitors_as_they_are() {
    let (dir, url) = db_dir("probes-off");
    let server = serve_demo(&url, &["--no-probes"]);
    let db = Db::open_existing(&url).await.unwrap();
    let monitors = db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await
        .unwrap();
    assert!(!monitors.is_empty());
    assert!(monitors.iter().all(|m| match &m.monitor.check {
        Check::Http(h) => h.url.contains(".invalid"),
        _ => true,
    }));
    db.close().await;
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
