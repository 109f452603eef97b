//! The organisation profile: the provider's texts, contacts and the helpdesk's calendar.

use super::{check_calendar_ref, check_code, read_date, read_email, req_text, CodeStyle, Known};
use crate::catalogue::document::{index, Node, Reader};
use crate::catalogue::model::{Profile, ProfileContact};
use crate::sla::calendar::DEFAULT_HELPDESK_CALENDAR;

pub(super) fn read_profile(
    r: &mut Reader,
    node: &Node,
    path: &str,
    known: &Known,
) -> Option<Profile> {
    let mut m = r.map(node, path)?;
    let organisation = req_text(r, &mut m, "organisation");
    let catalogue_title = req_text(r, &mut m, "catalogue_title");
    let ed_path = m.path_of("edition_date");
    let edition_date = m
        .require(r, "edition_date")
        .and_then(|n| read_date(r, n, &ed_path));
    let basic_offer = req_text(r, &mut m, "basic_offer");
    let personalised_approach = req_text(r, &mut m, "personalised_approach");
    let general_support = req_text(r, &mut m, "general_support");
    let local_helpdesk = req_text(r, &mut m, "local_helpdesk");
    let central_helpdesk = req_text(r, &mut m, "central_helpdesk");
    let chc_path = m.path_of("central_helpdesk_calendar");
    let chc_node = m.get("central_helpdesk_calendar");
    let central_helpdesk_calendar = m
        .opt_string(r, "central_helpdesk_calendar")
        .unwrap_or_else(|| DEFAULT_HELPDESK_CALENDAR.into());
    check_calendar_ref(r, chc_node, &chc_path, &central_helpdesk_calendar, known);
    let on_call = req_text(r, &mut m, "on_call");
    let service_manager = req_text(r, &mut m, "service_manager");
    let partner_management = req_text(r, &mut m, "partner_management");
    let escalation = req_text(r, &mut m, "escalation");
    let contacts_path = m.path_of("contacts");
    let contacts_node = m.require(r, "contacts");
    let mut contacts = Vec::new();
    for (i, cn) in r.seq(contacts_node, &contacts_path).iter().enumerate() {
        let p = index(&contacts_path, i);
        let Some(mut cm) = r.map(cn, &p) else {
            continue;
        };
        let role_path = cm.path_of("role");
        let role_node = cm.require(r, "role");
        let role = role_node.and_then(|n| r.string(n, &role_path));
        if let Some(rl) = &role {
            check_code(r, role_node, &role_path, rl, CodeStyle::Lower);
        }
        let name = req_text(r, &mut cm, "name");
        let email = read_email(r, &mut cm, false);
        let phone = cm.opt_string(r, "phone");
        cm.finish(r);
        if let Some(role) = role {
            contacts.push(ProfileContact {
                role,
                name,
                email,
                phone,
            });
        }
    }
    let service_delivery = req_text(r, &mut m, "service_delivery");
    let delivery_models = req_text(r, &mut m, "delivery_models");
    let sla = req_text(r, &mut m, "sla");
    let maintenance = req_text(r, &mut m, "maintenance");
    let monitoring = req_text(r, &mut m, "monitoring");
    let dashboard_url = m.req_string(r, "dashboard_url");
    m.finish(r);
    Some(Profile {
        organisation,
        catalogue_title,
        edition_date: edition_date?,
        basic_offer,
        personalised_approach,
        general_support,
        local_helpdesk,
        central_helpdesk,
        central_helpdesk_calendar,
        on_call,
        service_manager,
        partner_management,
        escalation,
        contacts,
        service_delivery,
        delivery_models,
        sla,
        maintenance,
        monitoring,
        dashboard_url: dashboard_url?,
    })
}
