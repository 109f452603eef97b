//! Reads: lists, filters, search, languages, visibility, documents and operations.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

fn codes(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_shows_published_services_by_category_then_code() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/services").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let v = r.json();
    assert_eq!(codes(&v), vec!["WEB-HOSTING", "DIGITAL-WORKPLACE"]);
    assert_eq!(
        (
            v["total"].as_i64(),
            v["limit"].as_i64(),
            v["offset"].as_i64()
        ),
        (Some(2), Some(50), Some(0))
    );
    assert_eq!(
        v["items"][0]["name"],
        serde_json::json!({"text": "Website hosting", "lang": "en"})
    );
    assert_eq!(v["items"][0]["version"], 1);
}

#[tokio::test]
async fn retired_services_need_include_and_drafts_need_the_token() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/services?include=retired").await.json();
    assert_eq!(
        codes(&v),
        vec!["OLD-HOSTING", "WEB-HOSTING", "DIGITAL-WORKPLACE"]
    );
    let r = app.get("/api/v1/services?include=draft").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");
    let auth = format!("Bearer {}", crate::support::TOKEN);
    let v = app
        .get_with(
            "/api/v1/services?include=draft,retired",
            &[("authorization", &auth)],
        )
        .await
        .json();
    assert_eq!(v["total"], 4);
    let r = app.get("/api/v1/services?include=everything").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn pagination_and_its_bounds() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/services?limit=1&offset=1").await.json();
    assert_eq!(codes(&v), vec!["DIGITAL-WORKPLACE"]);
    assert_eq!(v["total"], 2);
    let v = app.get("/api/v1/services?offset=5").await.json();
    assert_eq!(codes(&v), Vec::<String>::new());
    assert_eq!(
        app.get("/api/v1/services?limit=0").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/services?limit=201").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/services?limit=200").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/services?limit=ten").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/services?offset=-1").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn filters_by_category_delivery_model_and_level() {
    let app = TestApp::new().await;
    assert_eq!(
        codes(&app.get("/api/v1/services?category=workplace").await.json()),
        vec!["DIGITAL-WORKPLACE"]
    );
    assert_eq!(
        codes(&app.get("/api/v1/services?delivery_model=paas").await.json()),
        vec!["WEB-HOSTING"]
    );
    assert_eq!(
        codes(&app.get("/api/v1/services?level=critical").await.json()),
        vec!["WEB-HOSTING"]
    );
    assert_eq!(
        codes(&app.get("/api/v1/services?category=nothing").await.json()),
        Vec::<String>::new()
    );
    let r = app.get("/api/v1/services?delivery_model=iaas").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["delivery_model"].is_string());
}

#[tokio::test]
async fn search_ignores_case_and_accents_in_the_chosen_language() {
    let app = TestApp::new().await;
    assert_eq!(
        codes(
            &app.get("/api/v1/services?q=HEBERGEMENT&lang=fr")
                .await
                .json()
        ),
        vec!["WEB-HOSTING"]
    );
    assert_eq!(
        codes(
            &app.get("/api/v1/services?q=h%C3%A9bergement&lang=fr")
                .await
                .json()
        ),
        vec!["WEB-HOSTING"]
    );
    // The French word is not searched in Dutch.
    assert_eq!(
        codes(
            &app.get("/api/v1/services?q=hebergement&lang=nl")
                .await
                .json()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&app.get("/api/v1/services?q=werkplek&lang=nl").await.json()),
        vec!["DIGITAL-WORKPLACE"]
    );
    // Codes match in every language.
    assert_eq!(
        codes(&app.get("/api/v1/services?q=web-host&lang=de").await.json()),
        vec!["WEB-HOSTING"]
    );
}

#[tokio::test]
async fn language_comes_from_query_then_accept_language_with_fallback() {
    let app = TestApp::new().await;
    let v = app
        .get_with(
            "/api/v1/services/WEB-HOSTING",
            &[("accept-language", "nl-BE,nl;q=0.9")],
        )
        .await
        .json();
    assert_eq!(v["lang"], "nl");
    assert_eq!(
        v["name"],
        serde_json::json!({"text": "Websitehosting", "lang": "nl"})
    );
    let v = app
        .get_with(
            "/api/v1/services/WEB-HOSTING?lang=fr",
            &[("accept-language", "nl-BE")],
        )
        .await
        .json();
    assert_eq!(v["name"]["text"], "Hébergement de sites web");
    // German is missing for the pack's name: it falls back to English and says so.
    let v = app.get("/api/v1/services/WEB-HOSTING?lang=de").await.json();
    assert_eq!(
        v["packs"][0]["name"],
        serde_json::json!({"text": "Small", "lang": "en"})
    );
    let v = app
        .get("/api/v1/services/WEB-HOSTING?lang=all")
        .await
        .json();
    assert_eq!(v["name"]["fr"], "Hébergement de sites web");
    assert_eq!(v["lang"], "all");
    let r = app.get("/api/v1/services?lang=es").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "bad_request");
}

