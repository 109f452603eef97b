//! The pages through the router (issue 4): every route in the four languages, the 404s, the
//! language negotiation, the price and downtime formats, the quote with and without htmx, the
//! iCalendar feed, and that no text of a hostile catalogue comes out as markup.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::Catalogue;
use serde_json::Value;

use crate::support::{Reply, TestApp};

const LANGS: [&str; 4] = ["nl", "fr", "de", "en"];

fn demo_catalogue() -> Catalogue {
    let src = include_str!("../../../../demo/catalogue.yaml");
    read_catalogue(&parse_yaml(src).unwrap(), &Known::default()).unwrap()
}

async fn app_with(catalogue: &Catalogue) -> TestApp {
    // With the admin token configured: a bearer token the app does not know is refused (401),
    // also on a read, since issue 8.
    TestApp::with_catalogue(catalogue, Some(crate::support::TOKEN)).await
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn post_form(app: &TestApp, uri: &str, body: &str) -> Reply {
    app.send(
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

fn page_paths(lang: &str) -> Vec<String> {
    [
        "/",
        "/catalogue",
        "/catalogue?q=mail&category=collaboration&model=saas&level=critical",
        "/services/MAIL-AGENDA",
        "/services/MAIL-AGENDA/print",
        "/services/WEB-HOSTING",
        "/support",
        "/closures",
        "/catalogue/print",
        "/accessibility",
        "/privacy",
        "/legal",
    ]
    .iter()
    .map(|p| format!("/{lang}{p}"))
    .collect()
}

#[tokio::test]
async fn every_page_answers_in_the_four_languages() {
    let app = app_with(&demo_catalogue()).await;
    for lang in LANGS {
        for path in page_paths(lang) {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                r.header("content-type").unwrap().starts_with("text/html"),
                "{path}"
            );
            let html = r.text();
            assert!(
                html.contains(&format!("<html lang=\"{lang}\">")),
                "{path}: no <html lang>"
            );
            assert!(
                html.contains("class=\"skip\" href=\"#main\""),
                "{path}: no skip link"
            );
            assert_eq!(
                r.header("set-cookie").as_deref(),
                Some(format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax").as_str()),
                "{path}"
            );
        }
        let ics = app.get(&format!("/{lang}/closures.ics")).await;
        assert_eq!(ics.status, StatusCode::OK);
        assert!(ics
            .header("content-type")
            .unwrap()
            .starts_with("text/calendar"));
    }
}

#[tokio::test]
async fn the_root_goes_to_the_cookie_then_accept_language_else_offers_the_four() {
    let app = app_with(&demo_catalogue()).await;
    let r = app
        .get_with(
            "/",
            &[("cookie", "x=1; lang=fr"), ("accept-language", "de")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/fr/"));
    let r = app
        .get_with("/", &[("accept-language", "es, de-BE;q=0.8, nl;q=0.5")])
        .await;
    assert_eq!(r.header("location").as_deref(), Some("/de/"));
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for lang in LANGS {
        assert!(html.contains(&format!("href=\"/{lang}/\"")), "{lang}");
    }
    let r = app.get("/nl").await;
    assert_eq!(r.header("location").as_deref(), Some("/nl/"));
}

#[tokio::test]
async fn the_language_switcher_keeps_the_path_and_query() {
    let app = app_with(&demo_catalogue()).await;
    let html = app.get("/nl/catalogue?q=mail").await.text();
    assert!(html.contains("href=\"/fr/catalogue?q=mail\""), "{html}");
    let html = app.get("/de/services/MAIL-AGENDA").await.text();
    assert!(html.contains("href=\"/en/services/MAIL-AGENDA\""));
}

#[tokio::test]
async fn unknown_services_and_languages_get_a_404_page_in_the_readers_language() {
    let app = app_with(&demo_catalogue()).await;
    let r = app.get("/fr/services/NO-SUCH").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("Page introuvable"));
    assert!(r.text().contains("<html lang=\"fr\">"));
    let r = app
        .get_with("/xx/catalogue", &[("accept-language", "nl-BE")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("Pagina niet gevonden"));
    let r = app.get_with("/es/", &[("cookie", "lang=de")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("Seite nicht gefunden"));
    let r = app
        .get_with("/en/no/such/page", &[("accept", "text/html")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("Page not found"));
    // API clients keep the API's error shape.
    let r = app.get("/api/v1/no-such").await;
    assert_eq!(r.error_code(), "not_found");
}

#[tokio::test]
async fn drafts_are_not_shown_and_retired_services_are_marked_with_their_successor() {
    let app = TestApp::new().await; // the small catalogue: a draft and a retired service
    let r = app.get("/en/services/DRAFT-SERVICE").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/en/services/OLD-HOSTING").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("This service is retired"), "{html}");
    assert!(html.contains("href=\"/en/services/WEB-HOSTING\""), "{html}");
    let list = app.get("/en/catalogue").await.text();
    assert!(!list.contains("OLD-HOSTING") && !list.contains("DRAFT-SERVICE"));
    // Without an organisation profile the support page says so rather than showing empty sections.
    let support = app.get("/en/support").await.text();
    assert!(support.contains("has not described its general support yet"));
}

#[tokio::test]
async fn prices_are_written_as_each_language_writes_them() {
    let app = app_with(&demo_catalogue()).await;
    let cases = [
        ("nl", "€\u{a0}1.500,00", "exclusief btw"),
        ("fr", "1\u{202f}500,00\u{a0}€", "hors TVA"),
        ("de", "1.500,00\u{a0}€", "ohne MwSt."),
        ("en", "€1,500.00", "excluding VAT"),
    ];
    for (lang, price, vat) in cases {
        let html = app
            .get(&format!("/{lang}/services/MAIL-AGENDA"))
            .await
            .text();
        assert!(html.contains(price), "{lang}: no {price:?}");
        assert!(html.contains(vat), "{lang}: no {vat:?}");
    }
}

#[tokio::test]
async fn levels_show_their_target_and_allowed_downtime_per_30_days() {
    let app = app_with(&demo_catalogue()).await;
    let html = app.get("/en/services/MAIL-AGENDA").await.text();
    assert!(html.contains("99.9%"));
    assert!(html.contains("43\u{a0}min 12\u{a0}s"), "99.9 % of 30 days");
    assert!(
        html.contains("2\u{a0}h 9\u{a0}min 36\u{a0}s"),
        "99.7 % of 30 days"
    );
    assert!(html.contains("3\u{a0}h 36\u{a0}min"), "99.5 % of 30 days");
    let html = app.get("/fr/services/MAIL-AGENDA").await.text();
    assert!(html.contains("99,9\u{a0}%"));
    assert!(html.contains("Indisponibilité admise par 30 jours"));
    let support = app.get("/nl/support").await.text();
    assert!(support.contains("gemeten als de beschikbaarheid van de dienst"));
    assert!(support.contains("43\u{a0}min 12\u{a0}s"));
}

#[tokio::test]
async fn the_quote_is_a_fragment_for_htmx_and_a_whole_page_without_javascript() {
    let app = app_with(&demo_catalogue()).await;
    let form = "pack=mail-250&level=&option=archiving&option=critical-coverage&quantity=100";
    let fragment = post_form(&app, "/en/services/MAIL-AGENDA/quote", form).await;
    assert_eq!(fragment.status, StatusCode::OK);
    let f = fragment.text();
    assert!(!f.contains("<html"), "a fragment, not a page");
    assert!(f.contains("class=\"total-month\""), "{f}");
    assert!(f.contains("not a subscription"));
    // The same core function as the API.
    let api = app
        .write(
            "POST",
            "/api/v1/catalogue/quote",
            &serde_json::json!({"service": "MAIL-AGENDA", "pack": "mail-250",
                "options": ["archiving", "critical-coverage"], "quantity": 100}),
            &[],
        )
        .await;
    let v = api.json();
    let month = v["totals"]["month_cents"]
        .as_i64()
        .or_else(|| v["quote"]["totals"]["month_cents"].as_i64())
        .unwrap_or_else(|| panic!("{v}"));
    let expected = pacta_web::ui::format::money(month, pacta_core::text::Lang::En);
    assert!(
        f.contains(&format!("class=\"total-month\">{expected}<")),
        "{expected} in {f}"
    );
    assert!(f.contains("Critical"), "critical-coverage raises the level");

    let page = post_form(&app, "/en/services/MAIL-AGENDA", form).await;
    assert_eq!(page.status, StatusCode::OK);
    let p = page.text();
    assert!(p.contains("<html lang=\"en\">"));
    assert!(p.contains(&format!("class=\"total-month\">{expected}<")));
    assert!(
        p.contains("value=\"archiving\" checked"),
        "the form keeps the choice"
    );
    assert!(p.contains("value=\"100\""));

    let bad = post_form(
        &app,
        "/nl/services/MAIL-AGENDA/quote",
        "pack=mail-50&quantity=0",
    )
    .await;
    assert!(bad.text().contains("minstens 1"), "{}", bad.text());
    let bad = post_form(
        &app,
        "/fr/services/MAIL-AGENDA/quote",
        "pack=nope&quantity=2",
    )
    .await;
    assert!(bad.text().contains("Choisissez un des packs"));
    let bad = post_form(
        &app,
        "/en/services/MAIL-AGENDA/quote",
        "pack=mail-50&quantity=abc",
    )
    .await;
    assert!(bad.text().contains("whole number"));
}

#[tokio::test]
async fn closures_list_holidays_and_named_bridge_days_and_the_feed_is_rfc_5545() {
    let app = app_with(&demo_catalogue()).await;
    let html = app.get("/nl/closures").await.text();
    assert!(html.contains("Kerstavond"), "a named closed day");
    assert!(html.contains("Kerstmis"), "a be-federal holiday");
    assert!(html.contains("Nieuwjaar"));
    let ics = app.get("/en/closures.ics").await.text();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "CRLF only");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line {line:?}");
    }
    let events = ics.matches("BEGIN:VEVENT").count();
    assert!(events >= 26, "13+ closed days a year, two years: {events}");
    assert_eq!(events, ics.matches("DTSTAMP:").count());
    assert_eq!(events, ics.matches("UID:").count());
    assert!(ics.contains("SUMMARY:Christmas Eve\r\n"));
    assert!(ics.contains("DTSTART;VALUE=DATE:"));
}

#[tokio::test]
async fn the_printed_catalogue_has_a_title_page_contents_support_and_every_fiche() {
    let app = app_with(&demo_catalogue()).await;
    let html = app.get("/de/catalogue/print").await.text();
    assert!(html.contains("class=\"title-page\""));
    assert!(html.contains("Ausgabe vom 28. November 2026"));
    assert!(html.contains("href=\"#service-MAIL-AGENDA\""));
    assert!(html.contains("id=\"service-MAIL-AGENDA\""));
    assert!(html.contains("id=\"support\""));
    let cat = demo_catalogue();
    let published = cat
        .services
        .iter()
        .filter(|s| s.status == pacta_core::catalogue::Lifecycle::Published)
        .count();
    assert_eq!(html.matches("<article class=\"fiche\"").count(), published);
    let doc = pacta_web::ui::print::render_html(&app.state.snapshot(), pacta_core::text::Lang::De)
        .unwrap();
    assert!(
        doc.contains("<style>") && !doc.contains("rel=\"stylesheet\""),
        "self-contained"
    );
}

#[tokio::test]
async fn static_assets_are_embedded_and_cached_for_a_year() {
    let app = app_with(&demo_catalogue()).await;
    let html = app.get("/en/services/MAIL-AGENDA").await.text();
    for (prefix, kind) in [
        ("/static/pacta.", "text/css"),
        ("/static/htmx.", "text/javascript"),
    ] {
        let start = html.find(prefix).unwrap_or_else(|| panic!("no {prefix}"));
        let end = start + html[start..].find('"').unwrap();
        let r = app.get(&html[start..end]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").unwrap().starts_with(kind));
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
    }
    assert_eq!(
        app.get("/static/other.js").await.status,
        StatusCode::NOT_FOUND
    );
}

const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "[x](javascript:alert(1)) <iframe src=//evil>",
];

/// Every text of the catalogue replaced by hostile strings (and the people's names, e-mails and
/// phones, and the dashboard address).
fn hostile(value: &mut Value, n: &mut usize) {
    match value {
        Value::Object(map) => {
            let is_text = !map.is_empty()
                && map
                    .iter()
                    .all(|(k, v)| LANGS.contains(&k.as_str()) && v.is_string());
            for (k, v) in map.iter_mut() {
                let person = ["email", "phone", "dashboard_url"].contains(&k.as_str())
                    || (k == "name" && v.is_string());
                if is_text || person {
                    *n += 1;
                    *v = Value::String(format!("x {} y", HOSTILE[*n % HOSTILE.len()]));
                } else {
                    hostile(v, n);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| hostile(v, n)),
        _ => {}
    }
}

#[tokio::test]
async fn no_text_of_a_hostile_catalogue_becomes_markup() {
    let mut value = serde_json::to_value(demo_catalogue()).unwrap();
    let mut n = 0;
    hostile(&mut value, &mut n);
    assert!(n > 500, "replaced only {n} texts");
    let catalogue: Catalogue = serde_json::from_value(value).unwrap();
    let app = app_with(&catalogue).await;
    let mut paths: Vec<String> = LANGS.iter().flat_map(|l| page_paths(l)).collect();
    paths.push("/en/catalogue?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".into());
    paths.push("/fr/services/NO-SUCH".into());
    for path in &paths {
        let r = app.get(path).await;
        let expected = if path.contains("NO-SUCH") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status, expected, "{path}");
        let html = r.text();
        for bad in [
            "<script>alert",
            "<img src=x",
            "<iframe",
            "href=\"javascript:",
            "onerror=alert(1)>",
        ] {
            assert!(!html.contains(bad), "{path} contains {bad:?}");
        }
        assert!(
            ["&lt;script&gt;alert(1)", "&lt;img src=x", "&lt;iframe"]
                .iter()
                .any(|e| html.contains(e)),
            "{path}: the hostile text is shown, escaped"
        );
    }
    let quote = post_form(
        &app,
        "/en/services/MAIL-AGENDA/quote",
        "pack=mail-50&quantity=3",
    )
    .await;
    assert!(!quote.text().contains("<script>alert"));
    let ics = app.get("/en/closures.ics").await.text();
    assert!(ics.contains("SUMMARY:x <script>alert(1)</script> y") || ics.contains("SUMMARY:x"));
}
