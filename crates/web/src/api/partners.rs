//! `/api/v1/partners`: the partners. A partner's people see their own partner only (another is
//! a 404, exactly as a missing one); the provider's staff see all; admin creates and edits, a
//! partner's PRM edits its contacts.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pacta_core::access::{Action, Actor};
use pacta_core::catalogue::document::Node;
use pacta_core::partner::{partner_json, read_partner, ContactRole, Partner};
use pacta_store::partners::StoredPartner;
use pacta_store::Scope;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::accounts::{catalogue_ref, email_schema, lang_schema, nullable, PARTNER_CODE_PATTERN};
use super::{etag, if_match, json_response, page_params, query_pairs, raw_schema};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CreateErrors, ReadErrors, ReplaceErrors, SearchErrors};
use crate::state::AppState;

/// A partner's contact.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ContactDoc {
    name: String,
    email: String,
    phone: Option<String>,
    /// partner-admin, local-helpdesk, technical, administrative, security.
    roles: Vec<String>,
}

/// A partner's PRM.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PrmDoc {
    name: String,
    email: String,
}

/// A partner.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PartnerDoc {
    code: String,
    /// Its name per language.
    #[schema(value_type = Object)]
    name: serde_json::Value,
    /// nl, fr, de or en.
    lang: String,
    local_helpdesk: bool,
    prm: Option<PrmDoc>,
    contacts: Vec<ContactDoc>,
}

/// A page of partners.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PartnerList {
    items: Vec<PartnerDoc>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// A contact in a body, as the partners reader reads it.
fn contact_schema() -> Value {
    let roles: Vec<&str> = ContactRole::ALL.iter().map(|r| r.code()).collect();
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "not": catalogue_ref("Blank"), "description": "The person's name, not blank."},
            "email": email_schema("E-mail address; once in a partner's contacts (compared without case: 422 otherwise)."),
            "phone": {"type": ["string", "null"], "description": "Telephone number, as it should be shown."},
            "roles": {
                "type": "array", "minItems": 1, "uniqueItems": true,
                "items": {"type": "string", "enum": roles},
                "description": "What the person is to the partner, at least one, each once.",
            },
        },
        "required": ["name", "email", "roles"],
        "additionalProperties": false,
    })
}

/// The fields of a partner's body, as `read_partner` reads them (`code` aside).
fn partner_fields() -> serde_json::Map<String, Value> {
    let prm = "The e-mail of a user of the provider's staff holding prm over the partner (422 otherwise), or `{\"email\": …}` as a partner is shown; null or absent: none.";
    let Value::Object(fields) = json!({
        "name": {"allOf": [catalogue_ref("RequiredText")], "description": "Its name per language (nl, fr, de, en), at least one not blank."},
        "lang": lang_schema("Its preferred language: nl, fr, de or en; null or absent: en."),
        "local_helpdesk": {"type": ["boolean", "null"], "description": "Whether it has a local helpdesk (its first line); null or absent: false."},
        "prm": {
            "anyOf": [
                catalogue_ref("Email"),
                {"type": "null"},
                {"type": "object", "properties": {"email": catalogue_ref("Email")}, "required": ["email"]},
            ],
            "description": prm,
        },
        "contacts": nullable(json!({
            "type": "array", "items": contact_schema(),
            "description": "The address book (people with or without an account), replaced whole; null or absent: none.",
        })),
    }) else {
        unreachable!("a JSON object")
    };
    fields
}

/// The body of a partner's creation: the partners-file shape (`prm` an e-mail).
pub struct PartnerBody;

impl ToSchema for PartnerBody {}

impl PartialSchema for PartnerBody {
    fn schema() -> RefOr<Schema> {
        let mut properties = serde_json::Map::new();
        properties.insert(
            "code".into(),
            json!({"type": "string", "pattern": PARTNER_CODE_PATTERN, "description": "[A-Z0-9-], 2 to 32 characters; one already taken is a 409."}),
        );
        properties.extend(partner_fields());
        raw_schema(json!({
            "type": "object",
            "properties": properties,
            "required": ["code", "name"],
            "additionalProperties": false,
        }))
    }
}

/// The body of a change to a partner: each field optional, what it names replaced (null: as if
/// absent from the partners file, so its default); `contacts` alone is a PRM's change. The code
/// never changes.
pub struct PartnerPatchBody;

impl ToSchema for PartnerPatchBody {}

impl PartialSchema for PartnerPatchBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": partner_fields(),
            "additionalProperties": false,
        }))
    }
}

/// A partner's JSON, with its PRM's name.
async fn doc_of(state: &AppState, p: &Partner) -> ApiResult<serde_json::Value> {
    let prm_name = match &p.prm {
        Some(e) => state.db.user(Scope::All, e).await?.map(|u| u.name),
        None => None,
    };
    Ok(partner_json(p, prm_name.as_deref()))
}

