//! `/`: the visitor's language, or a page offering the four; `/{lang}/`: the catalogue's front
//! door — its introduction and its categories.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pacta_core::catalogue::visibility::{is_listed, Audience, Listing};
use pacta_core::text::Lang;

use super::i18n::{md, Markup, Tr, L};
use super::page::{html, not_found_for, page_in, preferred_lang, LangLink, Page};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "choose_language.html")]
struct ChooseLanguage {
    langs: Vec<LangLink>,
}

/// `/`: to the visitor's language, or a page offering the four.
pub async fn root(headers: HeaderMap) -> Response {
    match preferred_lang(&headers) {
        Some(lang) => {
            let mut r = Redirect::to(&format!("/{}/", lang.code())).into_response();
            r.headers_mut().insert(
                header::VARY,
                HeaderValue::from_static("cookie, accept-language"),
            );
            r
        }
        None => {
            let page = ChooseLanguage {
                langs: Lang::ALL
                    .iter()
                    .map(|l| LangLink {
                        code: l.code(),
                        name: Tr(*l).s("lang-name"),
                        href: format!("/{}/", l.code()),
                        current: false,
                        welcome: Tr(*l).s("choose-language"),
                    })
                    .collect(),
            };
            html(StatusCode::OK, &page)
        }
    }
}

/// `/{lang}` without its slash.
pub async fn lang_root(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    match Lang::from_code(&lang) {
        Some(l) => Redirect::permanent(&format!("/{}/", l.code())).into_response(),
        None => not_found_for(&state.snapshot(), &headers),
    }
}

pub struct CategoryLink {
    pub code: String,
    pub name: L,
    pub description: L,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub base: super::page::Base,
    pub heading: L,
    pub basic_offer: Markup,
    pub personalised: Markup,
    pub categories: Vec<CategoryLink>,
}

pub async fn page(page: Page) -> Response {
    let (cat, lang) = (&page.snapshot.stored.catalogue, page.lang);
    let profile = cat.profile.as_ref();
    let heading = profile
        .map(|p| L::new(&p.catalogue_title, lang))
        .unwrap_or_default();
    let title = if heading.is_empty() {
        page.t().s("site-name")
    } else {
        heading.text.clone()
    };
    let home = Home {
        base: page.base(title, "home"),
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
                    .filter(|s| {
                        s.category == c.code && is_listed(s, Audience::Public, Listing::default())
                    })
                    .count(),
            })
            .filter(|c| c.count > 0)
            .collect(),
    };
    page_in(lang, &home)
}
