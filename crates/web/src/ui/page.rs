//! What every page shares: the request's language and snapshot ([`Page`], an extractor), the
//! frame ([`Base`]), rendering with the page's headers, and the 404 and 500 pages.

use std::sync::Arc;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use pacta_core::text::Lang;

use super::i18n::{Markup, Tr, L};
use super::{format, statics};
use crate::auth::Caller;
use crate::error::cause_chain;
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// A page request under `/{lang}/…`: the language of its path, the snapshot it is built from,
/// and the rest of its path (what the language switcher keeps). An unknown language answers the
/// 404 page in the visitor's preferred language.
pub struct Page {
    pub snapshot: Arc<Snapshot>,
    pub lang: Lang,
    /// The path after `/{lang}`, with its query.
    pub rest: String,
    /// Who reads: the session's user, or the anonymous.
    pub caller: Caller,
    /// "Now", from the application's clock.
    pub now: jiff::Timestamp,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Page, Response> {
        let snapshot = state.snapshot();
        let segment = parts.uri.path().split('/').nth(1).unwrap_or("");
        match Lang::from_code(segment) {
            Some(lang) => Ok(Page {
                rest: rest_of(&parts.uri),
                caller: Caller::of_session(state, &parts.headers).await,
                now: state.now(),
                snapshot,
                lang,
            }),
            None => Err(not_found_for(&snapshot, &parts.headers)),
        }
    }
}

impl Page {
    /// The frame of this page: `nav` is the current navigation entry (or empty).
    pub fn base(&self, title: String, nav: &'static str) -> Base {
        let mut base = Base::new(&self.snapshot, self.lang, title, &self.rest, nav);
        if self.caller.is_signed_in() {
            base.signed_in = Some(SignedIn {
                email: self.caller.name.clone(),
                csrf: self.caller.csrf(),
            });
            base.admin_nav = self.admin_nav();
        }
        base
    }

    pub fn t(&self) -> Tr {
        Tr(self.lang)
    }

    /// The administration pages the signed-in reader may open.
    fn admin_nav(&self) -> Vec<NavLink> {
        use pacta_core::access::{Action, Actor};
        let caller = &self.caller;
        let own = match &caller.actor {
            Actor::User(u) => u.partner.clone(),
            _ => None,
        };
        let staff = caller.actor.is_staff();
        let links: [(&'static str, &str, bool); 15] = [
            ("my-home", "home", true),
            ("dashboard", "dashboard", staff || own.is_some()),
            ("admin-overview", "admin/overview", staff),
            ("tickets", "tickets", staff || own.is_some()),
            ("queue", "queue", caller.may(Action::ReadQueue).is_ok()),
            ("oncall", "oncall", caller.may(Action::ManageRoster).is_ok()),
            ("compliance", "compliance", staff || own.is_some()),
            ("maintenance", "maintenance", staff || own.is_some()),
            ("admin-subscriptions", "admin/subscriptions", staff),
            ("admin-monitors", "admin/monitors", staff),
            ("admin-incidents", "admin/incidents", staff),
            (
                "admin-users",
                "admin/users",
                caller.may(Action::ListUsers).is_ok() && staff,
            ),
            (
                "my-users",
                "my/users",
                own.as_deref().is_some_and(|p| {
                    caller
                        .may(Action::ManagePartnerUsers { partner: p })
                        .is_ok()
                }),
            ),
            ("admin-partners", "admin/partners", staff || own.is_some()),
            (
                "admin-audit",
                "admin/audit",
                caller.may(Action::ReadAudit).is_ok(),
            ),
        ];
        links
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(key, path, _)| NavLink {
                key,
                href: format!("/{}/{path}", self.lang.code()),
                label: self.t().s(&format!("nav-{key}")),
            })
            .collect()
    }

    /// The 404 page in this page's language.
    pub fn not_found(&self) -> Response {
        not_found(&self.snapshot, self.lang)
    }
}

/// Why a page could not be made: answered with the 500 page (and logged), never an empty 200.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("a template failed to render")]
    Render(#[from] askama::Error),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        tracing::error!(error = %cause_chain(&self), "page failed");
        internal_error()
    }
}

pub type PageResult = Result<Response, PageError>;

/// A link of the language switcher, to the same page in another language.
#[derive(Debug, Clone)]
pub struct LangLink {
    pub code: &'static str,
    pub name: String,
    pub href: String,
    pub current: bool,
    pub welcome: String,
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
    /// The signed-in user, for the header's account link and sign-out button.
    pub signed_in: Option<SignedIn>,
    /// The administration pages the reader may open, for the navigation.
    pub admin_nav: Vec<NavLink>,
}

/// A link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub key: &'static str,
    pub href: String,
    pub label: String,
}

/// Who is signed in, as the frame shows it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub email: String,
    /// The CSRF token the sign-out form carries.
    pub csrf: String,
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
            signed_in: None,
            admin_nav: Vec::new(),
        }
    }

    /// The running header of printed pages, as the body of a CSS string: every character outside
    /// a small safe set is written as a CSS hex escape, so no title can end the string or the
    /// `<style>` element.
    pub fn css_title(&self) -> Markup {
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
        Markup(out)
    }
}

/// Renders a template into a response with `status`; a template that fails gives the 500 page.
pub fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// A page in a language: remembers the language in the `lang` cookie, so `/` goes there next time.
pub fn page_in<T: Template>(lang: Lang, page: &T) -> Response {
    page_in_with(StatusCode::OK, lang, page)
}

/// [`page_in`] with another status (a form answered 422 with its errors).
pub fn page_in_with<T: Template>(status: StatusCode, lang: Lang, page: &T) -> Response {
    let mut r = html(status, page);
    if r.status() == status {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        )) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
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

/// The 500 page: plain HTML made without a template (a template is what may have failed), in
/// the four languages, with no detail of the cause (that is in the log).
pub fn internal_error() -> Response {
    const PAGE: &str = concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Internal error · Pacta</title></head>\n<body>\n<main>\n",
        "<h1>Internal error</h1>\n",
        "<p>This page could not be made. The error has been logged; please try again later.</p>\n",
        "<p lang=\"nl\">Deze pagina kon niet worden gemaakt. De fout is gelogd; probeer het later opnieuw.</p>\n",
        "<p lang=\"fr\">Cette page n'a pas pu être produite. L'erreur a été enregistrée ; veuillez réessayer plus tard.</p>\n",
        "<p lang=\"de\">Diese Seite konnte nicht erstellt werden. Der Fehler wurde protokolliert; bitte versuchen Sie es später erneut.</p>\n",
        "</main>\n</body>\n</html>\n"
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(PAGE)).into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A template whose rendering fails, as one does when a value cannot be written.
    #[derive(Template)]
    #[template(source = "<p>{{ value }}</p>", ext = "html")]
    struct Failing {
        value: Unwritable,
    }

    struct Unwritable;

    impl std::fmt::Display for Unwritable {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }

    #[tokio::test]
    async fn a_template_that_fails_answers_the_500_page_not_an_empty_200() {
        let r = page_in(Lang::Nl, &Failing { value: Unwritable });
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.headers().get(header::SET_COOKIE).is_none());
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("<h1>Internal error</h1>"), "{body}");
        assert!(body.contains("lang=\"nl\""));
    }
}
