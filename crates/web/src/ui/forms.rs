//! What the monitoring pages (issue 10: availability, monitors, incidents) share: how a refusal
//! reads, the API's own handlers called from a form — so a page checks, writes, audits and mails
//! exactly as the API does, with no second copy of the rules — and instants typed in a form.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde_json::Value;

use super::i18n::Tr;
use super::page::Page;
use crate::error::{ApiError, ApiResult};

/// Sign in first; then the 404 page for what the reader may not know of, the 403 page else.
pub fn refused(page: &Page, e: ApiError) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    if e.status == StatusCode::NOT_FOUND {
        return page.not_found();
    }
    super::admin::denied(page)
}

/// To the sign-in page, and back here after.
pub fn to_login(page: &Page) -> Response {
    let back = format!("/{}{}", page.lang.code(), page.rest);
    Redirect::to(&format!("/{}/login?next={back}", page.lang.code())).into_response()
}

/// The headers of a JSON body for an API handler; `revision` becomes its `If-Match`.
pub fn json_headers(revision: Option<i64>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(r) = revision {
        if let Ok(v) = HeaderValue::from_str(&crate::api::etag(r)) {
            headers.insert(header::IF_MATCH, v);
        }
    }
    headers
}

/// A JSON body for an API handler.
pub fn json_body(value: &Value) -> Body {
    Body::from(value.to_string())
}

/// What an API handler answered: its JSON document (null for an empty body), or its refusal.
pub async fn answer(result: ApiResult<Response>) -> Result<Value, ApiError> {
    let response = result?;
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::internal_message(&e.to_string()))
}

/// A refusal of a form as the page lists it: a stale form in the page's language, else each
/// field's problem as the API words it (or its message).
pub fn problems(t: Tr, e: &ApiError) -> Vec<String> {
    if e.status == StatusCode::PRECONDITION_FAILED {
        return vec![t.s("form-stale")];
    }
    if e.fields.is_empty() {
        return vec![e.message.clone()];
    }
    e.fields
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect()
}

/// An instant typed in a form, as the API reads instants: a `datetime-local` value
/// (`2026-11-30T10:15`, with or without seconds) is a wall-clock time in Europe/Brussels; RFC
/// 3339 with an offset is taken as it is. `None` when empty; anything else is passed on as typed,
/// for the API to say what is wrong with it.
pub fn instant_field(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if pacta_core::sla::instant::parse_instant(text).is_ok() {
        return Some(Value::String(text.to_owned()));
    }
    let local = text
        .parse::<jiff::civil::DateTime>()
        .ok()
        .filter(|d| d.subsec_nanosecond() == 0)
        .and_then(|d| d.to_zoned(pacta_core::subscription::zone().clone()).ok());
    Some(Value::String(match local {
        Some(z) => crate::subscriptions::instant(z.timestamp().as_second()),
        None => text.to_owned(),
    }))
}

/// An instant as a `datetime-local` input's value: `2026-11-30T10:15`, in Europe/Brussels.
pub fn datetime_local(t: Timestamp) -> String {
    let z = t.to_zoned(pacta_core::subscription::zone().clone());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_local_time_is_brussels_time_and_other_text_goes_on_as_typed() {
        assert_eq!(
            instant_field("2026-11-30T10:15"),
            Some(Value::String("2026-11-30T10:15:00+01:00".into()))
        );
        assert_eq!(
            instant_field("2026-07-01T10:15:30"),
            Some(Value::String("2026-07-01T10:15:30+02:00".into()))
        );
        assert_eq!(
            instant_field(" 2026-11-30T09:15:00Z "),
            Some(Value::String("2026-11-30T09:15:00Z".into()))
        );
        assert_eq!(
            instant_field("yesterday"),
            Some(Value::String("yesterday".into()))
        );
        assert_eq!(instant_field("  "), None);
        let t: Timestamp = "2026-11-30T09:15:00Z".parse().unwrap();
        assert_eq!(datetime_local(t), "2026-11-30T10:15");
    }
}
