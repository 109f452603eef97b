//! The JSON API under `/api/v1`, described by OpenAPI 3.1 generated from the handlers.

pub mod accounts;
pub mod audit;
pub mod availability;
pub mod catalogue;
pub mod dashboard;
pub mod incidents;
pub mod maintenance;
pub mod monitors;
pub mod oncall;
pub mod partners;
pub mod services;
pub mod subscriptions;
pub mod test_clock;
pub mod tickets;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::document::Node;
use pacta_core::text::Lang;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{
    ApiError, ApiResult, BadRequest, Conflict, ErrorBody, ErrorDetail, Forbidden, NotFound,
    PayloadTooLarge, PreconditionFailed, PreconditionRequired, Unauthorized, Unprocessable,
    UnsupportedMediaType,
};
use crate::snapshot::LangChoice;
use crate::state::AppState;

/// The largest request body the API reads (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Pacta API", description = "The service catalogue and service levels of an ICT shared-service provider."),
    modifiers(&BearerAuth, &CatalogueSchemas),
    components(
        schemas(ErrorBody, ErrorDetail, LangParam, services::DeliveryModelFilter, subscriptions::DecisionName),
        responses(
            BadRequest, Unauthorized, NotFound, Conflict, PreconditionFailed, PayloadTooLarge,
            UnsupportedMediaType, Unprocessable, PreconditionRequired, Forbidden,
        ),
    ),
    tags(
        (name = "catalogue", description = "Categories, services, fiches, packs, options, service levels and the organisation profile"),
        (name = "accounts", description = "Who the caller is; users, partners, API tokens and the audit log"),
        (name = "subscriptions", description = "Partners' subscriptions: request, decide, read"),
        (name = "monitors", description = "What the probes check, as data: monitors of a service or of one subscription"),
        (name = "incidents", description = "Incidents of a service declared by the provider's staff, with their public updates"),
        (name = "maintenance", description = "Maintenance windows agreed with the partners: occurrences, consultation, consent"),
        (name = "tickets", description = "Support tickets: the lines Rule, exact SLA clocks, escalation, the agents' queue"),
        (name = "dashboard", description = "The partner dashboard: live status, availability against target, 90 local days, maintenance and tickets at a glance"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The bodies of the catalogue writes, as the catalogue format's JSON Schema
/// ([`pacta_core::catalogue::schema::JSON_SCHEMA`]) defines them: every definition of its `$defs`
/// becomes `components.schemas["catalogue.<Name>"]`, so a body is described by the same
/// definitions an editor validates a catalogue file with. A few changes make them say exactly
/// what the API accepts from JSON (each pinned by a test in `tests/it/openapi.rs`):
/// - a scalar the YAML reader takes as text (`2024`, `true` written plain) must be a JSON string
///   (the reader refuses a JSON number or boolean where it wants text);
/// - an availability target given as a number is whole ([`whole_numbers_only`]);
/// - a duration's numbers have at most [`DURATION_DIGITS`] digits ([`bounded_durations`]);
/// - a text's limit, in bytes, is left to its description (`maxLength` counts characters);
/// - the editors' `patternErrorMessage` is dropped.
struct CatalogueSchemas;

/// The prefix of the catalogue format's definitions in `components.schemas`.
pub const CATALOGUE_SCHEMA_PREFIX: &str = "catalogue.";

impl Modify for CatalogueSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in catalogue_definitions() {
            let previous = components.schemas.insert(
                format!("{CATALOGUE_SCHEMA_PREFIX}{name}"),
                raw_schema(schema),
            );
            assert!(previous.is_none(), "two schemas named catalogue.{name}");
        }
    }
}

/// The catalogue format's definitions, rewritten for JSON bodies (see [`CatalogueSchemas`]).
pub fn catalogue_definitions() -> serde_json::Map<String, serde_json::Value> {
    let mut root: serde_json::Value =
        serde_json::from_str(pacta_core::catalogue::schema::JSON_SCHEMA)
            .expect("the catalogue JSON Schema is JSON");
    let serde_json::Value::Object(defs) = root["$defs"].take() else {
        panic!("the catalogue JSON Schema has no $defs");
    };
    defs.into_iter()
        .map(|(name, mut schema)| {
            for_json_bodies(&mut schema);
            match name.as_str() {
                "AvailabilityTarget" => whole_numbers_only(&mut schema),
                "Duration" => bounded_durations(&mut schema),
                "TextValue" => {
                    // The reader's limit is 100,000 bytes of UTF-8; `maxLength` counts characters,
                    // so it would promise up to 400,000 bytes. The limit stays in the description.
                    if let serde_json::Value::Object(keywords) = &mut schema {
                        keywords.remove("maxLength");
                    }
                }
                _ => {}
            }
            (name, schema)
        })
        .collect()
}

