//! The accessibility statement, the privacy notice and the legal notice that a Belgian public
//! sector site owes its readers (DOMAIN §10). Their text is UI text, in the Fluent files.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::i18n::Tr;
use super::{page_in, path_lang, rest_of, Base};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub base: Base,
    /// Fluent ids of the paragraphs (`{kind}-p1` …).
    pub paragraphs: Vec<String>,
    pub contact: String,
}

async fn notice(
    state: AppState,
    lang: String,
    headers: HeaderMap,
    uri: Uri,
    kind: &'static str,
) -> Response {
    let snapshot = state.snapshot();
    let lang = match path_lang(&snapshot, &lang, &headers) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let t = Tr(lang);
    let paragraphs = (1..=8)
        .map(|i| format!("{kind}-p{i}"))
        .filter_map(|id| t.try_s(&id))
        .collect();
    let contact = snapshot
        .stored
        .catalogue
        .profile
        .as_ref()
        .and_then(|p| {
            p.contacts
                .iter()
                .find(|c| c.role == "central-helpdesk")
                .and_then(|c| c.email.clone())
        })
        .unwrap_or_default();
    let page = Notice {
        base: Base::new(
            &snapshot,
            lang,
            t.s(&format!("{kind}-title")),
            &rest_of(&uri),
            "",
        ),
        paragraphs,
        contact,
    };
    page_in(lang, &page)
}

pub async fn accessibility(
    State(s): State<AppState>,
    Path(l): Path<String>,
    h: HeaderMap,
    u: Uri,
) -> Response {
    notice(s, l, h, u, "accessibility").await
}

pub async fn privacy(
    State(s): State<AppState>,
    Path(l): Path<String>,
    h: HeaderMap,
    u: Uri,
) -> Response {
    notice(s, l, h, u, "privacy").await
}

pub async fn legal(
    State(s): State<AppState>,
    Path(l): Path<String>,
    h: HeaderMap,
    u: Uri,
) -> Response {
    notice(s, l, h, u, "legal").await
}
