//! Reading and validating the catalogue format from a positioned document (YAML file or JSON body).
//! Every problem is reported at once; nothing is returned unless the whole input is valid.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;

use super::document::{index, join, Issue, MapReader, Node, Reader, Value};
use super::model::*;
use crate::sla::availability::Target;
use crate::text::{Lang, Text};

/// Codes that already exist elsewhere (in the store), which references may name.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub calendars: BTreeSet<String>,
    pub levels: BTreeSet<String>,
    pub categories: BTreeSet<String>,
    pub services: BTreeSet<String>,
}

impl Known {
    /// The codes a stored catalogue defines, plus the built-in calendars.
    pub fn of(catalogue: &Catalogue) -> Known {
        let mut known = Known::default();
        known
            .calendars
            .extend(catalogue.calendars.iter().map(|c| c.code.clone()));
        known
            .levels
            .extend(catalogue.levels.iter().map(|l| l.code.clone()));
        known
            .categories
            .extend(catalogue.categories.iter().map(|c| c.code.clone()));
        known
            .services
            .extend(catalogue.services.iter().map(|s| s.code.clone()));
        known
    }

    fn has_calendar(&self, code: &str) -> bool {
        self.calendars.contains(code) || crate::sla::calendar::BUILTIN_CALENDARS.contains(&code)
    }
}

/// Reads a whole catalogue document. `existing` names what the store already holds: import never
/// deletes, so references to it stay valid.
pub fn read_catalogue(doc: &Node, existing: &Known) -> Result<Catalogue, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut top) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let calendars_node = top.get("calendars");
    let levels_node = top.get("levels");
    let categories_node = top.get("categories");
    let services_node = top.get("services");
    let profile_node = top.get("profile");
    top.finish(&mut r);

    // Codes defined in this file are known to every reference in it, whatever the order.
    let mut known = existing.clone();
    for (node, set) in [
        (calendars_node, &mut known.calendars),
        (levels_node, &mut known.levels),
        (categories_node, &mut known.categories),
        (services_node, &mut known.services),
    ] {
        if let Some(Node {
            value: Value::Seq(items),
            ..
        }) = node
        {
            for item in items {
                if let Some(Node {
                    value: Value::Scalar(code, _),
                    ..
                }) = item.get("code")
                {
                    set.insert(code.clone());
                }
            }
        }
    }

    let mut catalogue = Catalogue::default();
    let mut seen = Seen::default();
    for (i, node) in r.seq(calendars_node, "calendars").iter().enumerate() {
        let path = index("calendars", i);
        if let Some(c) = read_calendar(&mut r, node, &path) {
            seen.check(&mut r, "calendar", &c.code, node, &path);
            if crate::sla::calendar::BUILTIN_CALENDARS.contains(&c.code.as_str()) {
                r.report(
                    node.pos,
                    &join(&path, "code"),
                    format!("`{}` is a built-in calendar", c.code),
                );
            }
            catalogue.calendars.push(c);
        }
    }
    for (i, node) in r.seq(levels_node, "levels").iter().enumerate() {
        let path = index("levels", i);
        if let Some(l) = read_level(&mut r, node, &path, &known) {
            seen.check(&mut r, "level", &l.code, node, &path);
            // Levels are ordered by rank; a tie would make "the strictest" ambiguous.
            if let Some(other) = catalogue
                .levels
                .iter()
                .find(|o| o.rank == l.rank && o.code != l.code)
            {
                let pos = node.get("rank").and_then(|n| n.pos).or(node.pos);
                r.report(
                    pos,
                    &join(&path, "rank"),
                    format!(
                        "rank {} is already the rank of level `{}`",
                        l.rank, other.code
                    ),
                );
            }
            catalogue.levels.push(l);
        }
    }
    for (i, node) in r.seq(categories_node, "categories").iter().enumerate() {
        let path = index("categories", i);
        if let Some(c) = read_category(&mut r, node, &path) {
            seen.check(&mut r, "category", &c.code, node, &path);
            catalogue.categories.push(c);
        }
    }
    for (i, node) in r.seq(services_node, "services").iter().enumerate() {
        let path = index("services", i);
        if let Some(s) = read_service_at(&mut r, node, &path, &known) {
            seen.check(&mut r, "service", &s.code, node, &path);
            catalogue.services.push(s);
        }
    }
    if let Some(node) = profile_node {
        catalogue.profile = read_profile(&mut r, node, "profile", &known);
    }
    if r.ok() {
        Ok(catalogue)
    } else {
        Err(r.issues)
    }
}