/// An availability target has at most six decimals. A schema can count the decimals of a string
/// (its pattern does) but not of a JSON number, so the API's document takes a number only when it
/// is whole and a decimal as a string (`"99.95"`, as the format itself advises).
fn whole_numbers_only(schema: &mut serde_json::Value) {
    if let Some(serde_json::Value::Array(branches)) = schema.get_mut("anyOf") {
        for branch in branches {
            if branch["type"] == "number" {
                branch["type"] = "integer".into();
                branch["description"] =
                    "A whole percentage; write a decimal as a string, e.g. \"99.9\".".into();
            }
        }
    }
}

/// The most significant digits a number of a duration may have in the API's document. A
/// duration is whole seconds in an `i64`: parts of at most 15 digits (leading zeros aside) never
/// overflow it (999…9 hours is 3.6 × 10^18 s), while the format's `[0-9]+` lets through numbers
/// the reader refuses as too large.
pub const DURATION_DIGITS: usize = 15;

fn bounded_durations(schema: &mut serde_json::Value) {
    if let Some(serde_json::Value::String(pattern)) = schema.get_mut("pattern") {
        *pattern = pattern.replace("[0-9]+", &format!("0*[0-9]{{1,{DURATION_DIGITS}}}"));
    }
}

/// What the catalogue schema says of a text written as a YAML plain scalar; not so in JSON.
const YAML_SCALAR_NOTE: &str = " A plain YAML scalar is read as written, so a value that YAML would type as a number or a boolean (`2024`, `true`) is accepted as its text.";

fn for_json_bodies(schema: &mut serde_json::Value) {
    use serde_json::Value;
    match schema {
        Value::Object(map) => {
            map.remove("patternErrorMessage");
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(name) = target.strip_prefix("#/$defs/") {
                    *target = format!("#/components/schemas/{CATALOGUE_SCHEMA_PREFIX}{name}");
                }
            }
            // `["string", "number", "boolean"]`: a YAML plain scalar read as text. From JSON the
            // reader takes a string only.
            if let Some(Value::Array(types)) = map.get("type") {
                if types.iter().any(|t| t == "string")
                    && types.iter().any(|t| t == "number" || t == "boolean")
                {
                    map.insert("type".into(), Value::from("string"));
                    if let Some(Value::String(text)) = map.get_mut("description") {
                        *text = text.replace(YAML_SCALAR_NOTE, "").trim_end().to_owned();
                    }
                }
            }
            for value in map.values_mut() {
                for_json_bodies(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(for_json_bodies),
        _ => {}
    }
}

/// A schema written as JSON, kept exactly: utoipa's typed [`Schema`] has no place for keywords
/// such as `not`, `const`, `if`/`then`/`else` or `uniqueItems` on objects, so every keyword goes
/// into the extensions map of an untyped object, which serializes it verbatim.
pub(crate) fn raw_schema(schema: serde_json::Value) -> RefOr<Schema> {
    let serde_json::Value::Object(keywords) = schema else {
        panic!("a catalogue definition is not a JSON object: {schema}");
    };
    let mut extensions = Extensions::default();
    extensions.extend(keywords);
    let mut object = Object::default();
    object.schema_type = SchemaType::AnyValue;
    object.extensions = Some(extensions);
    RefOr::T(Schema::Object(object))
}

/// A reference to one of the catalogue format's definitions in `components.schemas`.
fn catalogue_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(format!(
        "{CATALOGUE_SCHEMA_PREFIX}{name}"
    )))
}

/// The body of a category write: `catalogue.Category`.
pub struct CategoryBody;

impl ToSchema for CategoryBody {}

impl PartialSchema for CategoryBody {
    fn schema() -> RefOr<Schema> {
        catalogue_ref("Category")
    }
}

/// The body of a service-level write: `catalogue.Level`.
pub struct LevelBody;

impl ToSchema for LevelBody {}

impl PartialSchema for LevelBody {
    fn schema() -> RefOr<Schema> {
        catalogue_ref("Level")
    }
}

/// The body of a service replace: `catalogue.Service`.
pub struct ServiceBody;

impl ToSchema for ServiceBody {}

impl PartialSchema for ServiceBody {
    fn schema() -> RefOr<Schema> {
        catalogue_ref("Service")
    }
}

/// The body of a service create: `catalogue.Service`, as a draft (a new service starts as a
/// draft; publish and retire move it on).
pub struct NewServiceBody;

impl ToSchema for NewServiceBody {}

