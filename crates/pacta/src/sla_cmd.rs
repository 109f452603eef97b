//! `pacta sla …`: the SLA engine on the command line (issue 3), so that anyone can check a
//! figure. stdout carries only answers; an error is one line on stderr and exit code 2.
//!
//! Values are taken as text and checked here rather than by clap, so that a bad value gives the
//! same one-line error as every other problem.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use jiff::Timestamp;
use pacta_core::sla::availability::{availability, Availability, Target};
use pacta_core::sla::calendar::{Calendar, CalendarSpec, BUILTIN_CALENDARS};
use pacta_core::sla::consent::{consent, Answer, Consent, ConsentQuery, GivenAnswer};
use pacta_core::sla::duration::{format_duration, parse_duration};
use pacta_core::sla::holidays::{holidays, year_supported, HolidaySet};
use pacta_core::sla::instant::{format_instant, parse_instant};
use pacta_core::sla::outages::{outages, Outage, OutageRule, ProbeResult};
use pacta_core::sla::statement::{
    month_period, statement, Incident, IncidentKind, MaintenanceWindow,
};
use pacta_core::sla::Interval;
use pacta_core::subscription::zone;
use pacta_core::text::Lang;
use serde_json::{json, Value};

use crate::config::{redact, Settings};

mod ticket_op;

/// `pacta sla <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum SlaCommand {
    /// List the holidays of a built-in set in a year: one line per date, `YYYY-MM-DD name`.
    Holidays {
        /// `be-legal` or `be-federal`.
        #[arg(long, allow_hyphen_values = true)]
        set: String,
        /// A year of 1900–2200.
        #[arg(long, allow_hyphen_values = true)]
        year: String,
        /// Language of the names: nl, fr, de or en.
        #[arg(long, default_value = "en", allow_hyphen_values = true)]
        lang: String,
    },
    /// The business-time deadline of a duration from a start instant.
    Deadline {
        /// `24x7`, `be-working-hours`, the path of a YAML calendar file (a value with `/` or
        /// ending in .yaml/.yml), or the code of a calendar of the catalogue in --database-url.
        #[arg(long, allow_hyphen_values = true)]
        calendar: String,
        /// RFC 3339 instant, e.g. 2026-11-27T17:30:00+01:00.
        #[arg(long, allow_hyphen_values = true)]
        start: String,
        /// `[Nh][Nm][Ns]` or `PT[NH][NM][NS]`, e.g. 4h30m.
        #[arg(long, allow_hyphen_values = true)]
        duration: String,
        /// A pause `START/END` (repeat for several); time inside does not count.
        #[arg(long = "pause", value_name = "START/END", allow_hyphen_values = true)]
        pauses: Vec<String>,
        /// Also list the open periods consumed.
        #[arg(long)]
        explain: bool,
    },
    /// Business seconds between two instants.
    Elapsed {
        /// `24x7`, `be-working-hours`, the path of a YAML calendar file (a value with `/` or
        /// ending in .yaml/.yml), or the code of a calendar of the catalogue in --database-url.
        #[arg(long, allow_hyphen_values = true)]
        calendar: String,
        /// RFC 3339 instant (inclusive).
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        /// RFC 3339 instant (exclusive).
        #[arg(long, allow_hyphen_values = true)]
        to: String,
        /// A pause `START/END` (repeat for several).
        #[arg(long = "pause", value_name = "START/END", allow_hyphen_values = true)]
        pauses: Vec<String>,
    },
    /// Availability over a period, as one JSON object.
    Availability {
        /// RFC 3339 instant: start of the period.
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        /// RFC 3339 instant: end of the period (exclusive).
        #[arg(long, allow_hyphen_values = true)]
        to: String,
        /// Target percentage, 0–100, e.g. 99.9.
        #[arg(long, allow_hyphen_values = true)]
        target: String,
        /// JSON file: an array of {"start": T, "end": T}.
        #[arg(long, allow_hyphen_values = true)]
        outages: Option<String>,
        /// JSON file: an array of {"start": T, "end": T}.
        #[arg(long, allow_hyphen_values = true)]
        maintenance: Option<String>,
    },
    /// Answer one JSON request per stdin line with one JSON line on stdout.
    Eval,
}

