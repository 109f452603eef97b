//! The support desk's pages (issue 13, point 7), worked by hand on the world of
//! [`crate::tickets_api`]: P-A (a local helpdesk) has WEB-HOSTING pack large, level `standard`:
//! a P3 has 4 h to a response and 24 h to a resolution on `be-working-hours` (08:00–18:00).
//!
//! P-A's local helpdesk opens a P3 through the form on Tuesday 3 November 2026 at 09:00.
//! - At 10:30: response left 2 h 30 min (business and wall; deadline 13:00); resolution left
//!   22 h 30 min business — the deadline is Thursday 5 November 13:00 (Tue 9 h + Wed 10 h + Thu
//!   5 h), 50 h 30 min of wall time away.
//! - At 11:00 the agent moves it to `in_progress`, then to `waiting_partner` with a question: the
//!   response clock stops, met; the resolution clock pauses with 2 h spent: 22 h left.
//! - On Friday 6 November at 12:00 the local helpdesk replies: the clock resumes; 22 h more runs
//!   Fri 12:00–18:00 (6 h), Mon 9 Nov (10 h), Tue 10 Nov 08:00–14:00: deadline **Tuesday 10
//!   November 14:00**. 75 % (18 h, 16 h after the resume) is reached at the end of Monday's
//!   period, 18:00: level 1; the deadline is level 2.
//! - On Tuesday 10 November at 15:30: breached by 1 h 30 min, business and wall alike.

use axum::http::StatusCode;
use pacta_store::Stamp;

use crate::login::{csrf, get, post, text};
use crate::support::TestApp;
use crate::tickets_api::World;

const NBSP: char = '\u{a0}';

fn at(s: &str) -> jiff::Timestamp {
    pacta_core::sla::instant::parse_instant(s).unwrap()
}

/// A session cookie of `email`, opened at the app's "now".
async fn session(w: &World, email: &str) -> String {
    let now = w.app.state.now();
    let token = w
        .app
        .state
        .db
        .create_session(email, Stamp::new("test", now))
        .await
        .unwrap();
    format!("pacta_session={token}")
}

/// From the element of id `id` to the first `end` (a closing tag) after it.
fn section<'a>(html: &'a str, id: &str, end: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

fn d(text: &str) -> String {
    text.replace(' ', &NBSP.to_string())
        .replace(&format!("{NBSP}h{NBSP}"), &format!("{NBSP}h "))
        .replace(&format!("{NBSP}min{NBSP}"), &format!("{NBSP}min "))
}