impl PartialSchema for NewServiceBody {
    fn schema() -> RefOr<Schema> {
        let draft = ObjectBuilder::new()
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::String,
                        Type::Null,
                    ]))
                    .enum_values(Some([
                        serde_json::Value::from("draft"),
                        serde_json::Value::Null,
                    ]))
                    .description(Some("A new service is a draft: `draft` or absent.")),
            )
            .schema_type(SchemaType::AnyValue);
        utoipa::openapi::schema::AllOfBuilder::new()
            .item(catalogue_ref("Service"))
            .item(draft)
            .into()
    }
}

/// The API routes and their OpenAPI description, from one list.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            catalogue::list_categories,
            catalogue::create_category
        ))
        .routes(routes!(catalogue::update_category))
        .routes(routes!(catalogue::list_levels, catalogue::create_level))
        .routes(routes!(catalogue::update_level))
        .routes(routes!(catalogue::profile))
        .routes(routes!(catalogue::quote))
        .routes(routes!(services::list_services, services::create_service))
        .routes(routes!(services::get_service, services::update_service))
        .routes(routes!(services::publish_service))
        .routes(routes!(services::retire_service))
        .routes(routes!(services::service_versions))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::get_user, accounts::patch_user))
        .routes(routes!(accounts::list_tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(partners::list_partners, partners::create_partner))
        .routes(routes!(partners::get_partner, partners::patch_partner))
        .routes(routes!(audit::audit))
        .routes(routes!(
            subscriptions::list_subscriptions,
            subscriptions::create_subscription
        ))
        .routes(routes!(subscriptions::get_subscription))
        .routes(routes!(subscriptions::decide_subscription))
        .routes(routes!(availability::get_availability))
        .routes(routes!(dashboard::get_dashboard))
        .routes(routes!(dashboard::get_overview))
        .routes(routes!(dashboard::get_service_board))
        .routes(routes!(
            availability::list_statements,
            availability::amend_statement
        ))
        .routes(routes!(monitors::list_monitors, monitors::create_monitor))
        .routes(routes!(
            monitors::get_monitor,
            monitors::patch_monitor,
            monitors::delete_monitor
        ))
        .routes(routes!(monitors::post_results))
        .routes(routes!(monitors::get_outages))
        .routes(routes!(
            incidents::list_incidents,
            incidents::create_incident
        ))
        .routes(routes!(incidents::get_incident, incidents::patch_incident))
        .routes(routes!(incidents::post_update))
        .routes(routes!(
            maintenance::list_maintenance,
            maintenance::propose_maintenance
        ))
        .routes(routes!(maintenance::get_maintenance))
        .routes(routes!(maintenance::answer_maintenance))
        .routes(routes!(maintenance::override_maintenance))
        .routes(routes!(maintenance::reschedule_maintenance))
        .routes(routes!(maintenance::cancel_maintenance))
        .routes(routes!(maintenance::get_feeds))
        .routes(routes!(maintenance::regenerate_feeds))
        .routes(routes!(tickets::list_tickets, tickets::open_ticket))
        .routes(routes!(tickets::get_ticket))
        .routes(routes!(tickets::comment_ticket))
        .routes(routes!(tickets::ticket_status))
        .routes(routes!(tickets::ticket_priority))
        .routes(routes!(tickets::escalate_ticket))
        .routes(routes!(tickets::queue))
        .routes(routes!(tickets::compliance))
        .routes(routes!(oncall::get_roster, oncall::put_roster))
        .routes(routes!(oncall::post_override))
        .routes(routes!(oncall::who))
        .routes(routes!(oncall::ack_page))
        .split_for_parts()
}

/// The page size's bounds and default of every list: `limit` 1–200, 50 by default.
pub const LIMIT: (i64, i64, i64) = (1, 200, 50);

/// A page of a list: `?limit&offset`.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// `?limit` (1–200, default 50) and `?offset` (≥ 0, default 0).
pub fn page_params(query: &HashMap<String, String>) -> ApiResult<Page> {
    let (min, max, default) = LIMIT;
    Ok(Page {
        limit: parse_int(query, "limit", default, min, max)?,
        offset: parse_int(query, "offset", 0, 0, i64::MAX)?,
    })
}

fn parse_int(
    query: &HashMap<String, String>,
    key: &str,
    default: i64,
    min: i64,
    max: i64,
) -> ApiResult<i64> {
    let Some(raw) = query.get(key) else {
        return Ok(default);
    };
    let n: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("`{key}` must be an integer, got `{raw}`")))?;
    if !(min..=max).contains(&n) {
        return Err(ApiError::invalid_field(
            key,
            format!("must be between {min} and {max}, got {n}"),
        ));
    }
    Ok(n)
}

/// The query string as pairs; a malformed one is a 400 in the error shape.
pub fn query_pairs(raw: Option<&str>) -> ApiResult<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
    let mut out = HashMap::new();
    for (k, v) in pairs {
        if out.insert(k.clone(), v).is_some() {
            return Err(ApiError::bad_request(format!(
                "query parameter `{k}` is given twice"
            )));
        }
    }
    Ok(out)
}

