//! The OpenAPI document says what the API accepts (issue 7): each test pins one promise of the
//! document to the API's behaviour, so that the two cannot drift apart.

use axum::http::StatusCode;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::read::{read_catalogue, Known};
use serde_json::{json, Value};

use crate::support::{TestApp, TOKEN};

/// The document as clients get it.
async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

/// `value`, or what its `$ref` chain points at.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(target) = value.get("$ref").and_then(Value::as_str) {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("not a local $ref: {target}"));
        value = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref {target} resolves to nothing"));
    }
    value
}

/// Every operation: (method, path template, operation object).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op));
        }
    }
    out
}

fn parameter<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

/// A path of the document with its `{code}` filled with a code of the small catalogue, a
/// monitor's `{id}` with `monitor` and an incident's with `incident`.
fn concrete(path: &str, monitor: &str, incident: &str, maintenance: &str) -> String {
    let id = if path.starts_with("/api/v1/monitors/") {
        monitor
    } else if path.starts_with("/api/v1/incidents/") {
        incident
    } else if path.starts_with("/api/v1/maintenance/") {
        maintenance
    } else {
        "no-such-token"
    };
    let path = path
        .replace("{email}", "staff@provider.example")
        .replace("{ref}", "T-2026-000001")
        .replace("{id}", id);
    path.replace(
        "{code}",
        if path.starts_with("/api/v1/categories") {
            "hosting"
        } else if path.starts_with("/api/v1/service-levels") {
            "standard"
        } else {
            "WEB-HOSTING"
        },
    )
}

/// A JSON request with the admin token: `method` on `uri`, `If-Match: *` when asked.
async fn send_json(app: &TestApp, method: &str, uri: &str, body: &Value, if_match: bool) -> Value {
    let headers: &[(&str, &str)] = if if_match { &[("if-match", "*")] } else { &[] };
    let r = app.write(&method.to_uppercase(), uri, body, headers).await;
    json!({"status": r.status.as_u16(), "body": serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null)})
}

#[tokio::test]
async fn the_lang_enum_is_exactly_what_the_api_accepts() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let listed: Vec<String> = doc["components"]["schemas"]["LangParam"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let accepted: Vec<&str> = pacta_web::api::LANG_PARAM.iter().map(|(v, _)| *v).collect();
    assert_eq!(listed, accepted);
    for expected in [
        "nl", "fr", "de", "en", "all", "nl-BE", "fr-BE", "de-BE", "en-GB",
    ] {
        assert!(listed.iter().any(|v| v == expected), "{expected} missing");
    }
    // Every `lang` parameter of the document is that enum.
    for (method, path, op) in operations(&doc) {
        if let Some(lang) = parameter(op, "lang") {
            assert_eq!(
                lang["schema"]["$ref"], "#/components/schemas/LangParam",
                "{method} {path}"
            );
        }
    }
    for value in &listed {
        for uri in [
            "/api/v1/services",
            "/api/v1/services/WEB-HOSTING",
            "/api/v1/categories",
            "/api/v1/service-levels",
        ] {
            let r = app.get(&format!("{uri}?lang={value}")).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}?lang={value}");
        }
    }
    // A regional tag chooses its language.
    let v = app
        .get("/api/v1/services/WEB-HOSTING?lang=fr-BE")
        .await
        .json();
    assert_eq!(v["lang"], "fr");
    assert_eq!(v["name"]["text"], "Hébergement de sites web");
    // Near misses are refused, naming what is accepted.
    for value in [
        "NL",
        "Nl",
        "nl_BE",
        "nl-be",
        "NL-BE",
        "fr-CA",
        "en-Latn-GB",
        "ALL",
        "es",
        "",
        "%20nl",
        "nl%20",
    ] {
        let r = app.get(&format!("/api/v1/services?lang={value}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "?lang={value}");
        assert_eq!(r.error_code(), "bad_request");
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains("nl-BE") && message.contains("en-IE"),
            "{message}"
        );
    }
    // Accept-Language stays a lenient negotiation.
    let v = app
        .get_with(
            "/api/v1/services/WEB-HOSTING",
            &[("accept-language", "NL_be")],
        )
        .await
        .json();
    assert_eq!(v["lang"], "nl");
}

