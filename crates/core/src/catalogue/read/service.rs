//! A service with its fiche, read one section at a time in the order of the format (head,
//! delivery models, service manager, levels, responsibilities, fiche, packs, options), so that
//! the problems come out in the order an editor reads the file.

use std::collections::BTreeMap;

use super::{
    check_calendar_ref, check_code, check_level_ref, node_at, opt_text, read_code_list, read_date,
    read_duration, read_email, read_enum, req_code, req_text, CodeStyle, Known,
};
use crate::catalogue::document::{index, join, MapReader, Node, Reader, Value};
use crate::catalogue::model::*;
use crate::catalogue::rules::standard_activity;
use crate::text::Text;

const PARTIES: &str = "provider, partner, provider-when-agreed, partner-unless-central-first-line";

pub(super) fn read_service_at(
    r: &mut Reader,
    node: &Node,
    path: &str,
    known: &Known,
) -> Option<Service> {
    let mut m = r.map(node, path)?;
    let head = read_head(r, &mut m, known);
    let delivery_models = read_delivery_models(r, &mut m);
    let service_manager = read_service_manager(r, &mut m);
    let levels = read_levels(r, &mut m, known);
    let responsibilities = read_responsibilities(r, &mut m);
    let fiche = read_fiche(r, &mut m);
    let ed_path = m.path_of("edition");
    let edition = m.get("edition").and_then(|n| read_date(r, n, &ed_path));
    let packs = read_packs(r, &mut m, &levels);
    let options = read_options(r, &mut m, &packs, &levels, known);
    m.finish(r);
    Some(Service {
        code: head.code?,
        category: head.category?,
        status: head.status?,
        successor: head.successor,
        name: head.name,
        summary: head.summary,
        delivery_models,
        service_manager: service_manager?,
        levels,
        responsibilities,
        fiche,
        edition,
        packs,
        options,
    })
}

/// What identifies a service: code, category, lifecycle, successor, name and summary.
struct Head {
    code: Option<String>,
    category: Option<String>,
    status: Option<Lifecycle>,
    successor: Option<String>,
    name: Text,
    summary: Text,
}

fn read_head(r: &mut Reader, m: &mut MapReader<'_>, known: &Known) -> Head {
    let code = req_code(r, m, CodeStyle::Upper);
    let cat_path = m.path_of("category");
    let cat_node = m.get("category");
    let category = m.req_string(r, "category");
    if let Some(c) = &category {
        if !known.categories.contains(c) {
            r.report(
                cat_node.and_then(|n| n.pos),
                &cat_path,
                format!("unknown category `{c}`"),
            );
        }
    }
    let status_path = m.path_of("status");
    let status = match m.get("status") {
        Some(n) => read_enum(
            r,
            n,
            &status_path,
            Lifecycle::from_code,
            "draft, published, retired",
        ),
        None => Some(Lifecycle::Draft),
    };
    let succ_path = m.path_of("successor");
    let succ_node = m.get("successor");
    let successor = m.opt_string(r, "successor");
    if let Some(s) = &successor {
        let pos = succ_node.and_then(|n| n.pos);
        if status.is_some_and(|st| st != Lifecycle::Retired) {
            r.report(pos, &succ_path, "only a retired service has a successor");
        }
        if Some(s) == code.as_ref() {
            r.report(pos, &succ_path, "a service cannot succeed itself");
        } else if !known.services.contains(s) {
            r.report(pos, &succ_path, format!("unknown service `{s}`"));
        }
    }
    let name = req_text(r, m, "name");
    let summary = opt_text(r, m, "summary");
    Head {
        code,
        category,
        status,
        successor,
        name,
        summary,
    }
}

fn read_delivery_models(r: &mut Reader, m: &mut MapReader<'_>) -> Vec<DeliveryModel> {
    let dm_path = m.path_of("delivery_models");
    let dm_node = m.require(r, "delivery_models");
    let mut delivery_models = Vec::new();
    for (i, n) in r.seq(dm_node, &dm_path).iter().enumerate() {
        let p = index(&dm_path, i);
        if let Some(dm) = read_enum(r, n, &p, DeliveryModel::from_code, "paas, saas") {
            if delivery_models.contains(&dm) {
                r.report(n.pos, &p, format!("`{}` is listed twice", dm.code()));
            } else {
                delivery_models.push(dm);
            }
        }
    }
    if dm_node.is_some() && delivery_models.is_empty() {
        r.report(
            dm_node.and_then(|n| n.pos),
            &dm_path,
            "a service offers at least one delivery model",
        );
    }
    delivery_models
}

