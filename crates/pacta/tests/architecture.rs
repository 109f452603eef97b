//! Rules of the code's shape that a reviewer would otherwise have to remember.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// "Now" comes from one injectable clock (`pacta_core::clock`): no other code of the crates
/// reads the system time, so that every behaviour at an instant can be driven by a test clock.
#[test]
fn only_the_clock_module_reads_the_system_time() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(&crates).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            sources(&src, &mut files);
        }
    }
    assert!(files.len() > 20, "the crates' sources were found");
    let readers = [
        "Timestamp::now(",
        "Zoned::now(",
        "SystemTime::now(",
        "Instant::now(",
        "now_v7(",
        "Date::today(",
        "Utc::now(",
        "Local::now(",
    ];
    let clock = crates.join("core/src/clock.rs");
    // The probes' stopwatch and timers: monotonic time, never an instant of the domain.
    let monotonic = crates.join("monitor/src/monotonic.rs");
    let mut found = Vec::new();
    for file in &files {
        if *file == clock || *file == monotonic {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(r) = readers.iter().find(|r| code.contains(*r)) {
                found.push(format!("{}:{}: {r}", file.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "system time read outside the clock module:\n{}",
        found.join("\n")
    );
}