/// Runs `pacta sla <command>`.
pub fn run(cmd: SlaCommand, settings: &Settings) -> ExitCode {
    let mut calendars = Calendars::new(&settings.database_url);
    let result = match cmd {
        SlaCommand::Holidays { set, year, lang } => cmd_holidays(&set, &year, &lang),
        SlaCommand::Deadline {
            calendar,
            start,
            duration,
            pauses,
            explain,
        } => cmd_deadline(
            &mut calendars,
            &calendar,
            &start,
            &duration,
            &pauses,
            explain,
        ),
        SlaCommand::Elapsed {
            calendar,
            from,
            to,
            pauses,
        } => cmd_elapsed(&mut calendars, &calendar, &from, &to, &pauses),
        SlaCommand::Availability {
            from,
            to,
            target,
            outages,
            maintenance,
        } => cmd_availability(&from, &to, &target, outages, maintenance),
        SlaCommand::Eval => cmd_eval(calendars),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

type CmdResult = Result<(), String>;

fn print_lines(lines: &[String]) -> CmdResult {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in lines {
        writeln!(out, "{line}").map_err(|e| format!("writing stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing stdout: {e}"))
}

fn cmd_holidays(set: &str, year: &str, lang: &str) -> CmdResult {
    let set = HolidaySet::from_code(set)
        .ok_or_else(|| format!("unknown holiday set {set:?} (known: be-legal, be-federal)"))?;
    let year: i16 = year
        .parse()
        .ok()
        .filter(|y| year_supported(*y))
        .ok_or_else(|| format!("invalid year {year:?}: expected 1900–2200"))?;
    let lang = Lang::from_code(lang)
        .ok_or_else(|| format!("unknown language {lang:?} (nl, fr, de, en)"))?;
    let lines: Vec<String> = holidays(set, year)
        .iter()
        .map(|h| format!("{} {}", h.date, h.name(lang)))
        .collect();
    print_lines(&lines)
}

/// Where `--calendar` values are found: a path (a value with `/`, or ending in `.yaml` or
/// `.yml`), a built-in, else a calendar of the catalogue in the database — opened only when a
/// code needs it, and never created by this. Each value is loaded once (errors included).
struct Calendars {
    database_url: String,
    db: Option<Result<(tokio::runtime::Runtime, pacta_store::Db), String>>,
    loaded: HashMap<String, Result<Calendar, String>>,
}

impl Calendars {
    fn new(database_url: &str) -> Calendars {
        Calendars {
            database_url: database_url.to_owned(),
            db: None,
            loaded: HashMap::new(),
        }
    }

    fn load(&mut self, name: &str) -> Result<Calendar, String> {
        if let Some(cached) = self.loaded.get(name) {
            return cached.clone();
        }
        let loaded = if is_path(name) {
            load_file(name)
        } else if let Some(cal) = Calendar::builtin(name) {
            Ok(cal)
        } else {
            self.catalogue_calendar(name)
        };
        self.loaded.insert(name.to_owned(), loaded.clone());
        loaded
    }

    fn catalogue_calendar(&mut self, code: &str) -> Result<Calendar, String> {
        let not_found = |why: String| {
            format!(
                "calendar {code:?} is neither a built-in ({}) nor a file path (with / or .yaml), \
                 and not a calendar of the catalogue: {why}",
                BUILTIN_CALENDARS.join(", ")
            )
        };
        let url = self.database_url.clone();
        let (runtime, db) = match self.db.get_or_insert_with(|| open_existing(&url)) {
            Ok(open) => open,
            Err(e) => return Err(not_found(e.clone())),
        };
        let def = runtime
            .block_on(db.calendar(code))
            .map_err(|e| not_found(format!("the database {}: {e}", redact(&url))))?
            .ok_or_else(|| {
                not_found(format!(
                    "the catalogue in {} has no such code",
                    redact(&url)
                ))
            })?;
        def.build().map_err(|errors| {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            format!("calendar {code}: {}", list.join("; "))
        })
    }
}

impl Drop for Calendars {
    fn drop(&mut self) {
        if let Some(Ok((runtime, db))) = &self.db {
            runtime.block_on(db.close());
        }
    }
}

fn is_path(name: &str) -> bool {
    name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Opens the catalogue's database for reading calendars: it must exist.
fn open_existing(url: &str) -> Result<(tokio::runtime::Runtime, pacta_store::Db), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let db = runtime
        .block_on(pacta_store::Db::open_existing(url))
        .map_err(|e| match e {
            pacta_store::StoreError::Missing(_) => {
                format!("the database {} does not exist", redact(url))
            }
            e => format!("cannot open the database {}: {e}", redact(url)),
        })?;
    Ok((runtime, db))
}

/// A YAML calendar file.
fn load_file(name: &str) -> Result<Calendar, String> {
    let text = std::fs::read_to_string(name)
        .map_err(|e| format!("calendar file {name:?} cannot be read: {e}"))?;
    let spec = CalendarSpec::from_yaml_str(&text).map_err(|e| format!("calendar {name}: {e}"))?;
    spec.build().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("calendar {name}: {}", list.join("; "))
    })
}

fn instant(text: &str) -> Result<jiff::Timestamp, String> {
    parse_instant(text).map_err(|e| e.to_string())
}

fn parse_pause(text: &str) -> Result<Interval, String> {
    let (s, e) = text
        .split_once('/')
        .ok_or_else(|| format!("invalid interval {text:?}: expected START/END"))?;
    Interval::new(instant(s)?, instant(e)?).map_err(|e| e.to_string())
}

fn cmd_deadline(
    calendars: &mut Calendars,
    calendar: &str,
    start: &str,
    duration: &str,
    pauses: &[String],
    explain: bool,
) -> CmdResult {
    let start = instant(start)?;
    let seconds = parse_duration(duration).map_err(|e| e.to_string())?;
    let pauses = pauses
        .iter()
        .map(|p| parse_pause(p))
        .collect::<Result<Vec<_>, _>>()?;
    let cal = calendars.load(calendar)?;
    let deadline = cal
        .deadline_with_pauses(start, seconds, &pauses)
        .map_err(|e| e.to_string())?;
    let mut lines = vec![cal.format(deadline)];
    if explain {
        let mut total = 0;
        for p in cal
            .open_periods(start, deadline, &pauses)
            .map_err(|e| e.to_string())?
        {
            total += p.seconds();
            lines.push(format!(
                "  {}/{} {} (total {})",
                cal.format(p.start),
                cal.format(p.end),
                format_duration(p.seconds()),
                format_duration(total)
            ));
        }
    }
    print_lines(&lines)
}

fn cmd_elapsed(
    calendars: &mut Calendars,
    calendar: &str,
    from: &str,
    to: &str,
    pauses: &[String],
) -> CmdResult {
    let (from, to) = (instant(from)?, instant(to)?);
    let pauses = pauses
        .iter()
        .map(|p| parse_pause(p))
        .collect::<Result<Vec<_>, _>>()?;
    let cal = calendars.load(calendar)?;
    let seconds = cal
        .elapsed_with_pauses(from, to, &pauses)
        .map_err(|e| e.to_string())?;
    print_lines(&[seconds.to_string()])
}

/// Intervals from a JSON array of `{"start": T, "end": T}` (other keys ignored).
fn intervals_from_json(value: &Value, what: &str) -> Result<Vec<Interval>, String> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => {
            return Err(format!(
                "{what}: expected an array of {{\"start\", \"end\"}}"
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{what}[{i}]: missing string \"{key}\""))
                    .and_then(|s| instant(s).map_err(|e| format!("{what}[{i}].{key}: {e}")))
            };
            Interval::new(field("start")?, field("end")?).map_err(|e| format!("{what}[{i}]: {e}"))
        })
        .collect()
}

