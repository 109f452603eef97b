//! Building an app over a fresh database with the small test catalogue, and calling it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::import::plan;
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::Catalogue;
use pacta_core::clock::SettableClock;
use pacta_store::{Db, Stamp};
use pacta_web::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub const TOKEN: &str = "test-admin-token";

/// "Now" in these tests, unless a test moves the clock: Monday 30 November 2026, 10:00 in
/// Brussels.
pub fn t0() -> jiff::Timestamp {
    "2026-11-30T09:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub state: AppState,
    /// The app's clock, for tests that move time.
    pub clock: Arc<SettableClock>,
    /// The bearer token [`TestApp::write`] sends: the admin token unless a test changes it.
    pub bearer: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts the error shape and returns its code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "error shape: {v}");
        assert!(v["error"]["fields"].is_object(), "error shape: {v}");
        v["error"]["code"].as_str().unwrap().to_owned()
    }
}

pub fn small_catalogue() -> Catalogue {
    let src = include_str!("../../../../testdata/small-catalogue.yaml");
    read_catalogue(&parse_yaml(src).unwrap(), &Known::default()).unwrap()
}

impl TestApp {
    /// An app with the small catalogue loaded and the admin token configured.
    pub async fn new() -> TestApp {
        TestApp::with_token(Some(TOKEN)).await
    }

    pub async fn with_token(token: Option<&str>) -> TestApp {
        TestApp::with_catalogue(&small_catalogue(), token).await
    }

