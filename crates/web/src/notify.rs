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
                .and_then(|s| {
                    s.name
                        .resolve(*lang)
                        .map(|(_, n)| format!("{n} ({})", s.code))
                })
                .unwrap_or_else(|| facts.service.clone());
            let args = [
                ("partner", facts.partner.clone()),
                ("service", service),
                ("pack", facts.pack.clone()),
                ("start", facts.start_date.to_string()),
            ];
            let mut paragraphs = vec![t.a(&format!("{}-body", kind.key()), &args)];
            if let Some(reason) = reason {
                paragraphs.push(t.a("mail-reason", &[("reason", reason.to_owned())]));
            }
            let path = if facts.id.is_empty() {
                "admin/subscriptions".to_owned()
            } else {
                format!("subscriptions/{}", facts.id)
            };
            compose(
                Letter {
                    kind: kind.code(),
                    subject: t.a(&format!("{}-subject", kind.key()), &args),
                    paragraphs,
                    link: format!("{}/{}/{path}", facts.public_url, lang.code()),
                    partner: Some(&facts.partner),
                },
                to,
                *lang,
            )
        })
        .collect()
}

/// What one mail says, before it is addressed.
pub struct Letter<'a> {
    /// The outbox's kind (`subscription.approved`, `outage.started`, …).
    pub kind: &'a str,
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// Where to see it in Pacta (an absolute URL).
    pub link: String,
    /// The partner it concerns, if any (the outbox is partner data then).
    pub partner: Option<&'a str>,
}

/// The mail of `letter` to `to`, in `lang`: plain text and HTML, with the link and the footer.
pub fn compose(letter: Letter<'_>, to: &str, lang: Lang) -> NewMail {
    let t = Tr(lang);
    let see = t.s("mail-see");
    let footer = t.s("mail-footer");
    let link = &letter.link;
    let text = format!(
        "{}\n\n{see}\n{link}\n\n-- \n{footer}\n",
        letter.paragraphs.join("\n\n")
    );
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><body>{paras}<p>{see} <a href=\"{href}\">{href}</a></p><hr><p><small>{footer}</small></p></body></html>",
        lang = lang.code(),
        paras = letter
            .paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect::<String>(),
        see = escape(&see),
        href = escape(link),
        footer = escape(&footer),
    );
    NewMail {
        kind: letter.kind.to_owned(),
        to: to.to_owned(),
        lang: lang.code().to_owned(),
        subject: letter.subject,
        text,
        html,
        partner: letter.partner.map(str::to_owned),
    }
}

/// How far back an outage's start or end may lie and still be mailed: results ingested for
/// older history (an import, a prober catching up) inform nobody.
pub const OUTAGE_MAIL_HORIZON: i64 = 24 * 3600;

/// The mails telling the managers of `service` that monitor `monitor` (its code and name)
/// went down or came back: one per recent event and recipient.
pub fn outage_mails(
    state: &AppState,
    monitor: (&str, &str, &pacta_core::text::Text),
    service: &str,
    events: &[pacta_store::results::OutageEvent],
    recipients: &[(String, Lang)],
    now: i64,
) -> Vec<NewMail> {
    use pacta_store::results::OutageEvent;
    if events.is_empty() {
        return Vec::new();
    }
    let (id, code, name) = monitor;
    let snapshot = state.snapshot();
    let local = |s: i64| {
        pacta_core::sla::instant::format_instant(
            pacta_core::sla::ts(s),
            pacta_core::subscription::zone(),
        )
        .replace('T', " ")
    };
    let mut mails = Vec::new();
    for event in events {
        let (key, kind, args) = match *event {
            OutageEvent::Started { start } if start >= now - OUTAGE_MAIL_HORIZON => (
                "mail-outage-started",
                "outage.started",
                vec![("start", local(start))],
            ),
            OutageEvent::Ended { start, end } if end >= now - OUTAGE_MAIL_HORIZON => (
                "mail-outage-ended",
                "outage.ended",
                vec![
                    ("start", local(start)),
                    ("end", local(end)),
                    ("minutes", ((end - start + 59) / 60).to_string()),
                ],
            ),
            _ => continue,
        };
        for (to, lang) in recipients {
            let t = Tr(*lang);
            let service_name = snapshot
                .service(service)
                .and_then(|s| {
                    s.name
                        .resolve(*lang)
                        .map(|(_, n)| format!("{n} ({service})"))
                })
                .unwrap_or_else(|| service.to_owned());
            let monitor_name = name
                .resolve(*lang)
                .map_or_else(|| code.to_owned(), |(_, n)| format!("{n} ({code})"));
            let mut all = vec![("monitor", monitor_name), ("service", service_name)];
            all.extend(args.iter().map(|(k, v)| (*k, v.clone())));
            mails.push(compose(
                Letter {
                    kind,
                    subject: t.a(&format!("{key}-subject"), &all),
                    paragraphs: vec![t.a(&format!("{key}-body"), &all)],
                    link: format!("{}/{}/admin/monitors/{id}", state.public_url(), lang.code()),
                    partner: None,
                },
                to,
                *lang,
            ));
        }
    }
    mails
}

/// The mails telling that subscription `s` used `threshold` % of its error budget in `month`:
/// `(downtime, allowed)` in seconds, `target` as the agreement says it.
pub fn budget_mails(
    state: &AppState,
    s: &pacta_store::subscriptions::Subscription,
    month: &str,
    threshold: i64,
    (downtime, allowed): (i64, i64),
    target: &str,
    recipients: &[(String, Lang)],
) -> Vec<NewMail> {
    let snapshot = state.snapshot();
    let key = format!("mail-budget-{threshold}");
    recipients
        .iter()
        .map(|(to, lang)| {
            let t = Tr(*lang);
            let service = snapshot
                .service(&s.service)
                .and_then(|v| {
                    v.name
                        .resolve(*lang)
                        .map(|(_, n)| format!("{n} ({})", v.code))
                })
                .unwrap_or_else(|| s.service.clone());
            let args = [
                ("service", service),
                ("partner", s.partner.clone()),
                ("month", crate::ui::format::month(month, *lang)),
                ("downtime", crate::ui::format::duration(downtime, *lang)),
                ("allowed", crate::ui::format::duration(allowed, *lang)),
                ("target", target.to_owned()),
            ];
            compose(
                Letter {
                    kind: if threshold >= 100 {
                        "budget.exhausted"
                    } else {
                        "budget.half"
                    },
                    subject: t.a(&format!("{key}-subject"), &args),
                    paragraphs: vec![t.a(&format!("{key}-body"), &args)],
                    link: format!(
                        "{}/{}/subscriptions/{}/availability",
                        state.public_url(),
                        lang.code(),
                        s.id
                    ),
                    partner: Some(&s.partner),
                },
                to,
                *lang,
            )
        })
        .collect()
}
