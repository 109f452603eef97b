//! The monitoring pages (issue 10, point 11): a subscription's availability month by month for
//! its partner's people and the staff (another partner: the 404 page), an admin's amendment of a
//! closed month from it, and the monitor and incident pages of the provider's staff — who reads,
//! who writes, in the four languages.

use axum::http::StatusCode;
use jiff::Timestamp;
use pacta_core::access::{Grant, User};
use pacta_core::incident::{Incident, Kind};
use pacta_core::partner::Partner;
use pacta_core::subscription::State;
use pacta_core::text::{Lang, Text};
use pacta_store::credentials::hash_password;
use pacta_store::incidents::NewIncident;
use pacta_store::subscriptions::{NewSubscription, Step};
use pacta_store::{Scope, Stamp};
use serde_json::json;

use crate::login::{csrf, get, post, sign_in, text, PASSWORD};
use crate::support::{add_monitor, t0, TestApp};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A `down` incident of WEB-HOSTING over `[start, end)`.
async fn incident(app: &TestApp, start: &str, end: &str) {
    app.state
        .db
        .create_incident(
            &NewIncident {
                incident: Incident {
                    service: "WEB-HOSTING".into(),
                    kind: Kind::Down,
                    title: "Web hosting unreachable".into(),
                    start: at(start),
                    end: Some(at(end)),
                },
                update: None,
            },
            |_| vec![],
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
}

/// Partners P-A and P-B, their people and the provider's staff (all with [`PASSWORD`]); P-A's
/// subscription to WEB-HOSTING (small pack: 99.5 %) in service since 1 September 2026, with a
/// five-hour `down` incident in September and a one-hour one in October, both months closed.
/// Answers the app and the subscription's id.
async fn world() -> (TestApp, String) {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let stamp = Stamp::new("test", t0());
    for code in ["P-A", "P-B"] {
        db.create_partner(
            &Partner {
                code: code.into(),
                name: Text::new().with(Lang::En, code),
                lang: Lang::En,
                local_helpdesk: true,
                prm: None,
                contacts: vec![],
            },
            stamp,
        )
        .await
        .unwrap();
    }
    let hash = hash_password(PASSWORD);
    let people: [(&str, Option<&str>, &str); 6] = [
        ("admin@provider.example", None, "admin"),
        ("sm@provider.example", None, "service-manager:WEB-HOSTING"),
        ("agent@provider.example", None, "helpdesk-agent"),
        ("admin@p-a.example", Some("P-A"), "partner-admin"),
        ("viewer@p-a.example", Some("P-A"), "viewer"),
        ("admin@p-b.example", Some("P-B"), "partner-admin"),
    ];
    for (email, partner, role) in people {
        let user = User {
            email: email.into(),
            name: email.into(),
            partner: partner.map(Into::into),
            lang: Lang::En,
            roles: vec![Grant::parse(role).unwrap()],
            disabled: false,
        };
        db.add_user(&user, Some(&hash), stamp).await.unwrap();
    }
    let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
    let s = db
        .request_subscription(
            &NewSubscription {
                partner: "P-A".into(),
                service: "WEB-HOSTING".into(),
                service_version: version,
                pack: "small".into(),
                level: None,
                options: vec![],
                quantity: 1,
                start_date: jiff::civil::date(2026, 9, 1),
                end_date: None,
            },
            &Default::default(),
            Stamp::new("admin@p-a.example", at("2026-08-20T10:00:00Z")),
        )
        .await
        .unwrap();
    db.transition_subscription(
        &s.id,
        State::Requested,
        &[Step {
            action: "approve",
            to: State::Approved,
            reason: None,
        }],
        None,
        &Default::default(),
        Stamp::new("sm@provider.example", at("2026-08-21T10:00:00Z")),
    )
    .await
    .unwrap();
    db.transition_subscription(
        &s.id,
        State::Approved,
        &[Step {
            action: "activate",
            to: State::Active,
            reason: None,
        }],
        None,
        &Default::default(),
        Stamp::new("pacta", at("2026-09-01T00:00:00+02:00")),
    )
    .await
    .unwrap();
    incident(&app, "2026-09-10T08:00:00Z", "2026-09-10T13:00:00Z").await;
    incident(&app, "2026-10-12T08:00:00Z", "2026-10-12T09:00:00Z").await;
    for month in ["2026-09", "2026-10"] {
        pacta_web::availability::close_month(&app.state, month, Stamp::new("pacta", t0()))
            .await
            .unwrap();
    }
    (app, s.id)
}

async fn session(app: &TestApp, email: &str) -> String {
    sign_in(app, email, PASSWORD).await.unwrap()
}

#[tokio::test]
async fn the_partner_reads_its_availability_month_by_month() {
    let (app, id) = world().await;
    let page = format!("/en/subscriptions/{id}/availability");
    // Sign in first.
    let r = get(&app, &page, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").unwrap(),
        format!("/en/login?next={page}")
    );

    let a_admin = session(&app, "admin@p-a.example").await;
    let r = get(&app, &page, &a_admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let html = text(&r);
    // Newest first, the current month live.
    let (nov, oct, sep) = (
        html.find("November 2026").unwrap(),
        html.find("October 2026").unwrap(),
        html.find("September 2026").unwrap(),
    );
    assert!(nov < oct && oct < sep, "newest first");
    assert!(!html.contains("August 2026"), "not in service in August");
    assert!(html.contains("provisional, so far"), "{html}");
    assert!(html.contains("closes 1 December 2026, 01:00"), "{html}");
    // October: 745 h, one hour down, target 99.5 %: met, 2 h 43 min 30 s of budget left.
    assert!(html.contains("99.5%"));
    assert!(html.contains("99.865%"), "{html}");
    assert!(html.contains("2\u{a0}h 43\u{a0}min 30\u{a0}s"), "{html}");
    // September: five hours down: not met, the budget exceeded by 1 h 24 min.
    assert!(html.contains("99.305%"), "{html}");
    assert!(html.contains("exceeded by 1\u{a0}h 24\u{a0}min"), "{html}");
    assert!(html.contains(">not met<") && html.contains(">met<"));
    // No monitor counts: every month is wholly unmonitored, said beside the figure.
    assert!(html.contains("unmonitored: 745\u{a0}h"), "{html}");
    assert!(html.contains("incomplete"));
    assert!(html.contains("No monitor counts for this subscription"));
    // The closed months' statements: the original, by the close.
    assert!(html.contains("href=\"#month-2026-10\""));
    assert!(html.contains("id=\"month-2026-10\""));
    assert!(html.contains("<th scope=\"row\">Original</th>"));
    assert!(!html.contains("id=\"month-2026-11\""), "no statement yet");
    // No amendment form for a partner.
    assert!(!html.contains("name=\"reason\""));

    // Its viewer reads it too; another partner's admin is told it does not exist.
    let viewer = session(&app, "viewer@p-a.example").await;
    assert_eq!(get(&app, &page, &viewer).await.status, StatusCode::OK);
    let b_admin = session(&app, "admin@p-b.example").await;
    let theirs = get(&app, &page, &b_admin).await;
    let missing = get(
        &app,
        "/en/subscriptions/01a00000-0000-7000-8000-000000000000/availability",
        &b_admin,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(text(&theirs), text(&missing));

    // The subscription page and the partner's home link to it.
    let sub = text(&get(&app, &format!("/en/subscriptions/{id}"), &a_admin).await);
    assert!(sub.contains(&format!("href=\"{page}\"")), "{sub}");
    let home = text(&get(&app, "/en/home", &a_admin).await);
    assert!(home.contains(&format!("href=\"{page}\"")), "{home}");
}

#[tokio::test]
async fn the_availability_page_speaks_four_languages() {
    let (app, id) = world().await;
    let a_admin = session(&app, "admin@p-a.example").await;
    for (lang, title, month, figure) in [
        ("nl", "Beschikbaarheid", "oktober 2026", "99,865\u{a0}%"),
        ("fr", "Disponibilité", "octobre 2026", "99,865\u{a0}%"),
        ("de", "Verfügbarkeit", "Oktober 2026", "99,865\u{a0}%"),
        ("en", "Availability", "October 2026", "99.865%"),
    ] {
        let r = get(
            &app,
            &format!("/{lang}/subscriptions/{id}/availability"),
            &a_admin,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{lang}");
        let html = text(&r);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{lang}");
        assert!(html.contains(month), "{lang}: {month}");
        assert!(html.contains(figure), "{lang}: {figure}");
    }
}

#[tokio::test]
async fn an_admin_amends_a_closed_month_and_no_one_else_may() {
    let (app, id) = world().await;
    let page = format!("/en/subscriptions/{id}/availability");
    let admin = session(&app, "admin@provider.example").await;
    let html = text(&get(&app, &page, &admin).await);
    let token = csrf(&html);
    // A form per closed month, none for the open one.
    assert!(html.contains("id=\"reason-2026-10\"") && html.contains("id=\"reason-2026-09\""));
    assert!(!html.contains("id=\"reason-2026-11\""));

    // Without a reason, for an open month, or with a stale form: refused, in the page.
    for (form, says) in [
        (
            format!("csrf={token}&month=2026-10&reason=+"),
            "Give the reason",
        ),
        (
            format!("csrf={token}&month=2026-11&reason=why"),
            "not closed yet",
        ),
        (
            "csrf=forged&month=2026-10&reason=why".to_owned(),
            "This form has expired",
        ),
    ] {
        let r = post(&app, &page, &admin, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(text(&r).contains(says), "{form}: {}", text(&r));
    }
    assert_eq!(
        app.state
            .db
            .statements(Scope::All, &id, None)
            .await
            .unwrap()
            .len(),
        2,
        "nothing was written"
    );

    // A later result of October: a new incident; the amendment recomputes the month.
    incident(&app, "2026-10-20T08:00:00Z", "2026-10-20T10:00:00Z").await;
    let r = post(
        &app,
        &page,
        &admin,
        &format!("csrf={token}&month=2026-10&reason=An+incident+declared+late"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    assert_eq!(
        r.header("location").unwrap(),
        format!("{page}#month-2026-10")
    );
    let html = text(&get(&app, &page, &admin).await);
    assert!(html.contains("Amendment 1"), "{html}");
    assert!(html.contains("An incident declared late"));
    assert!(html.contains("admin@provider.example"));
    assert!(html.contains("Amended (1)"), "{html}");
    // Three hours down now: 99.597 %; the original stays beside it.
    assert!(
        html.contains("99.597%") && html.contains("99.865%"),
        "{html}"
    );

    // The partner, the service's manager and another partner may not.
    for (who, status) in [
        ("admin@p-a.example", StatusCode::FORBIDDEN),
        ("sm@provider.example", StatusCode::FORBIDDEN),
        ("admin@p-b.example", StatusCode::NOT_FOUND),
    ] {
        let cookie = session(&app, who).await;
        let token = csrf(&text(&get(&app, "/en/account", &cookie).await));
        let r = post(
            &app,
            &page,
            &cookie,
            &format!("csrf={token}&month=2026-10&reason=mine"),
        )
        .await;
        assert_eq!(r.status, status, "{who}");
        if who == "sm@provider.example" {
            let html = text(&get(&app, &page, &cookie).await);
            assert!(!html.contains("name=\"reason\""), "staff read, no form");
        }
    }
    assert_eq!(
        app.state
            .db
            .statements(Scope::All, &id, Some("2026-10"))
            .await
            .unwrap()
            .len(),
        2,
        "the original and one amendment"
    );
}

#[tokio::test]
async fn staff_read_the_monitors_and_a_service_manager_manages_its_own() {
    let (app, _) = world().await;
    let id = add_monitor(&app, "web-tcp").await;
    // Three failures in the last half hour: down since the first.
    let r = app
        .write(
            "POST",
            &format!("/api/v1/monitors/{id}/results"),
            &json!([
                {"at": "2026-11-30T09:20:00+01:00", "ok": true},
                {"at": "2026-11-30T09:30:00+01:00", "ok": false},
                {"at": "2026-11-30T09:40:00+01:00", "ok": false},
                {"at": "2026-11-30T09:50:00+01:00", "ok": false},
            ]),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));

    assert_eq!(
        get(&app, "/en/admin/monitors", "").await.status,
        StatusCode::SEE_OTHER
    );
    for who in ["viewer@p-a.example", "admin@p-a.example"] {
        let cookie = session(&app, who).await;
        for path in [
            "/en/admin/monitors".to_owned(),
            format!("/en/admin/monitors/{id}"),
        ] {
            assert_eq!(
                get(&app, &path, &cookie).await.status,
                StatusCode::FORBIDDEN,
                "{who} {path}"
            );
        }
    }

    // A helpdesk agent reads, writes nothing.
    let agent = session(&app, "agent@provider.example").await;
    let html = text(&get(&app, "/en/admin/monitors", &agent).await);
    assert!(
        html.contains("web-tcp") && html.contains("web.example.invalid:443"),
        "{html}"
    );
    assert!(
        html.contains("down since 30 November 2026, 09:30"),
        "{html}"
    );
    assert!(html.contains("1 outage in 24 hours"), "{html}");
    assert!(!html.contains("id=\"add-monitor-title\""), "no form");
    assert!(!html.contains("/delete\""), "no delete button");
    assert!(
        html.contains("href=\"/en/admin/monitors\""),
        "in the navigation"
    );
    assert!(
        html.contains("href=\"/en/admin/incidents\""),
        "in the navigation"
    );
    let token = csrf(&html);
    let r = post(
        &app,
        &format!("/en/admin/monitors/{id}/delete"),
        &agent,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let detail = text(&get(&app, &format!("/en/admin/monitors/{id}"), &agent).await);
    assert!(detail.contains("Outages of the last 30 days"), "{detail}");
    assert!(detail.contains("30 November 2026, 09:30") && detail.contains("ongoing"));
    assert!(!detail.contains("id=\"timing-title\""), "no form");

    // The service's manager adds one; a wrong one is refused with what is wrong.
    let sm = session(&app, "sm@provider.example").await;
    let html = text(&get(&app, "/en/admin/monitors", &sm).await);
    assert!(html.contains("id=\"add-monitor-title\""));
    assert!(html.contains("<option value=\"WEB-HOSTING\""));
    assert!(
        !html.contains("<option value=\"DIGITAL-WORKPLACE\""),
        "not its service"
    );
    let token = csrf(&html);
    let r = post(
        &app,
        "/en/admin/monitors",
        &sm,
        &format!("csrf={token}&code=Bad+Code&name=X&service=WEB-HOSTING&kind=tcp&interval=1s"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(&r);
    assert!(html.contains("The monitor was not saved"), "{html}");
    assert!(
        html.contains("code:") && html.contains("interval:"),
        "{html}"
    );
    assert!(html.contains("value=\"Bad Code\""), "the form is kept");
    let r = post(
        &app,
        "/en/admin/monitors",
        &sm,
        &format!(
            "csrf={token}&code=web-dns&name=Web+DNS&service=WEB-HOSTING&kind=dns\
             &dns_name=www.example.invalid&record_type=AAAA&interval=5m&timeout=&counts=yes"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let location = r.header("location").unwrap();
    let new_id = location
        .trim_start_matches("/en/admin/monitors/")
        .to_owned();
    let m = app
        .state
        .db
        .monitor(Scope::All, &new_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.monitor.code, "web-dns");
    assert_eq!(m.monitor.target(), "www.example.invalid AAAA");
    assert_eq!(m.monitor.interval.0, 300);
    assert_eq!(m.monitor.name.get(Lang::En), Some("Web DNS"));
    let html = text(&get(&app, &location, &sm).await);
    assert!(
        html.contains("id=\"timing-title\""),
        "its manager may change it"
    );
    assert!(html.contains("No outage in the last 30 days."));

    // Its timing, with the revision read; a stale form is said so.
    let token = csrf(&html);
    let form = |revision: i64| {
        format!(
            "csrf={token}&revision={revision}&interval=2m&timeout=5s\
             &failures_before_down=2&successes_before_up=1"
        )
    };
    let r = post(&app, &location, &sm, &form(m.revision)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let changed = app
        .state
        .db
        .monitor(Scope::All, &new_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.monitor.interval.0, 120);
    assert_eq!(changed.monitor.failures_before_down, 2);
    assert!(!changed.monitor.counts_for_availability, "unchecked");
    let r = post(&app, &location, &sm, &form(m.revision)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("Someone changed this in the meantime"));

    // And deletes it.
    let r = post(
        &app,
        &format!("{location}/delete"),
        &sm,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(app
        .state
        .db
        .monitor(Scope::All, &new_id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        get(&app, &location, &sm).await.status,
        StatusCode::NOT_FOUND
    );

    // The pages in the other languages.
    for (lang, word) in [("nl", "Monitors"), ("fr", "Moniteurs"), ("de", "Monitore")] {
        let r = get(&app, &format!("/{lang}/admin/monitors"), &sm).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(text(&r).contains(&format!("<h1>{word}</h1>")), "{lang}");
        let r = get(&app, &format!("/{lang}/admin/monitors/{id}"), &sm).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}");
    }
}

#[tokio::test]
async fn staff_read_incidents_and_a_service_manager_declares_and_follows_one() {
    let (app, _) = world().await;
    for who in ["viewer@p-a.example", "admin@p-a.example"] {
        let cookie = session(&app, who).await;
        assert_eq!(
            get(&app, "/en/admin/incidents", &cookie).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    let agent = session(&app, "agent@provider.example").await;
    let html = text(&get(&app, "/en/admin/incidents", &agent).await);
    assert!(html.contains("No open incident."), "{html}");
    assert!(html.contains("Web hosting unreachable"), "the closed ones");
    assert!(!html.contains("id=\"declare-title\""), "no form");
    assert!(!html.contains("/update\""), "no form");

    let sm = session(&app, "sm@provider.example").await;
    let html = text(&get(&app, "/en/admin/incidents", &sm).await);
    assert!(html.contains("id=\"declare-title\""));
    assert!(
        html.contains("value=\"2026-11-30T10:00\""),
        "starts now by default"
    );
    let token = csrf(&html);
    // In the future: refused, with the form kept.
    let r = post(
        &app,
        "/en/admin/incidents",
        &sm,
        &format!("csrf={token}&service=WEB-HOSTING&kind=down&title=Later&start=2026-12-01T10:00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(&r);
    assert!(
        html.contains("The incident was not declared") && html.contains("start:"),
        "{html}"
    );
    assert!(html.contains("value=\"Later\""));
    let r = post(
        &app,
        "/en/admin/incidents",
        &sm,
        &format!(
            "csrf={token}&service=WEB-HOSTING&kind=down&title=Sites+unreachable\
             &start=2026-11-30T09:15&end=&text=We+are+investigating.&language=en"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let location = r.header("location").unwrap();
    let id = location
        .trim_start_matches("/en/admin/incidents#incident-")
        .to_owned();
    let stored = app
        .state
        .db
        .incident(Scope::All, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.incident.start,
        at("2026-11-30T08:15:00Z"),
        "Brussels time"
    );
    assert!(stored.incident.is_open());
    let html = text(&get(&app, "/en/admin/incidents", &agent).await);
    let open = html.find("id=\"open-title\"").unwrap();
    let closed = html.find("id=\"closed-title\"").unwrap();
    let this = html.find(&format!("id=\"incident-{id}\"")).unwrap();
    assert!(open < this && this < closed, "open first");
    assert!(html.contains("We are investigating."));

    // An update, the end, the kind.
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/update"),
        &sm,
        &format!("csrf={token}&text=Fixed%2C+watching.&language=nl"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/end"),
        &sm,
        &format!(
            "csrf={token}&revision={}&end=2026-11-30T09:45",
            stored.revision
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    // The revision read before the end was set is stale now.
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/kind"),
        &sm,
        &format!("csrf={token}&revision={}&kind=degraded", stored.revision),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("Someone changed this in the meantime"));
    let now = app
        .state
        .db
        .incident(Scope::All, &id)
        .await
        .unwrap()
        .unwrap();
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/kind"),
        &sm,
        &format!("csrf={token}&revision={}&kind=degraded", now.revision),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let done = app
        .state
        .db
        .incident(Scope::All, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.incident.end, Some(at("2026-11-30T08:45:00Z")));
    assert_eq!(done.incident.kind, Kind::Degraded);
    let html = text(&get(&app, "/en/admin/incidents", &sm).await);
    assert!(
        html.contains("<p lang=\"nl\">Fixed, watching.</p>"),
        "{html}"
    );
    assert!(html.contains("30 November 2026, 09:45"));

    // Others may not; an unknown change is no page.
    let agent_token = csrf(&text(&get(&app, "/en/admin/incidents", &agent).await));
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/update"),
        &agent,
        &format!("csrf={agent_token}&text=Hello"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &app,
        &format!("/en/admin/incidents/{id}/title"),
        &sm,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    for (lang, word) in [
        ("nl", "Incidenten"),
        ("fr", "Incidents"),
        ("de", "Störungen"),
    ] {
        let r = get(&app, &format!("/{lang}/admin/incidents"), &sm).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(text(&r).contains(&format!("<h1>{word}</h1>")), "{lang}");
    }
}
