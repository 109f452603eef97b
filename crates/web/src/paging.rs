//! Paging on-call duty (issue 13): the `oncall.page` job. At the instant core's rule says a
//! qualifying ticket pages on-call, the person on duty is paged (mail, and the signed webhook an
//! SMS gateway can take); without an acknowledgement within 15 minutes, paged again, then ICT
//! management ([`pacta_core::oncall::next_page`]). An empty roster pages ICT management at once.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use pacta_core::access::Role;
use pacta_core::oncall::{next_page, PageTo, SentPage};
use pacta_core::sla::instant::format_instant;
use pacta_core::subscription::zone;
use pacta_store::jobs::NewJob;
use pacta_store::oncall::StoredPage;
use pacta_store::outbox::NewMail;
use pacta_store::Scope;
use serde_json::json;
use sha2::Sha256;

use crate::notify::{compose, Letter};
use crate::state::AppState;
use crate::subscriptions::JobOutcome;
use crate::ui::i18n::Tr;

/// The job that pages on-call for a ticket (its subject is the ticket's reference).
pub const PAGE_JOB: &str = "oncall.page";

/// `sha256=<hex HMAC-SHA256 of body>` with `secret`: the `X-Pacta-Signature` header.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

fn sent(pages: &[StoredPage]) -> Vec<SentPage> {
    pages
        .iter()
        .map(|p| SentPage {
            attempt: p.attempt,
            at: p.at,
            to: p.to,
            acknowledged: p.acked_at.is_some(),
        })
        .collect()
}

/// The `oncall.page` job for ticket `reference` at `now`.
pub async fn page_due(
    state: &AppState,
    reference: &str,
    now: Timestamp,
) -> Result<JobOutcome, String> {
    let view = crate::tickets::current_view(state, reference, now)
        .await
        .map_err(|e| e.message)?;
    let Some((t, view)) = view else {
        return Ok(JobOutcome::Stale(format!("no ticket {reference}")));
    };
    let Some(first) = view.on_call_page_at else {
        return Ok(JobOutcome::Stale(format!(
            "{reference} does not page on-call now"
        )));
    };
    if !view.status.is_open() {
        return Ok(JobOutcome::Stale(format!("{reference} is {}", view.status)));
    }
    let store = |e: pacta_store::StoreError| e.to_string();
    let pages = state.db.oncall_pages(reference).await.map_err(store)?;
    let roster = state
        .db
        .oncall_roster(
            first
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap_or(first),
        )
        .await
        .map_err(store)?;
    let person = roster.roster.who(first, zone()).0.map(str::to_owned);
    let mut so_far = sent(&pages);
    let Some((attempt, at, to)) = next_page(first, &so_far, person.is_some()) else {
        return Ok(JobOutcome::Stale(format!("{reference}: paging is done")));
    };
    if at > now {
        state
            .db
            .enqueue_jobs(
                &[NewJob::new(PAGE_JOB, reference, at)],
                state.stamp("pacta"),
            )
            .await
            .map_err(store)?;
        return Ok(JobOutcome::Stale(format!("{reference}: next page at {at}")));
    }
    let user = match to {
        PageTo::Person => person.clone(),
        PageTo::IctManagement => None,
    };
    so_far.push(SentPage {
        attempt,
        at: now,
        to,
        acknowledged: false,
    });
    let jobs: Vec<NewJob> = next_page(first, &so_far, person.is_some())
        .map(|(_, at, _)| NewJob::new(PAGE_JOB, reference, at))
        .into_iter()
        .collect();
    let mails = page_mails(state, &t, to, user.as_deref(), attempt).await?;
    let stamp = pacta_store::Stamp::new("pacta", now);
    let id = match state
        .db
        .record_page(
            reference,
            attempt,
            to,
            user.as_deref(),
            &jobs,
            &mails,
            stamp,
        )
        .await
    {
        Ok(id) => id,
        Err(pacta_store::StoreError::Duplicate { .. }) => {
            return Ok(JobOutcome::Stale(format!(
                "{reference}: page {attempt} was sent"
            )))
        }
        Err(e) => return Err(e.to_string()),
    };
    if let Some((url, secret)) = state.oncall_webhook() {
        let body = json!({
            "page": id,
            "ticket": reference,
            "partner": t.partner,
            "service": t.service,
            "priority": t.priority.code(),
            "title": t.title,
            "attempt": attempt,
            "to": to.code(),
            "user": user,
            "at": format_instant(now, zone()),
            "ack_url": format!("{}/api/v1/oncall/pages/{id}/ack", state.public_url()),
        })
        .to_string()
        .into_bytes();
        let header = signature(secret, &body);
        match pacta_monitor::webhook::Webhooks::new(state.clock().clone()) {
            Ok(hooks) => match hooks
                .post(url, body, &[("x-pacta-signature", header)])
                .await
            {
                Ok(status) if (200..300).contains(&status) => {}
                Ok(status) => {
                    tracing::warn!(%reference, status, "the on-call webhook refused the page")
                }
                Err(e) => tracing::warn!(%reference, error = %e, "the on-call webhook failed"),
            },
            Err(e) => tracing::warn!(error = %e, "no client for the on-call webhook"),
        }
    }
    Ok(JobOutcome::Done)
}

/// The page's mails: to the person on duty, or to ICT management's users.
async fn page_mails(
    state: &AppState,
    t: &pacta_store::tickets::StoredTicket,
    to: PageTo,
    user: Option<&str>,
    attempt: u8,
) -> Result<Vec<NewMail>, String> {
    let users = state
        .db
        .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
        .await
        .map_err(|e| e.to_string())?;
    let recipients: Vec<(String, pacta_core::text::Lang)> = users
        .into_iter()
        .filter(|u| !u.disabled && u.partner.is_none())
        .filter(|u| match to {
            PageTo::Person => Some(u.email.as_str()) == user,
            PageTo::IctManagement => u.roles.iter().any(|g| g.role == Role::IctManagement),
        })
        .map(|u| (u.email, u.lang))
        .collect();
    Ok(recipients
        .iter()
        .map(|(address, lang)| {
            let tr = Tr(*lang);
            let args = [
                ("ref", t.reference.clone()),
                ("title", t.title.clone()),
                ("priority", t.priority.code().to_owned()),
                ("service", t.service.clone()),
                ("partner", t.partner.clone()),
            ];
            let key = match (to, attempt) {
                (PageTo::IctManagement, _) => "mail-oncall-page-ict",
                (PageTo::Person, 0) => "mail-oncall-page",
                (PageTo::Person, _) => "mail-oncall-page-again",
            };
            compose(
                Letter {
                    kind: "oncall.page",
                    subject: tr.a("mail-oncall-page-subject", &args),
                    paragraphs: vec![tr.a(key, &args), tr.s("mail-oncall-page-ack")],
                    link: format!(
                        "{}/{}/tickets/{}",
                        state.public_url(),
                        lang.code(),
                        t.reference
                    ),
                    partner: Some(&t.partner),
                },
                address,
                *lang,
            )
        })
        .collect())
}
