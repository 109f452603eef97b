//! `pacta user …`, `pacta token …` and `pacta audit export`: the people, their API tokens and
//! the audit log, from the command line of the server's operator (audited as `cli`). A password
//! never goes on the command line: `--password-stdin`, or a one-time link to set it.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use pacta_core::access::{normalize_email, Grant, Role, User};
use pacta_core::clock::Clock;
use pacta_core::text::Lang;
use pacta_store::accounts::{LinkPurpose, UserFilter};
use pacta_store::audit::AuditFilter;
use pacta_store::credentials::{check_new_password, hash_password};
use pacta_store::{Db, Scope, Stamp};

use crate::cli_support::{fail, format_arg, instant_arg, show_instant, CliResult, Format};
use crate::config::Settings;
use pacta_web::ui::account::set_password_url;

/// How long a one-time link works: an invitation a week, a reset a day.

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user. Without --password-stdin it prints a one-time link to set a password.
    Add {
        email: String,
        /// The user's name.
        #[arg(long)]
        name: String,
        /// A role, `ROLE` or `ROLE:CODE,CODE` (service-manager, prm); repeat for several.
        #[arg(long = "role", value_name = "ROLE[:SCOPE,…]")]
        roles: Vec<String>,
        /// The user's partner (then partner roles only).
        #[arg(long)]
        partner: Option<String>,
        /// nl, fr, de or en (default: the partner's, else en).
        #[arg(long)]
        lang: Option<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        /// The same as --role admin.
        #[arg(long)]
        admin: bool,
    },
    /// List users: e-mail, partner, language, roles.
    List {
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// text or json (a bare array, by e-mail).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Disable a user: its sessions end and its tokens stop working.
    Disable { email: String },
    /// Enable a disabled user.
    Enable { email: String },
    /// Replace a user's roles.
    SetRole {
        email: String,
        #[arg(long = "role", value_name = "ROLE[:SCOPE,…]", required = true)]
        roles: Vec<String>,
    },
    /// Print a one-time link to set a new password (valid 24 h).
    ResetLink { email: String },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user: the token is printed alone, once.
    Create {
        #[arg(long)]
        user: String,
        /// A name to recognise it by (default `cli`).
        #[arg(long, default_value = "cli")]
        name: String,
        /// When it stops working, RFC 3339 (`2027-06-30T00:00:00Z`); default never.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List API tokens (never their secret).
    List {
        #[arg(long)]
        user: Option<String>,
        /// text or json (a bare array, oldest first).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Revoke an API token by its id.
    Revoke { id: String },
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Write the audit log as CSV: id, at, actor, action, kind, code, partner, before, after.
    Export {
        /// From this instant (RFC 3339, inclusive).
        #[arg(long)]
        from: Option<String>,
        /// To this instant (RFC 3339, exclusive).
        #[arg(long)]
        to: Option<String>,
        /// Only the writes of this actor (an e-mail, `bootstrap`, `cli`, …).
        #[arg(long)]
        actor: Option<String>,
        /// Only the writes concerning this partner.
        #[arg(long)]
        partner: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Opens the database, runs `body`, closes it; an error is one line and exit 2.
async fn with_db<F, Fut>(settings: &Settings, body: F) -> ExitCode
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = CliResult>,
{
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let result = body(db.clone()).await;
    db.close().await;
    result.unwrap_or_else(fail)
}

fn grants(roles: &[String], admin: bool) -> Result<Vec<Grant>, String> {
    let mut grants: Vec<Grant> = roles
        .iter()
        .map(|r| Grant::parse(r).map_err(|e| format!("--role {r}: {e}")))
        .collect::<Result<_, _>>()?;
    if admin && !grants.iter().any(|g| g.role == Role::Admin) {
        grants.push(Grant::unscoped(Role::Admin));
    }
    grants.sort();
    Ok(grants)
}

fn store_err(e: pacta_store::StoreError) -> String {
    e.to_string()
}

pub async fn user(settings: &Settings, cmd: UserCommand, clock: Clock) -> ExitCode {
    let public_url = match settings.public_url(None) {
        Ok(u) => u,
        Err(e) => return fail(format!("{e:#}")),
    };
    with_db(settings, |db| async move {
        let stamp = Stamp::new("cli", clock.now());
        match cmd {
            UserCommand::Add {
                email,
                name,
                roles,
                partner,
                lang,
                password_stdin,
                admin,
            } => {
                let lang = match lang {
                    Some(l) => Some(
                        Lang::from_code(&l)
                            .ok_or_else(|| format!("--lang: `{l}` is not one of nl, fr, de, en"))?,
                    ),
                    None => None,
                };
                let partner_lang = match &partner {
                    Some(p) => db
                        .partner(Scope::All, p)
                        .await
                        .map_err(store_err)?
                        .map(|p| p.partner.lang),
                    None => None,
                };
                let user = User {
                    email: normalize_email(&email),
                    name: name.trim().to_owned(),
                    partner,
                    lang: lang.or(partner_lang).unwrap_or(Lang::En),
                    roles: grants(&roles, admin)?,
                    disabled: false,
                };
                user.check().map_err(|e| e.to_string())?;
                let hash = if password_stdin {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| format!("reading the password from stdin: {e}"))?;
                    let password = line.trim_end_matches(['\r', '\n']).to_owned();
                    check_new_password(&password).map_err(|e| e.to_string())?;
                    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
                        .await
                        .map_err(|e| format!("hashing the password: {e}"))?;
                    Some(hash)
                } else {
                    None
                };
                db.add_user(&user, hash.as_deref(), stamp)
                    .await
                    .map_err(store_err)?;
                if hash.is_none() {
                    let token = db
                        .issue_link(&user.email, LinkPurpose::Invite, stamp)
                        .await
                        .map_err(store_err)?;
                    println!("{}", set_password_url(&public_url, user.lang, &token));
                }
                Ok(ExitCode::SUCCESS)
            }
            UserCommand::List {
                partner,
                role,
                format,
            } => {
                let format = format_arg(&format)?;
                let role = match role {
                    Some(r) => Some(
                        Role::from_code(&r).ok_or_else(|| format!("--role: unknown role `{r}`"))?,
                    ),
                    None => None,
                };
                let users = db
                    .list_users(Scope::All, &UserFilter { partner, role })
                    .await
                    .map_err(store_err)?;
                match format {
                    Format::Json => println!(
                        "{}",
                        serde_json::to_string(&users).map_err(|e| e.to_string())?
                    ),
                    Format::Text => {
                        for u in &users {
                            let roles: Vec<String> =
                                u.roles.iter().map(ToString::to_string).collect();
                            println!(
                                "{:<40} {:<16} {:<2} {}{}",
                                u.email,
                                u.partner.as_deref().unwrap_or("-"),
                                u.lang,
                                roles.join(" "),
                                if u.disabled { " (disabled)" } else { "" }
                            );
                        }
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            UserCommand::Disable { email } => {
                db.set_user_disabled(&normalize_email(&email), true, stamp)
                    .await
                    .map_err(store_err)?;
                Ok(ExitCode::SUCCESS)
            }
            UserCommand::Enable { email } => {
                db.set_user_disabled(&normalize_email(&email), false, stamp)
                    .await
                    .map_err(store_err)?;
                Ok(ExitCode::SUCCESS)
            }
            UserCommand::SetRole { email, roles } => {
                db.set_user_roles(&normalize_email(&email), &grants(&roles, false)?, stamp)
                    .await
                    .map_err(store_err)?;
                Ok(ExitCode::SUCCESS)
            }
            UserCommand::ResetLink { email } => {
                let email = normalize_email(&email);
                let user = db
                    .user(Scope::All, &email)
                    .await
                    .map_err(store_err)?
                    .ok_or_else(|| format!("no user `{email}`"))?;
                let token = db
                    .issue_link(&email, LinkPurpose::Reset, stamp)
                    .await
                    .map_err(store_err)?;
                println!("{}", set_password_url(&public_url, user.lang, &token));
                Ok(ExitCode::SUCCESS)
            }
        }
    })
    .await
}

pub async fn token(settings: &Settings, cmd: TokenCommand, clock: Clock) -> ExitCode {
    with_db(settings, |db| async move {
        let stamp = Stamp::new("cli", clock.now());
        match cmd {
            TokenCommand::Create {
                user,
                name,
                expires,
            } => {
                let expires = match expires {
                    Some(e) => {
                        let t = instant_arg("--expires", &e)?;
                        if t <= clock.now() {
                            return Err(format!("--expires: {e} is not in the future"));
                        }
                        Some(t.as_second())
                    }
                    None => None,
                };
                if name.trim().is_empty() {
                    return Err("--name: a token has a name".into());
                }
                let (_, token) = db
                    .create_token(&normalize_email(&user), name.trim(), expires, stamp)
                    .await
                    .map_err(store_err)?;
                println!("{token}");
                Ok(ExitCode::SUCCESS)
            }
            TokenCommand::List { user, format } => {
                let format = format_arg(&format)?;
                let email = user.map(|u| normalize_email(&u));
                let tokens = db.list_tokens(email.as_deref()).await.map_err(store_err)?;
                match format {
                    Format::Json => {
                        let items: Vec<serde_json::Value> = tokens
                            .iter()
                            .map(|t| {
                                serde_json::json!({"id": t.id, "user": t.user, "name": t.name,
                                    "created_at": show_instant(t.created_at),
                                    "expires_at": t.expires_at.map(show_instant),
                                    "revoked_at": t.revoked_at.map(show_instant),
                                    "last_used_at": t.last_used_at.map(show_instant)})
                            })
                            .collect();
                        println!("{}", serde_json::Value::Array(items));
                    }
                    Format::Text => {
                        for t in &tokens {
                            let state = match (t.revoked_at, t.expires_at) {
                                (Some(at), _) => format!("revoked {}", show_instant(at)),
                                (None, Some(at)) => format!("expires {}", show_instant(at)),
                                (None, None) => "does not expire".into(),
                            };
                            println!(
                                "{}  {:<40} {:<16} created {}  {state}",
                                t.id,
                                t.user,
                                t.name,
                                show_instant(t.created_at)
                            );
                        }
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            TokenCommand::Revoke { id } => {
                db.revoke_token(&id, stamp).await.map_err(store_err)?;
                Ok(ExitCode::SUCCESS)
            }
        }
    })
    .await
}

pub async fn audit(settings: &Settings, cmd: AuditCommand) -> ExitCode {
    with_db(settings, |db| async move {
        let AuditCommand::Export {
            from,
            to,
            actor,
            partner,
            out,
        } = cmd;
        let filter = AuditFilter {
            from: from
                .map(|f| instant_arg("--from", &f).map(|t| t.as_second()))
                .transpose()?,
            to: to
                .map(|t| instant_arg("--to", &t).map(|t| t.as_second()))
                .transpose()?,
            actor,
            partner,
            kind: None,
        };
        let entries = db.audit_entries(&filter).await.map_err(store_err)?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        let write = |csv: &mut csv::Writer<Vec<u8>>, row: [&str; 9]| {
            csv.write_record(row).map_err(|e| e.to_string())
        };
        write(
            &mut csv,
            [
                "id", "at", "actor", "action", "kind", "code", "partner", "before", "after",
            ],
        )?;
        for e in &entries {
            let at = show_instant(e.at);
            write(
                &mut csv,
                [
                    &e.id,
                    &at,
                    &e.actor,
                    &e.action,
                    &e.kind,
                    &e.code,
                    e.partner.as_deref().unwrap_or(""),
                    e.before.as_deref().unwrap_or(""),
                    e.after.as_deref().unwrap_or(""),
                ],
            )?;
        }
        let bytes = csv.into_inner().map_err(|e| e.to_string())?;
        match out {
            Some(path) => std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            None => {
                use std::io::Write;
                std::io::stdout()
                    .write_all(&bytes)
                    .map_err(|e| format!("writing stdout: {e}"))?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
    .await
}
