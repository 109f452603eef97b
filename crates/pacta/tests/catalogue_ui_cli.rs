//! `pacta catalogue check-translations` and `pacta catalogue render` end to end (issue 4).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fresh_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("pacta-it-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pacta(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(args)
        .env(
            "PACTA_DATABASE_URL",
            format!("sqlite://{}/pacta.db?mode=rwc", dir.display()),
        )
        .env_remove("PACTA_CONFIG")
        .output()
        .expect("run pacta")
}

fn import(dir: &Path, yaml: &str) {
    let file = dir.join("catalogue.yaml");
    std::fs::write(&file, yaml).unwrap();
    let out = pacta(dir, &["catalogue", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_translations_passes_on_the_demo_and_names_each_missing_entry() {
    let dir = fresh_dir("translations");
    import(&dir, include_str!("../../../demo/catalogue.yaml"));
    let out = pacta(&dir, &["catalogue", "check-translations"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());

    let demo = include_str!("../../../demo/catalogue.yaml");
    // Drop the German name of the first category: one missing entry.
    let broken = demo.replacen("      de: Arbeitsplatz\n", "", 1);
    assert_ne!(broken, demo);
    let dir = fresh_dir("translations-missing");
    import(&dir, &broken);
    let out = pacta(&dir, &["catalogue", "check-translations"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "categories.workplace.name de\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn render_writes_a_self_contained_html_catalogue() {
    let dir = fresh_dir("render");
    import(&dir, include_str!("../../../demo/catalogue.yaml"));
    let file = dir.join("catalogue.html");
    let out = pacta(
        &dir,
        &[
            "catalogue",
            "render",
            "--lang",
            "nl",
            "--format",
            "html",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"));
    assert!(html.contains("<style>") && !html.contains("rel=\"stylesheet\""));
    assert!(html.contains("ICT-dienstencatalogus"));
    let out = pacta(
        &dir,
        &[
            "catalogue",
            "render",
            "--lang",
            "xx",
            "--format",
            "html",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
