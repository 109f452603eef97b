//! `pacta partner …`: the partners — add one, list, show, and the partners file (import with
//! every error at once and all or nothing, export deterministically).

use std::path::PathBuf;
use std::process::ExitCode;

use pacta_core::catalogue::document::parse_yaml;
use pacta_core::clock::Clock;
use pacta_core::partner::{self, partner_json, Partner};
use pacta_core::text::{Lang, Text};
use pacta_store::{Db, Scope, Stamp};

use crate::cli_support::{fail, format_arg, print_issues, yes_no, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum PartnerCommand {
    /// Add a partner.
    Add {
        /// Its code: [A-Z0-9-], 2 to 32 characters.
        code: String,
        /// Its name, in its language (--lang).
        #[arg(long)]
        name: String,
        /// Its preferred language: nl, fr, de or en (default en).
        #[arg(long, default_value = "en")]
        lang: String,
        /// Whether it has a local helpdesk (its first line): yes or no (default no).
        #[arg(long, default_value = "no")]
        local_helpdesk: String,
        /// Its PRM: the e-mail of a user holding prm over it.
        #[arg(long)]
        prm: Option<String>,
    },
    /// List the partners: code, language, local helpdesk, name.
    List {
        /// text or json (a bare array, by code).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Show one partner.
    Show {
        code: String,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Import a partners file: validated whole (FILE:LINE:COL: field.path: message, exit 2),
    /// then every partner upserted by code in one transaction. Nothing is deleted.
    Import {
        file: PathBuf,
        /// Print `created|updated|unchanged partner CODE` lines and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the partners as a partners file (deterministic: by code, no ids or timestamps).
    Export {
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(settings: &Settings, cmd: PartnerCommand, clock: Clock) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let result = match cmd {
        PartnerCommand::Add {
            code,
            name,
            lang,
            local_helpdesk,
            prm,
        } => add(&db, &clock, &code, &name, &lang, &local_helpdesk, prm).await,
        PartnerCommand::List { format } => list(&db, &format).await,
        PartnerCommand::Show { code, format } => show(&db, &code, &format).await,
        PartnerCommand::Import { file, dry_run } => import(&db, &clock, &file, dry_run).await,
        PartnerCommand::Export { out } => export(&db, out).await,
    };
    db.close().await;
    result.unwrap_or_else(fail)
}

async fn add(
    db: &Db,
    clock: &Clock,
    code: &str,
    name: &str,
    lang: &str,
    local_helpdesk: &str,
    prm: Option<String>,
) -> CliResult {
    let lang = Lang::from_code(lang)
        .ok_or_else(|| format!("--lang: `{lang}` is not one of nl, fr, de, en"))?;
    let local_helpdesk = yes_no("--local-helpdesk", local_helpdesk)?;
    if !partner::is_partner_code(code) {
        return Err(format!(
            "`{code}` is not a partner code: expected [A-Z0-9-], 2 to 32 characters"
        ));
    }
    if name.trim().is_empty() {
        return Err("--name: a partner has a name".into());
    }
    let p = Partner {
        code: code.to_owned(),
        name: Text::new().with(lang, name.trim()),
        lang,
        local_helpdesk,
        prm: prm.map(|e| pacta_core::access::normalize_email(&e)),
        contacts: Vec::new(),
    };
    db.create_partner(&p, Stamp::new("cli", clock.now()))
        .await
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// A partner's JSON, with its PRM's name from the users.
async fn json_of(db: &Db, p: &Partner) -> Result<serde_json::Value, String> {
    let prm_name = match &p.prm {
        Some(email) => db
            .user(Scope::All, email)
            .await
            .map_err(|e| e.to_string())?
            .map(|u| u.name),
        None => None,
    };
    Ok(partner_json(p, prm_name.as_deref()))
}

async fn list(db: &Db, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let partners = db
        .list_partners(Scope::All)
        .await
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => {
            let mut items = Vec::new();
            for p in &partners {
                items.push(json_of(db, &p.partner).await?);
            }
            println!("{}", serde_json::Value::Array(items));
        }
        Format::Text => {
            for p in &partners {
                let p = &p.partner;
                let name = p.name.resolve(p.lang).map(|(_, t)| t).unwrap_or("");
                let helpdesk = if p.local_helpdesk {
                    "local-helpdesk"
                } else {
                    "-"
                };
                println!("{:<32} {:<2} {:<14} {name}", p.code, p.lang, helpdesk);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(db: &Db, code: &str, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let p = db
        .partner(Scope::All, code)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no partner `{code}`"))?
        .partner;
    let json = json_of(db, &p).await?;
    match format {
        Format::Json => println!("{json}"),
        Format::Text => {
            println!(
                "{} — {}",
                p.code,
                p.name.resolve(p.lang).map(|(_, t)| t).unwrap_or("")
            );
            println!("language: {}", p.lang);
            println!(
                "local helpdesk: {}",
                if p.local_helpdesk { "yes" } else { "no" }
            );
            match &json["prm"] {
                serde_json::Value::Null => println!("prm: -"),
                prm => println!(
                    "prm: {} <{}>",
                    prm["name"].as_str().unwrap_or(""),
                    prm["email"].as_str().unwrap_or("")
                ),
            }
            for c in &p.contacts {
                let roles: Vec<&str> = c.roles.iter().map(|r| r.code()).collect();
                println!(
                    "contact: {} <{}> {} ({})",
                    c.name,
                    c.email,
                    c.phone.as_deref().unwrap_or("-"),
                    roles.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(db: &Db, clock: &Clock, file: &std::path::Path, dry_run: bool) -> CliResult {
    let source = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let incoming = parse_yaml(&source)
        .map_err(|issue| vec![issue])
        .and_then(|doc| partner::read_partners(&doc));
    let incoming = match incoming {
        Ok(p) => p,
        Err(issues) => {
            print_issues(file, &issues);
            return Ok(ExitCode::from(2));
        }
    };
    let existing: Vec<Partner> = db
        .list_partners(Scope::All)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|p| p.partner)
        .collect();
    let (changes, writes) = partner::plan(&existing, &incoming);
    if !dry_run {
        db.import_partners(&writes, Stamp::new("cli", clock.now()))
            .await
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    for change in &changes {
        println!("{change}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(db: &Db, out: Option<PathBuf>) -> CliResult {
    let partners: Vec<Partner> = db
        .list_partners(Scope::All)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|p| p.partner)
        .collect();
    let yaml = partner::to_yaml(&partners);
    match out {
        Some(path) => std::fs::write(&path, yaml)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{yaml}"),
    }
    Ok(ExitCode::SUCCESS)
}