#[tokio::test]
async fn a_ticket_is_opened_answered_and_breached_through_the_pages() {
    let w = World::new(TestApp::new().await).await;
    w.set("2026-11-03T09:00:00+01:00");
    // The lines Rule on the form: P-A's admin is told its local helpdesk opens tickets.
    let admin = session(&w, "admin@p-a.example").await;
    let html = text(&get(&w.app, "/en/tickets", &admin).await);
    assert!(!html.contains("id=\"open-form\""), "{html}");
    assert!(
        section(&html, "lines-rule", "</div>").contains("P-A has a local helpdesk"),
        "{html}"
    );
    for (email, why) in [
        ("user@p-c.example", "P-C has no local helpdesk"),
        ("viewer@p-a.example", "A viewer cannot open tickets for P-A"),
        ("sm@provider.example", "opened by the central helpdesk"),
    ] {
        let html = text(&get(&w.app, "/en/tickets", &session(&w, email).await).await);
        assert!(
            section(&html, "lines-rule", "</div>").contains(why),
            "{email}: {html}"
        );
    }
    // P-B's user may (central-first-line): the form lists P-B's subscription only.
    let html = text(
        &get(
            &w.app,
            "/en/tickets",
            &session(&w, "user@p-b.example").await,
        )
        .await,
    );
    assert!(html.contains("id=\"open-form\""));
    assert!(html.contains(w.subs["P-B"].as_str()));
    assert!(!html.contains(w.subs["P-A"].as_str()));

    // The local helpdesk opens it; bad input first: the form again, naming the field.
    let local = session(&w, "local@p-a.example").await;
    let html = text(&get(&w.app, "/en/tickets", &local).await);
    let token = csrf(&html);
    let form = |title: &str| {
        format!(
            "csrf={token}&subscription={}&kind=incident&impact=medium&urgency=medium&title={title}&body=Pages+are+slow",
            w.subs["P-A"]
        )
    };
    let r = post(&w.app, "/en/tickets", &local, &form("+")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("title:"), "{}", text(&r));
    let r = post(&w.app, "/en/tickets", &local, &form("Site+slow")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let path = r.header("location").unwrap();
    assert!(path.starts_with("/en/tickets/T-2026-"), "{path}");
    let reference = path.rsplit('/').next().unwrap().to_owned();

    // At 10:30: the live clocks.
    w.set("2026-11-03T10:30:00+01:00");
    let html = text(&get(&w.app, &path, &local).await);
    let response = section(&html, "clock-response", "</article>");
    assert!(response.contains("Running"), "{response}");
    assert!(response.contains("3 November 2026, 13:00"), "{response}");
    assert!(response.contains(&d("2 h 30 min")), "{response}");
    let resolution = section(&html, "clock-resolution", "</article>");
    assert!(
        resolution.contains("5 November 2026, 13:00"),
        "{resolution}"
    );
    assert!(resolution.contains(&d("22 h 30 min")), "{resolution}");
    assert!(resolution.contains(&d("50 h 30 min")), "{resolution}");
    assert!(
        html.contains("hx-trigger=\"every 60s\""),
        "running clocks refresh"
    );
    // The partner has no status form; another partner has no ticket.
    assert!(!html.contains("id=\"status-form\""));
    let other = session(&w, "admin@p-b.example").await;
    assert_eq!(
        get(&w.app, &path, &other).await.status,
        StatusCode::NOT_FOUND
    );

    // The agent moves it and waits for the partner, with a question and an internal note.
    w.set("2026-11-03T11:00:00+01:00");
    let agent = session(&w, "agent@provider.example").await;
    let html = text(&get(&w.app, &path, &agent).await);
    assert!(html.contains("id=\"status-form\""));
    let token = csrf(&html);
    for form in [
        format!("csrf={token}&status=in_progress"),
        format!("csrf={token}&status=waiting_partner&comment=Which+pages%3F"),
    ] {
        let r = post(&w.app, &format!("{path}/status"), &agent, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    }
    let r = post(
        &w.app,
        &format!("{path}/comment"),
        &agent,
        &format!("csrf={token}&body=Probably+the+cache&internal=true"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    // A move the Rule refuses: the page again, saying so.
    let r = post(
        &w.app,
        &format!("{path}/status"),
        &agent,
        &format!("csrf={token}&status=closed"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("id=\"ticket-error\""));

    w.set("2026-11-06T11:00:00+01:00");
    let local = session(&w, "local@p-a.example").await;
    let html = text(&get(&w.app, &path, &local).await);
    assert!(section(&html, "clock-response", "</article>").contains("Met"));
    let resolution = section(&html, "clock-resolution", "</article>");
    assert!(resolution.contains("Paused"), "{resolution}");
    assert!(resolution.contains(&d("22 h")), "{resolution}");
    assert!(html.contains("Which pages?"));
    assert!(
        !html.contains("Probably the cache"),
        "internal notes stay inside"
    );
    assert!(!html.contains("hx-trigger"), "nothing runs");
    // The reply resumes the clock.
    w.set("2026-11-06T12:00:00+01:00");
    let token = csrf(&html);
    let r = post(
        &w.app,
        &format!("{path}/comment"),
        &local,
        &format!("csrf={token}&body=The+catalogue+pages"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));

    // Tuesday 10 November 15:30: breached by 1 h 30 min; levels 1 and 2.
    w.set("2026-11-10T15:30:00+01:00");
    let local = session(&w, "local@p-a.example").await;
    let html = text(&get(&w.app, &path, &local).await);
    let resolution = section(&html, "clock-resolution", "</article>");
    assert!(resolution.contains("Breached"), "{resolution}");
    assert!(
        resolution.contains("10 November 2026, 14:00"),
        "{resolution}"
    );
    assert_eq!(
        resolution.matches(&d("1 h 30 min")).count(),
        2,
        "{resolution}"
    );
    assert!(
        html.contains("Level 2: the partner relationship manager, 10 November 2026, 14:00"),
        "{html}"
    );
    // The agents' queue: overdue, and gone under another filter.
    let agent = session(&w, "agent@provider.example").await;
    let html = text(&get(&w.app, "/en/queue", &agent).await);
    let queue = section(&html, "queue", "</table>");
    assert!(queue.contains(&reference), "{queue}");
    assert!(
        queue.contains(&format!("Overdue by {}", d("1 h 30 min"))),
        "{queue}"
    );
    let html = text(&get(&w.app, "/en/queue?priority=P1", &agent).await);
    assert!(!html.contains(&reference));
    let r = get(&w.app, "/en/queue?priority=P9", &agent).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("priority:"));
    assert_eq!(
        get(&w.app, "/en/queue", &session(&w, "admin@p-a.example").await)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Compliance for November: the response met, the resolution breached (open, past its
    // deadline) — for P-A's people, and for staff.
    for email in ["admin@p-a.example", "agent@provider.example"] {
        let html = text(
            &get(
                &w.app,
                "/en/compliance?from=2026-11-01",
                &session(&w, email).await,
            )
            .await,
        );
        let table = section(&html, "compliance", "</table>");
        assert!(
            table.contains(
                "<td>P3</td><td>1</td><td>0</td><td>100.0%</td><td>0</td><td>1</td><td>0.0%</td>"
            ),
            "{email}: {table}"
        );
    }
    let html = text(
        &get(
            &w.app,
            "/en/compliance?from=2026-11-01",
            &session(&w, "admin@p-b.example").await,
        )
        .await,
    );
    assert!(
        !html.contains("id=\"compliance\""),
        "P-B has no clock: {html}"
    );
    // Every page in the four languages.
    for lang in ["nl", "fr", "de", "en"] {
        for (who, page) in [
            (&agent, "tickets".to_owned()),
            (&agent, format!("tickets/{reference}")),
            (&agent, "queue".to_owned()),
            (&agent, "compliance".to_owned()),
            (&agent, "oncall".to_owned()),
            (&local, "tickets".to_owned()),
            (&local, format!("tickets/{reference}")),
        ] {
            let r = get(&w.app, &format!("/{lang}/{page}"), who).await;
            assert_eq!(r.status, StatusCode::OK, "/{lang}/{page}");
            assert!(
                text(&r).contains(&format!("<html lang=\"{lang}\"")),
                "/{lang}/{page}"
            );
        }
    }
    assert_eq!(at("2026-11-10T15:30:00+01:00"), w.app.state.now());
}

#[tokio::test]
async fn the_roster_page_shows_the_weeks_and_takes_an_override() {
    let w = World::new(TestApp::new().await).await;
    w.set("2026-11-30T10:00:00+01:00");
    let agent = session(&w, "agent@provider.example").await;
    let html = text(&get(&w.app, "/en/oncall", &agent).await);
    assert!(html.contains("Nobody"), "an empty roster: {html}");
    let token = csrf(&html);
    let r = post(
        &w.app,
        "/en/oncall/rotation",
        &agent,
        &format!("csrf={token}&handover=mon+08%3A00&users=ann%40provider.example%0D%0Abob%40provider.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    // 30 November 2026 is Monday: 152 weeks since the anchor week; 152 mod 2 = 0: ann.
    let html = text(&get(&w.app, "/en/oncall", &agent).await);
    assert!(
        section(&html, "on-duty", "</p>").contains("ann@provider.example"),
        "{html}"
    );
    let weeks = section(&html, "weeks", "</table>");
    assert!(weeks.contains("30 November 2026, 08:00"), "{weeks}");
    assert!(
        weeks.contains(
            "7 December 2026, 08:00</td><td>14 December 2026, 08:00</td><td>bob@provider.example"
        ),
        "{weeks}"
    );
    // An override: bob from now until 14:00 (local times typed in the form).
    let r = post(
        &w.app,
        "/en/oncall/override",
        &agent,
        &format!("csrf={token}&user=bob%40provider.example&from=2026-11-30T09%3A00&to=2026-11-30T14%3A00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = text(&get(&w.app, "/en/oncall", &agent).await);
    assert!(
        section(&html, "on-duty", "</p>").contains("bob@provider.example"),
        "{html}"
    );
    assert!(section(&html, "overrides", "</table>").contains("30 November 2026, 14:00"));
    // Someone who is not on call: the form again, naming the field.
    let r = post(
        &w.app,
        "/en/oncall/rotation",
        &agent,
        &format!("csrf={token}&handover=mon+08%3A00&users=agent%40provider.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("users[0]:"), "{}", text(&r));
    // A partner's people do not see the roster.
    let r = get(
        &w.app,
        "/en/oncall",
        &session(&w, "admin@p-a.example").await,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The page's mail links to the ticket: there the person paged acknowledges it with one button,
/// and no page follows. The partner reads that on-call duty was paged, never by whom.
#[tokio::test]
async fn the_person_paged_acknowledges_on_the_tickets_page() {
    let w = World::new(TestApp::new().await).await;
    w.set("2026-10-30T09:00:00+01:00");
    let agent = session(&w, "agent@provider.example").await;
    let token = csrf(&text(&get(&w.app, "/en/oncall", &agent).await));
    let r = post(
        &w.app,
        "/en/oncall/rotation",
        &agent,
        &format!("csrf={token}&handover=mon+08%3A00&users=ann%40provider.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    w.run_to("2026-10-30T17:30:00+01:00").await;
    let mut p1 = w.p3("P-A");
    p1["impact"] = serde_json::json!("high");
    p1["urgency"] = serde_json::json!("high");
    let t = w.ok("agent", "POST", "/api/v1/tickets", Some(p1)).await;
    let path = format!("/en/tickets/{}", t["ref"].as_str().unwrap());
    w.run_to("2026-10-30T18:00:00+01:00").await;
    assert_eq!(w.mails_to("oncall.page").await, ["ann@provider.example"]);
    // Only the person paged is offered the button.
    let bob = session(&w, "bob@provider.example").await;
    assert!(!text(&get(&w.app, &path, &bob).await).contains("id=\"ack\""));
    let ann = session(&w, "ann@provider.example").await;
    let html = text(&get(&w.app, &path, &ann).await);
    let ack = section(&html, "ack", "</form>");
    let action = ack
        .split("action=\"")
        .nth(1)
        .and_then(|a| a.split('"').next())
        .unwrap()
        .to_owned();
    assert!(action.starts_with("/en/oncall/pages/"), "{action}");
    w.set("2026-10-30T18:05:00+01:00");
    let r = post(&w.app, &action, &ann, &format!("csrf={}", csrf(&html))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    assert_eq!(r.header("location").unwrap(), path);
    let html = text(&get(&w.app, &path, &ann).await);
    assert!(!html.contains("id=\"ack\""));
    assert!(html.contains("The page was acknowledged"));
    w.run_to("2026-10-30T19:00:00+01:00").await;
    assert_eq!(
        w.mails_to("oncall.page").await.len(),
        1,
        "no page after the ack"
    );
    // The partner: paged at 18:00, by nobody it can name.
    let local = session(&w, "local@p-a.example").await;
    let html = text(&get(&w.app, &path, &local).await);
    assert!(
        section(&html, "ticket-on-call", "</dd>")
            .contains("On-call duty paged at 30 October 2026, 18:00"),
        "{html}"
    );
    assert!(!html.contains("ann@"), "{html}");
    // A partner's people cannot acknowledge.
    let r = post(&w.app, &action, &local, &format!("csrf={}", csrf(&html))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
