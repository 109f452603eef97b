//! The administration pages (issue 8): users (`/{lang}/admin/users`, and a partner admin's
//! `/{lang}/my/users`), partners (`/{lang}/admin/partners`, one partner's page) and the audit log
//! (`/{lang}/admin/audit`). Each page shows and offers what `pacta_core::access::decide` allows
//! the signed-in user (through `Caller`), nothing else; every form carries the session's CSRF
//! token; a refused form answers 422 with the page and what is wrong.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use pacta_core::access::{normalize_email, Action, Actor, Grant, OwnAccountError, Role, User};
use pacta_core::partner::{is_partner_code, ContactRole, Partner, PartnerContact};
use pacta_core::text::{Lang, Text};
use pacta_store::accounts::{LinkPurpose, UserFilter};
use pacta_store::audit::AuditFilter;
use pacta_store::{Scope, StoreError};
use serde::Deserialize;

use super::account::set_password_url;
use super::i18n::L;
use super::page::{page_in_with, Base, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// The page for someone the rules refuse: sign in first, or 403/404 as the API says.
fn refused(page: &Page, e: ApiError) -> Response {
    if !page.caller.is_signed_in() {
        let back = format!("/{}{}", page.lang.code(), page.rest);
        return Redirect::to(&format!("/{}/login?next={back}", page.lang.code())).into_response();
    }
    if e.status == StatusCode::NOT_FOUND {
        return page.not_found();
    }
    denied(page)
}

/// The 403 page.
pub fn denied(page: &Page) -> Response {
    let view = Denied {
        base: page.base(page.t().s("denied-title"), ""),
    };
    page_in_with(StatusCode::FORBIDDEN, page.lang, &view)
}

#[derive(Template)]
#[template(path = "denied.html")]
struct Denied {
    base: Base,
}

/// A store error as the page says it: a problem of the input (422) or a bug (500).
fn store_problem(e: StoreError) -> Result<String, Box<Response>> {
    match e {
        StoreError::Invalid { message, .. } => Ok(message),
        StoreError::Duplicate { .. } | StoreError::Rejected(_) | StoreError::NotFound { .. } => {
            Ok(e.to_string())
        }
        other => Err(Box::new(ApiError::from(other).into_response())),
    }
}

// ------------------------------------------------------------------------------------------------
// Users

pub struct UserRow {
    pub email: String,
    pub name: String,
    pub partner: String,
    pub roles: String,
    pub disabled: bool,
    /// Whether the reader may change this user.
    pub manageable: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub base: Base,
    /// Where the forms post: `/{lang}/admin/users` or `/{lang}/my/users`.
    pub path: String,
    pub heading: String,
    pub csrf: String,
    pub rows: Vec<UserRow>,
    /// The partners the reader may add users to; empty when only its own partner.
    pub partners: Vec<Choice>,
    /// Whether the reader may add provider users.
    pub may_add_staff: bool,
    /// The roles a new user may get here (a partner admin: partner roles only).
    pub roles: Vec<Choice>,
    /// Whether roles are typed (`ROLE[:SCOPE,…]`, the provider's page) or chosen (a partner's).
    pub typed_roles: bool,
    pub may_add: bool,
    pub invite: Option<String>,
    pub error: Option<String>,
    pub form: NewUserForm,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub roles: String,
}

/// Which users page: the provider's (every user the reader may read) or a partner admin's own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UsersOf {
    All,
    MyPartner,
}

impl UsersOf {
    fn path(self, page: &Page) -> String {
        match self {
            UsersOf::All => format!("/{}/admin/users", page.lang.code()),
            UsersOf::MyPartner => format!("/{}/my/users", page.lang.code()),
        }
    }
}

