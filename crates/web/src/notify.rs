//! The mails Pacta sends, written when what they tell of is decided, in each recipient's
//! language, plain text and HTML, with links that start with `public_url`. They go to the
//! outbox in the same transaction as the change, and the `outbox.send` job delivers them.

use jiff::civil::Date;
use pacta_core::text::Lang;
use pacta_store::outbox::NewMail;

use crate::state::AppState;
use crate::ui::i18n::Tr;
use crate::ui::markdown::escape;

/// What a subscription mail tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Requested,
    Approved,
    Rejected,
    Activated,
    Terminated,
}

impl Kind {
    /// The outbox's kind.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Requested => "subscription.requested",
            Kind::Approved => "subscription.approved",
            Kind::Rejected => "subscription.rejected",
            Kind::Activated => "subscription.activated",
            Kind::Terminated => "subscription.terminated",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Requested => "mail-sub-requested",
            Kind::Approved => "mail-sub-approved",
            Kind::Rejected => "mail-sub-rejected",
            Kind::Activated => "mail-sub-activated",
            Kind::Terminated => "mail-sub-terminated",
        }
    }
}

/// What a subscription mail says.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Empty before the subscription exists (a request links to the approval queue).
    pub id: String,
    pub partner: String,
    pub service: String,
    pub pack: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub public_url: String,
}

/// One mail per recipient (address, language).
pub fn subscription_mails(
    state: &AppState,
    kind: Kind,
    facts: &Facts,
    recipients: &[(String, Lang)],
    reason: Option<&str>,
) -> Vec<NewMail> {
    let snapshot = state.snapshot();
    recipients
        .iter()
        .map(|(to, lang)| {
            let t = Tr(*lang);
            let service = snapshot
                .service(&facts.service)
                .and_then(|s| s.name.resolve(*lang).map(|(_, n)| format!("{n} ({})", s.code)))
                .unwrap_or_else(|| facts.service.clone());
            let args = [
                ("partner", facts.partner.clone()),
                ("service", service),
                ("pack", facts.pack.clone()),
                ("start", facts.start_date.to_string()),
            ];
            let subject = t.a(&format!("{}-subject", kind.key()), &args);
            let mut paragraphs = vec![t.a(&format!("{}-body", kind.key()), &args)];
            if let Some(reason) = reason {
                paragraphs.push(t.a("mail-reason", &[("reason", reason.to_owned())]));
            }
            let link = if facts.id.is_empty() {
                format!("{}/{}/admin/subscriptions", facts.public_url, lang.code())
            } else {
                format!(
                    "{}/{}/subscriptions/{}",
                    facts.public_url,
                    lang.code(),
                    facts.id
                )
            };
            let see = t.s("mail-see");
            let footer = t.s("mail-footer");
            let text = format!(
                "{}\n\n{see}\n{link}\n\n-- \n{footer}\n",
                paragraphs.join("\n\n")
            );
            let html = format!(
                "<!doctype html><html lang=\"{lang}\"><body>{paras}<p>{see} <a href=\"{href}\">{href}</a></p><hr><p><small>{footer}</small></p></body></html>",
                lang = lang.code(),
                paras = paragraphs
                    .iter()
                    .map(|p| format!("<p>{}</p>", escape(p)))
                    .collect::<String>(),
                see = escape(&see),
                href = escape(&link),
                footer = escape(&footer),
            );
            NewMail {
                kind: kind.code().to_owned(),
                to: to.clone(),
                lang: lang.code().to_owned(),
                subject,
                text,
                html,
                partner: Some(facts.partner.clone()),
            }
        })
        .collect()
}
