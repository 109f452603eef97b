//! Settings: defaults → TOML file → `PACTA_*` environment → flags; validated at start-up.
//! Secrets (the admin token) are never printed.

use std::fmt;
use std::net::SocketAddr;

use anyhow::Context;
use serde::Deserialize;

use crate::{Cli, LogFormat};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/pacta.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The keys a configuration file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    admin_token: Option<String>,
    log_format: Option<LogFormat>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    probe_lease_ttl: Option<u64>,
    raw_results_days: Option<i64>,
    metrics_token: Option<String>,
    metrics_listen: Option<String>,
    oncall_webhook_url: Option<String>,
    oncall_webhook_secret: Option<String>,
}

/// The sender of Pacta's mails when `mail_from` is not set.
pub const DEFAULT_MAIL_FROM: &str = "Pacta <pacta@localhost>";

pub struct Settings {
    pub database_url: String,
    pub listen: Option<String>,
    pub admin_token: Option<String>,
    pub log_format: LogFormat,
    /// The base of every link Pacta writes (`PACTA_PUBLIC_URL`, `public_url`); by default
    /// `http://` and the listen address.
    pub public_url: Option<String>,
    /// Where mail goes (`PACTA_SMTP_URL`, `smtp_url`): `smtp://host:port`, `smtps://…`,
    /// `smtp://…?tls=required`, with `user:password@` if the relay wants it. None: mails wait
    /// in the outbox.
    pub smtp_url: Option<String>,
    /// The sender of Pacta's mails (`PACTA_MAIL_FROM`, `mail_from`).
    pub mail_from: String,
    /// Seconds a prober's leases on its monitors run unrenewed (`PACTA_PROBE_LEASE_TTL`,
    /// `probe_lease_ttl`; default 30): a prober that dies loses its monitors to the others then.
    pub probe_lease_ttl: u64,
    /// Days monitors' raw results are kept (`PACTA_RAW_RESULTS_DAYS`, `raw_results_days`;
    /// default 7); roll-ups, outages and statements outlive them.
    pub raw_results_days: i64,
    /// The bearer token that reads `/metrics` beside an admin's (`PACTA_METRICS_TOKEN`,
    /// `metrics_token`).
    pub metrics_token: Option<String>,
    /// A separate address that answers `/metrics` to anyone who reaches it
    /// (`PACTA_METRICS_LISTEN`, `metrics_listen`).
    pub metrics_listen: Option<String>,
    /// Where on-call pages are POSTed, for an SMS gateway (`PACTA_ONCALL_WEBHOOK_URL`,
    /// `oncall_webhook_url`), signed with `PACTA_ONCALL_WEBHOOK_SECRET` (`oncall_webhook_secret`).
    pub oncall_webhook_url: Option<String>,
    pub oncall_webhook_secret: Option<String>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &self.database_url)
            .field("listen", &self.listen)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<set>"))
            .field("log_format", &self.log_format)
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact))
            .field("mail_from", &self.mail_from)
            .field("probe_lease_ttl", &self.probe_lease_ttl)
            .field("raw_results_days", &self.raw_results_days)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("metrics_listen", &self.metrics_listen)
            .field("oncall_webhook_url", &self.oncall_webhook_url)
            .field(
                "oncall_webhook_secret",
                &self.oncall_webhook_secret.as_ref().map(|_| "<set>"),
            )
            .finish()
    }
}

impl Settings {
    pub fn load(cli: &Cli) -> anyhow::Result<Settings> {
        let file = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("{}: invalid configuration", path.display()))?
            }
            None => FileConfig::default(),
        };
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        Ok(Settings {
            database_url: cli
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            listen: env("PACTA_LISTEN").or(file.listen),
            admin_token: env("PACTA_ADMIN_TOKEN").or(file.admin_token),
            log_format: cli
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            public_url: env("PACTA_PUBLIC_URL").or(file.public_url),
            smtp_url: env("PACTA_SMTP_URL").or(file.smtp_url),
            mail_from: env("PACTA_MAIL_FROM")
                .or(file.mail_from)
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            probe_lease_ttl: match env("PACTA_PROBE_LEASE_TTL") {
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .with_context(|| {
                        format!("PACTA_PROBE_LEASE_TTL `{v}`: a whole number of seconds, 1 to 3600")
                    })?,
                None => match file.probe_lease_ttl {
                    Some(s) if !(1..=3600).contains(&s) => {
                        anyhow::bail!("probe_lease_ttl {s}: a whole number of seconds, 1 to 3600")
                    }
                    Some(s) => s,
                    None => 30,
                },
            },
            raw_results_days: match env("PACTA_RAW_RESULTS_DAYS") {
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .with_context(|| {
                        format!("PACTA_RAW_RESULTS_DAYS `{v}`: a whole number of days, 1 to 3650")
                    })?,
                None => match file.raw_results_days {
                    Some(d) if !(1..=3650).contains(&d) => {
                        anyhow::bail!("raw_results_days {d}: a whole number of days, 1 to 3650")
                    }
                    Some(d) => d,
                    None => pacta_core::retention::DEFAULT_RAW_DAYS,
                },
            },
            metrics_token: env("PACTA_METRICS_TOKEN").or(file.metrics_token),
            oncall_webhook_url: env("PACTA_ONCALL_WEBHOOK_URL").or(file.oncall_webhook_url),
            oncall_webhook_secret: env("PACTA_ONCALL_WEBHOOK_SECRET")
                .or(file.oncall_webhook_secret),
            metrics_listen: env("PACTA_METRICS_LISTEN").or(file.metrics_listen),
        })
    }

    /// Opens and migrates the database.
    pub async fn open_db(&self) -> anyhow::Result<pacta_store::Db> {
        pacta_store::Db::open(&self.database_url)
            .await
            .with_context(|| format!("cannot open the database {}", redact(&self.database_url)))
    }

    /// The base of every link Pacta writes, without a trailing slash: the setting, else
    /// `http://` and the listen address (`flag` being `serve --listen`).
    pub fn public_url(&self, flag: Option<&str>) -> anyhow::Result<String> {
        let url = match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen_addr(flag)?),
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            anyhow::bail!("public_url `{url}` must start with https:// or http://");
        }
        Ok(url)
    }

    /// The mail sender of the settings (a bad `smtp_url` or `mail_from` stops the start).
    pub fn mailer(&self) -> anyhow::Result<pacta_web::mail::Mailer> {
        Ok(pacta_web::mail::Mailer::new(
            self.smtp_url.as_deref(),
            &self.mail_from,
        )?)
    }

    /// The listen address: the flag, else the setting, else the default.
    pub fn listen_addr(&self, flag: Option<&str>) -> anyhow::Result<SocketAddr> {
        let raw = flag.or(self.listen.as_deref()).unwrap_or(DEFAULT_LISTEN);
        raw.parse()
            .with_context(|| format!("`{raw}` is not a listen address such as 127.0.0.1:8080"))
    }
}

/// A database URL with its password hidden, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Logs go to stderr (stdout carries only answers), at the level `RUST_LOG` says.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: logs piped to a file or a collector stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("sqlite://data/pacta.db"),
            "sqlite://data/pacta.db"
        );
    }
}