    /// An app over a fresh database holding `catalogue`.
    pub async fn with_catalogue(catalogue: &Catalogue, token: Option<&str>) -> TestApp {
        let db = pacta_store::testing::fresh_sqlite().await;
        db.apply_import(
            &plan(&Catalogue::default(), catalogue, false),
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
        TestApp::over(db, token).await
    }

    /// The same app over a fresh PostgreSQL database, when `PACTA_TEST_POSTGRES_URL` is set.
    pub async fn postgres_with_catalogue(catalogue: &Catalogue) -> Option<TestApp> {
        let db = pacta_store::testing::fresh_postgres().await?;
        db.apply_import(
            &plan(&Catalogue::default(), catalogue, false),
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
        Some(TestApp::over(db, Some(TOKEN)).await)
    }

    pub async fn empty() -> TestApp {
        TestApp::over(pacta_store::testing::fresh_sqlite().await, Some(TOKEN)).await
    }

    async fn over(db: Db, token: Option<&str>) -> TestApp {
        let clock = SettableClock::new(t0());
        let state = AppState::new(db, token.map(str::to_owned), clock.clone())
            .await
            .unwrap();
        TestApp {
            state,
            clock,
            bearer: TOKEN.to_owned(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = pacta_web::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A request with `token` as bearer (none: anonymous) and `body` as JSON, if any.
    pub async fn call(
        &self,
        token: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// A JSON write with the admin token and optional extra headers.
    pub async fn write(
        &self,
        method: &str,
        uri: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.bearer));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }
}

/// A provider user (an `helpdesk-agent`) in the app's database.
pub async fn add_staff_user(app: &TestApp, email: &str) {
    let user = pacta_core::access::User {
        email: email.into(),
        name: email.into(),
        partner: None,
        lang: pacta_core::text::Lang::En,
        roles: vec![pacta_core::access::Grant::unscoped(
            pacta_core::access::Role::HelpdeskAgent,
        )],
        disabled: false,
    };
    app.state
        .db
        .add_user(&user, None, Stamp::new("test", t0()))
        .await
        .unwrap();
}

/// A partner (English, with a local helpdesk) in the app's database.
pub async fn add_partner(app: &TestApp, code: &str) {
    let partner = pacta_core::partner::Partner {
        code: code.into(),
        name: pacta_core::text::Text::new().with(pacta_core::text::Lang::En, code),
        lang: pacta_core::text::Lang::En,
        local_helpdesk: true,
        prm: None,
        contacts: vec![],
    };
    app.state
        .db
        .create_partner(&partner, Stamp::new("test", t0()))
        .await
        .unwrap();
}

/// An `admin` user (`admin@provider.example`) and its API token: what calls the routes that
/// need a user rather than the bootstrap token.
pub async fn admin_user_token(app: &TestApp) -> String {
    let user = pacta_core::access::User {
        email: "admin@provider.example".into(),
        name: "Admin".into(),
        partner: None,
        lang: pacta_core::text::Lang::En,
        roles: vec![pacta_core::access::Grant::unscoped(
            pacta_core::access::Role::Admin,
        )],
        disabled: false,
    };
    let db = &app.state.db;
    db.add_user(&user, None, Stamp::new("test", t0()))
        .await
        .unwrap();
    db.create_token(&user.email, "tests", None, Stamp::new("test", t0()))
        .await
        .unwrap()
        .1
}

/// A monitor `code` of WEB-HOSTING (a TCP check) in the app's database; its id.
pub async fn add_monitor(app: &TestApp, code: &str) -> String {
    let body = serde_json::json!({"code": code, "name": {"en": code}, "service": "WEB-HOSTING",
        "kind": "tcp", "settings": {"host": "web.example.invalid", "port": 443}});
    let monitor =
        pacta_core::monitor::read_monitor(&pacta_core::catalogue::document::Node::from_json(&body))
            .unwrap();
    app.state
        .db
        .create_monitor(&monitor, Stamp::new("test", t0()))
        .await
        .unwrap()
        .id
}

/// An open `down` incident of WEB-HOSTING (since an hour before [`t0`]) in the app's database;
/// its id.
pub async fn add_incident(app: &TestApp) -> String {
    let incident = pacta_core::incident::Incident {
        service: "WEB-HOSTING".into(),
        kind: pacta_core::incident::Kind::Down,
        title: "Web hosting unreachable".into(),
        start: t0() - jiff::SignedDuration::from_hours(1),
        end: None,
    };
    app.state
        .db
        .create_incident(
            &pacta_store::incidents::NewIncident {
                incident,
                update: None,
            },
            |_| vec![],
            Stamp::new("test", t0()),
        )
        .await
        .unwrap()
        .0
        .id
}

/// Partners `partners` (English, no local helpdesk) and the users `people` — (short name,
/// e-mail, partner, grant as `Grant::parse` reads it) — each with an API token: the tokens by
/// short name.
pub async fn people(
    app: &TestApp,
    partners: &[&str],
    people: &[(&'static str, &str, Option<&str>, &str)],
) -> std::collections::HashMap<&'static str, String> {
    let db = &app.state.db;
    let stamp = Stamp::new("test", t0());
    for code in partners {
        let partner = pacta_core::partner::Partner {
            code: (*code).into(),
            name: pacta_core::text::Text::new().with(pacta_core::text::Lang::En, code),
            lang: pacta_core::text::Lang::En,
            local_helpdesk: false,
            prm: None,
            contacts: vec![],
        };
        db.create_partner(&partner, stamp).await.unwrap();
    }
    let mut tokens = std::collections::HashMap::new();
    for &(who, email, partner, grant) in people {
        let user = pacta_core::access::User {
            email: email.into(),
            name: email.into(),
            partner: partner.map(Into::into),
            lang: pacta_core::text::Lang::En,
            roles: vec![pacta_core::access::Grant::parse(grant).unwrap()],
            disabled: false,
        };
        db.add_user(&user, None, stamp).await.unwrap();
        let (_, token) = db.create_token(email, "t", None, stamp).await.unwrap();
        tokens.insert(who, token);
    }
    tokens
}

/// Partners P-A and P-B with an `admin` of the provider, P-A's `a-viewer` and `a-admin` and
/// P-B's `b-admin`: their tokens by those names.
pub async fn staff_and_two_partners(
    app: &TestApp,
) -> std::collections::HashMap<&'static str, String> {
    people(
        app,
        &["P-A", "P-B"],
        &[
            ("admin", "admin@provider.example", None, "admin"),
            ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
            ("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin"),
            ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
        ],
    )
    .await
}

/// A maintenance window of WEB-HOSTING (two Sundays of December 2026, 02:00–04:00) proposed on
/// 25 November at 09:00 and consulting `partners` (five days' notice, silence is consent): its id.
pub async fn add_maintenance(app: &TestApp, partners: &[&str]) -> String {
    use pacta_core::maintenance::consultation::{PartnerTerms, SubscriptionTerms};
    use pacta_store::maintenance::{Consulted, NewTimes, NewWindow};
    let (start, end, rrule) = (
        "2026-12-13T02:00",
        "2026-12-13T04:00",
        "FREQ=WEEKLY;COUNT=2",
    );
    let times = pacta_core::maintenance::WindowTimes::parse(start, end, Some(rrule)).unwrap();
    let consulted: Vec<Consulted> = partners
        .iter()
        .map(|p| Consulted {
            partner: (*p).into(),
            subscriptions: vec![SubscriptionTerms {
                consulted_at: None,
                from: "2026-11-01T00:00:00Z".parse().unwrap(),
                until: None,
                terms: PartnerTerms {
                    notice_seconds: 5 * 86_400,
                    silence_is_consent: true,
                },
            }],
        })
        .collect();
    app.state
        .db
        .propose_maintenance(
            &NewWindow {
                service: "WEB-HOSTING".into(),
                title: pacta_core::text::Text::new()
                    .with(pacta_core::text::Lang::En, "Storage firmware"),
                description: None,
                times: NewTimes {
                    start_local: start.into(),
                    end_local: end.into(),
                    rrule: Some(rrule.into()),
                    occurrences: times.occurrences(pacta_core::subscription::zone()).unwrap(),
                },
            },
            &consulted,
            |_| Vec::new(),
            Stamp::new(
                "sm-web@provider.example",
                "2026-11-25T08:00:00Z".parse().unwrap(),
            ),
        )
        .await
        .unwrap()
        .id
}

/// A ticket of partner P-T (created here, with a subscription of WEB-HOSTING it has requested),
/// written straight to the store: `T-2026-000001`, the first of the year.
pub async fn add_ticket(app: &TestApp) -> String {
    let db = &app.state.db;
    let stamp = Stamp::new("test", t0());
    db.create_partner(
        &pacta_core::partner::Partner {
            code: "P-T".into(),
            name: pacta_core::text::Text::new().with(pacta_core::text::Lang::En, "P-T"),
            lang: pacta_core::text::Lang::En,
            local_helpdesk: true,
            prm: None,
            contacts: vec![],
        },
        stamp,
    )
    .await
    .unwrap();
    let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
    let subscription = db
        .request_subscription(
            &pacta_store::subscriptions::NewSubscription {
                partner: "P-T".into(),
                service: "WEB-HOSTING".into(),
                service_version: version,
                pack: "small".into(),
                level: None,
                options: vec![],
                quantity: 1,
                start_date: jiff::civil::date(2026, 12, 1),
                end_date: None,
            },
            &Default::default(),
            stamp,
        )
        .await
        .unwrap()
        .id;
    db.create_ticket(
        &pacta_store::tickets::NewTicket {
            partner: "P-T".into(),
            subscription,
            service: "WEB-HOSTING".into(),
            kind: pacta_core::ticket::Kind::Incident,
            impact: pacta_core::ticket::Grade::Low,
            urgency: pacta_core::ticket::Grade::Low,
            priority: pacta_core::ticket::Priority::P4,
            major_incident: false,
            title: "Slow".into(),
            body: "Slow".into(),
            requester: "staff@provider.example".into(),
        },
        |_| pacta_store::tickets::Derived {
            status: pacta_core::ticket::Status::New,
            priority: pacta_core::ticket::Priority::P4,
            major_incident: false,
            clocks: serde_json::json!({}),
            queue_at: None,
        },
        |_| (vec![], vec![]),
        stamp,
    )
    .await
    .unwrap()
    .reference
}

/// A subscription of `partner` to WEB-HOSTING, pack small (level basic: 99.5 %), starting on
/// `from`: requested on 1 September 2026, approved on the 10th, active at `active` — its id.
pub async fn active_subscription(
    app: &TestApp,
    partner: &str,
    from: jiff::civil::Date,
    active: jiff::Timestamp,
) -> String {
    use pacta_core::subscription::State;
    use pacta_store::subscriptions::{Effects, NewSubscription};
    let db = &app.state.db;
    let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
    let s = db
        .request_subscription(
            &NewSubscription {
                partner: partner.into(),
                service: "WEB-HOSTING".into(),
                service_version: version,
                pack: "small".into(),
                level: None,
                options: vec![],
                quantity: 1,
                start_date: from,
                end_date: None,
            },
            &Effects::default(),
            Stamp::new("test", "2026-09-01T08:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
    move_subscription(
        app,
        &s.id,
        (State::Requested, "approve", State::Approved),
        "2026-09-10T08:00:00Z".parse().unwrap(),
    )
    .await;
    move_subscription(
        app,
        &s.id,
        (State::Approved, "activate", State::Active),
        active,
    )
    .await;
    s.id
}

/// Moves subscription `id` by `(from, action, to)` at `at`, as the service manager.
pub async fn move_subscription(
    app: &TestApp,
    id: &str,
    (from, action, to): (
        pacta_core::subscription::State,
        &'static str,
        pacta_core::subscription::State,
    ),
    at: jiff::Timestamp,
) {
    use pacta_store::subscriptions::{Effects, Step};
    app.state
        .db
        .transition_subscription(
            id,
            from,
            &[Step {
                action,
                to,
                reason: None,
            }],
            None,
            &Effects::default(),
            Stamp::new("sm", at),
        )
        .await
        .unwrap();
}

/// An hourly TCP monitor `web-hourly` of WEB-HOSTING on `host` (N = M = 1: a result covers
/// 2 h), whose results the tests store as the probes would.
pub struct HourlyMonitor {
    pub seq: i64,
    pub id: String,
    pub rule: pacta_core::sla::outages::OutageRule,
}

impl HourlyMonitor {
    pub async fn add(app: &TestApp, host: &str) -> HourlyMonitor {
        let monitor = pacta_core::monitor::read_monitor(
            &pacta_core::catalogue::document::Node::from_json(&serde_json::json!({
                "code": "web-hourly", "name": {"en": "Web"}, "service": "WEB-HOSTING",
                "kind": "tcp", "settings": {"host": host, "port": 443}, "interval": "1h",
                "timeout": "10s", "failures_before_down": 1, "successes_before_up": 1,
                "stale_after": "2h"})),
        )
        .unwrap();
        let m = app
            .state
            .db
            .create_monitor(&monitor, Stamp::new("test", t0()))
            .await
            .unwrap();
        HourlyMonitor {
            seq: m.seq,
            rule: m.monitor.outage_rule(),
            id: m.id,
        }
    }

    /// Stores `results` as the probes would, without telling anything else (the dashboard's
    /// live view, alerts).
    pub async fn ingest(&self, app: &TestApp, results: &[pacta_core::monitor::CheckResult]) {
        app.state
            .db
            .ingest_results(
                self.seq,
                self.rule,
                results,
                Stamp::new("prober", t0()),
                &self.id,
                |_| Vec::new(),
            )
            .await
            .unwrap();
    }
}

/// A maintenance window of WEB-HOSTING over `[start, end)` (local times), proposed on 20
/// September 2026, consulting each partner of `answers` on its subscription since 1 October
/// (five days' notice, silence is consent); each answers on the 25th as given (`None`: not).
pub async fn consulted_window(
    app: &TestApp,
    start: &str,
    end: &str,
    answers: &[(&str, Option<pacta_core::sla::consent::Answer>)],
) {
    use pacta_core::maintenance::consultation::{PartnerTerms, SubscriptionTerms};
    use pacta_store::maintenance::{Action, Consulted, NewAnswer, NewTimes, NewWindow};
    let at = |s: &str| -> jiff::Timestamp { s.parse().unwrap() };
    let times = pacta_core::maintenance::WindowTimes::parse(start, end, None).unwrap();
    let new = NewWindow {
        service: "WEB-HOSTING".into(),
        title: pacta_core::text::Text::new().with(pacta_core::text::Lang::En, "Storage"),
        description: None,
        times: NewTimes {
            start_local: start.into(),
            end_local: end.into(),
            rrule: None,
            occurrences: times.occurrences(pacta_core::subscription::zone()).unwrap(),
        },
    };
    let consulted: Vec<Consulted> = answers
        .iter()
        .map(|(partner, _)| Consulted {
            partner: (*partner).into(),
            subscriptions: vec![SubscriptionTerms {
                consulted_at: None,
                from: at("2026-09-30T22:00:00Z"),
                until: None,
                terms: PartnerTerms {
                    notice_seconds: 5 * 86_400,
                    silence_is_consent: true,
                },
            }],
        })
        .collect();
    let db = &app.state.db;
    let proposed = db
        .propose_maintenance(
            &new,
            &consulted,
            |_| Vec::new(),
            Stamp::new("sm", at("2026-09-20T08:00:00Z")),
        )
        .await
        .unwrap();
    for (partner, answer) in answers {
        let Some(answer) = answer else { continue };
        db.act_on_maintenance(
            &proposed.id,
            &Action::Answer {
                partner: (*partner).into(),
                answer: NewAnswer {
                    answer: *answer,
                    comment: None,
                    occurrence: None,
                    alternative: None,
                },
            },
            |_| Ok(()),
            |_| Vec::new(),
            Stamp::new("partner", at("2026-09-25T08:00:00Z")),
        )
        .await
        .unwrap();
    }
}