async fn partner_response(
    state: &AppState,
    stored: &StoredPartner,
    status: StatusCode,
) -> ApiResult<Response> {
    let body = doc_of(state, &stored.partner).await?.to_string();
    let mut response = json_response(status, body);
    if let Ok(v) = HeaderValue::from_str(&etag(stored.revision)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// The partners the caller may see: all for the provider's staff, its own for a partner's
/// people.
fn scope_of(caller: &Caller) -> Scope<'_> {
    match &caller.actor {
        Actor::User(u) => match &u.partner {
            Some(p) => Scope::Partner(p),
            None => Scope::All,
        },
        _ => Scope::All,
    }
}

/// List the partners the caller may see, by code.
#[utoipa::path(
    get, path = "/api/v1/partners", tag = "accounts",
    params(
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200),
        ("offset" = Option<i64>, Query, minimum = 0),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of partners", body = PartnerList),
        SearchErrors,
    )
)]
pub async fn list_partners(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let partners = state.db.list_partners(scope_of(&caller)).await?;
    let mut docs = Vec::new();
    for p in &partners {
        if caller
            .may(Action::ReadPartner {
                partner: &p.partner.code,
            })
            .is_ok()
        {
            docs.push(doc_of(&state, &p.partner).await?);
        }
    }
    page.respond(&docs.iter().collect::<Vec<_>>())
}

/// `prm` may come as the API shows it (`{"name", "email"}`): the e-mail is what counts.
fn prm_as_email(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(email) = value
        .get("prm")
        .and_then(|p| p.get("email"))
        .and_then(|e| e.as_str())
        .map(str::to_owned)
    {
        value["prm"] = email.into();
    }
    value
}

/// Create a partner (admin).
#[utoipa::path(
    post, path = "/api/v1/partners", tag = "accounts",
    request_body(
        content = inline(PartnerBody), content_type = "application/json",
        example = json!({"code": "NEW-PARTNER", "name": {"en": "New partner"}, "lang": "en", "local_helpdesk": false}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = PartnerDoc),
        CreateErrors,
    )
)]
pub async fn create_partner(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::CreatePartner)?;
    let value = body_value(&headers, body).await?;
    let partner =
        read_partner(&Node::from_json(&prm_as_email(value))).map_err(ApiError::invalid)?;
    let revision = state
        .db
        .create_partner(&partner, caller.stamp(&state))
        .await?;
    let stored = StoredPartner { partner, revision };
    let mut response = partner_response(&state, &stored, StatusCode::CREATED).await?;
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/partners/{}", stored.partner.code)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// The body as JSON (415, 413 and 400 as for every body).
async fn body_value(headers: &HeaderMap, body: Body) -> ApiResult<serde_json::Value> {
    super::json_value(headers, body).await
}

/// One partner.
#[utoipa::path(
    get, path = "/api/v1/partners/{code}", tag = "accounts",
    params(("code" = String, Path, description = "Partner code")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The partner; its ETag in the header", body = PartnerDoc),
        ReadErrors,
    )
)]
pub async fn get_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    caller.may(Action::ReadPartner { partner: &code })?;
    let stored = state
        .db
        .partner(scope_of(&caller), &code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no partner `{code}`")))?;
    partner_response(&state, &stored, StatusCode::OK).await
}

/// Change a partner (needs If-Match): admin any field; its PRM the contacts.
#[utoipa::path(
    patch, path = "/api/v1/partners/{code}", tag = "accounts",
    request_body(
        content = inline(PartnerPatchBody), content_type = "application/json",
        example = json!({"local_helpdesk": true}),
    ),
    params(
        ("code" = String, Path, description = "Partner code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Changed; the new ETag in the header", body = PartnerDoc),
        ReplaceErrors,
    )
)]
pub async fn patch_partner(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::ReadPartner { partner: &code })?;
    let stored = state
        .db
        .partner(scope_of(&caller), &code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no partner `{code}`")))?;
    let expected = if_match(&headers, stored.revision)?;
    let patch = body_value(&headers, body).await?;
    let serde_json::Value::Object(fields) = prm_as_email(patch) else {
        return Err(ApiError::invalid_field("$", "expected a JSON object"));
    };
    let contacts_only = fields.keys().all(|k| k == "contacts");
    caller.may(if contacts_only {
        Action::EditPartnerContacts { partner: &code }
    } else {
        Action::EditPartner { partner: &code }
    })?;
    // The change applied to the partner's document, then read whole as a partner.
    let mut whole = serde_json::to_value(&stored.partner).map_err(|e| ApiError::internal(&e))?;
    for (k, v) in fields {
        if k == "code" {
            return Err(ApiError::invalid_field(
                "code",
                "a partner's code never changes",
            ));
        }
        // A field sent as null is left as it is; `"prm": null` is the one way to remove one.
        if v.is_null() && k != "prm" {
            continue;
        }
        whole[k] = v;
    }
    let partner = read_partner(&Node::from_json(&whole)).map_err(ApiError::invalid)?;
    let revision = state
        .db
        .update_partner(&partner, expected, caller.stamp(&state))
        .await?;
    partner_response(&state, &StoredPartner { partner, revision }, StatusCode::OK).await
}
