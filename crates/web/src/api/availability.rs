//! A subscription's availability and its monthly statements (issue 10):
//! `GET /api/v1/subscriptions/{id}/availability?month=YYYY-MM` (or `from`&`to`) and
//! `GET /api/v1/subscriptions/{id}/statements`. The partner's people and the provider's staff
//! read them; anyone else is told the subscription does not exist (404).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use pacta_core::access::{Action, Actor};
use pacta_core::sla::instant::parse_instant;
use pacta_core::sla::Interval;
use pacta_store::subscriptions::Subscription;
use pacta_store::Scope;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::{json_response, query_pairs};
use crate::auth::Caller;
use crate::availability::{self as figures, statement_entry};
use crate::error::{ApiError, ApiResult, PeriodReadErrors, ReadErrors};
use crate::state::AppState;

/// The statement object of a subscription over a month or a period: the fields of the
/// `statement` op of `pacta sla eval` (`agreed_seconds`, `downtime_seconds`,
/// `allowed_downtime_seconds`, `budget_left_seconds`, `availability_percent`, `met`,
/// `period_seconds`, `unmonitored_seconds`, `excluded_maintenance_seconds`, `incomplete`) with
/// `subscription`, `partner`, `service`, `month`, `from`, `to`, `in_service` (the part of the
/// period the subscription was in service, over which the figures are), `target`,
/// `suspended_seconds`, `burn_rate`, `monitors` (the counting monitors' codes), `maintenance`
/// (each occurrence of the service's maintenance in the period on which the partner was
/// consulted: `{"window", "start", "end", "consent", "excluded"}`), `fingerprint` (of the
/// inputs), `provisional` (true while the month is open, and for any `from`&`to`),
/// `amendment` and `statements` (the original and every amendment of a closed month).
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct AvailabilityDoc(Value);

/// The statements of a subscription: `{"items": [{"month", "amendment", "kind", "at",
/// "author", "reason", "fingerprint", "availability_percent", "met", "downtime_seconds",
/// "statement"}]}`, by month, the original first.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct StatementList(Value);

/// The period asked for.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct AvailabilityQuery {
    /// A month, `YYYY-MM` (Europe/Brussels); or `from` and `to` instead.
    #[param(pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$")]
    month: Option<String>,
    /// The period's start, RFC 3339 (with `to`).
    #[param(
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"
    )]
    from: Option<String>,
    /// The period's end, RFC 3339, not before `from`.
    #[param(
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"
    )]
    to: Option<String>,
}

/// The subscription `id` if the caller may read its availability; a 404 otherwise.
async fn readable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Subscription> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let s = crate::subscriptions::readable(state, caller, id).await?;
    caller
        .may(Action::ReadStatements {
            partner: &s.partner,
        })
        .map_err(|e| {
            if e.status == StatusCode::FORBIDDEN {
                e
            } else {
                ApiError::not_found(format!("no subscription `{id}`"))
            }
        })?;
    Ok(s)
}

/// A subscription's availability for a month — its statement once the month is closed (the
/// latest amendment, with the original and every amendment listed), computed live and marked
/// provisional before — or over any period (`from`&`to`, live).
#[utoipa::path(
    get, path = "/api/v1/subscriptions/{id}/availability", tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's id"), AvailabilityQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The statement object", body = AvailabilityDoc),
        PeriodReadErrors,
    )
)]
pub async fn get_availability(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let s = readable(&state, &caller, &id).await?;
    let q = query_pairs(raw.as_deref())?;
    let instant = |key: &str| -> ApiResult<Option<jiff::Timestamp>> {
        q.get(key)
            .map(|t| parse_instant(t).map_err(|e| ApiError::invalid_field(key, e.to_string())))
            .transpose()
    };
    let (month, from, to) = (q.get("month"), instant("from")?, instant("to")?);
    let doc = match (month, from, to) {
        (Some(m), None, None) => figures::availability(&state, &s, Some(m), None).await?,
        (None, Some(start), Some(end)) => {
            if start > end {
                return Err(ApiError::invalid_field("to", "must not be before from"));
            }
            figures::availability(&state, &s, None, Some(Interval { start, end })).await?
        }
        (Some(_), _, _) => {
            return Err(ApiError::invalid_field(
                "month",
                "give a month or from and to, not both",
            ))
        }
        (None, None, None) => {
            return Err(ApiError::invalid_field(
                "month",
                "required: a month (YYYY-MM), or from and to",
            ))
        }
        (None, _, _) => {
            return Err(ApiError::invalid_field(
                if from.is_none() { "from" } else { "to" },
                "from and to go together",
            ))
        }
    };
    Ok(json_response(StatusCode::OK, doc.to_string()))
}