/// Reads one service (an API body), checking its references against `known`.
pub fn read_service(doc: &Node, known: &Known) -> Result<Service, Vec<Issue>> {
    let mut r = Reader::new();
    let service = read_service_at(&mut r, doc, "", known);
    match service {
        Some(s) if r.ok() => Ok(s),
        _ => Err(r.issues),
    }
}

/// Reads one category (an API body).
pub fn read_category_doc(doc: &Node) -> Result<Category, Vec<Issue>> {
    let mut r = Reader::new();
    match read_category(&mut r, doc, "") {
        Some(c) if r.ok() => Ok(c),
        _ => Err(r.issues),
    }
}

/// Reads one service level (an API body).
pub fn read_level_doc(doc: &Node, known: &Known) -> Result<ServiceLevel, Vec<Issue>> {
    let mut r = Reader::new();
    match read_level(&mut r, doc, "", known) {
        Some(l) if r.ok() => Ok(l),
        _ => Err(r.issues),
    }
}

#[derive(Default)]
struct Seen(HashMap<(&'static str, String), usize>);

impl Seen {
    fn check(&mut self, r: &mut Reader, kind: &'static str, code: &str, node: &Node, path: &str) {
        let line = node.pos.map(|p| p.line).unwrap_or(0);
        if let Some(first) = self.0.insert((kind, code.to_owned()), line) {
            let pos = node.get("code").and_then(|n| n.pos).or(node.pos);
            let at = if first > 0 {
                format!(" (first defined at line {first})")
            } else {
                String::new()
            };
            r.report(
                pos,
                &join(path, "code"),
                format!("duplicate {kind} code `{code}`{at}"),
            );
        }
    }
}

#[derive(Clone, Copy)]
enum CodeStyle {
    /// `[A-Z0-9-]+` (services).
    Upper,
    /// `[a-z0-9-]+` (everything else).
    Lower,
}

fn check_code(
    r: &mut Reader,
    node: Option<&Node>,
    path: &str,
    code: &str,
    style: CodeStyle,
) -> bool {
    let ok_char = |c: char| match style {
        CodeStyle::Upper => c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-',
        CodeStyle::Lower => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    };
    if code.is_empty() || code.len() > 64 || !code.chars().all(ok_char) {
        let pattern = match style {
            CodeStyle::Upper => "[A-Z0-9-]+",
            CodeStyle::Lower => "[a-z0-9-]+",
        };
        r.report(
            node.and_then(|n| n.pos),
            path,
            format!("`{code}` is not a valid code: expected {pattern}, at most 64 characters"),
        );
        return false;
    }
    true
}

fn req_code(r: &mut Reader, m: &mut MapReader<'_>, style: CodeStyle) -> Option<String> {
    let node = m.require(r, "code")?;
    let path = m.path_of("code");
    let code = r.string(node, &path)?;
    check_code(r, Some(node), &path, &code, style).then_some(code)
}

/// A `lang → text` map; `required` demands at least one non-empty language.
fn read_text(r: &mut Reader, node: Option<&Node>, path: &str, required: bool) -> Text {
    let Some(node) = node else {
        if required {
            r.report(None, path, "is required");
        }
        return Text::new();
    };
    let mut text = Text::new();
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                let p = join(path, &key.name);
                let Some(lang) = Lang::from_code(&key.name) else {
                    r.report(key.pos, &p, "unknown language; expected nl, fr, de or en");
                    continue;
                };
                if text.0.contains_key(&lang) {
                    r.report(key.pos, &p, "duplicate key");
                }
                if let Some(s) = r.string(value, &p) {
                    if s.len() > 100_000 {
                        r.report(value.pos, &p, "text is longer than 100000 bytes");
                    }
                    text.0.insert(lang, s);
                }
            }
        }
        _ => r.report(
            node.pos,
            path,
            format!(
                "expected a map of languages (nl, fr, de, en), found {}",
                node.kind_name()
            ),
        ),
    }
    if required && text.0.values().all(|t| t.trim().is_empty()) {
        r.report(node.pos, path, "needs a text in at least one language");
    }
    text
}

