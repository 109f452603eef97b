//! Sending e-mail over SMTP (lettre on tokio, rustls as the only TLS stack).
//!
//! A [`Mailer`] only delivers one message and says whether trying again could help
//! ([`MailError::Transient`]) or not ([`MailError::Permanent`]); the outbox and the job runner decide
//! when to retry. Without an `smtp_url` the mailer is not configured and every send answers
//! [`MailError::NotConfigured`], so mails stay queued. [`sink`] is a small SMTP server for tests.

pub mod sink;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long to wait for the TCP (and TLS) connection to the SMTP server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one whole delivery may take: lettre bounds only the connection, and a server that
/// stops answering must not hold a job forever.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// One message ready to send: plain text and HTML alternatives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The recipient: a bare address or an RFC 5322 mailbox (`Name <address>`).
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A setting of the mail configuration that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailConfigError {
    #[error("smtp_url is not usable: {0}")]
    SmtpUrl(String),
    #[error("mail_from is not a valid mailbox (\"Name <address>\" or an address): {0}")]
    MailFrom(String),
}

/// Why one message was not delivered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// No `smtp_url` is configured: the message stays queued.
    #[error("no SMTP server is configured (smtp_url)")]
    NotConfigured,
    /// Trying again cannot help: an invalid recipient, a 5xx reply.
    #[error("permanent mail failure: {0}")]
    Permanent(String),
    /// Trying again later may help: the server is unreachable or slow, a 4xx reply.
    #[error("transient mail failure: {0}")]
    Transient(String),
}

/// Sends [`Mail`] through the configured SMTP server. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// `smtp_url` without its credentials, for `Debug`.
    server: Option<String>,
    from: Mailbox,
    send_timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.inner.server)
            .field("from", &self.inner.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// `smtp_url`: None → not configured (mails stay queued). Accepts lettre's URL forms:
    /// `smtp://host:port` (plain, for a local relay or tests), `smtp://host:port?tls=required`
    /// (STARTTLS), `smtps://host:port`, each with optional `user:password@` credentials
    /// (percent-encoded). `mail_from`: an RFC 5322 mailbox (`Pacta <pacta@provider.example>`) or a
    /// bare address. A bad value gives a [`MailConfigError`] naming the setting, never the password.
    pub fn new(smtp_url: Option<&str>, mail_from: &str) -> Result<Mailer, MailConfigError> {
        Self::build(smtp_url, mail_from, SEND_TIMEOUT)
    }

    fn build(
        smtp_url: Option<&str>,
        mail_from: &str,
        send_timeout: Duration,
    ) -> Result<Mailer, MailConfigError> {
        let from: Mailbox = mail_from
            .trim()
            .parse()
            .map_err(|e| MailConfigError::MailFrom(format!("{mail_from:?}: {e}")))?;
        let transport = match smtp_url.map(str::trim) {
            None => None,
            Some("") => return Err(MailConfigError::SmtpUrl("it is empty".into())),
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailConfigError::SmtpUrl(e.to_string()))?
                    .timeout(Some(CONNECT_TIMEOUT))
                    .build(),
            ),
        };
        let server = smtp_url.map(|url| without_credentials(url.trim()));
        Ok(Mailer {
            inner: Arc::new(Inner {
                transport,
                server,
                from,
                send_timeout,
            }),
        })
    }

    /// Whether an SMTP server is configured.
    pub fn is_configured(&self) -> bool {
        self.inner.transport.is_some()
    }

    /// Sends one message (multipart/alternative text + HTML, UTF-8).
    /// [`MailError::Permanent`] for what retrying cannot fix (an invalid recipient address, a 5xx
    /// reply); [`MailError::Transient`] otherwise (connection refused, timeout, 4xx);
    /// [`MailError::NotConfigured`] without an `smtp_url`.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let transport = self
            .inner
            .transport
            .as_ref()
            .ok_or(MailError::NotConfigured)?;
        let to: Mailbox = mail.to.trim().parse().map_err(|e| {
            MailError::Permanent(format!("invalid recipient address {:?}: {e}", mail.to))
        })?;
        let message = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Permanent(format!("cannot build the message: {e}")))?;
        match tokio::time::timeout(self.inner.send_timeout, transport.send(message)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Ok(Err(e)) => Err(MailError::Transient(e.to_string())),
            Err(_elapsed) => Err(MailError::Transient(format!(
                "the SMTP server did not finish within {} s",
                self.inner.send_timeout.as_secs_f32()
            ))),
        }
    }
}

