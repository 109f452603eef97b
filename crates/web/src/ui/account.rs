//! Signing in and out, setting a password through a one-time link, and one's account (password,
//! API tokens). Every state-changing form of a signed-in user carries the session's CSRF token;
//! the sign-in form carries one bound to a cookie of its own. Failed sign-ins are throttled per
//! account and per address (429 with `Retry-After`).

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::SignedDuration;
use pacta_core::access::{normalize_email, Action};
use pacta_store::credentials::{check_new_password, hash_password, new_token, verify_password};
use pacta_store::{Scope, Stamp};
use serde::Deserialize;

use super::i18n::Tr;
use super::page::{page_in_with, Base, Page};
use crate::auth::{cookie, csrf_of, set_cookie, SESSION_COOKIE};
use crate::state::AppState;
use crate::throttle::{PER_ACCOUNT, PER_ADDRESS};

/// The sign-in form's CSRF cookie (the form is shown before any session exists).
const LOGIN_COOKIE: &str = "pacta_login";

/// The client's address, when the server knows it (`serve` records it per connection).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A path on this site to go back to after signing in (never another site).
fn safe_next(next: &str, page: &Page) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        format!("/{}/account", page.lang.code())
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub base: Base,
    pub email: String,
    pub next: String,
    pub csrf: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub done: String,
}

