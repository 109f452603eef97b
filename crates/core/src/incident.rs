//! Incidents (DOMAIN §6): declared by the provider's staff for a service, `down` or `degraded`,
//! from a start to an end that stays open while it is unknown, with public updates written in
//! their author's language. A `down` incident is downtime for every subscription of its service
//! over its whole span, monitored or not; a `degraded` one never is — that rule is the SLA
//! engine's ([`crate::sla::statement`]); here is what an incident is and what a body may say.
//!
//! Instants are read as the SLA engine reads them ([`crate::sla::instant::parse_instant`]):
//! RFC 3339 with `Z` or `±HH:MM`, whole seconds, years 1900–2200. An incident is declared for what
//! has begun (planned work is maintenance), so neither its start nor its end may lie after the
//! instant of the write; an end, when known, is after the start.

use jiff::Timestamp;

use crate::catalogue::document::{Issue, MapReader, Node, Reader, Value};
use crate::sla::instant::parse_instant;
use crate::subscription::State;
use crate::text::Lang;

pub use crate::sla::statement::IncidentKind as Kind;

/// The longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest update, in characters.
pub const TEXT_MAX: usize = 5_000;

/// An incident of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The service's code.
    pub service: String,
    pub kind: Kind,
    /// A short line saying what is wrong, in its author's language.
    pub title: String,
    pub start: Timestamp,
    /// `None` while it is open (the end is not known yet).
    pub end: Option<Timestamp>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.end.is_none()
    }

    /// The incident as the `statement` rule takes it.
    pub fn as_sla(&self) -> crate::sla::statement::Incident {
        crate::sla::statement::Incident {
            start: self.start,
            end: self.end,
            kind: self.kind,
        }
    }
}

/// A public update of an incident, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub at: Timestamp,
    /// The language it is written in.
    pub language: Lang,
    pub text: String,
    /// Who wrote it (a user's e-mail, `bootstrap`).
    pub author: String,
}

/// An update as a body gives it; without a language it is written in its author's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateText {
    pub text: String,
    pub language: Option<Lang>,
}

/// What a declaration says: the incident, and maybe its first update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub incident: Incident,
    pub update: Option<UpdateText>,
}

/// A change of an incident: its end (`Some(None)`: open again) and its kind; nothing else of it
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Change {
    pub end: Option<Option<Timestamp>>,
    pub kind: Option<Kind>,
}

impl Change {
    /// `incident` with the change made, checked at `now`: the end after the start and not after
    /// `now`. `None` when it changes nothing.
    pub fn apply(&self, incident: &Incident, now: Timestamp) -> Result<Option<Incident>, Issue> {
        let mut after = incident.clone();
        if let Some(end) = self.end {
            after.end = end;
        }
        if let Some(kind) = self.kind {
            after.kind = kind;
        }
        if after == *incident {
            return Ok(None);
        }
        if self.end.is_some() {
            if let Some(problem) = end_problem(after.start, after.end, now) {
                return Err(issue("end", problem));
            }
        }
        Ok(Some(after))
    }
}

/// Whether a subscription in `state` lets its partner's people read the incidents of its
/// service: one that is or was agreed (approved, active, suspended or terminated) — not a
/// request, nor one rejected or withdrawn.
pub fn state_reads_incidents(state: State) -> bool {
    matches!(
        state,
        State::Approved | State::Active | State::Suspended | State::Terminated
    )
}

/// Whether the partner admins of a subscription in `state` are mailed the incidents of its
/// service and their updates: one that runs now (active or suspended).
pub fn state_is_told(state: State) -> bool {
    matches!(state, State::Active | State::Suspended)
}

fn issue(path: &str, message: impl Into<String>) -> Issue {
    Issue {
        pos: None,
        path: path.to_owned(),
        message: message.into(),
    }
}

/// What is wrong with a title, if anything: blank, longer than [`TITLE_MAX`] characters, or
/// holding a control character (it is one line).
pub fn title_problem(title: &str) -> Option<String> {
    if title.chars().any(char::is_control) {
        Some("a title is one line without control characters".into())
    } else {
        text_bounds(title, TITLE_MAX)
    }
}

/// What is wrong with an update's text, if anything: blank, longer than [`TEXT_MAX`]
/// characters, or holding a control character other than a tab or a line break.
pub fn text_problem(text: &str) -> Option<String> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some("control characters other than tabs and line breaks are not allowed".into())
    } else {
        text_bounds(text, TEXT_MAX)
    }
}