fn req_text(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Text {
    let node = m.get(key);
    let path = m.path_of(key);
    if node.is_none() {
        r.report(m.node.pos, &path, "is required");
        return Text::new();
    }
    read_text(r, node, &path, true)
}

fn opt_text(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Text {
    let node = m.get(key);
    let path = m.path_of(key);
    read_text(r, node, &path, false)
}

fn read_duration(r: &mut Reader, node: &Node, path: &str) -> Option<Seconds> {
    let text = r.string(node, path)?;
    match crate::sla::duration::parse_duration(&text) {
        Ok(s) => Some(Seconds(s)),
        Err(e) => {
            r.report(node.pos, path, format!("{e}"));
            None
        }
    }
}

fn read_date(r: &mut Reader, node: &Node, path: &str) -> Option<Date> {
    let text = r.string(node, path)?;
    match text.parse::<Date>() {
        Ok(d) if text.len() == 10 => Some(d),
        _ => {
            r.report(
                node.pos,
                path,
                format!("`{text}` is not a date (YYYY-MM-DD)"),
            );
            None
        }
    }
}

fn check_calendar_ref(r: &mut Reader, node: Option<&Node>, path: &str, code: &str, known: &Known) {
    if !known.has_calendar(code) {
        r.report(
            node.and_then(|n| n.pos),
            path,
            format!("unknown calendar `{code}`"),
        );
    }
}

fn check_level_ref(r: &mut Reader, node: Option<&Node>, path: &str, code: &str, known: &Known) {
    if !known.levels.contains(code) {
        r.report(
            node.and_then(|n| n.pos),
            path,
            format!("unknown service level `{code}`"),
        );
    }
}

/// The position of the node at `rel` (`slots[1].to`) under `node`, for errors found after reading.
fn node_at<'a>(mut node: &'a Node, rel: &str) -> &'a Node {
    for part in rel.split('.').filter(|p| !p.is_empty()) {
        let (key, idx) = match part.find('[') {
            Some(b) => (
                &part[..b],
                part[b + 1..part.len() - 1].parse::<usize>().ok(),
            ),
            None => (part, None),
        };
        let Some(child) = (if key.is_empty() {
            Some(node)
        } else {
            node.get(key)
        }) else {
            break;
        };
        node = child;
        if let (Some(i), Value::Seq(items)) = (idx, &node.value) {
            match items.get(i) {
                Some(item) => node = item,
                None => break,
            }
        }
    }
    node
}

