//! `/{lang}/catalogue/print`: the printable catalogue, one document — title page with the edition
//! date, table of contents, introduction, general support, then every published fiche. The same
//! document is what `pacta catalogue render` writes (with the CSS inlined) and prints to PDF.

use askama::Template;
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::visibility::{is_listed, Audience, Listing};
use pacta_core::text::Lang;

use super::fiche::view::FicheBody;
use super::i18n::{md, Markup, Tr, L};
use super::names::category_name;
use super::page::{page_in, Base, Page};
use super::statics;
use super::support::SupportBody;
use crate::snapshot::Snapshot;

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
) -> Result<CataloguePrint, askama::Error> {
    let t = Tr(lang);
    let cat = &snapshot.stored.catalogue;
    let profile = cat.profile.as_ref();
    let heading = profile
        .map(|p| L::new(&p.catalogue_title, lang))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| L::plain(t.s("site-name")));
    let mut base = Base::new(snapshot, lang, heading.text.clone(), rest, "");
    if self_contained {
        base.inline_css = Some(statics::CSS);
    }
    let published: Vec<usize> = snapshot
        .order
        .iter()
        .copied()
        .filter(|&i| is_listed(&cat.services[i], Audience::Public, Listing::default()))
        .collect();
    let mut toc: Vec<TocCategory> = Vec::new();
    for &i in &published {
        let s = &cat.services[i];
        let name = category_name(snapshot, s, lang);
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
    let fiches = published
        .iter()
        .map(|&i| FicheBody::build(snapshot, &cat.services[i], lang, 1, true).render())
        .map(|r| r.map(Markup))
        .collect::<Result<_, _>>()?;
    Ok(CataloguePrint {
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
        support: Markup(SupportBody::build(snapshot, lang, 1, "support-").render()?),
        fiches,
    })
}

/// The document as HTML, for `pacta catalogue render`.
pub fn render_html(snapshot: &Snapshot, lang: Lang) -> Result<String, askama::Error> {
    document(snapshot, lang, "/catalogue/print", true)?.render()
}

pub async fn page(page: Page) -> Response {
    match document(&page.snapshot, page.lang, &page.rest, false) {
        Ok(doc) => page_in(page.lang, &doc),
        Err(e) => super::page::PageError::from(e).into_response(),
    }
}
