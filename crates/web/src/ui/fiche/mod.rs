//! `/{lang}/services/{code}`: the fiche with the quote calculator; `…/print` for the fiche alone
//! on paper; `POST …/quote` for the htmx fragment. The view model is in [`view`], the calculator
//! in [`quote`]; this module holds the handlers.

pub mod quote;
pub mod view;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::visibility::{may_quote, may_read, Audience};
use pacta_core::catalogue::Service;
use pacta_core::text::Lang;

use self::quote::{run_quote, FieldError, QuoteForm, QuoteResult};
use self::view::FicheBody;
use super::i18n::{Markup, L};
use super::page::{html, page_in_with, Page, PageError, PageResult};
use crate::snapshot::Snapshot;

pub struct Choice {
    pub code: String,
    pub name: L,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "fiche.html")]
pub struct FichePage {
    pub base: super::page::Base,
    pub body: Markup,
    pub code: String,
    pub name: L,
    pub can_quote: bool,
    pub packs: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub options: Vec<Choice>,
    pub quantity: String,
    pub result: Markup,
    /// The form field the result's error concerns, marked invalid.
    pub error_field: &'static str,
    /// A partner admin's "Subscribe" part of the form.
    pub subscribe: Option<SubscribeView>,
}

/// The "Subscribe" part of the quote form: a start date and the session's CSRF token.
pub struct SubscribeView {
    pub csrf: String,
    pub start_date: String,
    /// Today, the earliest start.
    pub min: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "fiche_print.html")]
pub struct FichePrint {
    pub base: super::page::Base,
    pub body: Markup,
}

/// The fiche's body, rendered once per snapshot and language.
pub fn fiche_html(snapshot: &Snapshot, s: &Service, lang: Lang) -> Result<Markup, PageError> {
    let key = format!("fiche/{}/{}", lang.code(), s.code);
    let body = snapshot.fragment(&key, || {
        FicheBody::build(snapshot, s, lang, 1, false).render()
    })?;
    Ok(Markup(body.to_string()))
}

/// The service of the path, if the public may read it.
fn service<'a>(page: &'a Page, code: &str) -> Option<&'a Service> {
    page.snapshot
        .service(code)
        .filter(|s| may_read(s, Audience::Public))
}

/// The fiche page; `posted` is a quote form sent without JavaScript, shown with its result.
/// The fiche again with the posted form and why the subscription was refused (422).
pub fn page_with_problem(page: &Page, code: &str, form: &QuoteForm, message: String) -> Response {
    match service(page, code) {
        Some(s) => match full_page_with(page, s, Some((form.clone(), None)), Some(message)) {
            Ok(r) => {
                let mut r = r.into_response();
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            }
            Err(e) => e.into_response(),
        },
        None => page.not_found(),
    }
}

fn full_page(
    page: &Page,
    s: &Service,
    posted: Option<(QuoteForm, Option<FieldError>)>,
) -> PageResult {
    full_page_with(page, s, posted, None)
}

fn full_page_with(
    page: &Page,
    s: &Service,
    posted: Option<(QuoteForm, Option<FieldError>)>,
    subscribe_error: Option<String>,
) -> PageResult {
    let (snapshot, lang) = (&page.snapshot, page.lang);
    let body = fiche_html(snapshot, s, lang)?;
    let name = L::new(&s.name, lang);
    let (form, result) = match posted {
        Some((form, problem)) => {
            let result = run_quote(snapshot, s, lang, &form, problem);
            (form, Some(result))
        }
        None => (QuoteForm::initial(s), None),
    };
    let status = result.as_ref().map_or(StatusCode::OK, QuoteResult::status);
    let error_field = result.as_ref().and_then(|r| r.error_field).unwrap_or("");
    let result = match &result {
        Some(r) => Markup(r.render()?),
        None => Markup::default(),
    };
    let choice = |code: &str, name: L, checked: bool| Choice {
        code: code.to_owned(),
        name,
        checked,
    };
    let fiche = FichePage {
        base: page.base(name.text.clone(), "catalogue"),
        code: s.code.clone(),
        name,
        can_quote: may_quote(s, Audience::Public) && !s.packs.is_empty(),
        packs: s
            .packs
            .iter()
            .map(|p| choice(&p.code, L::new(&p.name, lang), p.code == form.pack))
            .collect(),
        levels: snapshot
            .stored
            .catalogue
            .levels
            .iter()
            .filter(|l| s.levels.contains(&l.code))
            .map(|l| choice(&l.code, L::new(&l.name, lang), l.code == form.level))
            .collect(),
        options: s
            .options
            .iter()
            .map(|o| choice(&o.code, L::new(&o.name, lang), form.has_option(&o.code)))
            .collect(),
        quantity: form.quantity.clone(),
        result,
        error_field,
        body,
        subscribe: (s.status == pacta_core::catalogue::Lifecycle::Published
            && super::subscriptions::may_subscribe(page))
        .then(|| {
            let today = pacta_core::subscription::today(page.now).to_string();
            SubscribeView {
                csrf: page.caller.csrf(),
                start_date: if form.start_date.is_empty() {
                    today.clone()
                } else {
                    form.start_date.clone()
                },
                min: today,
                error: subscribe_error,
            }
        }),
    };
    Ok(page_in_with(status, lang, &fiche))
}

pub async fn page(page: Page, Path((_, code)): Path<(String, String)>) -> Response {
    match service(&page, &code) {
        Some(s) => full_page(&page, s, None).into_response(),
        None => page.not_found(),
    }
}

/// The quote form posted without JavaScript: the whole page again, with the result (422 when
/// the choice is refused).
pub async fn page_post(
    page: Page,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match service(&page, &code) {
        Some(s) => full_page(&page, s, Some(QuoteForm::parse(&headers, &body))).into_response(),
        None => page.not_found(),
    }
}

/// The htmx fragment: only the result (422 when the choice is refused).
pub async fn quote_fragment(
    page: Page,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match service(&page, &code) {
        Some(s) => {
            let (form, problem) = QuoteForm::parse(&headers, &body);
            let result = run_quote(&page.snapshot, s, page.lang, &form, problem);
            html(result.status(), &result)
        }
        None => page.not_found(),
    }
}

/// One fiche on its own, for printing.
pub async fn print(page: Page, Path((_, code)): Path<(String, String)>) -> Response {
    let Some(s) = service(&page, &code) else {
        return page.not_found();
    };
    let made = fiche_html(&page.snapshot, s, page.lang).map(|body| {
        let print = FichePrint {
            base: page.base(L::new(&s.name, page.lang).text, ""),
            body,
        };
        page_in_with(StatusCode::OK, page.lang, &print)
    });
    made.unwrap_or_else(IntoResponse::into_response)
}