fn read_calendar(r: &mut Reader, node: &Node, path: &str) -> Option<CalendarDef> {
    let mut m = r.map(node, path)?;
    let before = r.issues.len();
    let code = req_code(r, &mut m, CodeStyle::Lower);
    let name = opt_text(r, &mut m, "name");
    let timezone = m.req_string(r, "timezone");
    let mut slots = Vec::new();
    let slots_path = m.path_of("slots");
    let slots_node = m.get("slots");
    for (i, s) in r.seq(slots_node, &slots_path).iter().enumerate() {
        let p = index(&slots_path, i);
        let Some(mut sm) = r.map(s, &p) else { continue };
        let days_path = sm.path_of("days");
        let days_node = sm.require(r, "days");
        let mut days = Vec::new();
        for (j, d) in r.seq(days_node, &days_path).iter().enumerate() {
            let p = index(&days_path, j);
            if let Some(day) = r.string(d, &p) {
                if WEEKDAYS.contains(&day.as_str()) {
                    days.push(day);
                } else {
                    r.report(
                        d.pos,
                        &p,
                        format!(
                            "`{day}` is not a weekday: use mon, tue, wed, thu, fri, sat or sun"
                        ),
                    );
                }
            }
        }
        let from = sm.req_string(r, "from");
        let to = sm.req_string(r, "to");
        sm.finish(r);
        if let (Some(from), Some(to)) = (from, to) {
            slots.push(SlotDef { days, from, to });
        }
    }
    let mut holidays = HolidaysDef::default();
    if let Some(h) = m.get("holidays") {
        let hp = m.path_of("holidays");
        if let Some(mut hm) = r.map(h, &hp) {
            let sets_path = hm.path_of("sets");
            let sets_node = hm.get("sets");
            for (j, s) in r.seq(sets_node, &sets_path).iter().enumerate() {
                if let Some(set) = r.string(s, &index(&sets_path, j)) {
                    holidays.sets.push(set);
                }
            }
            let closed_path = hm.path_of("closed");
            let closed_node = hm.get("closed");
            for (j, c) in r.seq(closed_node, &closed_path).iter().enumerate() {
                let p = index(&closed_path, j);
                if let Value::Map(_) = c.value {
                    let Some(mut cm) = r.map(c, &p) else { continue };
                    let date_path = cm.path_of("date");
                    let date = cm
                        .require(r, "date")
                        .and_then(|d| read_date(r, d, &date_path));
                    let name = opt_text(r, &mut cm, "name");
                    cm.finish(r);
                    if let Some(date) = date {
                        holidays.closed.push(ClosedDay { date, name });
                    }
                } else if let Some(date) = read_date(r, c, &p) {
                    holidays.closed.push(ClosedDay {
                        date,
                        name: Text::new(),
                    });
                }
            }
            hm.finish(r);
        }
    }
    m.finish(r);
    let def = CalendarDef {
        code: code?,
        name,
        timezone: timezone?,
        slots,
        holidays,
    };
    if r.issues.len() == before {
        // The engine decides what a valid calendar is (zones, sets, slot times).
        if let Err(errors) = def.build() {
            for e in errors {
                let at = node_at(node, &e.path);
                r.report(at.pos, &join(path, &e.path), e.message);
            }
        }
    }
    Some(def)
}

impl CalendarDef {
    /// The engine's specification of this calendar.
    pub fn spec(&self) -> Result<crate::sla::calendar::CalendarSpec, String> {
        let json = serde_json::json!({
            "timezone": self.timezone,
            "slots": self.slots,
            "holidays": self.holidays,
        });
        serde_json::from_value(json).map_err(|e| e.to_string())
    }

    /// Builds the engine's calendar, or every problem with its path inside the calendar.
    pub fn build(
        &self,
    ) -> Result<crate::sla::calendar::Calendar, Vec<crate::sla::calendar::SpecError>> {
        match self.spec() {
            Ok(spec) => spec.build(),
            Err(message) => Err(vec![crate::sla::calendar::SpecError {
                path: String::new(),
                message,
            }]),
        }
    }
}

fn read_level(r: &mut Reader, node: &Node, path: &str, known: &Known) -> Option<ServiceLevel> {
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
    })
}

fn read_category(r: &mut Reader, node: &Node, path: &str) -> Option<Category> {
    let mut m = r.map(node, path)?;
    let code = req_code(r, &mut m, CodeStyle::Lower);
    let name = req_text(r, &mut m, "name");
    let description = opt_text(r, &mut m, "description");
    m.finish(r);
    Some(Category {
        code: code?,
        name,
        description,
    })
}