async fn users_page(
    state: &AppState,
    page: &Page,
    of: UsersOf,
    status: StatusCode,
    invite: Option<String>,
    error: Option<String>,
    form: NewUserForm,
) -> Response {
    let t = page.t();
    let caller = &page.caller;
    let check = match of {
        UsersOf::All => caller.may(Action::ListUsers),
        UsersOf::MyPartner => match page.caller.partner().map(str::to_owned) {
            Some(p) => caller.may(Action::ManagePartnerUsers { partner: &p }),
            None => Err(ApiError::not_found("no partner")),
        },
    };
    if let Err(e) = check {
        return refused(page, e);
    }
    let filter = UserFilter {
        partner: if of == UsersOf::MyPartner {
            page.caller.partner().map(str::to_owned)
        } else {
            None
        },
        role: None,
    };
    let users = match state.db.list_users(Scope::All, &filter).await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let partners = match state.db.list_partners(Scope::All).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rows = users
        .iter()
        .filter(|u| caller.may_read_user(u).is_ok())
        .map(|u| UserRow {
            email: u.email.clone(),
            name: u.name.clone(),
            partner: u.partner.clone().unwrap_or_else(|| "—".into()),
            roles: u
                .roles
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            disabled: u.disabled,
            manageable: caller.may_manage_user(u.partner.as_deref()).is_ok()
                && u.email != caller.name,
        })
        .collect();
    let may_add_staff = caller.may(Action::ManageProviderUsers).is_ok();
    let partner_choices: Vec<Choice> = if of == UsersOf::MyPartner {
        Vec::new()
    } else {
        partners
            .iter()
            .filter(|p| {
                caller
                    .may(Action::ManagePartnerUsers {
                        partner: &p.partner.code,
                    })
                    .is_ok()
            })
            .map(|p| Choice {
                value: p.partner.code.clone(),
                label: format!(
                    "{} — {}",
                    p.partner.code,
                    L::new(&p.partner.name, page.lang).text
                ),
                selected: form.partner == p.partner.code,
            })
            .collect()
    };
    let may_add = match of {
        UsersOf::All => may_add_staff || !partner_choices.is_empty(),
        UsersOf::MyPartner => true,
    };
    let roles = Role::ALL
        .iter()
        .filter(|r| of == UsersOf::All || r.is_partner_role())
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: t
                .try_s(&format!("role-{r}"))
                .unwrap_or_else(|| r.code().to_owned()),
            selected: form.roles == r.code(),
        })
        .collect();
    let heading = match of {
        UsersOf::All => t.s("admin-users-title"),
        UsersOf::MyPartner => t.a(
            "my-users-title",
            &[(
                "partner",
                page.caller.partner().map(str::to_owned).unwrap_or_default(),
            )],
        ),
    };
    let nav = if of == UsersOf::All {
        "admin-users"
    } else {
        "my-users"
    };
    let view = UsersPage {
        base: page.base(heading.clone(), nav),
        path: of.path(page),
        heading,
        csrf: caller.csrf(),
        rows,
        partners: partner_choices,
        may_add_staff,
        roles,
        typed_roles: of == UsersOf::All,
        may_add,
        invite,
        error,
        form,
    };
    page_in_with(status, page.lang, &view)
}

pub async fn users(State(state): State<AppState>, page: Page) -> Response {
    users_page(
        &state,
        &page,
        UsersOf::All,
        StatusCode::OK,
        None,
        None,
        NewUserForm::default(),
    )
    .await
}

pub async fn my_users(State(state): State<AppState>, page: Page) -> Response {
    users_page(
        &state,
        &page,
        UsersOf::MyPartner,
        StatusCode::OK,
        None,
        None,
        NewUserForm::default(),
    )
    .await
}