#[tokio::test]
async fn one_service_has_its_fiche_levels_and_etag() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/services/WEB-HOSTING").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let v = r.json();
    assert_eq!(v["status"], "published");
    assert_eq!(v["packs"].as_array().unwrap().len(), 2);
    assert_eq!(v["options"].as_array().unwrap().len(), 2);
    let levels: Vec<&str> = v["service_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["critical", "standard", "basic"]);
    // 30 days at 99.9 % allow 43 min 12 s.
    assert_eq!(v["service_levels"][0]["allowed_downtime_30d_seconds"], 2592);
    // The default matrix: the application is the partner's under PaaS, the provider's under SaaS.
    let app_row = v["responsibilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["activity"] == "application")
        .unwrap();
    assert_eq!(
        (app_row["paas"].as_str(), app_row["saas"].as_str()),
        (Some("partner"), Some("provider"))
    );
}

#[tokio::test]
async fn a_retired_service_stays_readable_and_a_draft_does_not_exist_for_readers() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/services/OLD-HOSTING").await.json();
    assert_eq!(
        (v["status"].as_str(), v["successor"].as_str()),
        (Some("retired"), Some("WEB-HOSTING"))
    );
    let r = app.get("/api/v1/services/DRAFT-SERVICE").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
    let unknown = app.get("/api/v1/services/NOPE").await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (StatusCode::NOT_FOUND, "not_found".to_owned())
    );
    assert_eq!(
        app.get("/api/v1/services/DRAFT-SERVICE/versions")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn categories_levels_and_profile() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/categories?lang=fr").await.json();
    assert_eq!(v["items"][0]["name"]["text"], "Hébergement");
    let v = app.get("/api/v1/service-levels").await.json();
    let targets: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["availability_target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, vec!["99.9", "99.7", "99.5"]);
    let allowed: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["allowed_downtime_30d_seconds"].as_i64().unwrap())
        .collect();
    assert_eq!(allowed, vec![2592, 7776, 12960]);
    // The small catalogue has no profile.
    let r = app.get("/api/v1/profile").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/categories?lang=xx").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn quote_gives_the_effective_sla_and_totals_per_period() {
    let app = TestApp::new().await;
    let body = serde_json::json!({"service": "WEB-HOSTING", "pack": "large", "options": ["critical-coverage", "extended-support"], "quantity": 3});
    let r = app
        .write("POST", "/api/v1/catalogue/quote", &body, &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["sla"]["level"], "critical");
    assert_eq!(v["sla"]["availability_target"], "99.9");
    // critical P3: 2h response → the option's 1h on extended hours.
    assert_eq!(
        v["sla"]["targets"]["P3"],
        serde_json::json!({"response": "1h", "resolution": "16h", "calendar": "extended-hours"})
    );
    // 900.00 + 3 × 15.00 + 400.00 a month; 1,200.00 a year.
    assert_eq!(
        v["totals"],
        serde_json::json!({"month_cents": 90000 + 4500 + 40000, "year_cents": 120000, "one_off_cents": 0})
    );
    assert_eq!(v["vat_included"], false);
    // Without a token too: a quote is a read.
    let anon = app
        .send(
            axum::http::Request::post("/api/v1/catalogue/quote")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    r#"{"service":"DIGITAL-WORKPLACE","pack":"base","quantity":10}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(anon.status, StatusCode::OK);
    assert_eq!(anon.json()["totals"]["month_cents"], 35000);
}

#[tokio::test]
async fn quote_refuses_what_the_service_does_not_offer() {
    let app = TestApp::new().await;
    let cases = [
        (
            serde_json::json!({"service": "NOPE", "pack": "small"}),
            "service",
        ),
        (
            serde_json::json!({"service": "WEB-HOSTING", "pack": "huge"}),
            "pack",
        ),
        (
            serde_json::json!({"service": "WEB-HOSTING", "pack": "small", "options": ["extended-support"]}),
            "options[0]",
        ),
        (
            serde_json::json!({"service": "DIGITAL-WORKPLACE", "pack": "base", "level": "critical"}),
            "level",
        ),
        (
            serde_json::json!({"service": "WEB-HOSTING", "pack": "small", "quantity": 0}),
            "quantity",
        ),
        (
            serde_json::json!({"service": "WEB-HOSTING", "pack": "small", "colour": "red"}),
            "colour",
        ),
        (
            serde_json::json!({"service": "DRAFT-SERVICE", "pack": "only"}),
            "service",
        ),
    ];
    for (body, field) in cases {
        let r = app
            .send(
                axum::http::Request::post("/api/v1/catalogue/quote")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            r.json()["error"]["fields"][field].is_string(),
            "{body}: {}",
            r.json()
        );
    }
}

#[tokio::test]
async fn openapi_explorer_and_operations() {
    let app = TestApp::new().await;
    let v = app.get("/api/v1/openapi.json").await.json();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/services/{code}/publish",
        "/api/v1/services/{code}/retire",
        "/api/v1/services/{code}/versions",
        "/api/v1/categories",
        "/api/v1/service-levels",
        "/api/v1/profile",
        "/api/v1/catalogue/quote",
    ] {
        assert!(
            v["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&docs.body).contains("swagger"));
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.json()["status"], "ready");
    let r = app.get("/no/such/route").await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::NOT_FOUND, "not_found".to_owned())
    );
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::new().await;
    assert!(app.get("/healthz").await.header("x-request-id").is_some());
}

#[tokio::test]
async fn versions_refuse_a_malformed_query_as_every_read_does() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/api/v1/services/WEB-HOSTING/versions")
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .get("/api/v1/services/WEB-HOSTING/versions?page=1&page=2")
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::BAD_REQUEST, "bad_request".to_owned())
    );
}
