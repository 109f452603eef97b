//! A service level: its availability target, support calendar, P1–P4 targets and maintenance
//! notice.

use std::collections::BTreeMap;

use super::{check_calendar_ref, opt_text, read_duration, req_code, req_text, CodeStyle, Known};
use crate::catalogue::document::{Node, Reader};
use crate::catalogue::model::{Priority, PriorityTarget, ServiceLevel};
use crate::sla::availability::Target;
use crate::ticket::escalation::{Level, Threshold, Thresholds};

pub(super) fn read_level(
    r: &mut Reader,
    node: &Node,
    path: &str,
    known: &Known,
) -> Option<ServiceLevel> {
    let mut m = r.map(node, path)?;
    let code = req_code(r, &mut m, CodeStyle::Lower);
    let rank_path = m.path_of("rank");
    let rank = m
        .require(r, "rank")
        .and_then(|n| r.integer(n, &rank_path, 0, 1000));
    let name = req_text(r, &mut m, "name");
    let description = opt_text(r, &mut m, "description");
    let target_path = m.path_of("availability_target");
    let availability_target = m.require(r, "availability_target").and_then(|n| {
        let digits = r.number_text(n, &target_path)?;
        match Target::parse(&digits) {
            Ok(t) => Some(t),
            Err(e) => {
                r.report(n.pos, &target_path, format!("{e}"));
                None
            }
        }
    });
    let cal_path = m.path_of("support_calendar");
    let cal_node = m.get("support_calendar");
    let support_calendar = m.req_string(r, "support_calendar");
    if let Some(c) = &support_calendar {
        check_calendar_ref(r, cal_node, &cal_path, c, known);
    }
    let targets_path = m.path_of("targets");
    let mut targets = BTreeMap::new();
    if let Some(tnode) = m.require(r, "targets") {
        if let Some(mut tm) = r.map(tnode, &targets_path) {
            for p in Priority::ALL {
                let pp = tm.path_of(p.code());
                let Some(pn) = tm.get(p.code()) else {
                    r.report(tnode.pos, &pp, "is required (every level sets P1 to P4)");
                    continue;
                };
                let Some(mut pm) = r.map(pn, &pp) else {
                    continue;
                };
                let resp_path = pm.path_of("response");
                let response = pm
                    .require(r, "response")
                    .and_then(|n| read_duration(r, n, &resp_path));
                let res_path = pm.path_of("resolution");
                let resolution = pm
                    .require(r, "resolution")
                    .and_then(|n| read_duration(r, n, &res_path));
                let c_path = pm.path_of("calendar");
                let c_node = pm.get("calendar");
                let calendar = pm.req_string(r, "calendar");
                if let Some(c) = &calendar {
                    check_calendar_ref(r, c_node, &c_path, c, known);
                }
                pm.finish(r);
                if let (Some(response), Some(resolution), Some(calendar)) =
                    (response, resolution, calendar)
                {
                    targets.insert(
                        p,
                        PriorityTarget {
                            response,
                            resolution,
                            calendar,
                        },
                    );
                }
            }
            tm.finish(r);
        }
    }
    let notice_path = m.path_of("maintenance_notice");
    let maintenance_notice = m
        .require(r, "maintenance_notice")
        .and_then(|n| read_duration(r, n, &notice_path));
    let tc_path = m.path_of("tacit_consent");
    let tacit_consent = match m.get("tacit_consent") {
        Some(n) => r.boolean(n, &tc_path),
        None => Some(true),
    };
    let escalation = match m.get("escalation") {
        Some(n) => read_escalation(r, n, &m.path_of("escalation")),
        None => Some(Thresholds::default()),
    };
    m.finish(r);
    Some(ServiceLevel {
        code: code?,
        rank: rank? as u32,
        name,
        description,
        availability_target: availability_target?,
        support_calendar: support_calendar?,
        targets,
        maintenance_notice: maintenance_notice?,
        tacit_consent: tacit_consent?,
        escalation: escalation?,
    })
}

/// `escalation: {service_manager: "75%", prm: "100%", ict_management: "+4h"}`: each key
/// optional; a percentage of the resolution goal or a signed offset from its deadline.
fn read_escalation(r: &mut Reader, node: &Node, path: &str) -> Option<Thresholds> {
    let mut m = r.map(node, path)?;
    let mut thresholds = Thresholds::default();
    let mut ok = true;
    for level in Level::ALL {
        let p = m.path_of(level.key());
        let n = m.get(level.key());
        match (n, m.opt_string(r, level.key())) {
            (Some(n), Some(text)) => match Threshold::parse(&text) {
                Ok(t) => thresholds.set(level, t),
                Err(e) => {
                    r.report(n.pos, &p, e);
                    ok = false;
                }
            },
            (Some(_), None) => ok = false,
            _ => {}
        }
    }
    m.finish(r);
    ok.then_some(thresholds)
}
