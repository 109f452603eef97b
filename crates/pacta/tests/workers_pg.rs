//! Two `pacta worker` processes on one PostgreSQL share the monitors through leases, and the
//! survivor takes over a killed one's monitors once its lease expires (issue 11, "Where it
//! runs"). The lease is driven by a setting (`PACTA_PROBE_LEASE_TTL=2`), and every assertion is
//! about what the store holds — which worker holds which shards, the instants of the results —
//! waited for with a deadline, never about how long anything took.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use common::{cli, free_port, until};
use pacta_store::monitors::MonitorFilter;
use pacta_store::{Db, Scope};
use serde_json::Value;

const MONITORS: usize = 40;

/// A target that answers every request with 200.
fn target() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                    if head.windows(4).any(|w| w == b"\r\n\r\n") {
                        if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                            .is_err()
                        {
                            return;
                        }
                        head.clear();
                    }
                }
            });
        }
    });
    port
}

struct Worker {
    child: Child,
    health: u16,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn worker(url: &str) -> Worker {
    let health = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["--database-url", url, "worker", "--listen"])
        .arg(format!("127.0.0.1:{health}"))
        .env_remove("PACTA_DATABASE_URL")
        .env("PACTA_PROBE_LEASE_TTL", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Worker { child, health }
}

/// The worker's `/healthz`, once it answers.
fn health(w: &Worker) -> Option<Value> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", w.health)).ok()?;
    write!(s, "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    serde_json::from_str(out.split_once("\r\n\r\n")?.1).ok()
}

fn shards(w: &Worker) -> Option<u64> {
    health(w).and_then(|h| h["shards"].as_u64())
}

/// The instants of each monitor's results (by seq).
async fn results(db: &Db, seqs: &[i64]) -> Vec<Vec<i64>> {
    let mut all = Vec::new();
    for &seq in seqs {
        let rs = db
            .monitor_results(seq, 0, i64::MAX / 2, 10_000)
            .await
            .unwrap();
        all.push(rs.into_iter().map(|r| r.at).collect());
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn two_workers_share_the_monitors_and_one_takes_over_the_other() {
    let Some(url) = pacta_store::testing::fresh_postgres_url().await else {
        return;
    };
    let db = Db::open(&url).await.unwrap();
    let catalogue = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");
    let out = cli(&url, &["catalogue", "import", catalogue]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = target();
    let mut yaml = String::from("monitors:\n");
    for n in 0..MONITORS {
        yaml.push_str(&format!(
            "  - code: m{n:02}\n    name: {{en: M{n}}}\n    service: WEB-HOSTING\n    kind: http\n    \
             settings: {{url: \"http://127.0.0.1:{port}/m{n}\"}}\n    interval: 10s\n    timeout: 5s\n"
        ));
    }
    let file = std::env::temp_dir().join(format!("pacta-workers-{}.yaml", std::process::id()));
    std::fs::write(&file, yaml).unwrap();
    let out = cli(&url, &["monitor", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);
    let seqs: Vec<i64> = db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(seqs.len(), MONITORS);

    // One worker holds every shard; a second one gets its half.
    let a = worker(&url);
    until(60, "worker a holds every shard", async || {
        shards(&a) == Some(64)
    })
    .await;
    let b = worker(&url);
    until(30, "the shards shared 32/32", async || {
        shards(&a) == Some(32) && shards(&b) == Some(32)
    })
    .await;
    // Both check monitors: every monitor has results.
    until(40, "every monitor checked", async || {
        results(&db, &seqs).await.iter().all(|rs| !rs.is_empty())
    })
    .await;
    let a_checks = health(&a).unwrap()["checks"].as_u64().unwrap();
    let b_checks = health(&b).unwrap()["checks"].as_u64().unwrap();
    assert!(
        a_checks > 0 && b_checks > 0,
        "both probe: {a_checks} and {b_checks}"
    );

    // Worker a dies without a word; b takes its shards over when a's lease expires.
    let mut a = a;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let killed = jiff::Timestamp::now().as_second();
    until(30, "worker b holds every shard", async || {
        shards(&b) == Some(64)
    })
    .await;
    until(
        40,
        "every monitor checked again after the takeover",
        async || {
            results(&db, &seqs)
                .await
                .iter()
                .all(|rs| rs.last().is_some_and(|&at| at > killed + 2))
        },
    )
    .await;

    // No result doubled: one result per slot of each monitor (10 s apart on its own phase), and
    // no slot lost beyond the lease's expiry and the scheduler's next slot.
    for (seq, ats) in seqs.iter().zip(results(&db, &seqs).await) {
        for pair in ats.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                gap >= 10 && gap % 10 == 0,
                "monitor {seq}: results at {ats:?}"
            );
            assert!(gap <= 30, "monitor {seq}: a gap of {gap} s in {ats:?}");
        }
    }

    // Stopped with SIGTERM, b gives its shards back at once.
    let status = Command::new("kill")
        .args(["-TERM", &b.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut b = b;
    b.child.wait().unwrap();
    let now = jiff::Timestamp::now().as_second();
    let leases = db.claim_probe_shards("the-test", now, 1).await.unwrap();
    assert_eq!(
        leases.shards.len(),
        64,
        "every shard free after a graceful stop"
    );
    assert!(leases.others.is_empty());
    db.close().await;
}
