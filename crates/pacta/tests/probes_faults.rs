//! Faults of the prober's own (issue 11, "Faults"), with real processes on SQLite: a database
//! held locked by another process makes no outage and loses no result, and a killed and
//! restarted `serve` resumes an open outage — one outage, not two — and closes it. Waits with
//! deadlines; asserts what the store holds.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{db_dir, http, serve_live, until};
use pacta_store::monitors::MonitorFilter;
use pacta_store::{Db, Scope};
use serde_json::{json, Value};

/// A target that answers 200 — or, on the paths of `flaky`, 503 while `down` is set.
fn target(down: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let down = down.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let mut head = Vec::new();
                loop {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                    while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        let request: Vec<u8> = head.drain(..end + 4).collect();
                        let flaky = request.windows(6).any(|w| w == b"/flaky");
                        let answer: &[u8] = if flaky && down.load(Ordering::SeqCst) {
                            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\ndown"
                        } else {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                        };
                        if s.write_all(answer).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

fn add_monitor(port: u16, code: &str, target: u16) -> String {
    let body = json!({"code": code, "name": {"en": code}, "service": "WEB-HOSTING", "kind": "http",
        "settings": {"url": format!("http://127.0.0.1:{target}/{code}")},
        "interval": "10s", "timeout": "5s", "failures_before_down": 2, "successes_before_up": 1});
    let (status, body) = http(port, "POST", "/api/v1/monitors", Some(&body.to_string()));
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn seq_of(db: &Db, id: &str) -> i64 {
    db.monitor(Scope::All, id).await.unwrap().unwrap().seq
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_database_and_a_restart_neither_make_nor_double_an_outage() {
    let (dir, url) = db_dir("probe-faults");
    let down = Arc::new(AtomicBool::new(false));
    let port = target(down.clone());
    let server = serve_live(&url, &["--demo"], &[]);
    let up_id = add_monitor(server.port, "steady", port);
    let flaky_id = add_monitor(server.port, "flaky", port);
    let db = Db::open_existing(&url).await.unwrap();
    assert!(!db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await
        .unwrap()
        .is_empty());
    let (up, flaky) = (seq_of(&db, &up_id).await, seq_of(&db, &flaky_id).await);
    let began = jiff::Timestamp::now().as_second();
    let results = |seq: i64| {
        let db = db.clone();
        async move {
            db.monitor_results(seq, began - 60, began + 86_400, 100_000)
                .await
                .unwrap()
        }
    };
    let outages = |seq: i64| {
        let db = db.clone();
        async move {
            db.monitor_history(seq, began - 60, began + 86_400)
                .await
                .unwrap()
                .outages
        }
    };
    until(90, "both monitors checked", async || {
        !results(up).await.is_empty() && !results(flaky).await.is_empty()
    })
    .await;

    // The flaky target goes down: an outage opens.
    down.store(true, Ordering::SeqCst);
    until(120, "an open outage of flaky", async || {
        outages(flaky).await.iter().any(|o| o.end.is_none())
    })
    .await;

    // Another process holds the database's write lock for 25 s: checks go on, their results
    // wait, and nothing of it is an outage.
    let locker = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut held = locker.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *held)
        .await
        .unwrap();
    let locked_at = jiff::Timestamp::now().as_second();
    tokio::time::sleep(Duration::from_secs(25)).await;
    sqlx::query("ROLLBACK").execute(&mut *held).await.unwrap();
    drop(held);
    locker.close().await;
    let unlocked_at = jiff::Timestamp::now().as_second();
    until(
        90,
        "the results taken during the lock are written",
        async || results(up).await.iter().any(|r| r.at > unlocked_at),
    )
    .await;
    let steady = results(up).await;
    let during: Vec<i64> = steady
        .iter()
        .map(|r| r.at)
        .filter(|&t| t >= locked_at && t < unlocked_at)
        .collect();
    assert!(during.len() >= 2, "checked during the lock: {steady:?}");
    assert!(
        steady.windows(2).all(|w| w[1].at - w[0].at == 10),
        "a result at every slot of steady: {steady:?}"
    );
    assert!(outages(up).await.is_empty(), "the lock made no outage");

    // The server is killed and started again while flaky is down: the open outage goes on.
    let open_start = outages(flaky)
        .await
        .iter()
        .find(|o| o.end.is_none())
        .unwrap()
        .start;
    drop(server);
    let server = serve_live(&url, &["--demo"], &[]);
    until(90, "flaky checked again after the restart", async || {
        results(flaky)
            .await
            .last()
            .is_some_and(|r| !r.ok && r.at > unlocked_at + 5)
    })
    .await;
    down.store(false, Ordering::SeqCst);
    until(90, "the outage closed", async || {
        outages(flaky).await.iter().all(|o| o.end.is_some())
    })
    .await;
    let flaky_outages = outages(flaky).await;
    assert_eq!(
        flaky_outages.len(),
        1,
        "one outage, not two: {flaky_outages:?}"
    );
    assert_eq!(flaky_outages[0].start, open_start);
    assert!(outages(up).await.is_empty());
    db.close().await;
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
