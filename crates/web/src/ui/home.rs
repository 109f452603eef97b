//! `/{lang}/`: the catalogue's front door — its introduction and its categories.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use pacta_core::catalogue::Lifecycle;

use super::i18n::{md, Markup, L};
use super::{page_in, path_lang, rest_of, Base};
use crate::state::AppState;

pub struct CategoryLink {
    pub code: String,
    pub name: L,
    pub description: L,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub base: Base,
    pub heading: L,
    pub basic_offer: Markup,
    pub personalised: Markup,
    pub categories: Vec<CategoryLink>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.snapshot();
    let lang = match path_lang(&snapshot, &lang, &headers) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let cat = &snapshot.stored.catalogue;
    let profile = cat.profile.as_ref();
    let heading = profile
        .map(|p| L::new(&p.catalogue_title, lang))
        .unwrap_or_default();
    let title = if heading.is_empty() {
        super::i18n::Tr(lang).s("site-name")
    } else {
        heading.text.clone()
    };
    let page = Home {
        base: Base::new(&snapshot, lang, title, &rest_of(&uri), "home"),
        heading,
        basic_offer: profile
            .map(|p| md(&p.basic_offer, lang, 2))
            .unwrap_or_default(),
        personalised: profile
            .map(|p| md(&p.personalised_approach, lang, 2))
            .unwrap_or_default(),
        categories: cat
            .categories
            .iter()
            .map(|c| CategoryLink {
                code: c.code.clone(),
                name: L::new(&c.name, lang),
                description: L::new(&c.description, lang),
                count: cat
                    .services
                    .iter()
                    .filter(|s| s.category == c.code && s.status == Lifecycle::Published)
                    .count(),
            })
            .filter(|c| c.count > 0)
            .collect(),
    };
    page_in(lang, &page)
}