fn read_service_manager(r: &mut Reader, m: &mut MapReader<'_>) -> Option<Contact> {
    let sm_path = m.path_of("service_manager");
    let node = m.require(r, "service_manager")?;
    let mut cm = r.map(node, &sm_path)?;
    let name = cm.req_string(r, "name");
    let email = read_email(r, &mut cm, true);
    let phone = cm.req_string(r, "phone");
    cm.finish(r);
    Some(Contact {
        name: name?,
        email: email?,
        phone: phone?,
    })
}

fn read_levels(r: &mut Reader, m: &mut MapReader<'_>, known: &Known) -> Vec<String> {
    let levels_path = m.path_of("levels");
    let levels_node = m.require(r, "levels");
    let levels = read_code_list(r, levels_node, &levels_path, CodeStyle::Lower);
    for (i, (code, n)) in levels.iter().enumerate() {
        check_level_ref(r, Some(n), &index(&levels_path, i), code, known);
    }
    if levels_node.is_some() && levels.is_empty() {
        r.report(
            levels_node.and_then(|n| n.pos),
            &levels_path,
            "a service offers at least one service level",
        );
    }
    levels.into_iter().map(|(c, _)| c).collect()
}

fn read_responsibilities(r: &mut Reader, m: &mut MapReader<'_>) -> Vec<ResponsibilityRow> {
    let resp_path = m.path_of("responsibilities");
    let resp_node = m.get("responsibilities");
    let mut rows: Vec<ResponsibilityRow> = Vec::new();
    for (i, n) in r.seq(resp_node, &resp_path).iter().enumerate() {
        let p = index(&resp_path, i);
        let Some(mut rm) = r.map(n, &p) else { continue };
        let a_path = rm.path_of("activity");
        let a_node = rm.get("activity");
        let activity = rm.req_string(r, "activity");
        let label = opt_text(r, &mut rm, "label");
        if let Some(a) = &activity {
            check_code(r, a_node, &a_path, a, CodeStyle::Lower);
            if standard_activity(a).is_none() && label.is_empty() {
                r.report(
                    n.pos,
                    &rm.path_of("label"),
                    format!("`{a}` is not a standard activity, so it needs a label"),
                );
            }
            if rows.iter().any(|x| &x.activity == a) {
                r.report(
                    a_node.and_then(|n| n.pos),
                    &a_path,
                    format!("activity `{a}` is listed twice"),
                );
            }
        }
        let paas_path = rm.path_of("paas");
        let paas = rm
            .require(r, "paas")
            .and_then(|v| read_enum(r, v, &paas_path, Party::from_code, PARTIES));
        let saas_path = rm.path_of("saas");
        let saas = rm
            .require(r, "saas")
            .and_then(|v| read_enum(r, v, &saas_path, Party::from_code, PARTIES));
        rm.finish(r);
        if let (Some(activity), Some(paas), Some(saas)) = (activity, paas, saas) {
            rows.push(ResponsibilityRow {
                activity,
                label,
                paas,
                saas,
            });
        }
    }
    rows
}

fn read_fiche(r: &mut Reader, m: &mut MapReader<'_>) -> Fiche {
    let fiche_path = m.path_of("fiche");
    let Some(n) = m.get("fiche") else {
        return Fiche::default();
    };
    r.map(n, &fiche_path)
        .map(|mut fm| {
            let characteristics = opt_text(r, &mut fm, "characteristics");
            let sla_notes = opt_text(r, &mut fm, "sla_notes");
            fm.finish(r);
            Fiche {
                characteristics,
                sla_notes,
            }
        })
        .unwrap_or_default()
}

fn read_packs(r: &mut Reader, m: &mut MapReader<'_>, levels: &[String]) -> Vec<Pack> {
    let packs_path = m.path_of("packs");
    let packs_node = m.require(r, "packs");
    let mut packs: Vec<Pack> = Vec::new();
    for (i, pn) in r.seq(packs_node, &packs_path).iter().enumerate() {
        let p = index(&packs_path, i);
        let (code, pack) = read_pack(r, pn, &p, levels);
        if let Some(code) = code {
            if packs.iter().any(|x| x.code == code) {
                r.report(
                    pn.pos,
                    &join(&p, "code"),
                    format!("duplicate pack code `{code}`"),
                );
            }
        }
        packs.extend(pack);
    }
    if packs_node.is_some() && r.seq(packs_node, &packs_path).is_empty() {
        r.report(
            packs_node.and_then(|n| n.pos),
            &packs_path,
            "a service has at least one pack",
        );
    }
    packs
}

