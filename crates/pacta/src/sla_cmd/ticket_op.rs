//! `{"op": "ticket", …}` of `pacta sla eval` (issue 13): a ticket's clocks, escalations and
//! on-call page at `now`, by `core`'s [`evaluate`] — what a stored ticket shows.

use pacta_core::sla::calendar::Calendar;
use pacta_core::ticket::clocks::{
    clock_json as clock, evaluate, Event, Target, TicketQuery, TicketView,
};
use pacta_core::ticket::escalation::{Level, Threshold, Thresholds};
use pacta_core::ticket::{qualifies_for_on_call, Priority, Status};
use serde_json::{json, Value};

use super::{array, code, opt_string, parse_duration, present, req_instant, req_string, Eval};

impl Eval {
    /// The answer line of a `ticket` op.
    pub(super) fn eval_ticket(&mut self, req: &Value) -> Result<String, String> {
        let created = req_instant(req, "created", "")?;
        let now = req_instant(req, "now", "")?;
        let priority = code(req, "priority", "", Priority::from_code, "P1, P2, P3, P4")?;
        let level = req_string(req, "level", "")?;
        let major = match present(req, "major", "")? {
            None => false,
            Some(v) => v.as_bool().ok_or("\"major\" must be true or false")?,
        };
        let (response_goal, response_calendar) = self.target(req, "response")?;
        let (resolution_goal, resolution_calendar) = self.target(req, "resolution")?;
        let helpdesk = self
            .calendars
            .load(req_string(req, "helpdesk_calendar", "")?)?;
        let thresholds = thresholds(req)?;
        let events = array(req, "events", false)?
            .iter()
            .enumerate()
            .map(|(i, e)| event(e, &format!("events[{i}].")))
            .collect::<Result<Vec<_>, String>>()?;
        let query = TicketQuery {
            created,
            now,
            qualifies_for_on_call: qualifies_for_on_call(priority, level, major),
            response: Target {
                goal: response_goal,
                calendar: &response_calendar,
            },
            resolution: Target {
                goal: resolution_goal,
                calendar: &resolution_calendar,
            },
            helpdesk: &helpdesk,
            thresholds,
            events: &events,
            manual_escalations: &[],
        };
        let view = evaluate(&query).map_err(|e| e.to_string())?;
        Ok(answer(
            &view,
            &response_calendar,
            &resolution_calendar,
            &helpdesk,
        ))
    }

    /// `{"goal": D, "calendar": CAL}` under `key`.
    fn target(&mut self, req: &Value, key: &str) -> Result<(i64, Calendar), String> {
        let obj = present(req, key, "")?.ok_or_else(|| format!("missing \"{key}\""))?;
        let what = format!("{key}.");
        let goal = req_string(obj, "goal", &what)?;
        let goal = parse_duration(goal).map_err(|e| format!("\"{what}goal\": {e}"))?;
        let calendar = self.calendars.load(req_string(obj, "calendar", &what)?)?;
        Ok((goal, calendar))
    }
}

fn thresholds(req: &Value) -> Result<Thresholds, String> {
    let mut out = Thresholds::default();
    let Some(obj) = present(req, "escalation", "")? else {
        return Ok(out);
    };
    for level in Level::ALL {
        if let Some(text) = opt_string(obj, level.key(), "escalation.")? {
            let threshold = Threshold::parse(text)
                .map_err(|e| format!("\"escalation.{}\": {e}", level.key()))?;
            out.set(level, threshold);
        }
    }
    Ok(out)
}

fn event(e: &Value, what: &str) -> Result<Event, String> {
    let at = req_instant(e, "at", what)?;
    let status = opt_string(e, "status", what)?
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                format!(
                    "\"{what}status\": unknown value {s:?} (assigned, in_progress, \
                     waiting_partner, resolved, closed)"
                )
            })
        })
        .transpose()?;
    if status == Some(Status::New) {
        return Err(format!(
            "\"{what}status\": a ticket is `new` only at its creation"
        ));
    }
    let response = match present(e, "response", what)? {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("\"{what}response\" must be true or false"))?,
    };
    Ok(Event {
        at,
        status,
        response,
    })
}

fn answer(
    view: &TicketView,
    response: &Calendar,
    resolution: &Calendar,
    helpdesk: &Calendar,
) -> String {
    let escalations: Vec<Value> = view
        .escalations
        .iter()
        .map(|e| {
            json!({
                "level": e.level.number(),
                "to": e.level.to(),
                "at": resolution.format(e.at),
                "why": e.why.code(),
            })
        })
        .collect();
    json!({
        "response": clock(&view.response, response),
        "resolution": clock(&view.resolution, resolution),
        "escalations": escalations,
        "on_call_page_at": view.on_call_page_at.map(|t| helpdesk.format(t)),
    })
    .to_string()
}