#[tokio::test]
async fn if_match_is_required_on_every_write_that_answers_428_without_it() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let needs_if_match = [
        ("put", "/api/v1/categories/{code}"),
        ("put", "/api/v1/service-levels/{code}"),
        ("put", "/api/v1/services/{code}"),
        ("post", "/api/v1/services/{code}/publish"),
        ("post", "/api/v1/services/{code}/retire"),
        ("patch", "/api/v1/users/{email}"),
        ("patch", "/api/v1/partners/{code}"),
        ("patch", "/api/v1/monitors/{id}"),
        ("patch", "/api/v1/incidents/{id}"),
        ("put", "/api/v1/oncall/roster"),
    ];
    // The objects those writes concern exist (else they answer 404 before asking If-Match).
    crate::support::add_staff_user(&app, "staff@provider.example").await;
    crate::support::add_partner(&app, "WEB-HOSTING").await;
    let monitor = crate::support::add_monitor(&app, "web-check").await;
    let incident = crate::support::add_incident(&app).await;
    let maintenance = crate::support::add_maintenance(&app, &["WEB-HOSTING"]).await;
    for (method, path, op) in operations(&doc) {
        let declared = parameter(op, "If-Match");
        if needs_if_match.contains(&(method.as_str(), path.as_str())) {
            let declared =
                declared.unwrap_or_else(|| panic!("{method} {path} does not declare If-Match"));
            assert_eq!(declared["in"], "header");
            assert_eq!(declared["required"], true, "{method} {path}");
            let uri = if path.contains("publish") {
                path.replace("{code}", "DRAFT-SERVICE")
            } else {
                concrete(&path, &monitor, &incident, &maintenance)
            };
            let r = app
                .write(&method.to_uppercase(), &uri, &json!({}), &[])
                .await;
            assert_eq!(
                (r.status, r.error_code()),
                (
                    StatusCode::PRECONDITION_REQUIRED,
                    "precondition_required".to_owned()
                ),
                "{method} {uri}"
            );
        } else {
            assert!(declared.is_none(), "{method} {path} declares If-Match");
        }
    }
}