fn intervals_from_file(path: Option<String>, what: &str) -> Result<Vec<Interval>, String> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{what} file {path}: {e}"))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{what} file {path}: invalid JSON: {e}"))?;
    intervals_from_json(&value, what).map_err(|e| format!("{what} file {path}: {e}"))
}

fn availability_json(a: &Availability) -> String {
    serde_json::to_string(a).expect("serialisable")
}

fn cmd_availability(
    from: &str,
    to: &str,
    target: &str,
    outages: Option<String>,
    maintenance: Option<String>,
) -> CmdResult {
    let period = Interval {
        start: instant(from)?,
        end: instant(to)?,
    };
    let target = Target::parse(target).map_err(|e| e.to_string())?;
    let outages = intervals_from_file(outages, "outages")?;
    let maintenance = intervals_from_file(maintenance, "maintenance")?;
    let a = availability(period, &outages, &maintenance, &target).map_err(|e| e.to_string())?;
    print_lines(&[availability_json(&a)])
}

/// `pacta sla eval`: calendars are loaded once per distinct value (errors included).
struct Eval {
    calendars: Calendars,
}

impl Eval {
    fn calendar(&mut self, req: &Value) -> Result<Calendar, String> {
        self.calendars.load(str_field(req, "calendar")?)
    }

