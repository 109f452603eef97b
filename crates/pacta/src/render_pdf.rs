//! Printing the catalogue's HTML to PDF with the local Chromium (headless). Chromium writes a
//! tagged PDF (its accessibility tree becomes the structure tree), with the document's language
//! and title from `<html lang>` and `<title>`, and an outline from the headings with
//! `--generate-pdf-document-outline`. The same engine runs the browser tests, so what is tested is
//! what is printed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::Context;

/// Where Chromium is: `PACTA_CHROMIUM`, else Debian's `/usr/bin/chromium`, else on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PACTA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return Some(debian);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.exists())
    })
}

/// A fresh private directory under the system temp dir: named by the process and a counter,
/// created only if it did not exist (a leftover of an earlier process is skipped, not reused).
fn fresh_dir(tag: &str) -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let dir = base.join(format!("pacta-{tag}-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
        }
    }
    anyhow::bail!("cannot create a fresh directory under {}", base.display())
}

pub fn print(html: &str, out: &Path) -> anyhow::Result<ExitCode> {
    let Some(chromium) = chromium() else {
        eprintln!(
            "pacta: Chromium is not installed (looked for $PACTA_CHROMIUM, /usr/bin/chromium, \
             chromium on PATH): install Debian's `chromium` package, or use --format html"
        );
        return Ok(ExitCode::from(2));
    };
    let work = fresh_dir("render")?;
    let page = work.join("catalogue.html");
    std::fs::write(&page, html).with_context(|| format!("cannot write {}", page.display()))?;
    let profile = work.join("profile");
    let out_abs = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()?.join(out)
    };
    let status = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--generate-pdf-document-outline",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", out_abs.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {}", chromium.display()))?;
    let _ = std::fs::remove_dir_all(&work);
    if !status.status.success() || !out_abs.exists() {
        eprintln!("{}", String::from_utf8_lossy(&status.stderr));
        anyhow::bail!("Chromium could not print the catalogue ({})", status.status);
    }
    Ok(ExitCode::SUCCESS)
}
