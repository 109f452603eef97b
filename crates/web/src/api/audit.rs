//! `/api/v1/audit`: every write, who, when, what — filtered, as JSON pages or as CSV.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::access::Action;
use pacta_store::audit::{AuditEntry, AuditFilter};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{page_params, query_pairs};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, SearchErrors};
use crate::state::AppState;

/// One write.
#[derive(Serialize, ToSchema)]
pub struct AuditDoc {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// A user's e-mail, `bootstrap`, `cli`, `demo`, …
    pub actor: String,
    pub action: String,
    /// `service`, `partner`, `user`, `token`, …
    pub object_kind: String,
    pub object: String,
    pub partner: Option<String>,
    /// The document before (JSON text), if any.
    pub before: Option<String>,
    /// The document after (JSON text), if any.
    pub after: Option<String>,
}

/// A page of the audit log.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct AuditList {
    items: Vec<AuditDoc>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// The query of the audit log.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct AuditQuery {
    /// From this instant (RFC 3339, inclusive).
    #[param(format = DateTime)]
    from: Option<String>,
    /// To this instant (RFC 3339, exclusive).
    #[param(format = DateTime)]
    to: Option<String>,
    /// Only the writes of this actor.
    actor: Option<String>,
    /// Only the writes concerning this partner (a code).
    partner: Option<String>,
    /// Only the writes of this kind of object.
    object_kind: Option<String>,
    /// `json` (default) or `csv` (every entry that matches, no paging).
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

fn instant(query: &std::collections::HashMap<String, String>, key: &str) -> ApiResult<Option<i64>> {
    match query.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<jiff::Timestamp>()
            .map(|t| Some(t.as_second()))
            .map_err(|_| ApiError::invalid_field(key, format!("`{v}` is not an RFC 3339 instant"))),
    }
}

fn doc(e: &AuditEntry) -> AuditDoc {
    AuditDoc {
        id: e.id.clone(),
        at: jiff::Timestamp::from_second(e.at)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        actor: e.actor.clone(),
        action: e.action.clone(),
        object_kind: e.kind.clone(),
        object: e.code.clone(),
        partner: e.partner.clone(),
        before: e.before.clone(),
        after: e.after.clone(),
    }
}

/// The audit log, oldest first (admin, ict-management).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "accounts",
    params(AuditQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of entries (JSON), or every entry (CSV)", content(
            (AuditList = "application/json"),
            (String = "text/csv"),
        )),
        SearchErrors,
    )
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    caller.may(Action::ReadAudit)?;
    let page = page_params(&query)?;
    let csv = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "format",
                format!("`{other}`: use json or csv"),
            ))
        }
    };
    let filter = AuditFilter {
        from: instant(&query, "from")?,
        to: instant(&query, "to")?,
        actor: query.get("actor").filter(|v| !v.is_empty()).cloned(),
        partner: query.get("partner").filter(|v| !v.is_empty()).cloned(),
        kind: query.get("object_kind").filter(|v| !v.is_empty()).cloned(),
    };
    let entries: Vec<AuditDoc> = state
        .db
        .audit_entries(&filter)
        .await?
        .iter()
        .map(doc)
        .collect();
    if !csv {
        return page.respond(&entries.iter().collect::<Vec<_>>());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(&e);
    w.write_record([
        "id", "at", "actor", "action", "kind", "code", "partner", "before", "after",
    ])
    .map_err(fail)?;
    for e in &entries {
        w.write_record([
            e.id.as_str(),
            &e.at,
            &e.actor,
            &e.action,
            &e.object_kind,
            &e.object,
            e.partner.as_deref().unwrap_or(""),
            e.before.as_deref().unwrap_or(""),
            e.after.as_deref().unwrap_or(""),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"audit.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