    fn answer(&mut self, line: &str) -> Result<String, String> {
        let req: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
        if !req.is_object() {
            return Err("expected a JSON object".to_string());
        }
        let op = req
            .get("op")
            .and_then(Value::as_str)
            .ok_or("missing string \"op\"")?;
        match op {
            "deadline" => {
                let start = instant(str_field(&req, "start")?)?;
                let seconds =
                    parse_duration(str_field(&req, "duration")?).map_err(|e| e.to_string())?;
                let pauses =
                    intervals_from_json(req.get("pauses").unwrap_or(&Value::Null), "pauses")?;
                let cal = self.calendar(&req)?;
                let t = cal
                    .deadline_with_pauses(start, seconds, &pauses)
                    .map_err(|e| e.to_string())?;
                Ok(format!("{{\"deadline\":\"{}\"}}", cal.format(t)))
            }
            "elapsed" => {
                let from = instant(str_field(&req, "from")?)?;
                let to = instant(str_field(&req, "to")?)?;
                let pauses =
                    intervals_from_json(req.get("pauses").unwrap_or(&Value::Null), "pauses")?;
                let cal = self.calendar(&req)?;
                let seconds = cal
                    .elapsed_with_pauses(from, to, &pauses)
                    .map_err(|e| e.to_string())?;
                Ok(format!("{{\"seconds\":{seconds}}}"))
            }
            "availability" => {
                let period = Interval {
                    start: instant(str_field(&req, "from")?)?,
                    end: instant(str_field(&req, "to")?)?,
                };
                let target = target_field(&req)?;
                let outages =
                    intervals_from_json(req.get("outages").unwrap_or(&Value::Null), "outages")?;
                let maintenance = intervals_from_json(
                    req.get("maintenance").unwrap_or(&Value::Null),
                    "maintenance",
                )?;
                let a = availability(period, &outages, &maintenance, &target)
                    .map_err(|e| e.to_string())?;
                Ok(availability_json(&a))
            }
            "outages" => eval_outages(&req),
            "statement" => eval_statement(&req),
            "consent" => eval_consent(&req),
            "ticket" => self.eval_ticket(&req),
            other => Err(format!(
                "unknown op {other:?} (deadline, elapsed, availability, outages, statement, \
                 consent, ticket)"
            )),
        }
    }
}

/// The `target` of a request: a JSON number or a string, read exactly from its digits.
fn target_field(req: &Value) -> Result<Target, String> {
    match req.get("target") {
        Some(Value::String(s)) => Target::parse(s),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => Target::parse(&u.to_string()),
            (None, Some(f)) => Target::from_f64(f),
            _ => Target::parse(&n.to_string()),
        },
        _ => return Err("missing \"target\" (a number or a string)".to_string()),
    }
    .map_err(|e| e.to_string())
}

// Strict readers of the issue 10 ops: an optional key that is absent or null takes its default;
// a present value of the wrong JSON type is an error ("3" is not a count, "true" not a flag).
// `what` names the value in messages: `"from"`, `results[3].at`.

/// A present, non-null value.
fn present<'a>(obj: &'a Value, key: &str, what: &str) -> Result<Option<&'a Value>, String> {
    if !obj.is_object() {
        return Err(format!(
            "{}: expected a JSON object",
            what.trim_end_matches('.')
        ));
    }
    Ok(obj.get(key).filter(|v| !v.is_null()))
}

fn required<'a>(obj: &'a Value, key: &str, what: &str) -> Result<&'a Value, String> {
    present(obj, key, what)?.ok_or_else(|| format!("missing \"{what}{key}\""))
}

