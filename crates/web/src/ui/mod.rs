//! The pages: server-rendered askama templates, one module per page, htmx where a page updates in
//! place (the quote), vendored assets embedded in the binary. Every page is built from the
//! in-memory [`Snapshot`](crate::snapshot::Snapshot), never from a database query. This module is
//! the router; what pages share is in [`page`].

pub mod account;
pub mod admin;
pub mod catalogue;
pub mod closures;
pub mod fiche;
pub mod format;
pub mod home;
pub mod i18n;
pub mod markdown;
pub mod names;
pub mod notices;
pub mod page;
pub mod print;
pub mod statics;
pub mod support;

use axum::routing::{get, post};
use axum::Router;

pub use page::{not_found, preferred_lang};

use crate::state::AppState;

/// The UI routes, merged into [`crate::app`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::root))
        .route("/{lang}", get(home::lang_root))
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
        .route(
            "/{lang}/login",
            get(account::login_form).post(account::login),
        )
        .route("/{lang}/logout", post(account::logout))
        .route(
            "/{lang}/set-password/{token}",
            get(account::set_password_form).post(account::set_password),
        )
        .route("/{lang}/account", get(account::account))
        .route("/{lang}/account/password", post(account::change_password))
        .route("/{lang}/account/tokens", post(account::create_token))
        .route(
            "/{lang}/account/tokens/{id}/revoke",
            post(account::revoke_token),
        )
        .route(
            "/{lang}/admin/users",
            get(admin::users).post(admin::add_user_any),
        )
        .route(
            "/{lang}/admin/users/{email}/{what}",
            post(admin::change_user_any),
        )
        .route(
            "/{lang}/my/users",
            get(admin::my_users).post(admin::add_user_mine),
        )
        .route(
            "/{lang}/my/users/{email}/{what}",
            post(admin::change_user_mine),
        )
        .route(
            "/{lang}/admin/partners",
            get(admin::partners).post(admin::add_partner),
        )
        .route(
            "/{lang}/admin/partners/{code}",
            get(admin::partner).post(admin::edit_partner),
        )
        .route(
            "/{lang}/admin/partners/{code}/contacts",
            post(admin::add_contact),
        )
        .route(
            "/{lang}/admin/partners/{code}/contacts/remove",
            post(admin::remove_contact),
        )
        .route("/{lang}/admin/audit", get(admin::audit))
        .route("/static/{file}", get(statics::serve))
}
