//! `pacta catalogue …`: the catalogue as code (import, export, schema) and reading it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::import::plan;
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::{export, Lifecycle};
use pacta_core::clock::Clock;
use pacta_core::text::Lang;
use pacta_store::Stamp;
use pacta_web::snapshot::{LangChoice, Snapshot};

use crate::cli_support::print_issues;
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum CatalogueCommand {
    /// Import a catalogue file: validate it whole, then upsert by code in one transaction.
    ///
    /// Errors print as FILE:LINE:COL: field.path: message, one per line, and exit 2; then nothing
    /// is changed. Nothing is deleted unless --prune.
    Import {
        /// The YAML file.
        file: PathBuf,
        /// Print `created|updated|unchanged KIND CODE` lines and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Delete what the file does not contain (then the file must be complete).
        #[arg(long)]
        prune: bool,
    },
    /// Export the whole catalogue as YAML, deterministically (no ids, timestamps or history).
    Export {
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the JSON Schema of the catalogue format, for editors.
    Schema,
    /// List the services: code, status, category and name.
    List {
        /// nl, fr, de or en (default en).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Show one service with its packs, options and levels.
    Show {
        /// The service code.
        code: String,
        /// nl, fr, de or en (default en).
        #[arg(long, default_value = "en")]
        lang: String,
        /// text or json (json: the API's representation).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Print `path lang` for every missing translation — UI strings (`ui.ID lang`) and catalogue
    /// content (`services.CODE.name lang`) — and exit 1 if there is any.
    CheckTranslations,
    /// Write the printable catalogue (what /{lang}/catalogue/print shows) as one file.
    ///
    /// html: self-contained (CSS inlined). pdf: that HTML printed by the local Chromium, tagged,
    /// with an outline; exits 2 when Chromium is missing.
    Render {
        /// nl, fr, de or en.
        #[arg(long)]
        lang: String,
        /// html or pdf.
        #[arg(long, default_value = "html")]
        format: String,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(
    settings: &Settings,
    cmd: CatalogueCommand,
    clock: Clock,
) -> anyhow::Result<ExitCode> {
    match cmd {
        CatalogueCommand::Schema => {
            println!("{}", pacta_core::catalogue::schema::JSON_SCHEMA.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        CatalogueCommand::Import {
            file,
            dry_run,
            prune,
        } => import(settings, &file, dry_run, prune, &clock).await,
        CatalogueCommand::Export { out } => {
            let db = settings.open_db().await?;
            let stored = db.load_catalogue().await?;
            db.close().await;
            let yaml = export::to_yaml(&stored.catalogue);
            match out {
                Some(path) => std::fs::write(&path, yaml)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{yaml}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogueCommand::List { lang } => {
            let Some(lang) = parse_lang(&lang) else {
                return Ok(ExitCode::from(2));
            };
            let db = settings.open_db().await?;
            let stored = db.load_catalogue().await?;
            db.close().await;
            let snapshot = Snapshot::build(stored);
            for &i in &snapshot.order {
                let s = &snapshot.stored.catalogue.services[i];
                let name = s.name.resolve(lang).map(|(_, t)| t).unwrap_or("");
                println!(
                    "{:<24} {:<10} {:<16} {}",
                    s.code,
                    s.status.code(),
                    s.category,
                    name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogueCommand::CheckTranslations => {
            let db = settings.open_db().await?;
            let stored = db.load_catalogue().await?;
            db.close().await;
            let mut missing = 0usize;
            for (id, lang) in pacta_web::ui::i18n::missing_ui_strings() {
                println!("ui.{id} {lang}");
                missing += 1;
            }
            for (path, text) in stored.catalogue.texts() {
                for lang in text.missing() {
                    println!("{path} {lang}");
                    missing += 1;
                }
            }
            Ok(if missing == 0 {
                ExitCode::SUCCESS
            } else {
                eprintln!("pacta: {missing} missing translation(s)");
                ExitCode::from(1)
            })
        }
        CatalogueCommand::Render { lang, format, out } => {
            let Some(lang) = parse_lang(&lang) else {
                return Ok(ExitCode::from(2));
            };
            if format != "html" && format != "pdf" {
                eprintln!("pacta: --format must be html or pdf, not `{format}`");
                return Ok(ExitCode::from(2));
            }
            let db = settings.open_db().await?;
            let stored = db.load_catalogue().await?;
            db.close().await;
            let snapshot = Snapshot::build(stored);
            let html = pacta_web::ui::print::render_html(&snapshot, lang)
                .context("cannot render the catalogue")?;
            if format == "html" {
                std::fs::write(&out, html)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                return Ok(ExitCode::SUCCESS);
            }
            crate::render_pdf::print(&html, &out)
        }
        CatalogueCommand::Show { code, lang, format } => {
            let Some(lang) = parse_lang(&lang) else {
                return Ok(ExitCode::from(2));
            };
            if format != "text" && format != "json" {
                eprintln!("pacta: --format must be text or json, not `{format}`");
                return Ok(ExitCode::from(2));
            }
            let db = settings.open_db().await?;
            let stored = db.load_catalogue().await?;
            db.close().await;
            let snapshot = Snapshot::build(stored);
            let Some(&index) = snapshot.by_code.get(&code) else {
                eprintln!("pacta: no service `{code}`");
                return Ok(ExitCode::from(2));
            };
            if format == "json" {
                println!("{}", snapshot.detail_json(index, LangChoice::One(lang)));
            } else {
                print!("{}", show_text(&snapshot, index, lang));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parse_lang(lang: &str) -> Option<Lang> {
    let parsed = Lang::from_code(lang);
    if parsed.is_none() {
        eprintln!("pacta: unsupported language `{lang}`: use nl, fr, de or en");
    }
    parsed
}

async fn import(
    settings: &Settings,
    file: &std::path::Path,
    dry_run: bool,
    prune: bool,
    clock: &Clock,
) -> anyhow::Result<ExitCode> {
    let source = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let doc = match parse_yaml(&source) {
        Ok(doc) => doc,
        Err(issue) => {
            print_issues(file, &[issue]);
            return Ok(ExitCode::from(2));
        }
    };
    let db = settings.open_db().await?;
    let stored = db.load_catalogue().await?;
    // Pruning deletes what the file lacks, so then the file alone must be complete.
    let known = if prune {
        Known::default()
    } else {
        Known::of(&stored.catalogue)
    };
    let incoming = match read_catalogue(&doc, &known) {
        Ok(c) => c,
        Err(issues) => {
            print_issues(file, &issues);
            db.close().await;
            return Ok(ExitCode::from(2));
        }
    };
    let plan = plan(&stored.catalogue, &incoming, prune);
    for change in &plan.changes {
        println!("{change}");
    }
    if !dry_run {
        db.apply_import(&plan, Stamp::new("cli-import", clock.now()))
            .await?;
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn show_text(snapshot: &Snapshot, index: usize, lang: Lang) -> String {
    use std::fmt::Write;
    let cat = &snapshot.stored.catalogue;
    let s = &cat.services[index];
    let t = |text: &pacta_core::text::Text| {
        text.resolve(lang)
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default()
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", s.code, t(&s.name));
    if !s.summary.is_empty() {
        let _ = writeln!(out, "{}", t(&s.summary));
    }
    let _ = writeln!(
        out,
        "status: {}{}",
        s.status.code(),
        s.successor
            .as_ref()
            .map(|x| format!(" (successor: {x})"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "category: {}", s.category);
    let models: Vec<&str> = s.delivery_models.iter().map(|m| m.code()).collect();
    let _ = writeln!(out, "delivery models: {}", models.join(", "));
    let _ = writeln!(
        out,
        "service manager: {} <{}> {}",
        s.service_manager.name, s.service_manager.email, s.service_manager.phone
    );
    let _ = writeln!(out, "packs:");
    for p in &s.packs {
        let _ = writeln!(
            out,
            "  {} — {} (standard level: {})",
            p.code,
            t(&p.name),
            p.standard_level
        );
        for price in &p.prices {
            let per = if price.per == pacta_core::catalogue::Per::Unit {
                format!(" per {}", t(&price.unit))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "    EUR {}.{:02} / {}{per}, excl. VAT",
                price.amount_cents / 100,
                price.amount_cents % 100,
                price.period.code()
            );
        }
    }
    if !s.options.is_empty() {
        let _ = writeln!(out, "options:");
        for o in &s.options {
            let _ = writeln!(out, "  {} — {}", o.code, t(&o.name));
        }
    }
    let _ = writeln!(out, "service levels:");
    for code in &s.levels {
        if let Some(l) = cat.levels.iter().find(|l| &l.code == code) {
            let _ = writeln!(
                out,
                "  {} — {} ({} %)",
                l.code,
                t(&l.name),
                l.availability_target
            );
            for (p, target) in &l.targets {
                let _ = writeln!(
                    out,
                    "    {}: response {}, resolution {} on {}",
                    p.code(),
                    target.response,
                    target.resolution,
                    target.calendar
                );
            }
        }
    }
    if s.status == Lifecycle::Draft {
        let _ = writeln!(out, "(draft: not yet published)");
    }
    out
}