fn opt_string<'a>(obj: &'a Value, key: &str, what: &str) -> Result<Option<&'a str>, String> {
    present(obj, key, what)?
        .map(|v| {
            v.as_str()
                .ok_or_else(|| format!("\"{what}{key}\" must be a string"))
        })
        .transpose()
}

fn req_string<'a>(obj: &'a Value, key: &str, what: &str) -> Result<&'a str, String> {
    opt_string(obj, key, what)?.ok_or_else(|| format!("missing \"{what}{key}\""))
}

fn opt_instant(obj: &Value, key: &str, what: &str) -> Result<Option<Timestamp>, String> {
    opt_string(obj, key, what)?
        .map(|s| parse_instant(s).map_err(|e| format!("\"{what}{key}\": {e}")))
        .transpose()
}

fn req_instant(obj: &Value, key: &str, what: &str) -> Result<Timestamp, String> {
    opt_instant(obj, key, what)?.ok_or_else(|| format!("missing \"{what}{key}\""))
}

fn opt_duration(obj: &Value, key: &str) -> Result<Option<i64>, String> {
    opt_string(obj, key, "")?
        .map(|s| parse_duration(s).map_err(|e| format!("\"{key}\": {e}")))
        .transpose()
}

fn req_duration(obj: &Value, key: &str) -> Result<i64, String> {
    opt_duration(obj, key)?.ok_or_else(|| format!("missing \"{key}\""))
}

fn req_bool(obj: &Value, key: &str, what: &str) -> Result<bool, String> {
    required(obj, key, what)?
        .as_bool()
        .ok_or_else(|| format!("\"{what}{key}\" must be true or false"))
}

/// An integer ≥ 1 (a JSON integer, not a string nor a fraction).
fn req_count(obj: &Value, key: &str) -> Result<u32, String> {
    required(obj, key, "")?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| format!("\"{key}\" must be an integer ≥ 1"))
}

/// An array; absent or null is empty unless `needed`.
fn array<'a>(obj: &'a Value, key: &str, needed: bool) -> Result<&'a [Value], String> {
    match present(obj, key, "")? {
        None if needed => Err(format!("missing \"{key}\" (an array)")),
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("\"{key}\" must be an array")),
    }
}

/// A code of a closed list, required.
fn code<T>(
    obj: &Value,
    key: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    known: &str,
) -> Result<T, String> {
    let text = req_string(obj, key, what)?;
    parse(text).ok_or_else(|| format!("\"{what}{key}\": unknown value {text:?} ({known})"))
}

fn brussels(t: Timestamp) -> String {
    format_instant(t, zone())
}

/// `{"op": "outages", …}` → `{"outages": […], "unmonitored": […], "down_at_end": b}`.
fn eval_outages(req: &Value) -> Result<String, String> {
    let interval = req_duration(req, "interval")?;
    let stale_after = opt_duration(req, "stale_after")?;
    let n = req_count(req, "failures_before_down")?;
    let m = req_count(req, "successes_before_up")?;
    let rule = OutageRule::new(interval, n, m, stale_after).map_err(|e| e.to_string())?;
    let from = req_instant(req, "from", "")?;
    let to = req_instant(req, "to", "")?;
    let results = array(req, "results", true)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let what = format!("results[{i}].");
            Ok(ProbeResult {
                at: req_instant(r, "at", &what)?,
                ok: req_bool(r, "ok", &what)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let answer = outages(&rule, from, to, &results).map_err(|e| e.to_string())?;
    let mut out =
        String::with_capacity(64 + 64 * (answer.outages.len() + answer.unmonitored.len()));
    out.push_str("{\"outages\":[");
    for (i, o) in answer.outages.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let end = o
            .end
            .map_or("null".to_string(), |e| format!("\"{}\"", brussels(e)));
        out.push_str(&format!(
            "{sep}{{\"start\":\"{}\",\"end\":{end}}}",
            brussels(o.start)
        ));
    }
    out.push_str("],\"unmonitored\":[");
    for (i, u) in answer.unmonitored.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        out.push_str(&format!(
            "{sep}{{\"start\":\"{}\",\"end\":\"{}\"}}",
            brussels(u.start),
            brussels(u.end)
        ));
    }
    out.push_str(&format!("],\"down_at_end\":{}}}", answer.down_at_end));
    Ok(out)
}

