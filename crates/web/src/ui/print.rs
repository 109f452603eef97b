//! `/{lang}/catalogue/print`: the printable catalogue, one document — title page with the edition
//! date, table of contents, introduction, general support, then every published fiche. The same
//! document is what `pacta catalogue render` writes (with the CSS inlined) and prints to PDF.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use pacta_core::catalogue::Lifecycle;
use pacta_core::text::Lang;

use super::fiche::FicheBody;
use super::i18n::{md, Markup, Tr, L};
use super::support::SupportBody;
use super::{page_in, path_lang, rest_of, statics, Base};
use crate::snapshot::Snapshot;
use crate::state::AppState;

pub struct TocEntry {
    pub code: String,
    pub name: L,
}

pub struct TocCategory {
    pub name: L,
    pub entries: Vec<TocEntry>,
}

#[derive(Template)]
#[template(path = "catalogue_print.html")]
pub struct CataloguePrint {
    pub base: Base,
    pub heading: L,
    pub edition: String,
    pub toc: Vec<TocCategory>,
    pub basic_offer: Markup,
    pub personalised: Markup,
    pub support: Markup,
    pub fiches: Vec<Markup>,
}

/// The printable catalogue in a language. `self_contained` inlines the CSS (for `render`).
pub fn document(
    snapshot: &Snapshot,
    lang: Lang,
    rest: &str,
    self_contained: bool,
) -> CataloguePrint {
    let t = Tr(lang);
    let cat = &snapshot.stored.catalogue;
    let profile = cat.profile.as_ref();
    let heading = profile
        .map(|p| L::new(&p.catalogue_title, lang))
        .filter(|l| !l.is_empty())
        .unwrap_or(L {
            text: t.s("site-name"),
            lang: None,
        });
    let mut base = Base::new(snapshot, lang, heading.text.clone(), rest, "");
    if self_contained {
        base.inline_css = Some(statics::CSS);
    }
    let published: Vec<usize> = snapshot
        .order
        .iter()
        .copied()
        .filter(|&i| cat.services[i].status == Lifecycle::Published)
        .collect();
    let mut toc: Vec<TocCategory> = Vec::new();
    for &i in &published {
        let s = &cat.services[i];
        let name = cat
            .categories
            .iter()
            .find(|c| c.code == s.category)
            .map(|c| L::new(&c.name, lang))
            .unwrap_or_default();
        let entry = TocEntry {
            code: s.code.clone(),
            name: L::new(&s.name, lang),
        };
        match toc.last_mut() {
            Some(last) if last.name.text == name.text => last.entries.push(entry),
            _ => toc.push(TocCategory {
                name,
                entries: vec![entry],
            }),
        }
    }
    CataloguePrint {
        edition: base.edition.clone(),
        base,
        heading,
        toc,
        basic_offer: profile
            .map(|p| md(&p.basic_offer, lang, 2))
            .unwrap_or_default(),
        personalised: profile
            .map(|p| md(&p.personalised_approach, lang, 2))
            .unwrap_or_default(),
        support: Markup(
            SupportBody::build(snapshot, lang, 1, "support-")
                .render()
                .unwrap_or_default(),
        ),
        fiches: published
            .iter()
            .map(|&i| FicheBody::build(snapshot, &cat.services[i], lang, 1, true).html())
            .collect(),
    }
}

/// The document as HTML, for `pacta catalogue render`.
pub fn render_html(snapshot: &Snapshot, lang: Lang) -> Result<String, askama::Error> {
    document(snapshot, lang, "/catalogue/print", true).render()
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
    page_in(lang, &document(&snapshot, lang, &rest_of(&uri), false))
}