fn read_enum<T>(
    r: &mut Reader,
    node: &Node,
    path: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Option<T> {
    let s = r.string(node, path)?;
    let v = parse(&s);
    if v.is_none() {
        r.report(node.pos, path, format!("`{s}` is not one of: {expected}"));
    }
    v
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

fn read_code_list<'a>(
    r: &mut Reader,
    node: Option<&'a Node>,
    path: &str,
    style: CodeStyle,
) -> Vec<(String, &'a Node)> {
    let mut out: Vec<(String, &'a Node)> = Vec::new();
    for (i, n) in r.seq(node, path).iter().enumerate() {
        let p = index(path, i);
        if let Some(code) = r.string(n, &p) {
            if check_code(r, Some(n), &p, &code, style) {
                if out.iter().any(|(c, _)| *c == code) {
                    r.report(n.pos, &p, format!("`{code}` is listed twice"));
                } else {
                    out.push((code, n));
                }
            }
        }
    }
    out
}

fn read_service_at(r: &mut Reader, node: &Node, path: &str, known: &Known) -> Option<Service> {
    let mut m = r.map(node, path)?;
    let code = req_code(r, &mut m, CodeStyle::Upper);
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
        if status.is_some_and(|st| st != Lifecycle::Retired) {
            r.report(
                succ_node.and_then(|n| n.pos),
                &succ_path,
                "only a retired service has a successor",
            );
        }
        if Some(s) == code.as_ref() {
            r.report(
                succ_node.and_then(|n| n.pos),
                &succ_path,
                "a service cannot succeed itself",
            );
        } else if !known.services.contains(s) {
            r.report(
                succ_node.and_then(|n| n.pos),
                &succ_path,
                format!("unknown service `{s}`"),
            );
        }
    }
    let name = req_text(r, &mut m, "name");
    let summary = opt_text(r, &mut m, "summary");

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

    let sm_path = m.path_of("service_manager");
    let service_manager = m.require(r, "service_manager").and_then(|n| {
        let mut cm = r.map(n, &sm_path)?;
        let name = cm.req_string(r, "name");
        let email_path = cm.path_of("email");
        let email_node = cm.get("email");
        let email = cm.req_string(r, "email");
        if let Some(e) = &email {
            if !looks_like_email(e) {
                r.report(
                    email_node.and_then(|n| n.pos),
                    &email_path,
                    format!("`{e}` is not an e-mail address"),
                );
            }
        }
        let phone = cm.req_string(r, "phone");
        cm.finish(r);
        Some(Contact {
            name: name?,
            email: email?,
            phone: phone?,
        })
    });

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
    let levels: Vec<String> = levels.into_iter().map(|(c, _)| c).collect();

    let resp_path = m.path_of("responsibilities");
    let resp_node = m.get("responsibilities");
    let mut responsibilities = Vec::new();
    for (i, n) in r.seq(resp_node, &resp_path).iter().enumerate() {
        let p = index(&resp_path, i);
        let Some(mut rm) = r.map(n, &p) else { continue };
        let a_path = rm.path_of("activity");
        let a_node = rm.get("activity");
        let activity = rm.req_string(r, "activity");
        let label = opt_text(r, &mut rm, "label");
        if let Some(a) = &activity {
            check_code(r, a_node, &a_path, a, CodeStyle::Lower);
            if super::rules::standard_activity(a).is_none() && label.is_empty() {
                r.report(
                    n.pos,
                    &rm.path_of("label"),
                    format!("`{a}` is not a standard activity, so it needs a label"),
                );
            }
            if responsibilities
                .iter()
                .any(|x: &ResponsibilityRow| &x.activity == a)
            {
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
            responsibilities.push(ResponsibilityRow {
                activity,
                label,
                paas,
                saas,
            });
        }
    }

    let fiche_path = m.path_of("fiche");
    let fiche = match m.get("fiche") {
        Some(n) => r
            .map(n, &fiche_path)
            .map(|mut fm| {
                let characteristics = opt_text(r, &mut fm, "characteristics");
                let sla_notes = opt_text(r, &mut fm, "sla_notes");
                fm.finish(r);
                Fiche {
                    characteristics,
                    sla_notes,
                }
            })
            .unwrap_or_default(),
        None => Fiche::default(),
    };
    let ed_path = m.path_of("edition");
    let edition = m.get("edition").and_then(|n| read_date(r, n, &ed_path));

    let packs_path = m.path_of("packs");
    let packs_node = m.require(r, "packs");
    let mut packs: Vec<Pack> = Vec::new();
    for (i, pn) in r.seq(packs_node, &packs_path).iter().enumerate() {
        let p = index(&packs_path, i);
        let Some(mut pm) = r.map(pn, &p) else {
            continue;
        };
        let code = req_code(r, &mut pm, CodeStyle::Lower);
        let name = req_text(r, &mut pm, "name");
        let description = opt_text(r, &mut pm, "description");
        let inc_path = pm.path_of("included");
        let mut included = BTreeMap::new();
        if let Some(inc) = pm.get("included") {
            if let Value::Map(entries) = &inc.value {
                for (k, v) in entries {
                    let kp = join(&inc_path, &k.name);
                    let valid = !k.name.is_empty()
                        && k.name.len() <= 64
                        && k.name.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                        });
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
            } else {
                r.report(
                    inc.pos,
                    &inc_path,
                    format!(
                        "expected a mapping of quantities, found {}",
                        inc.kind_name()
                    ),
                );
            }
        }
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
        if let Some(code) = &code {
            if packs.iter().any(|x| &x.code == code) {
                r.report(
                    pn.pos,
                    &join(&p, "code"),
                    format!("duplicate pack code `{code}`"),
                );
            }
        }
        if let (Some(code), Some(standard_level)) = (code, standard_level) {
            packs.push(Pack {
                code,
                name,
                description,
                included,
                prices,
                standard_level,
            });
        }
    }
    if packs_node.is_some() && r.seq(packs_node, &packs_path).is_empty() {
        r.report(
            packs_node.and_then(|n| n.pos),
            &packs_path,
            "a service has at least one pack",
        );
    }

    let options_path = m.path_of("options");
    let options_node = m.get("options");
    let mut options: Vec<ServiceOption> = Vec::new();
    let mut option_nodes: Vec<&Node> = Vec::new();
    for (i, on) in r.seq(options_node, &options_path).iter().enumerate() {
        let p = index(&options_path, i);
        let Some(mut om) = r.map(on, &p) else {
            continue;
        };
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
            Some(n) => read_adjustment(r, n, &sla_path, &levels, known),
            None => SlaAdjustment::default(),
        };
        om.finish(r);
        if let Some(code) = &code {
            if options.iter().any(|x| &x.code == code) {
                r.report(
                    on.pos,
                    &join(&p, "code"),
                    format!("duplicate option code `{code}`"),
                );
            }
        }
        if let Some(code) = code {
            options.push(ServiceOption {
                code,
                name,
                description,
                prices,
                applies_to: applies.into_iter().map(|(c, _)| c).collect(),
                sla,
            });
            option_nodes.push(on);
        }
    }
    // DOMAIN §2 (effective SLA, step 2): two options that can be combined must not set
    // different calendars for the same priority.
    for (i, a) in options.iter().enumerate() {
        for (j, b) in options.iter().enumerate().skip(i + 1) {
            let combinable = packs
                .iter()
                .any(|p| a.applies_to_pack(&p.code) && b.applies_to_pack(&p.code));
            if !combinable {
                continue;
            }
            for (prio, ca) in &a.sla.targets {
                if let (Some(x), Some(y)) = (
                    &ca.calendar,
                    b.sla.targets.get(prio).and_then(|c| c.calendar.as_ref()),
                ) {
                    if x != y {
                        r.report(
                            node_at(option_nodes[j], &format!("sla.targets.{}.calendar", prio.code())).pos,
                            &format!("{}.sla.targets.{}.calendar", index(&options_path, j), prio.code()),
                            format!("options `{}` and `{}` set different calendars for {} (`{x}`, `{y}`)", a.code, b.code, prio.code()),
                        );
                    }
                }
            }
        }
    }
    m.finish(r);
    Some(Service {
        code: code?,
        category: category?,
        status: status?,
        successor,
        name,
        summary,
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

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const PARTIES: &str = "provider, partner, provider-when-agreed, partner-unless-central-first-line";

fn looks_like_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !e.contains(char::is_whitespace))
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

fn read_profile(r: &mut Reader, node: &Node, path: &str, known: &Known) -> Option<Profile> {
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
        .unwrap_or_else(|| "be-working-hours".into());
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
        let email_path = cm.path_of("email");
        let email_node = cm.get("email");
        let email = cm.opt_string(r, "email");
        if let Some(e) = &email {
            if !looks_like_email(e) {
                r.report(
                    email_node.and_then(|n| n.pos),
                    &email_path,
                    format!("`{e}` is not an e-mail address"),
                );
            }
        }
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