/// A pack, and its code even when the pack is incomplete (for the duplicate check).
fn read_pack(
    r: &mut Reader,
    node: &Node,
    path: &str,
    levels: &[String],
) -> (Option<String>, Option<Pack>) {
    let Some(mut pm) = r.map(node, path) else {
        return (None, None);
    };
    let code = req_code(r, &mut pm, CodeStyle::Lower);
    let name = req_text(r, &mut pm, "name");
    let description = opt_text(r, &mut pm, "description");
    let included = read_included(r, &mut pm);
    let prices_path = pm.path_of("prices");
    let prices_node = pm.get("prices");
    let prices = read_prices(r, prices_node, &prices_path);
    let sl_path = pm.path_of("standard_level");
    let sl_node = pm.get("standard_level");
    let standard_level = pm.req_string(r, "standard_level");
    if let Some(l) = &standard_level {
        if !levels.contains(l) {
            r.report(
                sl_node.and_then(|n| n.pos),
                &sl_path,
                format!(
                    "`{l}` is not among the service's levels ({})",
                    levels.join(", ")
                ),
            );
        }
    }
    pm.finish(r);
    let pack = match (&code, standard_level) {
        (Some(code), Some(standard_level)) => Some(Pack {
            code: code.clone(),
            name,
            description,
            included,
            prices,
            standard_level,
        }),
        _ => None,
    };
    (code, pack)
}

fn read_included(r: &mut Reader, pm: &mut MapReader<'_>) -> BTreeMap<String, i64> {
    let inc_path = pm.path_of("included");
    let mut included = BTreeMap::new();
    let Some(inc) = pm.get("included") else {
        return included;
    };
    let Value::Map(entries) = &inc.value else {
        r.report(
            inc.pos,
            &inc_path,
            format!(
                "expected a mapping of quantities, found {}",
                inc.kind_name()
            ),
        );
        return included;
    };
    for (k, v) in entries {
        let kp = join(&inc_path, &k.name);
        let valid = !k.name.is_empty()
            && k.name.len() <= 64
            && k.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            r.report(
                k.pos,
                &kp,
                format!(
                    "`{}` is not a valid quantity name: expected [a-z0-9_-]+",
                    k.name
                ),
            );
        }
        if let Some(n) = r.integer(v, &kp, 0, 1_000_000_000) {
            included.insert(k.name.clone(), n);
        }
    }
    included
}

fn read_options(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    packs: &[Pack],
    levels: &[String],
    known: &Known,
) -> Vec<ServiceOption> {
    let options_path = m.path_of("options");
    let options_node = m.get("options");
    let mut options: Vec<ServiceOption> = Vec::new();
    let mut option_nodes: Vec<&Node> = Vec::new();
    for (i, on) in r.seq(options_node, &options_path).iter().enumerate() {
        let p = index(&options_path, i);
        let Some(option) = read_option(r, on, &p, packs, levels, known) else {
            continue;
        };
        if options.iter().any(|x| x.code == option.code) {
            r.report(
                on.pos,
                &join(&p, "code"),
                format!("duplicate option code `{}`", option.code),
            );
        }
        options.push(option);
        option_nodes.push(on);
    }
    check_calendar_conflicts(r, &options, &option_nodes, packs, &options_path);
    options
}

fn read_option(
    r: &mut Reader,
    node: &Node,
    path: &str,
    packs: &[Pack],
    levels: &[String],
    known: &Known,
) -> Option<ServiceOption> {
    let mut om = r.map(node, path)?;
    let code = req_code(r, &mut om, CodeStyle::Lower);
    let name = req_text(r, &mut om, "name");
    let description = opt_text(r, &mut om, "description");
    let prices_path = om.path_of("prices");
    let prices_node = om.get("prices");
    let prices = read_prices(r, prices_node, &prices_path);
    let at_path = om.path_of("applies_to");
    let at_node = om.get("applies_to");
    let applies = read_code_list(r, at_node, &at_path, CodeStyle::Lower);
    for (i, (pack, n)) in applies.iter().enumerate() {
        if !packs.iter().any(|p| &p.code == pack) {
            r.report(n.pos, &index(&at_path, i), format!("unknown pack `{pack}`"));
        }
    }
    let sla_path = om.path_of("sla");
    let sla = match om.get("sla") {
        Some(n) => read_adjustment(r, n, &sla_path, levels, known),
        None => SlaAdjustment::default(),
    };
    om.finish(r);
    Some(ServiceOption {
        code: code?,
        name,
        description,
        prices,
        applies_to: applies.into_iter().map(|(c, _)| c).collect(),
        sla,
    })
}