/// `url` with any `user:password@` removed.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<not a URL>".into();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::sink::{SinkBehaviour, SmtpSink};
    use super::*;

    const WAIT: Duration = Duration::from_secs(5);
    const SUBJECT: &str = "Abonnement goedgekeurd — MAIL-AGENDA / Genehmigt: Übersicht";

    fn mail(to: &str) -> Mail {
        Mail {
            to: to.into(),
            subject: SUBJECT.into(),
            text: "Uw abonnement is goedgekeurd.\nGrößenänderung: 20 → 25 Postfächer.\n.Punkt am Zeilenanfang\n".into(),
            html: "<p>Uw abonnement is <strong>goedgekeurd</strong>.</p>".into(),
        }
    }

    fn mailer(url: &str) -> Mailer {
        Mailer::new(Some(url), "Pacta <pacta@provider.example>").unwrap()
    }

    #[tokio::test]
    async fn delivers_text_and_html_alternatives_with_a_utf8_subject() {
        let sink = SmtpSink::start().await;
        let mailer = mailer(&sink.url());
        assert!(mailer.is_configured());
        mailer
            .send(&mail("Ann Peeters <ann@partner.example>"))
            .await
            .unwrap();

        let got = sink.wait_for(1, WAIT).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].from, "pacta@provider.example");
        assert_eq!(got[0].to, vec!["ann@partner.example".to_string()]);
        assert_eq!(got[0].subject().as_deref(), Some(SUBJECT));
        let text = got[0].text_body().unwrap();
        assert!(
            text.contains("Größenänderung: 20 → 25 Postfächer."),
            "{text}"
        );
        assert!(text.contains("\n.Punkt am Zeilenanfang"), "{text}");
        let html = got[0].html_body().unwrap();
        assert!(html.contains("<strong>goedgekeurd</strong>"), "{html}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_transient() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = mailer(&format!("smtp://127.0.0.1:{port}"))
            .send(&mail("ann@partner.example"))
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_transient_after_the_send_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let silent = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            std::future::pending::<()>().await;
        });
        let mailer = Mailer::build(
            Some(&url),
            "pacta@provider.example",
            Duration::from_millis(300),
        );
        let err = mailer.unwrap().send(&mail("ann@partner.example")).await;
        assert!(matches!(err, Err(MailError::Transient(_))), "{err:?}");
        silent.abort();
    }

    #[tokio::test]
    async fn an_invalid_recipient_address_is_permanent() {
        let sink = SmtpSink::start().await;
        let err = mailer(&sink.url())
            .send(&mail("not an address"))
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Permanent(_)), "{err:?}");
        assert!(sink.received().is_empty());
    }

    #[tokio::test]
    async fn a_5xx_reply_is_permanent() {
        let sink = SmtpSink::start_with(SinkBehaviour {
            reject_domain: Some("gone.example".into()),
            ..SinkBehaviour::default()
        })
        .await;
        let err = mailer(&sink.url())
            .send(&mail("ann@gone.example"))
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Permanent(_)), "{err:?}");
        assert!(sink.received().is_empty());
    }

    #[tokio::test]
    async fn a_4xx_reply_is_transient_and_a_retry_delivers() {
        let sink = SmtpSink::start_with(SinkBehaviour {
            fail_first: 1,
            ..SinkBehaviour::default()
        })
        .await;
        let mailer = mailer(&sink.url());
        let first = mailer.send(&mail("ann@partner.example")).await;
        assert!(matches!(first, Err(MailError::Transient(_))), "{first:?}");
        mailer.send(&mail("ann@partner.example")).await.unwrap();
        assert_eq!(sink.wait_for(1, WAIT).await.len(), 1);
    }

    #[tokio::test]
    async fn without_smtp_url_nothing_is_sent() {
        let mailer = Mailer::new(None, "pacta@provider.example").unwrap();
        assert!(!mailer.is_configured());
        let err = mailer.send(&mail("ann@partner.example")).await;
        assert_eq!(err, Err(MailError::NotConfigured));
    }

    #[test]
    fn bad_settings_are_named_and_keep_the_password_secret() {
        for url in [
            "",
            "not a url",
            "http://mail.example",
            "smtp://user:hunter2@mail.example?tls=bogus",
        ] {
            let err = Mailer::new(Some(url), "pacta@provider.example").unwrap_err();
            assert!(matches!(err, MailConfigError::SmtpUrl(_)), "{url}: {err:?}");
            assert!(err.to_string().starts_with("smtp_url"), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        for from in ["", "Pacta", "Pacta <pacta@>", "a@b@c"] {
            let err = Mailer::new(None, from).unwrap_err();
            assert!(
                matches!(err, MailConfigError::MailFrom(_)),
                "{from}: {err:?}"
            );
            assert!(err.to_string().starts_with("mail_from"), "{err}");
        }
    }

    #[test]
    fn debug_output_hides_the_credentials() {
        let mailer = mailer("smtps://user:hunter2@mail.example:465");
        let debug = format!("{mailer:?}");
        assert!(debug.contains("smtps://mail.example:465"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
