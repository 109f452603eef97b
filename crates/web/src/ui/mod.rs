//! The pages: server-rendered askama templates, one module per page, htmx where a page updates in
//! place (the quote), vendored assets embedded in the binary. Every page is built from the
//! in-memory [`Snapshot`](crate::snapshot::Snapshot), never from a database query. This module is
//! the router; what pages share is in [`page`].

pub mod account;
pub mod admin;
pub mod availability;
pub mod catalogue;
pub mod closures;
pub mod dashboard;
pub mod fiche;
pub mod format;
pub mod forms;
pub mod home;
pub mod i18n;
pub mod incidents;
pub mod maintenance;
pub mod markdown;
pub mod monitors;
pub mod names;
pub mod notices;
pub mod oncall;
pub mod page;
pub mod print;
pub mod statics;
pub mod subscriptions;
pub mod support;
pub mod tickets;

use axum::routing::{get, post, MethodRouter};
use axum::Router;

pub use page::{not_found, preferred_lang};

use crate::state::AppState;

/// A page route: its path, the methods it answers, its handlers.
pub type PageRoute = (
    &'static str,
    &'static [&'static str],
    MethodRouter<AppState>,
);

/// Every page route: its path, the methods it answers, and its handlers. The router is built
/// from this table, and the isolation tests walk it: a route added here without an entry in
/// their matrix fails them.
pub fn route_table() -> Vec<PageRoute> {
    vec![
        ("/", &["GET"], get(home::root)),
        ("/{lang}", &["GET"], get(home::lang_root)),
        ("/{lang}/", &["GET"], get(home::page)),
        ("/{lang}/catalogue", &["GET"], get(catalogue::page)),
        ("/{lang}/catalogue/print", &["GET"], get(print::page)),
        (
            "/{lang}/services/{code}",
            &["GET", "POST"],
            get(fiche::page).post(fiche::page_post),
        ),
        ("/{lang}/services/{code}/print", &["GET"], get(fiche::print)),
        (
            "/{lang}/services/{code}/quote",
            &["POST"],
            post(fiche::quote_fragment),
        ),
        (
            "/{lang}/services/{code}/subscribe",
            &["POST"],
            post(subscriptions::subscribe),
        ),
        ("/{lang}/home", &["GET"], get(subscriptions::home)),
        (
            "/{lang}/subscriptions/{id}",
            &["GET"],
            get(subscriptions::subscription),
        ),
        (
            "/{lang}/subscriptions/{id}/{decision}",
            &["POST"],
            post(subscriptions::decide),
        ),
        (
            "/{lang}/subscriptions/{id}/availability",
            &["GET", "POST"],
            get(availability::page).post(availability::amend),
        ),
        (
            "/{lang}/admin/subscriptions",
            &["GET"],
            get(subscriptions::queue),
        ),
        ("/{lang}/support", &["GET"], get(support::page)),
        ("/{lang}/closures", &["GET"], get(closures::page)),
        ("/{lang}/closures.ics", &["GET"], get(closures::ics)),
        (
            "/{lang}/accessibility",
            &["GET"],
            get(notices::accessibility),
        ),
        ("/{lang}/privacy", &["GET"], get(notices::privacy)),
        ("/{lang}/legal", &["GET"], get(notices::legal)),
        (
            "/{lang}/login",
            &["GET", "POST"],
            get(account::login_form).post(account::login),
        ),
        ("/{lang}/logout", &["POST"], post(account::logout)),
        (
            "/{lang}/set-password/{token}",
            &["GET", "POST"],
            get(account::set_password_form).post(account::set_password),
        ),
        ("/{lang}/account", &["GET"], get(account::account)),
        (
            "/{lang}/account/password",
            &["POST"],
            post(account::change_password),
        ),
        (
            "/{lang}/account/tokens",
            &["POST"],
            post(account::create_token),
        ),
        (
            "/{lang}/account/tokens/{id}/revoke",
            &["POST"],
            post(account::revoke_token),
        ),
        (
            "/{lang}/admin/users",
            &["GET", "POST"],
            get(admin::users).post(admin::add_user_any),
        ),
        (
            "/{lang}/admin/users/{email}/{what}",
            &["POST"],
            post(admin::change_user_any),
        ),
        (
            "/{lang}/my/users",
            &["GET", "POST"],
            get(admin::my_users).post(admin::add_user_mine),
        ),
        (
            "/{lang}/my/users/{email}/{what}",
            &["POST"],
            post(admin::change_user_mine),
        ),
        (
            "/{lang}/admin/partners",
            &["GET", "POST"],
            get(admin::partners).post(admin::add_partner),
        ),
        (
            "/{lang}/admin/partners/{code}",
            &["GET", "POST"],
            get(admin::partner).post(admin::edit_partner),
        ),
        (
            "/{lang}/admin/partners/{code}/contacts",
            &["POST"],
            post(admin::add_contact),
        ),
        (
            "/{lang}/admin/partners/{code}/contacts/remove",
            &["POST"],
            post(admin::remove_contact),
        ),
        ("/{lang}/admin/audit", &["GET"], get(admin::audit)),
        (
            "/{lang}/admin/monitors",
            &["GET", "POST"],
            get(monitors::list).post(monitors::create),
        ),
        (
            "/{lang}/admin/monitors/{id}",
            &["GET", "POST"],
            get(monitors::detail).post(monitors::change),
        ),
        (
            "/{lang}/admin/monitors/{id}/delete",
            &["POST"],
            post(monitors::delete),
        ),
        (
            "/{lang}/maintenance",
            &["GET", "POST"],
            get(maintenance::list).post(maintenance::propose),
        ),
        (
            "/{lang}/maintenance/{id}",
            &["GET"],
            get(maintenance::window),
        ),
        (
            "/{lang}/maintenance/{id}/{what}",
            &["POST"],
            post(maintenance::act),
        ),
        (
            "/{lang}/admin/incidents",
            &["GET", "POST"],
            get(incidents::list).post(incidents::declare),
        ),
        (
            "/{lang}/admin/incidents/{id}/{what}",
            &["POST"],
            post(incidents::change),
        ),
        (
            "/{lang}/tickets",
            &["GET", "POST"],
            get(tickets::list).post(tickets::open),
        ),
        ("/{lang}/tickets/{ref}", &["GET"], get(tickets::ticket)),
        (
            "/{lang}/tickets/{ref}/{what}",
            &["POST"],
            post(tickets::act),
        ),
        ("/{lang}/queue", &["GET"], get(tickets::queue)),
        ("/{lang}/compliance", &["GET"], get(tickets::compliance)),
        ("/{lang}/oncall", &["GET"], get(oncall::roster)),
        ("/{lang}/oncall/{what}", &["POST"], post(oncall::change)),
        (
            "/{lang}/oncall/pages/{id}/ack",
            &["POST"],
            post(tickets::ack),
        ),
        ("/{lang}/dashboard", &["GET"], get(dashboard::page)),
        ("/{lang}/dashboard/strip", &["GET"], get(dashboard::strip)),
        (
            "/{lang}/dashboard/services/{code}",
            &["GET"],
            get(dashboard::service),
        ),
        ("/{lang}/admin/overview", &["GET"], get(dashboard::overview)),
        ("/badges/{file}", &["GET"], get(dashboard::service_badge)),
        (
            "/badges/{service}/{file}",
            &["GET"],
            get(dashboard::subscription_badge),
        ),
        ("/static/{file}", &["GET"], get(statics::serve)),
    ]
}

/// The UI routes, merged into [`crate::app`].
pub fn router() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (path, _, handlers)| {
            router.route(path, handlers)
        })
}