/// Every value `?lang=` accepts, exactly as written here (case-sensitive), and what each one
/// chooses: a language, a regional tag of one (its language), or `all` (every language's map).
/// The OpenAPI document's [`LangParam`] enum is this list, so the parser and the document
/// cannot drift. `Accept-Language` stays a lenient negotiation (any tag of the four languages).
pub const LANG_PARAM: [(&str, LangChoice); 18] = [
    ("nl", LangChoice::One(Lang::Nl)),
    ("fr", LangChoice::One(Lang::Fr)),
    ("de", LangChoice::One(Lang::De)),
    ("en", LangChoice::One(Lang::En)),
    ("all", LangChoice::All),
    ("nl-BE", LangChoice::One(Lang::Nl)),
    ("nl-NL", LangChoice::One(Lang::Nl)),
    ("fr-BE", LangChoice::One(Lang::Fr)),
    ("fr-FR", LangChoice::One(Lang::Fr)),
    ("fr-LU", LangChoice::One(Lang::Fr)),
    ("de-BE", LangChoice::One(Lang::De)),
    ("de-DE", LangChoice::One(Lang::De)),
    ("de-LU", LangChoice::One(Lang::De)),
    ("de-AT", LangChoice::One(Lang::De)),
    ("en-BE", LangChoice::One(Lang::En)),
    ("en-GB", LangChoice::One(Lang::En)),
    ("en-US", LangChoice::One(Lang::En)),
    ("en-IE", LangChoice::One(Lang::En)),
];

/// The schema of `?lang=` in the OpenAPI document: the values of [`LANG_PARAM`].
pub struct LangParam;

impl PartialSchema for LangParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The language of the response's texts: nl, fr, de or en (a regional tag chooses its language), or `all` for every language's map. Beats `Accept-Language`.",
            ))
            .enum_values(Some(LANG_PARAM.iter().map(|(value, _)| *value)))
            .into()
    }
}

impl ToSchema for LangParam {}

/// `?lang=` beats `Accept-Language`; English when neither names a language Pacta speaks.
pub fn lang_choice(query: &HashMap<String, String>, headers: &HeaderMap) -> ApiResult<LangChoice> {
    if let Some(lang) = query.get("lang") {
        return LANG_PARAM
            .iter()
            .find(|(value, _)| value == lang)
            .map(|(_, choice)| *choice)
            .ok_or_else(|| {
                let values: Vec<&str> = LANG_PARAM.iter().map(|(value, _)| *value).collect();
                ApiError::bad_request(format!(
                    "unsupported language `{lang}`: use {}",
                    values.join(", ")
                ))
            });
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(LangChoice::One(
        Lang::from_accept_language(accept).unwrap_or(Lang::En),
    ))
}

/// Reads a JSON body into a positioned tree: 415 unless JSON, 413 over the limit, 400 if
/// unparseable. Field-level problems are the reader's (422).
pub async fn json_body(headers: &HeaderMap, body: Body) -> ApiResult<Node> {
    Ok(Node::from_json(&json_value(headers, body).await?))
}

/// Reads a JSON body as a value: 415 unless JSON, 413 over the limit, 400 if unparseable.
pub async fn json_value(headers: &HeaderMap, body: Body) -> ApiResult<serde_json::Value> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" && !(mime.starts_with("application/") && mime.ends_with("+json"))
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("expected Content-Type: application/json, got `{content_type}`"),
        ));
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {BODY_LIMIT} bytes"),
        )
    })?;
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "malformed JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    whole_numbers_as_integers(&mut value);
    Ok(value)
}

/// JSON has one kind of number: `250.0` is the integer 250 (JSON Schema's `integer` says so too),
/// so a whole number written with a fraction or an exponent is read as that integer wherever the
/// reader wants one. Numbers beyond `i64` stay as they are (and are refused where an integer is
/// wanted).
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// A JSON response from already-rendered text.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The ETag of an entity revision.
pub fn etag(revision: i64) -> String {
    format!("\"{revision}\"")
}

/// The revision an `If-Match` header names: 428 when missing, 412 when it names none.
pub fn if_match(headers: &HeaderMap, current: i64) -> ApiResult<i64> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "this write needs If-Match with the ETag you read",
        ));
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(current);
    }
    for tag in value.split(',') {
        let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
        if let Ok(rev) = tag.parse::<i64>() {
            if rev == current {
                return Ok(rev);
            }
        }
    }
    Err(ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale",
        format!(
            "If-Match `{value}` does not match the current ETag {}",
            etag(current)
        ),
    ))
}
