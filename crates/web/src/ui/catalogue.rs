//! `/{lang}/catalogue?q&category&model&level&page`: search and filter the published services,
//! 50 a page (as the API pages its list), with links to the other pages.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use pacta_core::catalogue::visibility::{is_listed, Audience, Listing};
use pacta_core::catalogue::DeliveryModel;
use pacta_core::text::fold_for_search;
use serde::{Deserialize, Serialize};

use super::i18n::{Tr, L};
use super::names::{category_name, model_name, models, offered_levels};
use super::page::{page_in, Page};
use crate::snapshot::LangChoice;

/// Services on one page of the catalogue.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub level: String,
    /// The page, from 1; anything else than a page that exists answers 404.
    #[serde(default, skip_serializing)]
    pub page: Option<String>,
}

impl Filters {
    fn is_filtered(&self) -> bool {
        !(self.q.trim().is_empty()
            && self.category.is_empty()
            && self.model.is_empty()
            && self.level.is_empty())
    }

    /// The link to page `n` with the same filters (only those set).
    fn href(&self, lang: &str, n: usize) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", self.q.clone()),
            ("category", self.category.clone()),
            ("model", self.model.clone()),
            ("level", self.level.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        if n > 1 {
            pairs.push(("page", n.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            format!("/{lang}/catalogue")
        } else {
            format!("/{lang}/catalogue?{query}")
        }
    }
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

/// A link of the pager: a page number, or a gap (`…`) between distant pages.
pub struct PageLink {
    pub number: usize,
    /// `Page 3`, for screen readers.
    pub label: String,
    pub href: String,
    pub current: bool,
    pub gap: bool,
}

pub struct Pager {
    /// `page 2 of 60`.
    pub position: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
pub struct CataloguePage {
    pub base: super::page::Base,
    pub f: Filters,
    pub categories: Vec<Choice>,
    pub models: Vec<Choice>,
    pub levels: Vec<Choice>,
    /// How many services match, on every page.
    pub total: usize,
    pub cards: Vec<Card>,
    pub filtered: bool,
    pub pager: Option<Pager>,
}

/// The page numbers to link: the first, the last, and two either side of the current one;
/// `href(n)` is the address of page `n`. `None` when there is one page.
pub fn pager(t: Tr, page: usize, pages: usize, href: impl Fn(usize) -> String) -> Option<Pager> {
    if pages <= 1 {
        return None;
    }
    let mut links: Vec<PageLink> = Vec::new();
    for n in 1..=pages {
        let near = n == 1 || n == pages || n.abs_diff(page) <= 2;
        if near {
            links.push(PageLink {
                number: n,
                label: t.a("pager-page", &[("page", n.to_string())]),
                href: href(n),
                current: n == page,
                gap: false,
            });
        } else if links.last().is_some_and(|l| !l.gap) {
            links.push(PageLink {
                number: n,
                label: String::new(),
                href: String::new(),
                current: false,
                gap: true,
            });
        }
    }
    Some(Pager {
        position: t.a(
            "pager-position",
            &[("page", page.to_string()), ("pages", pages.to_string())],
        ),
        previous: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
        links,
    })
}

pub async fn page(page: Page, Query(f): Query<Filters>) -> Response {
    let (snapshot, lang) = (&page.snapshot, page.lang);
    let t = page.t();
    let cat = &snapshot.stored.catalogue;
    let needle = fold_for_search(f.q.trim());
    let matching: Vec<usize> = snapshot
        .order
        .iter()
        .copied()
        .filter(|&i| {
            let s = &cat.services[i];
            is_listed(s, Audience::Public, Listing::default())
                && (needle.is_empty()
                    || snapshot
                        .search_text(i, LangChoice::One(lang))
                        .contains(&needle))
                && (f.category.is_empty() || s.category == f.category)
                && (f.model.is_empty() || s.delivery_models.iter().any(|m| m.code() == f.model))
                && (f.level.is_empty() || s.levels.contains(&f.level))
        })
        .collect();
    let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
    let number = match f.page.as_deref().map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if (1..=pages).contains(&n) => n,
        Some(_) => return page.not_found(),
    };
    let cards = matching
        .iter()
        .skip((number - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|&i| {
            let s = &cat.services[i];
            Card {
                code: s.code.clone(),
                name: L::new(&s.name, lang),
                summary: L::new(&s.summary, lang),
                category: category_name(snapshot, s, lang),
                models: models(t, s),
                levels: offered_levels(snapshot, s, lang),
            }
        })
        .collect();
    let choice = |code: &str, name: L, selected: bool| Choice {
        code: code.to_owned(),
        name,
        selected,
    };
    let view = CataloguePage {
        base: page.base(t.s("catalogue-title"), "catalogue"),
        categories: cat
            .categories
            .iter()
            .map(|c| choice(&c.code, L::new(&c.name, lang), c.code == f.category))
            .collect(),
        models: [DeliveryModel::Paas, DeliveryModel::Saas]
            .iter()
            .map(|m| choice(m.code(), L::plain(model_name(t, *m)), m.code() == f.model))
            .collect(),
        levels: cat
            .levels
            .iter()
            .map(|l| choice(&l.code, L::new(&l.name, lang), l.code == f.level))
            .collect(),
        filtered: f.is_filtered(),
        total: matching.len(),
        pager: pager(t, number, pages, |n| f.href(lang.code(), n)),
        cards,
        f,
    };
    page_in(lang, &view)
}
