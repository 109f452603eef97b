//! The pages: server-rendered askama templates, one module per page, htmx where a page updates in
//! place (the quote), vendored assets embedded in the binary. Every page is built from the
//! in-memory [`Snapshot`](crate::snapshot::Snapshot), never from a database query.
//!
//! Routes (issue 4): `/` → `/{lang}/`; `/{lang}/`; `/{lang}/catalogue`; `/{lang}/services/{code}`
//! (+ `/print`, + `POST …/quote` for the htmx fragment); `/{lang}/support`; `/{lang}/closures`
//! (+ `.ics`); `/{lang}/catalogue/print`; `/{lang}/accessibility`, `/{lang}/privacy`,
//! `/{lang}/legal`; `/static/…`.

pub mod catalogue;
pub mod closures;
pub mod fiche;
pub mod format;
pub mod home;
pub mod i18n;
pub mod markdown;
pub mod notices;
pub mod print;
pub mod statics;
pub mod support;

use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use pacta_core::text::Lang;

use crate::snapshot::Snapshot;
use crate::state::AppState;
use i18n::{Tr, L};

/// The UI routes, merged into [`crate::app`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/{lang}", get(lang_root))
        .route("/{lang}/", get(home::page))
        .route("/{lang}/catalogue", get(catalogue::page))
        .route("/{lang}/catalogue/print", get(print::page))
        .route(
            "/{lang}/services/{code}",
            get(fiche::page).post(fiche::page_post),
        )
        .route("/{lang}/services/{code}/print", get(fiche::print))
        .route("/{lang}/services/{code}/quote", post(fiche::quote_fragment))
        .route("/{lang}/support", get(support::page))
        .route("/{lang}/closures", get(closures::page))
        .route("/{lang}/closures.ics", get(closures::ics))
        .route("/{lang}/accessibility", get(notices::accessibility))
        .route("/{lang}/privacy", get(notices::privacy))
        .route("/{lang}/legal", get(notices::legal))
        .route("/static/{file}", get(statics::serve))
}

/// The language a visitor prefers: the `lang` cookie, else `Accept-Language`.
pub fn preferred_lang(headers: &HeaderMap) -> Option<Lang> {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("lang="))
        .find_map(Lang::from_code);
    from_cookie.or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
    })
}

/// `/`: to the visitor's language, or a page offering the four.
async fn root(headers: HeaderMap) -> Response {
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

async fn lang_root(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(lang): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    match Lang::from_code(&lang) {
        Some(l) => Redirect::permanent(&format!("/{}/", l.code())).into_response(),
        None => not_found_for(&state.snapshot(), &headers),
    }
}

/// A link of the language switcher, to the same page in another language.
#[derive(Debug, Clone)]
pub struct LangLink {
    pub code: &'static str,
    pub name: String,
    pub href: String,
    pub current: bool,
    pub welcome: String,
}

#[derive(Template)]
#[template(path = "choose_language.html")]
struct ChooseLanguage {
    langs: Vec<LangLink>,
}

/// What every page's frame needs: language, translator, title, switcher, navigation.
#[derive(Debug, Clone)]
pub struct Base {
    pub lang: Lang,
    pub code: &'static str,
    pub t: Tr,
    pub title: String,
    pub switch: Vec<LangLink>,
    /// The current navigation entry (`home`, `catalogue`, `support`, `closures`, or empty).
    pub nav: &'static str,
    /// The CSS inlined (a self-contained document) instead of linked.
    pub inline_css: Option<&'static str>,
    pub css_href: String,
    pub js_href: String,
    pub org: L,
    pub edition: String,
}

impl Base {
    /// `rest` is the path after `/{lang}` (with its query), kept by the language switcher.
    pub fn new(
        snapshot: &Snapshot,
        lang: Lang,
        title: String,
        rest: &str,
        nav: &'static str,
    ) -> Base {
        let profile = snapshot.stored.catalogue.profile.as_ref();
        Base {
            lang,
            code: lang.code(),
            t: Tr(lang),
            title,
            switch: Lang::ALL
                .iter()
                .map(|l| LangLink {
                    code: l.code(),
                    name: Tr(*l).s("lang-name"),
                    href: format!("/{}{}", l.code(), rest),
                    current: *l == lang,
                    welcome: String::new(),
                })
                .collect(),
            nav,
            inline_css: None,
            css_href: statics::css_href(),
            js_href: statics::js_href(),
            org: profile
                .map(|p| L::new(&p.organisation, lang))
                .unwrap_or_default(),
            edition: profile
                .map(|p| format::date(p.edition_date, lang))
                .unwrap_or_default(),
        }
    }
}

impl Base {
    /// The running header of printed pages, as the body of a CSS string: every character outside
    /// a small safe set is written as a CSS hex escape, so no title can end the string or the
    /// `<style>` element.
    pub fn css_title(&self) -> i18n::Markup {
        let mut out = String::new();
        let text = if self.edition.is_empty() {
            self.title.clone()
        } else {
            format!("{} — {}", self.title, self.edition)
        };
        for c in text.chars() {
            if c.is_alphanumeric() && (c as u32) < 0x80 || c == ' ' {
                out.push(c);
            } else {
                out.push_str(&format!("\\{:x} ", c as u32));
            }
        }
        i18n::Markup(out)
    }
}

/// Renders a template into a response, with the security headers of a page.
pub fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A page in a language: remembers the language in the `lang` cookie, so `/` goes there next time.
pub fn page_in<T: Template>(lang: Lang, page: &T) -> Response {
    let mut r = html(StatusCode::OK, page);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    base: Base,
}

/// The 404 page in a language.
pub fn not_found(snapshot: &Snapshot, lang: Lang) -> Response {
    let t = Tr(lang);
    let page = NotFound {
        base: Base::new(snapshot, lang, t.s("not-found-title"), "/", ""),
    };
    html(StatusCode::NOT_FOUND, &page)
}

/// The 404 page in the visitor's preferred language (an unknown language in the URL).
pub fn not_found_for(snapshot: &Snapshot, headers: &HeaderMap) -> Response {
    not_found(snapshot, preferred_lang(headers).unwrap_or(Lang::En))
}

/// The language of a path segment, or the 404 page.
pub fn path_lang(
    snapshot: &Snapshot,
    code: &str,
    headers: &HeaderMap,
) -> Result<Lang, Box<Response>> {
    Lang::from_code(code).ok_or_else(|| Box::new(not_found_for(snapshot, headers)))
}

/// The rest of a request path after `/{lang}`, with its query: what the switcher keeps.
pub fn rest_of(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let rest = path
        .strip_prefix('/')
        .and_then(|p| p.find('/').map(|i| &p[i..]))
        .unwrap_or("/");
    match uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    }
}