fn text_bounds(text: &str, max: usize) -> Option<String> {
    // Counted as given (surrounding spaces included), as a schema's `maxLength` counts.
    let count = text.chars().count();
    if !text.chars().any(|c| !c.is_whitespace() && !c.is_control()) {
        Some("must not be blank".into())
    } else if count > max {
        Some(format!("at most {max} characters, got {count}"))
    } else {
        None
    }
}

/// What is wrong with an end, if anything: not after the start, or after `now`.
fn end_problem(start: Timestamp, end: Option<Timestamp>, now: Timestamp) -> Option<String> {
    let end = end?;
    if end <= start {
        Some("the end must be after the start".into())
    } else if end > now {
        Some("the end lies in the future: leave it open until it is known".into())
    } else {
        None
    }
}

fn read_instant(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Option<Timestamp> {
    let path = m.path_of(key);
    let node = m.get(key)?;
    let text = r.string(node, &path)?;
    match parse_instant(&text) {
        Ok(t) => Some(t),
        Err(e) => {
            r.report(node.pos, &path, e.to_string());
            None
        }
    }
}

fn read_kind(r: &mut Reader, node: &Node, path: &str) -> Option<Kind> {
    let code = r.string(node, path)?;
    let kind = Kind::parse(&code);
    if kind.is_none() {
        r.report(
            node.pos,
            path,
            format!("unknown kind `{code}`: expected down or degraded"),
        );
    }
    kind
}

fn read_checked(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    check: fn(&str) -> Option<String>,
) -> Option<String> {
    let path = m.path_of(key);
    let node = m.require(r, key)?;
    let text = r.string(node, &path)?;
    match check(&text) {
        Some(problem) => {
            r.report(node.pos, &path, problem);
            None
        }
        None => Some(text.trim().to_owned()),
    }
}

/// Reads `{"text", "language"?}` under `path`.
fn read_update_at(r: &mut Reader, node: &Node, path: &str) -> Option<UpdateText> {
    let mut m = r.map(node, path)?;
    let text = read_checked(r, &mut m, "text", text_problem);
    let language = match m.get("language") {
        Some(n) => {
            let lpath = m.path_of("language");
            let code = r.string(n, &lpath)?;
            match Lang::from_code(&code) {
                Some(l) => Some(Some(l)),
                None => {
                    r.report(
                        n.pos,
                        &lpath,
                        format!("unknown language `{code}`: expected nl, fr, de or en"),
                    );
                    None
                }
            }
        }
        None => Some(None),
    };
    m.finish(r);
    Some(UpdateText {
        text: text?,
        language: language?,
    })
}

/// Reads an update's body, `{"text", "language"?}`, every problem under its field.
pub fn read_update(doc: &Node) -> Result<UpdateText, Vec<Issue>> {
    let mut r = Reader::new();
    match read_update_at(&mut r, doc, "") {
        Some(u) if r.ok() => Ok(u),
        _ => Err(r.issues),
    }
}

/// Reads a declaration, `{"service", "kind", "title", "start", "end"?, "update"?: {"text",
/// "language"?}}`, checked at `now`; every problem under its field. Whether the service exists
/// is the store's to say.
pub fn read_declaration(doc: &Node, now: Timestamp) -> Result<Declaration, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let service = m.req_string(&mut r, "service");
    if let Some(code) = &service {
        let ok = !code.is_empty()
            && code.len() <= 64
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            r.report(
                None,
                "service",
                format!("`{code}` is not a service code ([A-Z0-9-], 1 to 64 characters)"),
            );
        }
    }
    let kind = m
        .require(&mut r, "kind")
        .and_then(|n| read_kind(&mut r, n, "kind"));
    let title = read_checked(&mut r, &mut m, "title", title_problem);
    let start = if m.require(&mut r, "start").is_some() {
        read_instant(&mut r, &mut m, "start")
    } else {
        None
    };
    if start.is_some_and(|s| s > now) {
        r.report(
            None,
            "start",
            "the start lies in the future: an incident is declared once it has begun (planned work is maintenance)",
        );
    }
    let end = read_instant(&mut r, &mut m, "end");
    if let (Some(start), Some(end)) = (start, end) {
        if let Some(problem) = end_problem(start, Some(end), now) {
            r.report(None, "end", problem);
        }
    }
    let update = match m.get("update") {
        Some(node) => read_update_at(&mut r, node, "update").map(Some),
        None => Some(None),
    };
    m.finish(&mut r);
    match (service, kind, title, start, update) {
        (Some(service), Some(kind), Some(title), Some(start), Some(update)) if r.ok() => {
            Ok(Declaration {
                incident: Incident {
                    service,
                    kind,
                    title,
                    start,
                    end,
                },
                update,
            })
        }
        _ => Err(r.issues),
    }
}

