//! A catalogue calendar: code and name, then the engine's spec (zone, slots, holidays), which
//! the engine itself validates — one judge of what a valid calendar is.

use super::{node_at, opt_text, read_date, req_code, CodeStyle};
use crate::catalogue::document::{index, join, MapReader, Node, Reader, Value};
use crate::catalogue::model::{CalendarDef, ClosedDay, HolidaySpec, SlotSpec, Weekday};
use crate::sla::calendar::CalendarSpec;

pub(super) fn read_calendar(r: &mut Reader, node: &Node, path: &str) -> Option<CalendarDef> {
    let mut m = r.map(node, path)?;
    let before = r.issues.len();
    let code = req_code(r, &mut m, CodeStyle::Lower);
    let name = opt_text(r, &mut m, "name");
    let timezone = m.req_string(r, "timezone");
    let slots = read_slots(r, &mut m);
    let holidays = read_holidays(r, &mut m);
    m.finish(r);
    let def = CalendarDef {
        code: code?,
        name,
        spec: CalendarSpec {
            timezone: timezone?,
            slots,
            holidays,
        },
    };
    if r.issues.len() == before {
        if let Err(errors) = def.build() {
            for e in errors {
                let at = node_at(node, &e.path);
                r.report(at.pos, &join(path, &e.path), e.message);
            }
        }
    }
    Some(def)
}

fn read_slots(r: &mut Reader, m: &mut MapReader<'_>) -> Vec<SlotSpec> {
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
                match Weekday::from_code(&day) {
                    Some(w) => days.push(w),
                    None => r.report(
                        d.pos,
                        &p,
                        format!(
                            "`{day}` is not a weekday: use mon, tue, wed, thu, fri, sat or sun"
                        ),
                    ),
                }
            }
        }
        let from = sm.req_string(r, "from");
        let to = sm.req_string(r, "to");
        sm.finish(r);
        if let (Some(from), Some(to)) = (from, to) {
            slots.push(SlotSpec { days, from, to });
        }
    }
    slots
}

fn read_holidays(r: &mut Reader, m: &mut MapReader<'_>) -> HolidaySpec {
    let mut holidays = HolidaySpec::default();
    let Some(h) = m.get("holidays") else {
        return holidays;
    };
    let hp = m.path_of("holidays");
    let Some(mut hm) = r.map(h, &hp) else {
        return holidays;
    };
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
            holidays.closed.push(ClosedDay::new(date));
        }
    }
    hm.finish(r);
    holidays
}
