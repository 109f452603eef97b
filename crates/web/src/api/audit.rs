//! `/api/v1/audit`: every write, who, when, what — filtered, as JSON pages or as CSV.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::access::Action;
use pacta_store::audit::{AuditEntry, AuditFilter};
use serde::Serialize;
use serde_json::json;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};

use super::{page_params, query_pairs, raw_schema};
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
    /// From this instant (RFC 3339, inclusive); empty: from the start.
    #[param(schema_with = instant_filter_schema)]
    from: Option<String>,
    /// To this instant (RFC 3339, exclusive); empty: to the end.
    #[param(schema_with = instant_filter_schema)]
    to: Option<String>,
    /// Only the writes of this actor.
    actor: Option<String>,
    /// Only the writes concerning this partner (a code).
    partner: Option<String>,
    /// Only the writes of this kind of object.
    object_kind: Option<String>,
    /// `json` (default) or `csv` (every entry that matches, no paging).
    #[param(schema_with = format_schema)]
    format: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// `?from=` and `?to=`: an RFC 3339 instant ([`parse_rfc3339`]), or empty as absent.
fn instant_filter_schema() -> RefOr<Schema> {
    raw_schema(json!({"anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0},
    ]}))
}

/// `?format=`: `json` or `csv`.
fn format_schema() -> RefOr<Schema> {
    raw_schema(json!({"type": "string", "enum": ["json", "csv"]}))
}

fn instant(query: &std::collections::HashMap<String, String>, key: &str) -> ApiResult<Option<i64>> {
    match query.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse_rfc3339(v)
            .map(|t| Some(t.as_second()))
            .ok_or_else(|| {
                ApiError::invalid_field(key, format!("`{v}` is not an RFC 3339 instant"))
            }),
    }
}

/// An RFC 3339 `date-time` (§5.6), exactly what JSON Schema's `format: date-time` accepts —
/// no more (jiff's parser also takes ISO 8601's `20240101T000000Z`, `2024-01-01T00:00Z`, a
/// space for the `T`), no less (any number of decimals; `t` and `z` in lower case; `-00:00`; a
/// leap second, `:60`, where it is 23:59 UTC, read as `:59`). An instant beyond jiff's range
/// (the last day of year 9999) is its end.
pub(crate) fn parse_rfc3339(text: &str) -> Option<jiff::Timestamp> {
    fn digits(s: &[u8]) -> Option<i32> {
        s.iter().try_fold(0i32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
        })
    }
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut rest = &b[19..];
    let mut nanos = 0i32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let kept = &fraction[..n.min(9)];
        nanos = digits(kept)? * 10i32.pow(9 - kept.len() as u32);
        rest = &fraction[n..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = h * 3600 + m * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = jiff::civil::Date::new(i16::try_from(year).ok()?, month as i8, day as i8).ok()?;
    let time =
        jiff::civil::Time::new(hour as i8, minute as i8, second.min(59) as i8, nanos).ok()?;
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    if second == 60 {
        // A leap second is the last second of a UTC day.
        let utc = date
            .to_datetime(time)
            .checked_sub(jiff::SignedDuration::from_secs(i64::from(offset_seconds)));
        if !utc.is_ok_and(|t| (t.hour(), t.minute()) == (23, 59)) {
            return None;
        }
    }
    // Only the end of year 9999 can be beyond jiff's range (it starts in year -9999).
    Some(
        offset
            .to_timestamp(date.to_datetime(time))
            .unwrap_or(jiff::Timestamp::MAX),
    )
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

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    fn at(text: &str) -> Option<String> {
        parse_rfc3339(text).map(|t| t.to_string())
    }

    #[test]
    fn rfc_3339_instants_are_read_with_their_offset() {
        for (text, utc) in [
            ("2024-06-01T12:00:00+02:00", "2024-06-01T10:00:00Z"),
            ("2024-06-01t12:00:00z", "2024-06-01T12:00:00Z"),
            ("2024-06-01T12:00:00-00:00", "2024-06-01T12:00:00Z"),
            ("2024-06-01T12:00:00.5-01:30", "2024-06-01T13:30:00.5Z"),
            (
                "2024-06-01T12:00:00.1234567891234Z",
                "2024-06-01T12:00:00.123456789Z",
            ),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
            // A leap second is the last second of a UTC day, read as its 59th.
            ("1998-12-31T23:59:60Z", "1998-12-31T23:59:59Z"),
            ("1998-12-31T15:59:60.25-08:00", "1998-12-31T23:59:59.25Z"),
            ("0000-01-01T00:00:00+23:59", "-000001-12-31T00:01:00Z"),
        ] {
            assert_eq!(at(text).as_deref(), Some(utc), "{text}");
        }
        // The end of year 9999 is beyond jiff's range: its end.
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59Z"),
            Some(jiff::Timestamp::MAX)
        );
    }

    #[test]
    fn what_rfc_3339_does_not_write_is_refused_though_iso_8601_might() {
        for text in [
            "2024-06-01T12:00Z",
            "20240601T120000Z",
            "2024-06-01 12:00:00Z",
            "2024-06-01T12:00:00",
            "2024-06-01T12:00:00+0200",
            "2024-06-01T12:00:00+24:00",
            "2024-06-01T12:00:00+02:60",
            "2024-06-01T24:00:00Z",
            "2024-06-01T12:60:00Z",
            "2024-06-01T12:00:60Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-06-01T12:00:00.Z",
            "2024-06-01T12:00:00ZZ",
            "+2024-06-01T12:00:00Z",
            "２０２４-06-01T12:00:00Z",
            "",
        ] {
            assert_eq!(at(text), None, "{text}");
        }
    }
}
