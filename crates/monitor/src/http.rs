//! The `http` probe: one request, its status, at most [`MAX_BODY`] of its body, its latency.

use std::error::Error as StdError;
use std::time::Duration;

use pacta_core::monitor::HttpCheck;
use regex::Regex;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::probe::{PrepareError, Prober, MAX_BODY};
use crate::resolve::DnsFailure;
use crate::verdict::{millis, Failure, Verdict};

#[derive(Debug, Clone)]
pub(crate) struct HttpTarget {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    /// Empty: any 2xx.
    statuses: Vec<u16>,
    contains: Option<String>,
    pattern: Option<Regex>,
    max_latency: Option<Duration>,
    /// Which of the prober's clients: TLS verified (2) or not (0), redirects followed (1) or not.
    client: usize,
}

pub(crate) fn prepare(
    h: &HttpCheck,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HttpTarget, PrepareError> {
    let url = reqwest::Url::parse(&h.url).map_err(|e| PrepareError::Url(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(PrepareError::Url(format!(
            "`{}` is not http or https",
            url.scheme()
        )));
    }
    let mut headers = HeaderMap::new();
    for (name, secret) in &h.headers {
        let header = |why: String| PrepareError::Header {
            header: name.clone(),
            why,
        };
        let value = env(secret.name()).ok_or_else(|| PrepareError::MissingSecret {
            header: name.clone(),
            var: secret.name().to_owned(),
        })?;
        let name_ = HeaderName::from_bytes(name.as_bytes()).map_err(|e| header(e.to_string()))?;
        let mut value = HeaderValue::from_str(&value).map_err(|e| header(e.to_string()))?;
        value.set_sensitive(true);
        headers.insert(name_, value);
    }
    let pattern = h
        .body_regex
        .as_deref()
        .map(Regex::new)
        .transpose()
        .map_err(|e| PrepareError::Regex(e.to_string()))?;
    let statuses = h
        .expected_statuses
        .iter()
        .map(|&s| {
            u16::try_from(s).map_err(|_| PrepareError::Setting {
                field: "expected_statuses",
                why: format!("{s} is not a status"),
            })
        })
        .collect::<Result<Vec<u16>, _>>()?;
    Ok(HttpTarget {
        method: reqwest::Method::from_bytes(h.method.code().as_bytes()).map_err(|e| {
            PrepareError::Setting {
                field: "method",
                why: e.to_string(),
            }
        })?,
        url,
        headers,
        statuses,
        contains: h.body_contains.clone(),
        pattern,
        max_latency: h
            .max_latency_ms
            .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
        client: usize::from(h.verify_tls) * 2 + usize::from(h.follow_redirects),
    })
}

pub(crate) async fn check(prober: &Prober, t: &HttpTarget) -> Verdict {
    let started = crate::monotonic::now();
    let sent = prober.http[t.client]
        .request(t.method.clone(), t.url.clone())
        .headers(t.headers.clone())
        .send()
        .await;
    let mut answer = match sent {
        Ok(answer) => answer,
        Err(e) => return failure(&e),
    };
    let status = answer.status();
    let mut body: Vec<u8> = Vec::new();
    while body.len() < MAX_BODY {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(e) => {
                return Verdict::failed(
                    Failure::Connect,
                    format!("the body broke off: {}", innermost(&e)),
                )
                .timed(Some(millis(started.elapsed())))
            }
        }
    }
    // The rest of an endless body is never read: the connection is dropped with the answer.
    drop(answer);
    let took = started.elapsed();
    let latency = Some(millis(took));
    let wanted = if t.statuses.is_empty() {
        status.is_success()
    } else {
        t.statuses.contains(&status.as_u16())
    };
    if !wanted {
        let expected = if t.statuses.is_empty() {
            "2xx".to_owned()
        } else {
            t.statuses
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Verdict::failed(Failure::Status, format!("{status}, expected {expected}"))
            .timed(latency);
    }
    if t.contains.is_some() || t.pattern.is_some() {
        let text = String::from_utf8_lossy(&body);
        if let Some(needle) = &t.contains {
            if !text.contains(needle.as_str()) {
                return Verdict::failed(
                    Failure::Body,
                    format!("the body (first {} bytes) lacks \"{needle}\"", body.len()),
                )
                .timed(latency);
            }
        }
        if let Some(pattern) = &t.pattern {
            if !pattern.is_match(&text) {
                return Verdict::failed(
                    Failure::Body,
                    format!(
                        "the body (first {} bytes) does not match /{}/",
                        body.len(),
                        pattern.as_str()
                    ),
                )
                .timed(latency);
            }
        }
    }
    if let Some(limit) = t.max_latency {
        if took > limit {
            return Verdict::failed(
                Failure::Latency,
                format!(
                    "answered in {} ms, over the limit of {} ms",
                    took.as_millis(),
                    limit.as_millis()
                ),
            )
            .timed(latency);
        }
    }
    Verdict::ok(latency)
}

/// The verdict of a request that got no answer: why, from the error's causes.
fn failure(e: &reqwest::Error) -> Verdict {
    if e.is_timeout() {
        return Verdict::failed(Failure::Timeout, "no answer in time");
    }
    let mut source: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(cause) = source {
        if let Some(dns) = cause.downcast_ref::<DnsFailure>() {
            return Verdict::failed(Failure::Dns, dns.0.clone());
        }
        if let Some(tls) = tls_error(cause) {
            return Verdict::failed(Failure::Tls, tls.to_string());
        }
        if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            if h.is_parse() || h.is_parse_status() {
                return Verdict::failed(Failure::Status, format!("not an HTTP answer: {h}"));
            }
        }
        source = cause.source();
    }
    if e.is_redirect() {
        return Verdict::failed(Failure::Status, innermost(e));
    }
    Verdict::failed(Failure::Connect, innermost(e))
}

/// A rustls error among an error's causes: directly, or inside I/O errors (which hide the
/// error they carry from `source()`).
pub(crate) fn tls_error<'a>(cause: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner: &'a (dyn StdError + 'static) = cause.downcast_ref::<std::io::Error>()?.get_ref()?;
    tls_error(inner)
}

/// The deepest cause's message: "Connection refused (os error 111)" rather than reqwest's
/// "error sending request for url (…)".
pub(crate) fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut last: &(dyn StdError + 'static) = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
