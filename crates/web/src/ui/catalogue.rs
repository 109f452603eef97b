//! `/{lang}/catalogue?q&category&model&level`: search and filter the published services.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use pacta_core::catalogue::{DeliveryModel, Lifecycle};
use pacta_core::text::fold_for_search;
use serde::Deserialize;

use super::i18n::{Tr, L};
use super::{page_in, path_lang, rest_of, Base};
use crate::snapshot::LangChoice;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub level: String,
}

pub struct Choice {
    pub code: String,
    pub name: L,
    pub selected: bool,
}

pub struct Card {
    pub code: String,
    pub name: L,
    pub summary: L,
    pub category: L,
    pub models: String,
    pub levels: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
pub struct CataloguePage {
    pub base: Base,
    pub f: Filters,
    pub categories: Vec<Choice>,
    pub models: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub cards: Vec<Card>,
    pub filtered: bool,
}

pub fn model_name(t: Tr, m: DeliveryModel) -> String {
    t.s(&format!("model-{}", m.code()))
}

pub async fn page(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(f): Query<Filters>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.snapshot();
    let lang = match path_lang(&snapshot, &lang, &headers) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let t = Tr(lang);
    let cat = &snapshot.stored.catalogue;
    let needle = fold_for_search(f.q.trim());
    let level_name = |code: &str| {
        cat.levels
            .iter()
            .find(|l| l.code == code)
            .map(|l| L::new(&l.name, lang).text)
            .unwrap_or_else(|| code.to_owned())
    };
    let mut cards = Vec::new();
    for &i in &snapshot.order {
        let s = &cat.services[i];
        if s.status != Lifecycle::Published {
            continue;
        }
        if !needle.is_empty()
            && !snapshot
                .search_text(i, LangChoice::One(lang))
                .contains(&needle)
        {
            continue;
        }
        if !f.category.is_empty() && s.category != f.category {
            continue;
        }
        if !f.model.is_empty() && !s.delivery_models.iter().any(|m| m.code() == f.model) {
            continue;
        }
        if !f.level.is_empty() && !s.levels.contains(&f.level) {
            continue;
        }
        cards.push(Card {
            code: s.code.clone(),
            name: L::new(&s.name, lang),
            summary: L::new(&s.summary, lang),
            category: cat
                .categories
                .iter()
                .find(|c| c.code == s.category)
                .map(|c| L::new(&c.name, lang))
                .unwrap_or_default(),
            models: s
                .delivery_models
                .iter()
                .map(|m| model_name(t, *m))
                .collect::<Vec<_>>()
                .join(", "),
            levels: cat
                .levels
                .iter()
                .filter(|l| s.levels.contains(&l.code))
                .map(|l| level_name(&l.code))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let page = CataloguePage {
        base: Base::new(
            &snapshot,
            lang,
            t.s("catalogue-title"),
            &rest_of(&uri),
            "catalogue",
        ),
        categories: cat
            .categories
            .iter()
            .map(|c| Choice {
                code: c.code.clone(),
                name: L::new(&c.name, lang),
                selected: c.code == f.category,
            })
            .collect(),
        models: [DeliveryModel::Paas, DeliveryModel::Saas]
            .iter()
            .map(|m| Choice {
                code: m.code().to_owned(),
                name: L {
                    text: model_name(t, *m),
                    lang: None,
                },
                selected: m.code() == f.model,
            })
            .collect(),
        levels: cat
            .levels
            .iter()
            .map(|l| Choice {
                code: l.code.clone(),
                name: L::new(&l.name, lang),
                selected: l.code == f.level,
            })
            .collect(),
        filtered: !(needle.is_empty()
            && f.category.is_empty()
            && f.model.is_empty()
            && f.level.is_empty()),
        cards,
        f,
    };
    page_in(lang, &page)
}