#[tokio::test]
async fn the_page_bounds_are_declared_and_enforced() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let list = &doc["paths"]["/api/v1/services"]["get"];
    let (min, max, default) = pacta_web::api::services::LIMIT;
    let limit = &parameter(list, "limit").unwrap()["schema"];
    assert_eq!(
        (
            &limit["type"],
            &limit["minimum"],
            &limit["maximum"],
            &limit["default"]
        ),
        (&json!("integer"), &json!(min), &json!(max), &json!(default))
    );
    let offset = &parameter(list, "offset").unwrap()["schema"];
    assert_eq!(
        (&offset["type"], &offset["minimum"], &offset["default"]),
        (&json!("integer"), &json!(0), &json!(0))
    );
    assert_eq!(app.get("/api/v1/services").await.json()["limit"], default);
    for (query, status) in [
        (format!("limit={min}"), StatusCode::OK),
        (format!("limit={max}"), StatusCode::OK),
        (
            format!("limit={}", min - 1),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("limit={}", max + 1),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("offset=0".to_owned(), StatusCode::OK),
        ("offset=-1".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = app.get(&format!("/api/v1/services?{query}")).await;
        assert_eq!(r.status, status, "?{query}");
    }
}

#[tokio::test]
async fn the_list_filters_accept_exactly_their_declared_values() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let list = &doc["paths"]["/api/v1/services"]["get"];
    let auth = format!("Bearer {TOKEN}");
    let models = resolve(&doc, &parameter(list, "delivery_model").unwrap()["schema"]);
    assert_eq!(models["enum"], json!(["paas", "saas", ""]));
    for model in models["enum"].as_array().unwrap() {
        let uri = format!(
            "/api/v1/services?delivery_model={}",
            model.as_str().unwrap()
        );
        assert_eq!(app.get(&uri).await.status, StatusCode::OK, "{uri}");
    }
    for model in ["PAAS", "iaas", "paas,saas"] {
        let uri = format!("/api/v1/services?delivery_model={model}");
        assert_eq!(
            app.get(&uri).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}"
        );
    }
    let include = &parameter(list, "include").unwrap()["schema"];
    assert_eq!(
        include["pattern"],
        "^((retired|drafts?)(,(retired|drafts?))*)?$"
    );
    for value in [
        "",
        "retired",
        "draft",
        "drafts",
        "retired,draft",
        "drafts,retired,retired",
    ] {
        let uri = format!("/api/v1/services?include={value}");
        let r = app.get_with(&uri, &[("authorization", &auth)]).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
    }
    for value in [
        "retired,",
        ",retired",
        "retired,,draft",
        "retired,%20draft",
        "Retired",
        "all",
    ] {
        let uri = format!("/api/v1/services?include={value}");
        let r = app.get_with(&uri, &[("authorization", &auth)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(r.json()["error"]["fields"]["include"].is_string());
    }
}

#[tokio::test]
async fn every_request_body_declares_its_required_fields_and_refuses_others() {
    let mut app = TestApp::new().await;
    app.bearer = crate::support::admin_user_token(&app).await;
    crate::support::add_staff_user(&app, "staff@provider.example").await;
    crate::support::add_partner(&app, "WEB-HOSTING").await;
    let monitor = crate::support::add_monitor(&app, "web-check").await;
    let incident = crate::support::add_incident(&app).await;
    // A window on which a partner is consulted, and its admin, who alone may answer.
    let maintenance = crate::support::add_maintenance(&app, &["P-A"]).await;
    crate::support::add_ticket(&app).await;
    let partner_admin = crate::support::people(
        &app,
        &["P-A"],
        &[("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin")],
    )
    .await["a-admin"]
        .clone();
    let staff = app.bearer.clone();
    let doc = document(&app).await;
    let mut bodies = 0;
    for (method, path, op) in operations(&doc) {
        let Some(body) = op.get("requestBody") else {
            continue;
        };
        bodies += 1;
        let schema = resolve(&doc, &body["content"]["application/json"]["schema"]);
        if body["required"] != true {
            // A decision on a subscription may come without a body (approve, resume, …); what
            // it may say is still all described.
            assert!(
                path.ends_with("/{decision}"),
                "{method} {path}: body required"
            );
            let schema = match schema.get("oneOf") {
                Some(Value::Array(branches)) => branches
                    .iter()
                    .map(|b| resolve(&doc, b))
                    .find(|b| b["type"] != "null")
                    .unwrap(),
                _ => schema,
            };
            assert_eq!(schema["additionalProperties"], false, "{method} {path}");
            assert!(schema.get("required").is_none(), "{method} {path}");
            continue;
        }
        // A batch is an array of such bodies (a monitor's results): its items are checked, and
        // the 422 names the fields under the item's index.
        let (schema, prefix, probe) = if schema["type"] == "array" {
            (
                resolve(&doc, &schema["items"]),
                "[0].",
                json!([{"colour": "red"}]),
            )
        } else {
            (schema, "", json!({"colour": "red"}))
        };
        // A create's body is the entity's schema with a restriction beside it.
        let schema = match schema.get("allOf") {
            Some(all) => resolve(&doc, &all[0]),
            None => schema,
        };
        // A PATCH changes what it names: none of its fields is required.
        let required: Vec<&str> = match schema["required"].as_array() {
            Some(fields) => fields.iter().map(|f| f.as_str().unwrap()).collect(),
            None if method == "patch" => Vec::new(),
            None => panic!("{method} {path}: no required fields"),
        };
        assert!(!required.is_empty() || method == "patch", "{method} {path}");
        assert_eq!(
            schema["additionalProperties"], false,
            "{method} {path}: the reader refuses unknown keys"
        );
        for field in &required {
            assert!(
                schema["properties"][field].is_object(),
                "{method} {path}: {field} required but not described"
            );
        }
        // The API's 422 for a body with none of them names each, and the unknown key.
        let uri = concrete(&path, &monitor, &incident, &maintenance);
        app.bearer = if path.ends_with("/answers") {
            partner_admin.clone()
        } else {
            staff.clone()
        };
        let r = send_json(
            &app,
            &method,
            &uri,
            &probe,
            path.contains('{') || method == "put",
        )
        .await;
        assert_eq!(r["status"], 422, "{method} {uri}: {r}");
        let fields = &r["body"]["error"]["fields"];
        for field in required.iter().chain(&["colour"]) {
            let field = format!("{prefix}{field}");
            assert!(
                fields[&field].is_string(),
                "{method} {uri}: {field} not in {fields}"
            );
        }
    }
    assert_eq!(bodies, 32, "every write with a body is checked");
}

#[tokio::test]
async fn the_quote_quantity_bounds_are_the_rules() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let quantity = &doc["components"]["schemas"]["QuoteRequest"]["properties"]["quantity"];
    assert_eq!(quantity["minimum"], 1);
    assert_eq!(
        quantity["maximum"],
        pacta_core::catalogue::rules::MAX_QUANTITY
    );
    let options = &doc["components"]["schemas"]["QuoteRequest"]["properties"]["options"];
    assert_eq!(options["uniqueItems"], true);
    let r = app
        .write(
            "POST",
            "/api/v1/catalogue/quote",
            &json!({"service": "WEB-HOSTING", "pack": "large", "options": ["critical-coverage", "critical-coverage"]}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn each_error_status_is_described_once_and_referenced_by_every_operation() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let components = doc["components"]["responses"].as_object().unwrap();
    let mut status_of: std::collections::BTreeMap<String, String> = Default::default();
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success"
        );
        for (status, response) in responses {
            if status.starts_with('2') {
                continue;
            }
            let target = response["$ref"].as_str().unwrap_or_else(|| {
                panic!("{method} {path}: {status} is described in place, not shared")
            });
            let name = target
                .strip_prefix("#/components/responses/")
                .unwrap_or_else(|| panic!("{target}"));
            assert!(components.contains_key(name), "{target}");
            let previous = status_of.insert(name.to_owned(), status.clone());
            assert!(
                previous.is_none_or(|p| &p == status),
                "{name} serves two statuses"
            );
        }
    }
    // Each status is one response, and every shared response is used.
    let statuses: std::collections::BTreeSet<&String> = status_of.values().collect();
    assert_eq!(statuses.len(), status_of.len(), "{status_of:?}");
    assert_eq!(status_of.len(), components.len(), "{status_of:?}");
    for (name, response) in components {
        assert_eq!(
            response["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{name}"
        );
        assert!(response["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn walk(doc: &Value, value: &Value, count: &mut usize) {
        match value {
            Value::Object(map) => {
                if map.contains_key("$ref") {
                    resolve(doc, value);
                    *count += 1;
                }
                map.values().for_each(|v| walk(doc, v, count));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(doc, v, count)),
            _ => {}
        }
    }
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let mut count = 0;
    walk(&doc, &doc, &mut count);
    assert!(count > 50, "{count} references");
}

#[tokio::test]
async fn the_catalogue_bodies_are_the_formats_schema_read_as_json() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    // A code is a JSON string (the YAML reader's plain scalars have no JSON counterpart) …
    assert_eq!(schemas["catalogue.Code"]["type"], "string");
    assert_eq!(schemas["catalogue.TextValue"]["type"], "string");
    let r = app
        .write(
            "POST",
            "/api/v1/categories",
            &json!({"code": 2024, "name": {"en": "Numbers"}}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["code"].is_string());
    // … a text's limit is in bytes, which maxLength (characters) cannot say …
    assert!(schemas["catalogue.TextValue"].get("maxLength").is_none());
    // … an availability target is a whole number or a decimal string …
    let branches = schemas["catalogue.AvailabilityTarget"]["anyOf"]
        .as_array()
        .unwrap();
    assert!(branches.iter().any(|b| b["type"] == "integer"));
    assert!(!branches.iter().any(|b| b["type"] == "number"));
    // … and a duration's numbers have at most 15 digits, which never overflow the reader.
    assert_eq!(pacta_web::api::DURATION_DIGITS, 15);
    let pattern = schemas["catalogue.Duration"]["pattern"].as_str().unwrap();
    assert!(
        pattern.contains("0*[0-9]{1,15}") && !pattern.contains("[0-9]+"),
        "{pattern}"
    );
    let target = |d: &str| json!({"response": d, "resolution": d, "calendar": "24x7"});
    let longest = "999999999999999h999999999999999m999999999999999s";
    let level = json!({
        "code": "eternal", "rank": 10, "name": {"en": "Eternal"},
        "availability_target": 99, "support_calendar": "24x7", "maintenance_notice": longest,
        "targets": {"P1": target(longest), "P2": target("PT999999999999999H"),
                    "P3": target("000000000000000000001m"), "P4": target("0s")}
    });
    let r = app
        .write("POST", "/api/v1/service-levels", &level, &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[tokio::test]
async fn the_examples_of_the_document_are_accepted_by_the_demo_catalogue() {
    let demo = read_catalogue(
        &parse_yaml(include_str!("../../../../demo/catalogue.yaml")).unwrap(),
        &Known::default(),
    )
    .unwrap();
    let mut app = TestApp::with_catalogue(&demo, Some(TOKEN)).await;
    app.bearer = crate::support::admin_user_token(&app).await;
    crate::support::add_staff_user(&app, "staff@provider.example").await;
    crate::support::add_partner(&app, "WEB-HOSTING").await;
    crate::support::add_partner(&app, "DEMO-NL").await;
    let monitor = crate::support::add_monitor(&app, "web-check").await;
    let incident = crate::support::add_incident(&app).await;
    let maintenance = crate::support::add_maintenance(&app, &["DEMO-NL"]).await;
    let doc = document(&app).await;
    let mut examples = 0;
    for (method, path, op) in operations(&doc) {
        let Some(example) = op.pointer("/requestBody/content/application~1json/example") else {
            continue;
        };
        examples += 1;
        let r = send_json(
            &app,
            &method,
            &concrete(&path, &monitor, &incident, &maintenance),
            example,
            path.contains('{'),
        )
        .await;
        let status = r["status"].as_u64().unwrap();
        assert!((200..300).contains(&status), "{method} {path}: {r}");
    }
    assert!(examples >= 5, "{examples} examples");
}

/// The codes of `enum` (without `null` and `""`), sorted.
fn codes(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {schema}"))
        .iter()
        .filter_map(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out
}

fn sorted(items: impl IntoIterator<Item = &'static str>) -> Vec<String> {
    let mut out: Vec<String> = items.into_iter().map(str::to_owned).collect();
    out.sort();
    out
}

/// The roles a list of grants (`{"type": "array", "items": {"anyOf": [scoped, unscoped]}}`)
/// allows: (scoped, unscoped).
fn grant_roles(grants: &Value) -> (Vec<String>, Vec<String>) {
    let (mut scoped, mut unscoped) = (Vec::new(), Vec::new());
    for branch in grants["items"]["anyOf"].as_array().unwrap() {
        let roles = codes(&branch["properties"]["role"]);
        if branch["properties"]["scope"]["minItems"] == 1 {
            scoped.extend(roles);
        } else {
            assert_eq!(branch["properties"]["scope"]["maxItems"], 0, "{branch}");
            unscoped.extend(roles);
        }
    }
    scoped.sort();
    unscoped.sort();
    (scoped, unscoped)
}

#[tokio::test]
async fn the_account_bodies_list_the_roles_and_languages_of_the_code() {
    use pacta_core::access::Role;
    use pacta_core::partner::ContactRole;
    use pacta_core::text::Lang;
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let body = |method: &str, path: &str| {
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    let roles = |keep: &dyn Fn(Role) -> bool| -> Vec<String> {
        let mut out: Vec<String> = Role::ALL
            .into_iter()
            .filter(|r| keep(*r))
            .map(|r| r.code().to_owned())
            .collect();
        out.sort();
        out
    };
    let all = roles(&|_| true);
    assert_eq!(all.len(), 12);
    let scoped = roles(&|r| r.scope_kind().is_some());
    let new_user = body("post", "/api/v1/users");
    let patch_user = body("patch", "/api/v1/users/{email}");
    // Any role, scoped or not, in the list of each body …
    for grants in [
        &new_user["properties"]["roles"],
        &patch_user["properties"]["roles"]["anyOf"][0],
    ] {
        let (s, u) = grant_roles(grants);
        assert_eq!(s, scoped);
        assert_eq!([s, u].concat().len(), 12);
        assert_eq!(grants["uniqueItems"], true);
    }
    // … provider roles without a partner, the partner's roles with one.
    let branches = new_user["anyOf"].as_array().unwrap();
    assert_eq!(branches[0]["properties"]["partner"]["type"], "null");
    let (s, u) = grant_roles(&branches[0]["properties"]["roles"]);
    let mut staff = [s, u].concat();
    staff.sort();
    assert_eq!(staff, roles(&|r| !r.is_partner_role()));
    assert_eq!(branches[1]["required"], json!(["partner"]));
    let (s, u) = grant_roles(&branches[1]["properties"]["roles"]);
    assert!(s.is_empty());
    assert_eq!(u, roles(&Role::is_partner_role));
    // The role filter of the list of users, and the roles a user is shown with.
    let filter = parameter(&doc["paths"]["/api/v1/users"]["get"], "role").unwrap();
    assert_eq!(codes(&filter["schema"]), all);
    assert!(filter["schema"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("")));
    assert_eq!(
        codes(&doc["components"]["schemas"]["GrantDoc"]["properties"]["role"]),
        all
    );
    // Languages, and a contact's roles.
    let langs = sorted(Lang::ALL.iter().map(|l| l.code()));
    assert_eq!(codes(&new_user["properties"]["lang"]), langs);
    assert_eq!(codes(&patch_user["properties"]["lang"]), langs);
    let new_partner = body("post", "/api/v1/partners");
    assert_eq!(codes(&new_partner["properties"]["lang"]), langs);
    let contact = &new_partner["properties"]["contacts"]["anyOf"][0]["items"];
    assert_eq!(
        codes(&contact["properties"]["roles"]["items"]),
        sorted(ContactRole::ALL.iter().map(|r| r.code()))
    );
    assert_eq!(contact["properties"]["roles"]["uniqueItems"], true);
    // E-mails and names are the catalogue's rules, which the readers share.
    for email in [
        &new_user["properties"]["email"],
        &contact["properties"]["email"],
    ] {
        assert_eq!(
            email["allOf"][0]["$ref"],
            "#/components/schemas/catalogue.Email"
        );
    }
    for name in [
        &new_user["properties"]["name"],
        &body("post", "/api/v1/tokens")["properties"]["name"],
    ] {
        assert_eq!(name["not"]["$ref"], "#/components/schemas/catalogue.Blank");
    }
}

#[tokio::test]
async fn a_user_body_the_document_calls_valid_is_read_and_one_it_calls_invalid_is_refused() {
    use pacta_core::access::Role;
    let app = TestApp::new().await;
    crate::support::add_partner(&app, "WEB-HOSTING").await;
    let create = |body: Value| {
        let app = &app;
        async move { app.write("POST", "/api/v1/users", &body, &[]).await }
    };
    for (i, role) in Role::ALL.into_iter().enumerate() {
        // WEB-HOSTING is a stored service and a stored partner: a scope either role may name.
        let scope = match role.scope_kind() {
            Some(_) => json!(["WEB-HOSTING"]),
            None => json!([]),
        };
        let partner = role.is_partner_role().then_some("WEB-HOSTING");
        let grant = json!({"role": role.code(), "scope": scope});
        let r = create(
            json!({"email": format!("User{i}@Provider.Example"), "name": " A Name ",
            "partner": partner, "roles": [grant]}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{role}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["email"], format!("user{i}@provider.example"));
        assert_eq!(r.json()["name"], "A Name");
        // The other side of the line between staff and a partner's people …
        let other = match partner {
            Some(_) => Value::Null,
            None => json!("WEB-HOSTING"),
        };
        let r = create(
            json!({"email": format!("other{i}@provider.example"), "name": "N",
            "partner": other, "roles": [grant]}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{role} across the line"
        );
        // … a scoped role without its scope, an unscoped one with one.
        let wrong = match role.scope_kind() {
            Some(_) => json!({"role": role.code(), "scope": []}),
            None => json!({"role": role.code(), "scope": ["WEB-HOSTING"]}),
        };
        let r = create(
            json!({"email": format!("wrong{i}@provider.example"), "name": "N",
            "partner": partner, "roles": [wrong]}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{role}: {wrong}"
        );
    }
    // What the document refuses: a blank name (white space as Rust's trim sees it), an address
    // without a dot in its domain or with white space, a scope that is not a code, an unknown
    // language or role.
    let valid = json!({"email": "x@provider.example", "name": "X", "roles": []});
    for (field, value) in [
        ("name", json!(" \u{3000}\u{85}")),
        ("email", json!("x@provider")),
        ("email", json!("x y@provider.example")),
        ("email", json!("x@@provider.example")),
        ("email", json!("@provider.example")),
        ("lang", json!("es")),
        ("roles", json!([{"role": "root"}])),
        ("roles", json!([{"role": "prm", "scope": ["lower"]}])),
        ("partner", json!("x")),
    ] {
        let mut body = valid.clone();
        body[field] = value.clone();
        let r = create(body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {value}"
        );
        assert!(
            r.json()["error"]["fields"].to_string().contains(field),
            "{field}"
        );
    }
    // What it accepts at its edges: a name of a control character (no white space to Rust's
    // trim, nor to catalogue.Blank), null for absent, a domain that is a dot.
    let r = create(
        json!({"email": "odd@.", "name": "\u{1c}", "partner": null, "lang": null,
        "roles": [{"role": "on-call", "scope": null}]}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[tokio::test]
async fn instants_are_rfc_3339_exactly_as_the_document_says() {
    let mut app = TestApp::new().await;
    app.bearer = crate::support::admin_user_token(&app).await;
    let doc = document(&app).await;
    let audit = &doc["paths"]["/api/v1/audit"]["get"];
    for name in ["from", "to"] {
        let schema = &parameter(audit, name).unwrap()["schema"];
        assert_eq!(schema["anyOf"][0]["format"], "date-time", "{name}");
        assert_eq!(
            schema["anyOf"][1]["maxLength"], 0,
            "{name}: empty is absent"
        );
    }
    let expires = &doc["paths"]["/api/v1/tokens"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["properties"]["expires_at"];
    assert_eq!(expires["anyOf"][0]["format"], "date-time");
    let auth = format!("Bearer {}", app.bearer);
    let get = |uri: String| {
        let (app, auth) = (&app, &auth);
        async move { app.get_with(&uri, &[("authorization", auth)]).await }
    };
    // RFC 3339, as JSON Schema's date-time: lower-case t and z, -00:00, any number of
    // decimals, a leap second at 23:59 UTC, years 0000 to 9999.
    for instant in [
        "",
        "2024-06-01T12:00:00Z",
        "2024-06-01t12:00:00z",
        "2024-06-01T12:00:00.123456789012-00:00",
        "1998-12-31T23:59:60Z",
        "1998-12-31T15:59:60-08:00",
        "0000-01-01T00:00:00%2B23:59",
        "9999-12-31T23:59:59Z",
    ] {
        for name in ["from", "to"] {
            let r = get(format!("/api/v1/audit?{name}={instant}")).await;
            assert_eq!(r.status, StatusCode::OK, "{name}={instant}");
        }
    }
    // ISO 8601 that RFC 3339 does not write, and impossible times.
    for instant in [
        "2024-06-01T12:00Z",
        "20240601T120000Z",
        "2024-06-01%2012:00:00Z",
        "2024-06-01T12:00:00",
        "2024-06-01T12:00:00%2B0200",
        "2024-06-01T12:00:00%2B24:00",
        "2024-06-01T12:00:60Z",
        "2023-02-29T00:00:00Z",
        "yesterday",
    ] {
        let r = get(format!("/api/v1/audit?from={instant}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "from={instant}");
        assert!(r.json()["error"]["fields"]["from"].is_string());
    }
    // A token's expiry: the same reading; the end of year 9999 is a valid one.
    let create = |expires: &str| {
        let (app, body) = (&app, json!({"name": "t", "expires_at": expires}));
        async move { app.write("POST", "/api/v1/tokens", &body, &[]).await }
    };
    let r = create("9999-12-31T23:59:59Z").await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.json()["expires_at"]
        .as_str()
        .unwrap()
        .starts_with("9999-12-30T"));
    for expires in [
        "2099-01-01T00:00Z",
        "20990101T000000Z",
        "2099-01-01 00:00:00Z",
    ] {
        let r = create(expires).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{expires}");
        assert!(r.json()["error"]["fields"]["expires_at"].is_string());
    }
}