/// Reads the roles of the form: typed `ROLE[:SCOPE,…]` separated by spaces, or one role chosen.
fn form_roles(text: &str) -> Result<Vec<Grant>, String> {
    let mut grants: Vec<Grant> = text
        .split_whitespace()
        .map(|g| Grant::parse(g).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    grants.sort();
    Ok(grants)
}

async fn add_user(state: AppState, page: Page, of: UsersOf, form: NewUserForm) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return refused(&page, ApiError::unauthorized());
    }
    let fail = |error: String, form: NewUserForm| {
        let (state, page) = (state.clone(), &page);
        async move {
            users_page(
                &state,
                page,
                of,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(error),
                form,
            )
            .await
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return fail(t.s("form-expired"), form).await;
    }
    let partner = match of {
        UsersOf::MyPartner => page.caller.partner().map(str::to_owned),
        UsersOf::All => Some(form.partner.clone()).filter(|p| !p.is_empty()),
    };
    if let Err(e) = page.caller.may_manage_user(partner.as_deref()) {
        return refused(&page, e);
    }
    let roles = match form_roles(&form.roles) {
        Ok(r) => r,
        Err(e) => return fail(e, form).await,
    };
    let partner_lang = match &partner {
        Some(p) => match state.db.partner(Scope::All, p).await {
            Ok(found) => found.map(|p| p.partner.lang),
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => None,
    };
    let user = User {
        email: normalize_email(&form.email),
        name: form.name.trim().to_owned(),
        partner,
        lang: Lang::from_code(&form.lang)
            .or(partner_lang)
            .unwrap_or(page.lang),
        roles,
        disabled: false,
    };
    if let Err(e) = user.check() {
        return fail(e.to_string(), form).await;
    }
    let stamp = page.caller.stamp(&state);
    if let Err(e) = state.db.add_user(&user, None, stamp).await {
        return match store_problem(e) {
            Ok(message) => fail(message, form).await,
            Err(r) => *r,
        };
    }
    let link = match state
        .db
        .issue_link(&user.email, LinkPurpose::Invite, stamp)
        .await
    {
        Ok(token) => set_password_url(state.public_url(), user.lang, &token),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let invite = t.a("user-invited", &[("email", user.email.clone())]);
    users_page(
        &state,
        &page,
        of,
        StatusCode::CREATED,
        Some(format!("{invite}\n{link}")),
        None,
        NewUserForm::default(),
    )
    .await
}

pub async fn add_user_any(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewUserForm>,
) -> Response {
    add_user(state, page, UsersOf::All, form).await
}

pub async fn add_user_mine(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewUserForm>,
) -> Response {
    add_user(state, page, UsersOf::MyPartner, form).await
}

#[derive(Debug, Default, Deserialize)]
pub struct UserChangeForm {
    #[serde(default)]
    pub csrf: String,
    /// `yes` or `no`, for enabling or disabling.
    #[serde(default)]
    pub disabled: String,
    /// The roles, typed or chosen.
    #[serde(default)]
    pub roles: String,
}

async fn change_user(
    state: AppState,
    page: Page,
    of: UsersOf,
    email: String,
    what: &str,
    form: UserChangeForm,
) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return refused(&page, ApiError::unauthorized());
    }
    if !page.caller.csrf_ok(&form.csrf) {
        return users_page(
            &state,
            &page,
            of,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(t.s("form-expired")),
            NewUserForm::default(),
        )
        .await;
    }
    let email = normalize_email(&email);
    let user = match state.db.user(Scope::All, &email).await {
        Ok(Some(u)) => u,
        Ok(None) => return page.not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if let Err(e) = page
        .caller
        .may_read_user(&user)
        .and_then(|()| page.caller.may_manage_user(user.partner.as_deref()))
    {
        return refused(&page, e);
    }
    if of == UsersOf::MyPartner && user.partner != page.caller.partner().map(str::to_owned) {
        return page.not_found();
    }
    let stamp = page.caller.stamp(&state);
    if what == "reset" {
        return match state.db.issue_link(&email, LinkPurpose::Reset, stamp).await {
            Ok(token) => {
                let link = set_password_url(state.public_url(), user.lang, &token);
                let notice = t.a("user-reset-link", &[("email", email.clone())]);
                users_page(
                    &state,
                    &page,
                    of,
                    StatusCode::OK,
                    Some(format!("{notice}\n{link}")),
                    None,
                    NewUserForm::default(),
                )
                .await
            }
            Err(e) => ApiError::from(e).into_response(),
        };
    }
    let own = |after: &User| {
        if page.caller.name == user.email {
            pacta_core::access::check_own_change(&user, after).map_err(|e| match e {
                OwnAccountError::Disable => t.s("user-own-disable"),
                OwnAccountError::DropManagingRole(role) => {
                    t.a("user-own-role", &[("role", role.to_owned())])
                }
            })
        } else {
            Ok(())
        }
    };
    // The change asked for, refused as a whole (422: unreadable roles; 409: locking oneself out).
    let after = match what {
        "disabled" => Ok(User {
            disabled: form.disabled == "yes",
            ..user.clone()
        }),
        _ => form_roles(&form.roles)
            .map(|roles| User {
                roles,
                ..user.clone()
            })
            .map_err(|m| (StatusCode::UNPROCESSABLE_ENTITY, m)),
    }
    .and_then(|after| {
        own(&after)
            .map(|()| after)
            .map_err(|m| (StatusCode::CONFLICT, m))
    });
    let after = match after {
        Ok(after) => after,
        Err((status, message)) => {
            return users_page(
                &state,
                &page,
                of,
                status,
                None,
                Some(message),
                NewUserForm::default(),
            )
            .await
        }
    };
    let done = match what {
        "disabled" => {
            state
                .db
                .set_user_disabled(&email, after.disabled, stamp)
                .await
        }
        _ => state.db.set_user_roles(&email, &after.roles, stamp).await,
    };
    if let Err(e) = done {
        return match store_problem(e) {
            Ok(message) => {
                users_page(
                    &state,
                    &page,
                    of,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(message),
                    NewUserForm::default(),
                )
                .await
            }
            Err(r) => *r,
        };
    }
    Redirect::to(&of.path(&page)).into_response()
}

pub async fn change_user_any(
    State(state): State<AppState>,
    page: Page,
    Path((_, email, what)): Path<(String, String, String)>,
    Form(form): Form<UserChangeForm>,
) -> Response {
    change_user(state, page, UsersOf::All, email, &what, form).await
}

pub async fn change_user_mine(
    State(state): State<AppState>,
    page: Page,
    Path((_, email, what)): Path<(String, String, String)>,
    Form(form): Form<UserChangeForm>,
) -> Response {
    change_user(state, page, UsersOf::MyPartner, email, &what, form).await
}

// ------------------------------------------------------------------------------------------------
// Partners

pub struct PartnerRow {
    pub code: String,
    pub name: L,
    pub lang: String,
    pub local_helpdesk: bool,
    pub prm: String,
}

#[derive(Template)]
#[template(path = "admin_partners.html")]
pub struct PartnersPage {
    pub base: Base,
    pub csrf: String,
    pub rows: Vec<PartnerRow>,
    pub may_create: bool,
    pub error: Option<String>,
    pub form: NewPartnerForm,
    pub langs: Vec<Choice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewPartnerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub local_helpdesk: String,
}

fn lang_choices(selected: &str) -> Vec<Choice> {
    Lang::ALL
        .iter()
        .map(|l| Choice {
            value: l.code().to_owned(),
            label: super::i18n::Tr(*l).s("lang-name"),
            selected: l.code() == selected,
        })
        .collect()
}

async fn partners_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
    form: NewPartnerForm,
) -> Response {
    if !page.caller.is_signed_in() {
        return refused(page, ApiError::unauthorized());
    }
    let scope = match &page.caller.actor {
        Actor::User(u) => u.partner.as_deref().map_or(Scope::All, Scope::Partner),
        _ => Scope::All,
    };
    let partners = match state.db.list_partners(scope).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rows: Vec<PartnerRow> = partners
        .iter()
        .filter(|p| {
            page.caller
                .may(Action::ReadPartner {
                    partner: &p.partner.code,
                })
                .is_ok()
        })
        .map(|p| PartnerRow {
            code: p.partner.code.clone(),
            name: L::new(&p.partner.name, page.lang),
            lang: p.partner.lang.code().to_owned(),
            local_helpdesk: p.partner.local_helpdesk,
            prm: p.partner.prm.clone().unwrap_or_else(|| "—".into()),
        })
        .collect();
    let may_create = page.caller.may(Action::CreatePartner).is_ok();
    if rows.is_empty() && !may_create {
        return refused(page, ApiError::forbidden());
    }
    let langs = lang_choices(if form.lang.is_empty() {
        "en"
    } else {
        &form.lang
    });
    let view = PartnersPage {
        base: page.base(page.t().s("admin-partners-title"), "admin-partners"),
        csrf: page.caller.csrf(),
        rows,
        may_create,
        error,
        form,
        langs,
    };
    page_in_with(status, page.lang, &view)
}