/// The monthly statements of a subscription: every closed month it was in service, the
/// original and each amendment beside it (never an edit).
#[utoipa::path(
    get, path = "/api/v1/subscriptions/{id}/statements", tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The statements", body = StatementList),
        ReadErrors,
    )
)]
pub async fn list_statements(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let s = readable(&state, &caller, &id).await?;
    let scope = match &caller.actor {
        Actor::User(u) => u.partner.as_deref().map_or(Scope::All, Scope::Partner),
        _ => Scope::All,
    };
    let items: Vec<Value> = state
        .db
        .statements(scope, &s.id, None)
        .await?
        .iter()
        .map(statement_entry)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({ "items": items }).to_string(),
    ))
}

/// The body of an amendment.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct AmendmentBody {
    /// The closed month, `YYYY-MM`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}$")]
    month: String,
    /// Why the statement is amended (recorded beside it).
    #[schema(min_length = 1, max_length = 2000)]
    reason: String,
}

/// Amend the statement of a closed month (admin): recomputed from the data as it stands now,
/// recorded beside the original with the reason and the author — never an edit of it.
#[utoipa::path(
    post, path = "/api/v1/subscriptions/{id}/statements", tag = "subscriptions",
    request_body(
        content = AmendmentBody, content_type = "application/json",
    ),
    params(("id" = String, Path, description = "The subscription's id")),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "The amendment", body = StatementList),
        crate::error::BatchErrors,
    )
)]
pub async fn amend_statement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    // The body first: what it lacks is said whatever the subscription (a 422 tells nothing of
    // whether it exists).
    let Value::Object(fields) = super::json_value(&headers, body).await? else {
        return Err(ApiError::invalid_field("$", "expected a JSON object"));
    };
    let mut problems = Vec::new();
    for k in fields.keys() {
        if k != "month" && k != "reason" {
            problems.push((k.clone(), "unknown field (month, reason)".to_owned()));
        }
    }
    let text = |k: &str| match fields.get(k) {
        Some(Value::String(v))
            if v.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
        {
            Err((
                k.to_owned(),
                "a control character other than a tab or a line break".to_owned(),
            ))
        }
        Some(Value::String(v)) if !v.trim().is_empty() && v.chars().count() <= 2000 => {
            Ok(v.clone())
        }
        Some(Value::String(_)) => Err((
            k.to_owned(),
            "must not be empty (at most 2000 characters)".to_owned(),
        )),
        Some(_) => Err((k.to_owned(), "expected a string".to_owned())),
        None => Err((k.to_owned(), "missing".to_owned())),
    };
    let (month, reason) = (text("month"), text("reason"));
    if let Err(p) = &month {
        problems.push(p.clone());
    }
    if let Err(p) = &reason {
        problems.push(p.clone());
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            problems
                .into_iter()
                .map(|(path, message)| pacta_core::catalogue::document::Issue {
                    pos: None,
                    path,
                    message,
                })
                .collect(),
        ));
    }
    let (month, reason) = (month.unwrap_or_default(), reason.unwrap_or_default());
    let s = readable(&state, &caller, &id).await?;
    caller.may(Action::CloseStatements)?;
    let stored = figures::amend(&state, &s, &month, &reason, caller.stamp(&state)).await?;
    Ok(json_response(
        StatusCode::CREATED,
        statement_entry(&stored).to_string(),
    ))
}