/// DOMAIN §2 (effective SLA, step 2): two options that can be combined must not set different
/// calendars for the same priority.
fn check_calendar_conflicts(
    r: &mut Reader,
    options: &[ServiceOption],
    option_nodes: &[&Node],
    packs: &[Pack],
    options_path: &str,
) {
    for (i, a) in options.iter().enumerate() {
        for (j, b) in options.iter().enumerate().skip(i + 1) {
            let combinable = packs
                .iter()
                .any(|p| a.applies_to_pack(&p.code) && b.applies_to_pack(&p.code));
            if !combinable {
                continue;
            }
            for (prio, ca) in &a.sla.targets {
                let theirs = b.sla.targets.get(prio).and_then(|c| c.calendar.as_ref());
                if let (Some(x), Some(y)) = (&ca.calendar, theirs) {
                    if x != y {
                        let rel = format!("sla.targets.{}.calendar", prio.code());
                        r.report(
                            node_at(option_nodes[j], &rel).pos,
                            &format!("{}.{rel}", index(options_path, j)),
                            format!(
                                "options `{}` and `{}` set different calendars for {} (`{x}`, `{y}`)",
                                a.code,
                                b.code,
                                prio.code()
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn read_prices(r: &mut Reader, node: Option<&Node>, path: &str) -> Vec<Price> {
    let mut prices = Vec::new();
    for (i, pn) in r.seq(node, path).iter().enumerate() {
        let p = index(path, i);
        let Some(mut m) = r.map(pn, &p) else { continue };
        let a_path = m.path_of("amount_cents");
        let amount = m
            .require(r, "amount_cents")
            .and_then(|n| r.integer(n, &a_path, 0, 1_000_000_000_000));
        let period_path = m.path_of("period");
        let period = m.require(r, "period").and_then(|n| {
            read_enum(
                r,
                n,
                &period_path,
                Period::from_code,
                "month, year, one_off",
            )
        });
        let per_path = m.path_of("per");
        let per = match m.get("per") {
            Some(n) => read_enum(
                r,
                n,
                &per_path,
                |s| match s {
                    "pack" => Some(Per::Pack),
                    "unit" => Some(Per::Unit),
                    _ => None,
                },
                "pack, unit",
            ),
            None => Some(Per::Pack),
        };
        let unit = opt_text(r, &mut m, "unit");
        match per {
            Some(Per::Unit) if unit.is_empty() => r.report(
                pn.pos,
                &m.path_of("unit"),
                "a price per unit names its unit",
            ),
            Some(Per::Pack) if !unit.is_empty() => r.report(
                pn.pos,
                &m.path_of("unit"),
                "only a price per unit names a unit",
            ),
            _ => {}
        }
        m.finish(r);
        if let (Some(amount_cents), Some(period), Some(per)) = (amount, period, per) {
            prices.push(Price {
                amount_cents,
                period,
                per,
                unit,
            });
        }
    }
    prices
}

fn read_adjustment(
    r: &mut Reader,
    node: &Node,
    path: &str,
    levels: &[String],
    known: &Known,
) -> SlaAdjustment {
    let Some(mut m) = r.map(node, path) else {
        return SlaAdjustment::default();
    };
    let rl_path = m.path_of("raise_level");
    let rl_node = m.get("raise_level");
    let raise_level = m.opt_string(r, "raise_level");
    if let Some(l) = &raise_level {
        check_level_ref(r, rl_node, &rl_path, l, known);
        if known.levels.contains(l) && !levels.contains(l) {
            r.report(
                rl_node.and_then(|n| n.pos),
                &rl_path,
                format!(
                    "`{l}` is not among the service's levels ({})",
                    levels.join(", ")
                ),
            );
        }
    }
    let mut targets = BTreeMap::new();
    let t_path = m.path_of("targets");
    if let Some(tn) = m.get("targets") {
        if let Some(mut tm) = r.map(tn, &t_path) {
            for p in Priority::ALL {
                let pp = tm.path_of(p.code());
                let Some(pn) = tm.get(p.code()) else { continue };
                let Some(mut pm) = r.map(pn, &pp) else {
                    continue;
                };
                let resp_path = pm.path_of("response");
                let response = pm
                    .get("response")
                    .and_then(|n| read_duration(r, n, &resp_path));
                let res_path = pm.path_of("resolution");
                let resolution = pm
                    .get("resolution")
                    .and_then(|n| read_duration(r, n, &res_path));
                let c_path = pm.path_of("calendar");
                let c_node = pm.get("calendar");
                let calendar = pm.opt_string(r, "calendar");
                if let Some(c) = &calendar {
                    check_calendar_ref(r, c_node, &c_path, c, known);
                }
                pm.finish(r);
                let change = TargetChange {
                    response,
                    resolution,
                    calendar,
                };
                if change == TargetChange::default() {
                    r.report(
                        pn.pos,
                        &pp,
                        "changes nothing: set response, resolution or calendar",
                    );
                }
                targets.insert(p, change);
            }
            tm.finish(r);
        }
    }
    let rights_path = m.path_of("rights");
    let rights_node = m.get("rights");
    let rights = read_code_list(r, rights_node, &rights_path, CodeStyle::Lower)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    m.finish(r);
    SlaAdjustment {
        raise_level,
        targets,
        rights,
    }
}