pub async fn partners(State(state): State<AppState>, page: Page) -> Response {
    partners_page(
        &state,
        &page,
        StatusCode::OK,
        None,
        NewPartnerForm::default(),
    )
    .await
}

pub async fn add_partner(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewPartnerForm>,
) -> Response {
    let t = page.t();
    if let Err(e) = page.caller.may(Action::CreatePartner) {
        return refused(&page, e);
    }
    if !page.caller.csrf_ok(&form.csrf) {
        return partners_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.s("form-expired")),
            form,
        )
        .await;
    }
    let lang = Lang::from_code(&form.lang).unwrap_or(Lang::En);
    let code = form.code.trim().to_owned();
    let problem = if !is_partner_code(&code) {
        Some(t.s("partner-code-wrong"))
    } else if form.name.trim().is_empty() {
        Some(t.s("partner-name-needed"))
    } else {
        None
    };
    if let Some(problem) = problem {
        return partners_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
            form,
        )
        .await;
    }
    let partner = Partner {
        code: code.clone(),
        name: Text::new().with(lang, form.name.trim()),
        lang,
        local_helpdesk: form.local_helpdesk == "yes",
        prm: None,
        contacts: Vec::new(),
    };
    if let Err(e) = state
        .db
        .create_partner(&partner, page.caller.stamp(&state))
        .await
    {
        return match store_problem(e) {
            Ok(message) => {
                partners_page(
                    &state,
                    &page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(message),
                    form,
                )
                .await
            }
            Err(r) => *r,
        };
    }
    Redirect::to(&format!("/{}/admin/partners/{code}", page.lang.code())).into_response()
}

