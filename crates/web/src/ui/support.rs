//! `/{lang}/support`: general support for every service, from the organisation profile
//! (DOMAIN §2, §4): helpdesks and hours, on-call duty, SPOC, PRM and escalation, contacts,
//! delivery models, maintenance, monitoring — and how the availability targets are measured.

use askama::Template;
use axum::response::{IntoResponse, Response};
use pacta_core::text::Lang;

use super::format;
use super::i18n::{md, Markup, Tr, L};
use super::names::calendar_name;
use super::page::{page_in, Base, Page, PageError};
use crate::snapshot::Snapshot;

pub struct ContactView {
    pub role: String,
    pub name: L,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub struct LevelLine {
    pub name: L,
    pub target: String,
    pub downtime: String,
}

#[derive(Template)]
#[template(path = "support_body.html")]
pub struct SupportBody {
    pub t: Tr,
    pub h: u8,
    pub has_profile: bool,
    pub general: Markup,
    pub local: Markup,
    pub central: Markup,
    pub hours: L,
    pub on_call: Markup,
    pub manager: Markup,
    pub partner: Markup,
    pub escalation: Markup,
    pub contacts: Vec<ContactView>,
    pub delivery: Markup,
    pub models: Markup,
    pub sla: Markup,
    pub levels: Vec<LevelLine>,
    pub maintenance: Markup,
    pub monitoring: Markup,
    pub dashboard: String,
    /// Prefix of section anchors (the printed catalogue has one document for all).
    pub prefix: &'static str,
}

impl SupportBody {
    pub fn sub(&self) -> u8 {
        self.h + 1
    }

    pub fn build(snapshot: &Snapshot, lang: Lang, h: u8, prefix: &'static str) -> SupportBody {
        let t = Tr(lang);
        let cat = &snapshot.stored.catalogue;
        let p = cat.profile.as_ref();
        let m = |f: fn(&pacta_core::catalogue::Profile) -> &pacta_core::text::Text| {
            p.map(|p| md(f(p), lang, h + 1)).unwrap_or_default()
        };
        SupportBody {
            t,
            h,
            has_profile: p.is_some(),
            general: m(|p| &p.general_support),
            local: m(|p| &p.local_helpdesk),
            central: m(|p| &p.central_helpdesk),
            hours: p
                .map(|p| calendar_name(snapshot, &p.central_helpdesk_calendar, lang))
                .unwrap_or_default(),
            on_call: m(|p| &p.on_call),
            manager: m(|p| &p.service_manager),
            partner: m(|p| &p.partner_management),
            escalation: m(|p| &p.escalation),
            contacts: p
                .map(|p| {
                    p.contacts
                        .iter()
                        .map(|c| ContactView {
                            role: t
                                .try_s(&format!("contact-{}", c.role))
                                .unwrap_or_else(|| c.role.clone()),
                            name: L::new(&c.name, lang),
                            email: c.email.clone(),
                            phone: c.phone.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            delivery: m(|p| &p.service_delivery),
            models: m(|p| &p.delivery_models),
            sla: m(|p| &p.sla),
            levels: cat
                .levels
                .iter()
                .map(|l| LevelLine {
                    name: L::new(&l.name, lang),
                    target: format::percent(&l.availability_target, lang),
                    downtime: format::duration(l.allowed_downtime_per_month(), lang),
                })
                .collect(),
            maintenance: m(|p| &p.maintenance),
            monitoring: m(|p| &p.monitoring),
            dashboard: p
                .map(|p| p.dashboard_url.clone())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .unwrap_or_default(),
            prefix,
        }
    }
}

#[derive(Template)]
#[template(path = "support.html")]
pub struct SupportPage {
    pub base: Base,
    pub body: Markup,
}

pub async fn page(page: Page) -> Response {
    let body = match SupportBody::build(&page.snapshot, page.lang, 1, "").render() {
        Ok(body) => Markup(body),
        Err(e) => return PageError::from(e).into_response(),
    };
    let view = SupportPage {
        base: page.base(page.t().s("support-title"), "support"),
        body,
    };
    page_in(page.lang, &view)
}