/// `{"op": "statement", …}` → the statement object.
fn eval_statement(req: &Value) -> Result<String, String> {
    let month = opt_string(req, "month", "")?;
    let from = opt_instant(req, "from", "")?;
    let to = opt_instant(req, "to", "")?;
    let period = match (month, from, to) {
        (Some(month), None, None) => month_period(month).map_err(|e| e.to_string())?,
        (Some(_), _, _) => {
            return Err("give either \"month\" or \"from\" and \"to\", not both".into())
        }
        (None, Some(start), Some(end)) => Interval { start, end },
        (None, None, None) => return Err("missing \"month\" (or \"from\" and \"to\")".into()),
        (None, _, _) => return Err("\"from\" and \"to\" go together".into()),
    };
    let target = target_field(req)?;
    let items = |key: &'static str| {
        array(req, key, false).map(|items| {
            items
                .iter()
                .enumerate()
                .map(move |(i, item)| (format!("{key}[{i}]."), item))
        })
    };
    let outages = items("outages")?
        .map(|(what, o)| {
            Ok(Outage {
                start: req_instant(o, "start", &what)?,
                end: opt_instant(o, "end", &what)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let closed_interval = |what: &str, v: &Value| -> Result<Interval, String> {
        Interval::new(req_instant(v, "start", what)?, req_instant(v, "end", what)?)
            .map_err(|e| format!("{what} {e}"))
    };
    let unmonitored = items("unmonitored")?
        .map(|(what, u)| closed_interval(&what, u))
        .collect::<Result<Vec<_>, String>>()?;
    let incidents = items("incidents")?
        .map(|(what, i)| {
            Ok(Incident {
                start: req_instant(i, "start", &what)?,
                end: opt_instant(i, "end", &what)?,
                kind: code(i, "kind", &what, IncidentKind::parse, "down, degraded")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let maintenance = items("maintenance")?
        .map(|(what, m)| {
            Ok(MaintenanceWindow {
                window: closed_interval(&what, m)?,
                consent: code(
                    m,
                    "consent",
                    &what,
                    Consent::parse,
                    "explicit, tacit, objected, overridden, none, pending",
                )?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let s = statement(
        period,
        &target,
        &outages,
        &unmonitored,
        &incidents,
        &maintenance,
    )
    .map_err(|e| e.to_string())?;
    Ok(serde_json::to_string(&s).expect("serialisable"))
}

/// `{"op": "consent", …}` → `{"deadline": T, "consent": "…", "excluded": b}`.
fn eval_consent(req: &Value) -> Result<String, String> {
    let start = req_instant(req, "start", "")?;
    let notice_seconds = req_duration(req, "notice")?;
    let silence_is_consent = req_bool(req, "silence_is_consent", "")?;
    let now = req_instant(req, "now", "")?;
    let answers = array(req, "answers", false)?
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let what = format!("answers[{i}].");
            Ok(GivenAnswer {
                at: req_instant(a, "at", &what)?,
                answer: code(a, "answer", &what, Answer::parse, "agree, object")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let query = ConsentQuery {
        start,
        notice_seconds,
        silence_is_consent,
        now,
        answers,
        override_at: opt_instant(req, "override_at", "")?,
        consulted_at: opt_instant(req, "consulted_at", "")?,
    };
    let d = consent(&query).map_err(|e| e.to_string())?;
    Ok(format!(
        "{{\"deadline\":\"{}\",\"consent\":\"{}\",\"excluded\":{}}}",
        brussels(d.deadline),
        d.consent,
        d.excluded
    ))
}

fn str_field<'a>(req: &'a Value, key: &str) -> Result<&'a str, String> {
    req.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string \"{key}\""))
}

fn cmd_eval(calendars: Calendars) -> CmdResult {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut eval = Eval { calendars };
    let mut buf = Vec::with_capacity(512);
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("reading stdin: {e}"))?;
        if n == 0 {
            break;
        }
        let answer = match std::str::from_utf8(&buf) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => eval.answer(line.trim()),
            Err(_) => Err("the line is not UTF-8".to_string()),
        };
        let line = answer.unwrap_or_else(|e| json!({ "error": e }).to_string());
        writeln!(out, "{line}").map_err(|e| format!("writing stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing stdout: {e}"))
}