/// Reads a change, a merge patch `{"end"?: T | null, "kind"?}`: `end` null opens the incident
/// again; any other field is refused (nothing else of an incident changes). Whether the end
/// fits the incident is [`Change::apply`]'s to say.
pub fn read_change(doc: &Node) -> Result<Change, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    // `end: null` is a change (open again), unlike an absent `end`.
    let end_null = matches!(doc.get("end"), Some(n) if n.value == Value::Null);
    let end = read_instant(&mut r, &mut m, "end");
    let kind = m.get("kind").and_then(|n| read_kind(&mut r, n, "kind"));
    m.finish(&mut r);
    if !r.ok() {
        return Err(r.issues);
    }
    Ok(Change {
        end: if end_null { Some(None) } else { end.map(Some) },
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        parse_instant(s).unwrap()
    }

    fn now() -> Timestamp {
        t("2026-11-30T10:00:00+01:00")
    }

    fn declare(json: serde_json::Value) -> Result<Declaration, Vec<Issue>> {
        read_declaration(&Node::from_json(&json), now())
    }

    fn paths(issues: &[Issue]) -> Vec<&str> {
        let mut p: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        p.sort_unstable();
        p
    }

    #[test]
    fn a_declaration_reads_with_its_update_and_any_spelling_of_an_instant() {
        let d = declare(serde_json::json!({
            "service": "WEB-HOSTING", "kind": "down", "title": "  Web hosting unreachable ",
            "start": "2026-11-30T08:15:00Z", "end": "2026-11-30T09:45:00+01:00",
            "update": {"text": "We are on it.\nMore soon.", "language": "en"},
        }))
        .unwrap();
        assert_eq!(
            d.incident,
            Incident {
                service: "WEB-HOSTING".into(),
                kind: Kind::Down,
                title: "Web hosting unreachable".into(),
                start: t("2026-11-30T09:15:00+01:00"),
                end: Some(t("2026-11-30T08:45:00Z")),
            }
        );
        assert_eq!(
            d.update,
            Some(UpdateText {
                text: "We are on it.\nMore soon.".into(),
                language: Some(Lang::En)
            })
        );
        assert!(!d.incident.is_open());
        assert_eq!(d.incident.as_sla().kind, Kind::Down);
        // Open, without an update; null is absent.
        let d = declare(serde_json::json!({
            "service": "WEB-HOSTING", "kind": "degraded", "title": "Slow",
            "start": "2026-11-30T10:00:00+01:00", "end": null, "update": null,
        }))
        .unwrap();
        assert!(d.incident.is_open() && d.update.is_none());
    }

    #[test]
    fn every_problem_of_a_declaration_is_reported_under_its_field() {
        let e = declare(serde_json::json!({
            "service": "web hosting", "kind": "broken", "title": " ",
            "start": "2026-11-30T08:15:00.5Z", "colour": "red",
            "update": {"text": "", "language": "es", "extra": 1},
        }))
        .unwrap_err();
        assert_eq!(
            paths(&e),
            [
                "colour",
                "kind",
                "service",
                "start",
                "title",
                "update.extra",
                "update.language",
                "update.text"
            ]
        );
        let e = declare(serde_json::json!({})).unwrap_err();
        assert_eq!(paths(&e), ["kind", "service", "start", "title"]);
        assert!(e.iter().all(|i| i.message == "is required"));
        let e = declare(serde_json::json!([])).unwrap_err();
        assert_eq!(paths(&e), [""]);
    }

    #[test]
    fn the_end_is_after_the_start_and_neither_is_in_the_future() {
        let base = serde_json::json!({"service": "WEB-HOSTING", "kind": "down", "title": "x",
            "start": "2026-11-30T09:00:00+01:00"});
        let with = |key: &str, value: &str| {
            let mut b = base.clone();
            b[key] = value.into();
            declare(b)
        };
        for end in ["2026-11-30T09:00:00+01:00", "2026-11-30T07:59:59Z"] {
            let e = with("end", end).unwrap_err();
            assert_eq!(paths(&e), ["end"], "{end}");
            assert!(e[0].message.contains("after the start"), "{e:?}");
        }
        assert!(with("end", "2026-11-30T08:00:01Z").is_ok());
        // `now` itself is allowed; a second later is not.
        assert!(with("end", "2026-11-30T10:00:00+01:00").is_ok());
        let e = with("end", "2026-11-30T10:00:01+01:00").unwrap_err();
        assert!(e[0].message.contains("future"));
        let e = with("start", "2026-11-30T09:00:01Z").unwrap_err();
        assert_eq!(paths(&e), ["start"]);
        // Years 1900–2200, real dates, whole seconds, an offset.
        for bad in [
            "1899-12-31T23:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-11-30T10:00:00",
            "2026-11-30 10:00:00Z",
        ] {
            assert_eq!(paths(&with("start", bad).unwrap_err()), ["start"], "{bad}");
        }
    }

    #[test]
    fn titles_and_texts_are_bounded_and_printable() {
        assert_eq!(title_problem("Down"), None);
        assert!(title_problem("two\nlines").is_some());
        assert!(title_problem("\u{1c}").is_some());
        assert!(title_problem(&"x".repeat(TITLE_MAX + 1)).is_some());
        assert!(title_problem(&format!(" {}", "x".repeat(TITLE_MAX))).is_some());
        assert_eq!(
            title_problem(&format!(" {}", "é".repeat(TITLE_MAX - 1))),
            None
        );
        assert_eq!(text_problem("line one\r\n\tline two"), None);
        assert!(text_problem(" \n\t ").is_some());
        assert!(text_problem("a\u{0}b").is_some());
        assert!(text_problem(&"x".repeat(TEXT_MAX + 1)).is_some());
        assert_eq!(text_problem(&"x".repeat(TEXT_MAX)), None);
    }

    #[test]
    fn an_update_reads_with_or_without_its_language() {
        let u = read_update(&Node::from_json(
            &serde_json::json!({"text": " Fixed. ", "language": "nl"}),
        ))
        .unwrap();
        assert_eq!((u.text.as_str(), u.language), ("Fixed.", Some(Lang::Nl)));
        let u = read_update(&Node::from_json(&serde_json::json!({"text": "Fixed."}))).unwrap();
        assert_eq!(u.language, None);
        let e = read_update(&Node::from_json(
            &serde_json::json!({"language": "NL", "text": 3}),
        ))
        .unwrap_err();
        assert_eq!(paths(&e), ["language", "text"]);
    }

    #[test]
    fn a_change_names_the_end_or_the_kind_and_nothing_else() {
        let read = |json: serde_json::Value| read_change(&Node::from_json(&json));
        assert_eq!(read(serde_json::json!({})).unwrap(), Change::default());
        assert_eq!(
            read(serde_json::json!({"end": null, "kind": "degraded"})).unwrap(),
            Change {
                end: Some(None),
                kind: Some(Kind::Degraded)
            }
        );
        let e = read(
            serde_json::json!({"start": "2026-11-30T08:00:00Z", "title": "x",
            "end": "soon", "kind": "up"}),
        )
        .unwrap_err();
        assert_eq!(paths(&e), ["end", "kind", "start", "title"]);

        let incident = Incident {
            service: "WEB-HOSTING".into(),
            kind: Kind::Down,
            title: "x".into(),
            start: t("2026-11-30T09:00:00+01:00"),
            end: None,
        };
        let change = |end: &str| Change {
            end: Some(Some(t(end))),
            kind: None,
        };
        let closed = change("2026-11-30T09:30:00+01:00")
            .apply(&incident, now())
            .unwrap()
            .unwrap();
        assert_eq!(closed.end, Some(t("2026-11-30T09:30:00+01:00")));
        for bad in ["2026-11-30T09:00:00+01:00", "2026-11-30T10:00:01+01:00"] {
            let e = change(bad).apply(&incident, now()).unwrap_err();
            assert_eq!(e.path, "end", "{bad}");
        }
        // Open again; a kind alone; nothing at all.
        let reopened = Change {
            end: Some(None),
            kind: None,
        }
        .apply(&closed, now())
        .unwrap()
        .unwrap();
        assert!(reopened.is_open());
        let degraded = Change {
            end: None,
            kind: Some(Kind::Degraded),
        }
        .apply(&incident, now())
        .unwrap()
        .unwrap();
        assert_eq!(degraded.kind, Kind::Degraded);
        assert_eq!(Change::default().apply(&incident, now()).unwrap(), None);
        assert_eq!(
            Change {
                end: None,
                kind: Some(Kind::Down)
            }
            .apply(&incident, now())
            .unwrap(),
            None
        );
    }

    #[test]
    fn who_reads_and_who_is_told_by_the_state_of_their_subscription() {
        let readers: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| state_reads_incidents(*s))
            .collect();
        assert_eq!(
            readers,
            [
                State::Approved,
                State::Active,
                State::Suspended,
                State::Terminated
            ]
        );
        let told: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| state_is_told(*s))
            .collect();
        assert_eq!(told, [State::Active, State::Suspended]);
        assert!(told.iter().all(|s| state_reads_incidents(*s)));
    }
}
