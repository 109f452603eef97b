//! Editor writes: authentication, body checks, validation, optimistic concurrency, lifecycle.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{TestApp, TOKEN};

fn new_service(code: &str) -> Value {
    json!({
        "code": code,
        "category": "hosting",
        "name": {"en": "Object storage", "nl": "Objectopslag"},
        "delivery_models": ["saas"],
        "service_manager": {"name": "Eva Jacobs", "email": "eva.jacobs@example.be", "phone": "02 501 00 09"},
        "levels": ["basic", "standard"],
        "packs": [{"code": "s3", "name": {"en": "Buckets"}, "standard_level": "basic",
                   "prices": [{"amount_cents": 1000, "period": "month", "per": "unit", "unit": {"en": "TB"}}]}]
    })
}

#[tokio::test]
async fn writes_need_the_admin_token() {
    let app = TestApp::new().await;
    let anonymous = app
        .send(
            Request::post("/api/v1/services")
                .header("content-type", "application/json")
                .body(Body::from(new_service("X").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (anonymous.status, anonymous.error_code()),
        (StatusCode::UNAUTHORIZED, "unauthorized".to_owned())
    );
    let wrong = app
        .send(
            Request::post("/api/v1/services")
                .header("content-type", "application/json")
                .header("authorization", "Bearer not-the-token")
                .body(Body::from(new_service("X").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    // With no token configured, every write is refused.
    let closed = TestApp::with_token(None).await;
    let r = closed
        .write("POST", "/api/v1/services", &new_service("X"), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn create_then_read_a_draft() {
    let app = TestApp::new().await;
    let r = app
        .write(
            "POST",
            "/api/v1/services",
            &new_service("OBJECT-STORAGE"),
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/services/OBJECT-STORAGE")
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.json()["status"], "draft");
    // Readers do not see the draft; the snapshot was rebuilt for editors.
    assert_eq!(
        app.get("/api/v1/services/OBJECT-STORAGE").await.status,
        StatusCode::NOT_FOUND
    );
    let auth = format!("Bearer {TOKEN}");
    assert_eq!(
        app.get_with(
            "/api/v1/services/OBJECT-STORAGE",
            &[("authorization", &auth)]
        )
        .await
        .status,
        StatusCode::OK
    );
    // The same code again is a conflict.
    let dup = app
        .write(
            "POST",
            "/api/v1/services",
            &new_service("OBJECT-STORAGE"),
            &[],
        )
        .await;
    assert_eq!(
        (dup.status, dup.error_code()),
        (StatusCode::CONFLICT, "duplicate".to_owned())
    );
    let dup = app
        .write("POST", "/api/v1/services", &new_service("WEB-HOSTING"), &[])
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_bodies_get_the_right_4xx() {
    let app = TestApp::new().await;
    let auth = format!("Bearer {TOKEN}");
    let send = |content_type: &'static str, body: Vec<u8>| {
        Request::post("/api/v1/services")
            .header("content-type", content_type)
            .header("authorization", auth.clone())
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(send("text/plain", b"{}".to_vec())).await;
    assert_eq!(
        (r.status, r.error_code()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".to_owned()
        )
    );
    let r = app
        .send(send("application/json", b"{\"code\": ".to_vec()))
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::BAD_REQUEST, "bad_request".to_owned())
    );
    let mut big = b"{\"code\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'A', 1024 * 1024 + 10));
    big.extend(b"\"}");
    let r = app.send(send("application/json", big)).await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large".to_owned())
    );
}

#[tokio::test]
async fn invalid_services_name_every_field() {
    let app = TestApp::new().await;
    let mut body = new_service("lower-case");
    body["colour"] = json!("red");
    body["category"] = json!("no-such-category");
    body["levels"] = json!(["basic", "platinum"]);
    body["packs"][0]["prices"][0]["amount_cents"] = json!(-1);
    body["packs"][0]["standard_level"] = json!(7);
    let r = app.write("POST", "/api/v1/services", &body, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    let fields = v["error"]["fields"].as_object().unwrap();
    for field in [
        "code",
        "colour",
        "category",
        "levels[1]",
        "packs[0].prices[0].amount_cents",
        "packs[0].standard_level",
    ] {
        assert!(fields.contains_key(field), "{field} not in {v}");
    }
    assert!(fields["category"]
        .as_str()
        .unwrap()
        .contains("no-such-category"));
    // A new service cannot start published.
    let mut published = new_service("PUB");
    published["status"] = json!("published");
    let r = app.write("POST", "/api/v1/services", &published, &[]).await;
    assert!(r.json()["error"]["fields"]["status"].is_string());
    // Wrong types: a list where a mapping is expected.
    let r = app
        .write("POST", "/api/v1/services", &json!([1, 2]), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn updates_need_a_fresh_etag() {
    let app = TestApp::new().await;
    app.write(
        "POST",
        "/api/v1/services",
        &new_service("OBJECT-STORAGE"),
        &[],
    )
    .await;
    let mut body = new_service("OBJECT-STORAGE");
    body["summary"] = json!({"en": "S3-compatible"});
    let r = app
        .write("PUT", "/api/v1/services/OBJECT-STORAGE", &body, &[])
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required".to_owned()
        )
    );
    let r = app
        .write(
            "PUT",
            "/api/v1/services/OBJECT-STORAGE",
            &body,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(r.json()["summary"]["text"], "S3-compatible");
    // The old ETag is stale now.
    body["summary"] = json!({"en": "lost update"});
    let r = app
        .write(
            "PUT",
            "/api/v1/services/OBJECT-STORAGE",
            &body,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::PRECONDITION_FAILED, "stale".to_owned())
    );
    // The URL and the body must name the same service.
    let r = app
        .write(
            "PUT",
            "/api/v1/services/OBJECT-STORAGE",
            &new_service("OTHER"),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert!(r.json()["error"]["fields"]["code"].is_string());
    let r = app
        .write(
            "PUT",
            "/api/v1/services/NOPE",
            &new_service("NOPE"),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publish_makes_versions_and_retire_keeps_the_service_readable() {
    let app = TestApp::new().await;
    app.write(
        "POST",
        "/api/v1/services",
        &new_service("OBJECT-STORAGE"),
        &[],
    )
    .await;
    let r = app
        .write(
            "POST",
            "/api/v1/services/OBJECT-STORAGE/publish",
            &json!({}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = app
        .write(
            "POST",
            "/api/v1/services/OBJECT-STORAGE/publish",
            &json!({}),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.json(),
        json!({"code": "OBJECT-STORAGE", "status": "published", "version": 1, "revision": 2})
    );
    // Readers see it now.
    assert_eq!(
        app.get("/api/v1/services/OBJECT-STORAGE").await.json()["version"],
        1
    );
    let again = app
        .write(
            "POST",
            "/api/v1/services/OBJECT-STORAGE/publish",
            &json!({}),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // An edit of a published service is live and is version 2.
    let mut body = new_service("OBJECT-STORAGE");
    body["status"] = json!("published");
    body["summary"] = json!({"en": "now with versioning"});
    let r = app
        .write(
            "PUT",
            "/api/v1/services/OBJECT-STORAGE",
            &body,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["version"], 2);
    let versions = app
        .get("/api/v1/services/OBJECT-STORAGE/versions")
        .await
        .json();
    let numbers: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2]);
    let r = app
        .write(
            "POST",
            "/api/v1/services/OBJECT-STORAGE/retire",
            &json!({}),
            &[("if-match", "\"3\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/services/OBJECT-STORAGE").await.json()["status"],
        "retired"
    );
    let listed = app.get("/api/v1/services").await.json();
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["code"] != "OBJECT-STORAGE"));
}

#[tokio::test]
async fn categories_and_levels_can_be_edited() {
    let app = TestApp::new().await;
    let r = app
        .write(
            "POST",
            "/api/v1/categories",
            &json!({"code": "data", "name": {"en": "Data"}}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .write(
            "POST",
            "/api/v1/categories",
            &json!({"code": "data", "name": {"en": "Data"}}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .write(
            "PUT",
            "/api/v1/categories/data",
            &json!({"code": "data", "name": {"en": "Data & storage"}}),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/categories").await.json()["items"][0]["name"]["text"],
        "Data & storage"
    );
    let mut level = app.get("/api/v1/service-levels?lang=all").await.json()["items"][0].clone();
    level
        .as_object_mut()
        .unwrap()
        .remove("allowed_downtime_30d_seconds");
    level["availability_target"] = json!("100.5");
    let r = app
        .write(
            "PUT",
            "/api/v1/service-levels/critical",
            &level,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["availability_target"].is_string());
    level["availability_target"] = json!("99.95");
    let r = app
        .write(
            "PUT",
            "/api/v1/service-levels/critical",
            &level,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        app.get("/api/v1/service-levels").await.json()["items"][0]["allowed_downtime_30d_seconds"],
        1296
    );
}

#[tokio::test]
async fn profile_is_served_once_loaded() {
    let app = TestApp::empty().await;
    assert_eq!(
        app.get("/api/v1/profile").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/services").await.json()["total"], 0);
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_read_as_an_integer() {
    let app = TestApp::new().await;
    // JSON has one kind of number: 3.0 is the integer 3, as JSON Schema's `integer` says.
    let quote =
        |quantity: Value| json!({"service": "WEB-HOSTING", "pack": "large", "quantity": quantity});
    let three = app
        .write("POST", "/api/v1/catalogue/quote", &quote(json!(3)), &[])
        .await;
    assert_eq!(three.status, StatusCode::OK);
    for written in [json!(3.0), json!(3e0), json!(0.3e1)] {
        let r = app
            .write(
                "POST",
                "/api/v1/catalogue/quote",
                &quote(written.clone()),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{written}");
        assert_eq!(r.json()["totals"], three.json()["totals"], "{written}");
    }
    let r = app
        .write("POST", "/api/v1/catalogue/quote", &quote(json!(2.5)), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["quantity"].is_string());
    let r = app
        .write("POST", "/api/v1/catalogue/quote", &quote(json!(1e300)), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Inside a catalogue body too: a price, a rank.
    let mut body = new_service("WHOLE");
    body["packs"][0]["prices"][0]["amount_cents"] = json!(1000.0);
    let r = app.write("POST", "/api/v1/services", &body, &[]).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[tokio::test]
async fn if_match_is_checked_before_the_body_is_read() {
    let app = TestApp::new().await;
    // RFC 9110 §13.2: the precondition first, so a stale write learns it is stale whatever its body.
    for uri in [
        "/api/v1/categories/hosting",
        "/api/v1/service-levels/standard",
    ] {
        let r = app.write("PUT", uri, &json!({"colour": "red"}), &[]).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{uri}");
        let r = app
            .write(
                "PUT",
                uri,
                &json!({"colour": "red"}),
                &[("if-match", "\"9\"")],
            )
            .await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{uri}");
        let r = app
            .write(
                "PUT",
                uri,
                &json!({"colour": "red"}),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
    }
    let r = app
        .write("PUT", "/api/v1/categories/nope", &json!({}), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