/// What the sign-in form shows besides its fields' labels.
#[derive(Default)]
struct LoginState {
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

/// The sign-in page, with a fresh CSRF cookie when it has none.
fn login_page(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    status: StatusCode,
    shown: LoginState,
) -> Response {
    let LoginState {
        email,
        next,
        error,
        notice,
    } = shown;
    let (secret, fresh) = match cookie(headers, LOGIN_COOKIE) {
        Some(s) => (s, false),
        None => (new_token(), true),
    };
    let view = LoginPage {
        base: page.base(page.t().s("login-title"), ""),
        email,
        next,
        csrf: csrf_of(&secret),
        error,
        notice,
    };
    let mut r = page_in_with(status, page.lang, &view);
    if fresh {
        if let Ok(v) = HeaderValue::from_str(&set_cookie(state, LOGIN_COOKIE, &secret, Some(3600)))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// The page a one-time link opens: `{public_url}/{lang}/set-password/{token}`.
pub fn set_password_url(public_url: &str, lang: pacta_core::text::Lang, token: &str) -> String {
    format!("{public_url}/{}/set-password/{token}", lang.code())
}

pub async fn login_form(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if page.caller.is_signed_in() {
        return see_other(&safe_next(&q.next, &page));
    }
    let notice = (q.done == "password").then(|| page.t().s("login-password-set"));
    login_page(
        &state,
        &page,
        &headers,
        StatusCode::OK,
        LoginState {
            email: String::new(),
            next: q.next,
            error: None,
            notice,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub next: String,
}

/// A hash to check unknown accounts against, so an unknown e-mail costs what a wrong password
/// does (no telling which accounts exist by the time of the answer).
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not a password of anyone"))
}

pub async fn login(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = page.t();
    let email = normalize_email(&form.email);
    let csrf_ok =
        cookie(&headers, LOGIN_COOKIE).is_some_and(|secret| csrf_of(&secret) == form.csrf);
    if !csrf_ok {
        let error = Some(t.s("form-expired"));
        return login_page(
            &state,
            &page,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            LoginState {
                email,
                next: form.next,
                error,
                notice: None,
            },
        );
    }
    let now = state.now().as_second();
    let account_key = format!("account:{email}");
    let address_key = addr.map(|a| format!("address:{a}"));
    let throttled = state
        .throttle
        .check(&account_key, PER_ACCOUNT, now)
        .and_then(|()| match &address_key {
            Some(k) => state.throttle.check(k, PER_ADDRESS, now),
            None => Ok(()),
        });
    if let Err(retry) = throttled {
        tracing::warn!(account = %email, "sign-in throttled");
        let error = Some(t.a(
            "login-throttled",
            &[("minutes", ((retry + 59) / 60).to_string())],
        ));
        let mut r = login_page(
            &state,
            &page,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            LoginState {
                email,
                next: form.next,
                error,
                notice: None,
            },
        );
        if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let found = match state.db.user_for_login(&email).await {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (user, hash) = match found {
        Some((user, Some(hash))) if !user.disabled => (Some(user), hash),
        _ => (None, decoy_hash().to_owned()),
    };
    let password = form.password.clone();
    let matches = state
        .hashing(move || verify_password(&password, &hash))
        .await;
    let Some(user) = user.filter(|_| matches) else {
        state.throttle.fail(&account_key, now);
        if let Some(k) = &address_key {
            state.throttle.fail(k, now);
        }
        tracing::warn!(account = %email, "sign-in refused");
        let error = Some(t.s("login-wrong"));
        return login_page(
            &state,
            &page,
            &headers,
            StatusCode::UNAUTHORIZED,
            LoginState {
                email,
                next: form.next,
                error,
                notice: None,
            },
        );
    };
    state.throttle.clear(&account_key);
    let session = match state
        .db
        .create_session(&user.email, Stamp::new(&user.email, state.now()))
        .await
    {
        Ok(s) => s,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let limits = pacta_store::accounts::SessionLimits::default();
    let mut r = see_other(&safe_next(&form.next, &page));
    for c in [
        set_cookie(&state, SESSION_COOKIE, &session, Some(limits.absolute)),
        set_cookie(&state, LOGIN_COOKIE, "", Some(0)),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.caller.csrf_ok(&form.csrf) {
        return see_other(&format!("/{}/", page.lang.code()));
    }
    if let Some(token) = &page.caller.session {
        if let Err(e) = state
            .db
            .end_session(token, Stamp::new(&page.caller.name, state.now()))
            .await
        {
            return crate::error::ApiError::from(e).into_response();
        }
    }
    let mut r = see_other(&format!("/{}/", page.lang.code()));
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&state, SESSION_COOKIE, "", Some(0))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "set_password.html")]
pub struct SetPasswordPage {
    pub base: Base,
    pub email: String,
    pub action: String,
    pub error: Option<String>,
    pub valid: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

fn set_password_page(
    page: &Page,
    token: &str,
    email: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let view = SetPasswordPage {
        base: page.base(page.t().s("set-password-title"), ""),
        valid: email.is_some(),
        email: email.unwrap_or_default(),
        action: format!("/{}/set-password/{token}", page.lang.code()),
        error,
    };
    page_in_with(status, page.lang, &view)
}

/// A new password's problem, in the reader's language.
fn new_password_problem(t: Tr, password: &str, confirm: &str) -> Option<String> {
    if password != confirm {
        return Some(t.s("password-mismatch"));
    }
    check_new_password(password)
        .err()
        .map(|_| t.s("password-too-short"))
}

pub async fn set_password_form(
    State(state): State<AppState>,
    page: Page,
    Path((_, token)): Path<(String, String)>,
) -> Response {
    match state.db.link_user(&token, state.now().as_second()).await {
        Ok(Some((user, _))) => {
            set_password_page(&page, &token, Some(user.email), None, StatusCode::OK)
        }
        Ok(None) => set_password_page(&page, &token, None, None, StatusCode::NOT_FOUND),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

pub async fn set_password(
    State(state): State<AppState>,
    page: Page,
    Path((_, token)): Path<(String, String)>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let user = match state.db.link_user(&token, state.now().as_second()).await {
        Ok(Some((user, _))) => user,
        Ok(None) => return set_password_page(&page, &token, None, None, StatusCode::NOT_FOUND),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    if let Some(problem) = new_password_problem(page.t(), &form.password, &form.confirm) {
        return set_password_page(
            &page,
            &token,
            Some(user.email),
            Some(problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let password = form.password;
    let hash = state.hashing(move || hash_password(&password)).await;
    match state
        .db
        .set_password_by_link(&token, &hash, Stamp::new(&user.email, state.now()))
        .await
    {
        Ok(Some(_)) => see_other(&format!("/{}/login?done=password", page.lang.code())),
        Ok(None) => set_password_page(&page, &token, None, None, StatusCode::NOT_FOUND),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// An API token as the account page lists it.
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub base: Base,
    pub email: String,
    pub name: String,
    pub partner: String,
    pub roles: Vec<String>,
    pub csrf: String,
    pub tokens: Vec<TokenRow>,
    /// A token just created, shown this once.
    pub new_token: Option<String>,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// Whether the user may have API tokens at all.
    pub may_tokens: bool,
}

/// The account page of the signed-in user; the sign-in page for anyone else.
async fn account_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    new_token: Option<String>,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let caller = &page.caller;
    let user = match state.db.user(Scope::All, &caller.name).await {
        Ok(Some(u)) => u,
        Ok(None) => return see_other(&format!("/{0}/login?next=/{0}/account", page.lang.code())),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let t = page.t();
    let tokens = match state.db.list_tokens(Some(&user.email)).await {
        Ok(list) => list,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let when = |s: i64| {
        jiff::Timestamp::from_second(s)
            .map(|t| super::format::date(t.to_zoned(jiff::tz::TimeZone::UTC).date(), page.lang))
            .unwrap_or_default()
    };
    let now = state.now().as_second();
    let view = AccountPage {
        base: page.base(t.s("account-title"), "account"),
        email: user.email.clone(),
        name: user.name.clone(),
        partner: user.partner.clone().unwrap_or_default(),
        roles: user.roles.iter().map(ToString::to_string).collect(),
        csrf: caller.csrf(),
        tokens: tokens
            .iter()
            .map(|tk| {
                let (state_text, active) = match (tk.revoked_at, tk.expires_at) {
                    (Some(at), _) => (t.a("token-revoked", &[("date", when(at))]), false),
                    (None, Some(at)) if at <= now => {
                        (t.a("token-expired", &[("date", when(at))]), false)
                    }
                    (None, Some(at)) => (t.a("token-expires", &[("date", when(at))]), true),
                    (None, None) => (t.s("token-no-expiry"), true),
                };
                TokenRow {
                    id: tk.id.clone(),
                    name: tk.name.clone(),
                    created: when(tk.created_at),
                    state: state_text,
                    active,
                }
            })
            .collect(),
        new_token,
        error,
        notice,
        may_tokens: caller.may(Action::ManageOwnTokens).is_ok(),
    };
    page_in_with(status, page.lang, &view)
}

/// To the sign-in page, coming back to `path` afterwards.
fn to_login(page: &Page, path: &str) -> Response {
    see_other(&format!("/{}/login?next={path}", page.lang.code()))
}

pub async fn account(State(state): State<AppState>, page: Page) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page, &format!("/{}/account", page.lang.code()));
    }
    account_page(&state, &page, StatusCode::OK, None, None, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return to_login(&page, &format!("/{}/account", page.lang.code()));
    }
    if !page.caller.csrf_ok(&form.csrf) {
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.s("form-expired")),
            None,
        )
        .await;
    }
    let hash = match state.db.user_for_login(&page.caller.name).await {
        Ok(Some((_, hash))) => hash.unwrap_or_else(|| decoy_hash().to_owned()),
        Ok(None) => return to_login(&page, &format!("/{}/account", page.lang.code())),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let current = form.current.clone();
    if !state
        .hashing(move || verify_password(&current, &hash))
        .await
    {
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.s("password-current-wrong")),
            None,
        )
        .await;
    }
    if let Some(problem) = new_password_problem(t, &form.password, &form.confirm) {
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(problem),
            None,
        )
        .await;
    }
    let password = form.password;
    let new_hash = state.hashing(move || hash_password(&password)).await;
    if let Err(e) = state
        .db
        .set_password_hash(
            &page.caller.name,
            &new_hash,
            Stamp::new(&page.caller.name, state.now()),
        )
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    account_page(
        &state,
        &page,
        StatusCode::OK,
        None,
        None,
        Some(t.s("password-changed")),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    /// `YYYY-MM-DD` (the end of that day, UTC), or empty: never.
    #[serde(default)]
    pub expires: String,
}

/// How long a token made on the page lasts by default (a year): an expiring token is the safer
/// default for a person.
const DEFAULT_TOKEN_LIFE: SignedDuration = SignedDuration::from_hours(365 * 24);

pub async fn create_token(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewTokenForm>,
) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return to_login(&page, &format!("/{}/account", page.lang.code()));
    }
    if !page.caller.csrf_ok(&form.csrf) {
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.s("form-expired")),
            None,
        )
        .await;
    }
    if page.caller.may(Action::ManageOwnTokens).is_err() {
        return account_page(
            &state,
            &page,
            StatusCode::FORBIDDEN,
            None,
            Some(t.s("token-not-allowed")),
            None,
        )
        .await;
    }
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.s("token-name-needed")),
            None,
        )
        .await;
    }
    let now = state.now();
    let expires = if form.expires.trim().is_empty() {
        now.saturating_add(DEFAULT_TOKEN_LIFE)
            .unwrap_or(now)
            .as_second()
    } else {
        match form.expires.trim().parse::<jiff::civil::Date>() {
            Ok(d) => match d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_second() + 86_400)
            {
                Ok(s) if s > now.as_second() => s,
                _ => {
                    return account_page(
                        &state,
                        &page,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        None,
                        Some(t.s("token-date-wrong")),
                        None,
                    )
                    .await
                }
            },
            Err(_) => {
                return account_page(
                    &state,
                    &page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(t.s("token-date-wrong")),
                    None,
                )
                .await
            }
        }
    };
    match state
        .db
        .create_token(
            &page.caller.name,
            &name,
            Some(expires),
            Stamp::new(&page.caller.name, now),
        )
        .await
    {
        Ok((_, token)) => {
            account_page(&state, &page, StatusCode::OK, Some(token), None, None).await
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page, &format!("/{}/account", page.lang.code()));
    }
    if !page.caller.csrf_ok(&form.csrf) {
        let error = Some(page.t().s("form-expired"));
        return account_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            error,
            None,
        )
        .await;
    }
    match state.db.token_owner(&id).await {
        Ok(Some(owner)) if owner == page.caller.name => {}
        Ok(_) => return page.not_found(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    }
    if let Err(e) = state
        .db
        .revoke_token(&id, Stamp::new(&page.caller.name, state.now()))
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    see_other(&format!("/{}/account", page.lang.code()))
}
