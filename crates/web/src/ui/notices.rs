//! The accessibility statement, the privacy notice and the legal notice that a Belgian public
//! sector site owes its readers (DOMAIN §10). Their text is UI text, in the Fluent files.

use askama::Template;
use axum::response::Response;

use super::page::{page_in, Base, Page};

#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub base: Base,
    /// Fluent ids of the paragraphs (`{kind}-p1` …).
    pub paragraphs: Vec<String>,
    pub contact: String,
}

fn notice(page: Page, kind: &'static str) -> Response {
    let t = page.t();
    let paragraphs = (1..=8)
        .map(|i| format!("{kind}-p{i}"))
        .filter_map(|id| t.try_s(&id))
        .collect();
    let contact = page
        .snapshot
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
    let view = Notice {
        base: page.base(t.s(&format!("{kind}-title")), ""),
        paragraphs,
        contact,
    };
    page_in(page.lang, &view)
}

pub async fn accessibility(page: Page) -> Response {
    notice(page, "accessibility")
}

pub async fn privacy(page: Page) -> Response {
    notice(page, "privacy")
}

pub async fn legal(page: Page) -> Response {
    notice(page, "legal")
}
