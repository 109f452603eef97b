//! The vendored assets, embedded in the binary: one CSS file and htmx. Their names carry a hash
//! of their content, so they are served with a year-long, immutable cache header.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The stylesheet (screen and print).
pub const CSS: &str = include_str!("../../static/pacta.css");
/// htmx 2, from the `htmx.org` npm package (BSD-2-Clause, `static/htmx-LICENSE`).
pub const HTMX: &str = include_str!("../../static/htmx-2.0.11.min.js");

/// FNV-1a: a stable content hash for cache busting (not for security).
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

static CSS_NAME: LazyLock<String> =
    LazyLock::new(|| format!("pacta.{:012x}.css", fnv(CSS.as_bytes()) >> 16));
static JS_NAME: LazyLock<String> =
    LazyLock::new(|| format!("htmx.{:012x}.js", fnv(HTMX.as_bytes()) >> 16));

pub fn css_href() -> String {
    format!("/static/{}", *CSS_NAME)
}

pub fn js_href() -> String {
    format!("/static/{}", *JS_NAME)
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = if file == *CSS_NAME {
        (CSS, "text/css; charset=utf-8")
    } else if file == *JS_NAME {
        (HTMX, "text/javascript; charset=utf-8")
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}