pub struct ContactRow {
    pub index: usize,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "admin_partner.html")]
pub struct PartnerPage {
    pub base: Base,
    pub csrf: String,
    pub code: String,
    pub name: L,
    pub name_text: String,
    pub lang: String,
    pub local_helpdesk: bool,
    pub prm: String,
    pub contacts: Vec<ContactRow>,
    pub may_edit: bool,
    pub may_edit_contacts: bool,
    pub langs: Vec<Choice>,
    pub prms: Vec<Choice>,
    pub contact_roles: Vec<Choice>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

async fn partner_page(
    state: &AppState,
    page: &Page,
    code: &str,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    if let Err(e) = page.caller.may(Action::ReadPartner { partner: code }) {
        return refused(page, e);
    }
    let stored = match state.db.partner(Scope::All, code).await {
        Ok(Some(p)) => p,
        Ok(None) => return page.not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let p = &stored.partner;
    let prm_users = match state
        .db
        .list_users(
            Scope::All,
            &UserFilter {
                partner: None,
                role: Some(Role::Prm),
            },
        )
        .await
    {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let t = page.t();
    let mut prms = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: p.prm.is_none(),
    }];
    prms.extend(
        prm_users
            .iter()
            .filter(|u| {
                u.roles
                    .iter()
                    .any(|g| g.role == Role::Prm && g.covers(code))
            })
            .map(|u| Choice {
                value: u.email.clone(),
                label: format!("{} <{}>", u.name, u.email),
                selected: p.prm.as_deref() == Some(u.email.as_str()),
            }),
    );
    let view = PartnerPage {
        base: page.base(L::new(&p.name, page.lang).text, "admin-partners"),
        csrf: page.caller.csrf(),
        code: p.code.clone(),
        name: L::new(&p.name, page.lang),
        name_text: p.name.get(p.lang).unwrap_or_default().to_owned(),
        lang: p.lang.code().to_owned(),
        local_helpdesk: p.local_helpdesk,
        prm: p.prm.clone().unwrap_or_else(|| "—".into()),
        contacts: p
            .contacts
            .iter()
            .enumerate()
            .map(|(index, c)| ContactRow {
                index,
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone().unwrap_or_default(),
                roles: c
                    .roles
                    .iter()
                    .map(|r| {
                        t.try_s(&format!("contact-role-{}", r.code()))
                            .unwrap_or_else(|| r.code().to_owned())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        may_edit: page
            .caller
            .may(Action::EditPartner { partner: code })
            .is_ok(),
        may_edit_contacts: page
            .caller
            .may(Action::EditPartnerContacts { partner: code })
            .is_ok(),
        langs: lang_choices(p.lang.code()),
        prms,
        contact_roles: ContactRole::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: t
                    .try_s(&format!("contact-role-{}", r.code()))
                    .unwrap_or_else(|| r.code().to_owned()),
                selected: false,
            })
            .collect(),
        error,
        notice,
    };
    page_in_with(status, page.lang, &view)
}

pub async fn partner(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
) -> Response {
    partner_page(&state, &page, &code, StatusCode::OK, None, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PartnerEditForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub local_helpdesk: String,
    #[serde(default)]
    pub prm: String,
}

/// Applies `change` to partner `code` (checked, CSRF and all), then shows its page again.
async fn change_partner(
    state: &AppState,
    page: &Page,
    code: &str,
    action: Action<'_>,
    csrf: &str,
    change: impl FnOnce(&mut Partner) -> Result<(), String>,
) -> Response {
    let t = page.t();
    if let Err(e) = page
        .caller
        .may(Action::ReadPartner { partner: code })
        .and_then(|()| page.caller.may(action))
    {
        return refused(page, e);
    }
    if !page.caller.csrf_ok(csrf) {
        return partner_page(
            state,
            page,
            code,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.s("form-expired")),
            None,
        )
        .await;
    }
    let stored = match state.db.partner(Scope::All, code).await {
        Ok(Some(p)) => p,
        Ok(None) => return page.not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut partner = stored.partner;
    if let Err(problem) = change(&mut partner) {
        return partner_page(
            state,
            page,
            code,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
            None,
        )
        .await;
    }
    match state
        .db
        .update_partner(&partner, stored.revision, page.caller.stamp(state))
        .await
    {
        Ok(_) => {
            partner_page(
                state,
                page,
                code,
                StatusCode::OK,
                None,
                Some(t.s("partner-saved")),
            )
            .await
        }
        Err(e) => match store_problem(e) {
            Ok(message) => {
                partner_page(
                    state,
                    page,
                    code,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(message),
                    None,
                )
                .await
            }
            Err(r) => *r,
        },
    }
}

pub async fn edit_partner(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
    Form(form): Form<PartnerEditForm>,
) -> Response {
    let t = page.t();
    let action = Action::EditPartner { partner: &code };
    change_partner(&state, &page, &code, action, &form.csrf, |p| {
        let lang = Lang::from_code(&form.lang).unwrap_or(p.lang);
        if form.name.trim().is_empty() {
            return Err(t.s("partner-name-needed"));
        }
        p.name.0.insert(lang, form.name.trim().to_owned());
        p.lang = lang;
        p.local_helpdesk = form.local_helpdesk == "yes";
        p.prm = Some(normalize_email(&form.prm)).filter(|e| !e.is_empty());
        Ok(())
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// Repeated `role` fields come in one comma-separated value (see the template).
    #[serde(default)]
    pub roles: Vec<String>,
    /// For a removal: the contact's position.
    #[serde(default)]
    pub index: Option<usize>,
}

/// Reads a contact form; `role` may repeat (one per checked box).
fn contact_form(body: &[u8]) -> ContactForm {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut form = ContactForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => form.csrf = v,
            "name" => form.name = v,
            "email" => form.email = v,
            "phone" => form.phone = v,
            "role" => form.roles.push(v),
            "index" => form.index = v.parse().ok(),
            _ => {}
        }
    }
    form
}

pub async fn add_contact(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let t = page.t();
    let form = contact_form(&body);
    let action = Action::EditPartnerContacts { partner: &code };
    change_partner(&state, &page, &code, action, &form.csrf, |p| {
        let mut roles: Vec<ContactRole> = form
            .roles
            .iter()
            .filter_map(|r| ContactRole::from_code(r))
            .collect();
        roles.sort();
        roles.dedup();
        let email = normalize_email(&form.email);
        if form.name.trim().is_empty()
            || !pacta_core::catalogue::read::looks_like_email(&email)
            || roles.is_empty()
        {
            return Err(t.s("contact-incomplete"));
        }
        if p.contacts
            .iter()
            .any(|c| c.email.eq_ignore_ascii_case(&email))
        {
            return Err(t.s("contact-twice"));
        }
        p.contacts.push(PartnerContact {
            name: form.name.trim().to_owned(),
            email,
            phone: Some(form.phone.trim().to_owned()).filter(|x| !x.is_empty()),
            roles,
        });
        Ok(())
    })
    .await
}

pub async fn remove_contact(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let t = page.t();
    let form = contact_form(&body);
    let action = Action::EditPartnerContacts { partner: &code };
    change_partner(&state, &page, &code, action, &form.csrf, |p| {
        match form.index.filter(|&i| i < p.contacts.len()) {
            Some(i) => {
                p.contacts.remove(i);
                Ok(())
            }
            None => Err(t.s("contact-incomplete")),
        }
    })
    .await
}

// ------------------------------------------------------------------------------------------------
// The audit log

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub partner: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    pub base: Base,
    pub rows: Vec<AuditRow>,
    /// `200 of 1,234 entries, newest first`.
    pub count: String,
    pub f: AuditQuery,
    pub csv: String,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct AuditQuery {
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub kind: String,
}

/// The most entries the page shows (the newest); the CSV has them all.
const AUDIT_ROWS: usize = 200;

fn day_start(d: &str) -> Option<i64> {
    d.parse::<jiff::civil::Date>()
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

pub async fn audit(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<AuditQuery>,
) -> Response {
    if let Err(e) = page.caller.may(Action::ReadAudit) {
        return refused(&page, e);
    }
    let filter = AuditFilter {
        from: day_start(&f.from),
        to: day_start(&f.to).map(|s| s + 86_400),
        actor: Some(f.actor.trim().to_owned()).filter(|s| !s.is_empty()),
        partner: Some(f.partner.trim().to_owned()).filter(|s| !s.is_empty()),
        kind: Some(f.kind.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    let entries = match state.db.audit_entries(&filter).await {
        Ok(e) => e,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rows: Vec<AuditRow> = entries
        .iter()
        .rev()
        .take(AUDIT_ROWS)
        .map(|e| AuditRow {
            at: jiff::Timestamp::from_second(e.at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            object: format!("{} {}", e.kind, e.code),
            partner: e.partner.clone().unwrap_or_default(),
        })
        .collect();
    let mut csv_query: Vec<(&str, String)> = vec![("format", "csv".into())];
    if let Some(from) = filter.from {
        csv_query.push((
            "from",
            jiff::Timestamp::from_second(from)
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ));
    }
    if let Some(to) = filter.to {
        csv_query.push((
            "to",
            jiff::Timestamp::from_second(to)
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ));
    }
    for (k, v) in [
        ("actor", &filter.actor),
        ("partner", &filter.partner),
        ("object_kind", &filter.kind),
    ] {
        if let Some(v) = v {
            csv_query.push((k, v.clone()));
        }
    }
    let view = AuditPage {
        base: page.base(page.t().s("admin-audit-title"), "admin-audit"),
        count: page.t().a(
            "audit-count",
            &[
                ("shown", rows.len().to_string()),
                ("total", entries.len().to_string()),
            ],
        ),
        rows,
        csv: format!(
            "/api/v1/audit?{}",
            serde_urlencoded::to_string(&csv_query).unwrap_or_default()
        ),
        f,
    };
    page_in_with(StatusCode::OK, page.lang, &view)
}
