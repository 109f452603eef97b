//! The bodies of the maintenance API (issue 12's contract), read with every problem under its
//! field: a proposal (or a reschedule) `{"service", "start", "end", "rrule"?, "title": {lang:
//! text}, "description"?: {lang: text}}`, an answer `{"answer", "comment"?, "occurrence"?,
//! "alternative"?: {"start", "end"}}` and an override `{"partner", "justification"}`.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::{format_local, instant, parse_local, Occurrence, WindowTimes};
use crate::catalogue::document::{Issue, MapReader, Node, Reader};
use crate::catalogue::read::read_text;
use crate::incident::{text_problem, title_problem};
use crate::sla::consent::Answer;
use crate::sla::instant::parse_instant;
use crate::text::Text;

/// A proposal, read and expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub service: String,
    pub title: Text,
    pub description: Option<Text>,
    /// The first occurrence's local start and end, as given (`YYYY-MM-DDTHH:MM`).
    pub start_local: String,
    pub end_local: String,
    /// The rule in its normal form.
    pub rrule: Option<String>,
    pub occurrences: Vec<Occurrence>,
}

/// An answer as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRequest {
    pub answer: Answer,
    pub comment: Option<String>,
    /// The start of the one occurrence it is about.
    pub occurrence: Option<Timestamp>,
    /// Another slot the partner proposes, local times (`YYYY-MM-DDTHH:MM`).
    pub alternative: Option<(String, String)>,
}

/// An override as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRequest {
    pub partner: String,
    pub justification: String,
}

fn checked(
    r: &mut Reader,
    m: &mut MapReader<'_>,
    key: &'static str,
    required: bool,
    check: fn(&str) -> Option<String>,
) -> Option<String> {
    let path = m.path_of(key);
    let node = if required {
        m.require(r, key)?
    } else {
        m.get(key)?
    };
    let text = r.string(node, &path)?;
    match check(&text) {
        Some(problem) => {
            r.report(node.pos, &path, problem);
            None
        }
        None => Some(text.trim().to_owned()),
    }
}

fn local(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Option<DateTime> {
    let path = m.path_of(key);
    let node = m.require(r, key)?;
    let text = r.string(node, &path)?;
    match parse_local(&text) {
        Ok(dt) => Some(dt),
        Err(e) => {
            r.report(node.pos, &path, e);
            None
        }
    }
}

fn text_field(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str, required: bool) -> Text {
    let path = m.path_of(key);
    let node = m.get(key);
    if node.is_none() && required {
        r.report(m.node.pos, &path, "is required");
        return Text::new();
    }
    let text = read_text(r, node, &path, required);
    for (lang, t) in &text.0 {
        let problem = if key == "title" {
            title_problem(t)
        } else {
            text_problem(t)
        };
        if let Some(problem) = problem.filter(|_| required || !t.trim().is_empty()) {
            r.report(
                node.and_then(|n| n.pos),
                &format!("{path}.{}", lang.code()),
                problem,
            );
        }
    }
    text
}

/// Reads a proposal and works out its occurrences in `tz`: its first occurrence must start
/// after `now` (a window is proposed before it happens; an emergency one a minute ahead).
pub fn read_proposal(doc: &Node, tz: &TimeZone, now: Timestamp) -> Result<Proposal, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let service = m.req_string(&mut r, "service");
    let start = local(&mut r, &mut m, "start");
    let end = local(&mut r, &mut m, "end");
    let rrule = m.opt_string(&mut r, "rrule");
    let title = text_field(&mut r, &mut m, "title", true);
    let description = text_field(&mut r, &mut m, "description", false);
    m.finish(&mut r);
    let (Some(service), Some(start), Some(end)) = (service, start, end) else {
        return Err(r.issues);
    };
    let times = match WindowTimes::parse(&format_local(start), &format_local(end), rrule.as_deref())
    {
        Ok(t) => t,
        Err(e) => {
            r.report(None, e.field, e.message);
            return Err(r.issues);
        }
    };
    let occurrences = match times.occurrences(tz) {
        Ok(o) => o,
        Err(e) => {
            r.report(None, e.field, e.message);
            return Err(r.issues);
        }
    };
    if instant(tz, start) <= now {
        r.report(
            None,
            "start",
            format!(
                "{} has already begun: a window is proposed before it starts",
                format_local(start)
            ),
        );
    }
    if !r.ok() {
        return Err(r.issues);
    }
    Ok(Proposal {
        service,
        title,
        description: (!description.0.values().all(|t| t.trim().is_empty())).then_some(description),
        start_local: format_local(start),
        end_local: format_local(end),
        rrule: times.rrule.as_ref().map(|r| r.to_rule_string()),
        occurrences,
    })
}

/// Reads an answer. An objection needs a comment (why); an alternative needs a start and an
/// end after it.
pub fn read_answer(doc: &Node) -> Result<AnswerRequest, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let answer = m.req_string(&mut r, "answer").and_then(|code| {
        let a = Answer::parse(&code);
        if a.is_none() {
            r.report(
                None,
                "answer",
                format!("unknown answer `{code}`: expected agree or object"),
            );
        }
        a
    });
    let comment = checked(&mut r, &mut m, "comment", false, text_problem);
    let occurrence = match m.get("occurrence") {
        Some(node) => r
            .string(node, "occurrence")
            .and_then(|text| match parse_instant(&text) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.report(node.pos, "occurrence", e.to_string());
                    None
                }
            }),
        None => None,
    };
    let alternative = match m.get("alternative") {
        Some(node) => match r.map(node, "alternative") {
            Some(mut alt) => {
                let start = local(&mut r, &mut alt, "start");
                let end = local(&mut r, &mut alt, "end");
                alt.finish(&mut r);
                match (start, end) {
                    (Some(s), Some(e)) if e <= s => {
                        r.report(
                            None,
                            "alternative.end",
                            format!(
                                "{} is not after the start {}",
                                format_local(e),
                                format_local(s)
                            ),
                        );
                        None
                    }
                    (Some(s), Some(e)) => Some((format_local(s), format_local(e))),
                    _ => None,
                }
            }
            None => None,
        },
        None => None,
    };
    m.finish(&mut r);
    if answer == Some(Answer::Object) && comment.is_none() && r.ok() {
        r.report(
            None,
            "comment",
            "an objection says why: a comment is required",
        );
    }
    match answer {
        Some(answer) if r.ok() => Ok(AnswerRequest {
            answer,
            comment,
            occurrence,
            alternative,
        }),
        _ => Err(r.issues),
    }
}

/// Reads an override.
pub fn read_override(doc: &Node) -> Result<OverrideRequest, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let partner = m.req_string(&mut r, "partner");
    let justification = checked(&mut r, &mut m, "justification", true, text_problem);
    m.finish(&mut r);
    match (partner, justification) {
        (Some(partner), Some(justification)) if r.ok() => Ok(OverrideRequest {
            partner,
            justification,
        }),
        _ => Err(r.issues),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        Node::from_json(&serde_json::from_str(json).unwrap())
    }

    fn now() -> Timestamp {
        "2026-12-01T08:00:00Z".parse().unwrap()
    }

    fn fields(issues: Vec<Issue>) -> Vec<String> {
        issues.into_iter().map(|i| i.path).collect()
    }

    fn tz() -> &'static TimeZone {
        crate::subscription::zone()
    }

    #[test]
    fn a_proposal_is_read_with_its_occurrences() {
        let p = read_proposal(
            &node(
                r#"{"service": "WEB-HOSTING", "start": "2027-03-28T02:00", "end": "2027-03-28T04:00",
                    "rrule": "freq=weekly;count=2", "title": {"en": " Storage firmware "},
                    "description": {"nl": ""}}"#,
            ),
            tz(),
            now(),
        )
        .unwrap();
        assert_eq!(p.rrule.as_deref(), Some("FREQ=WEEKLY;COUNT=2"));
        assert_eq!(p.description, None);
        // 28 March 2027 is the spring-forward night: [03:00+02:00, 04:00+02:00).
        assert_eq!(
            p.occurrences[0].start,
            "2027-03-28T01:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            p.occurrences[1].start,
            "2027-04-04T00:00:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn a_bad_proposal_names_each_field() {
        let err = read_proposal(
            &node(
                r#"{"start": "2026-12-13 02:00", "end": "2026-12-13T04:00", "title": {}, "x": 1}"#,
            ),
            tz(),
            now(),
        )
        .unwrap_err();
        assert_eq!(fields(err), ["service", "start", "title", "x"]);
        let read = |start: &str, end: &str, rrule: &str| {
            let rrule = if rrule.is_empty() {
                String::new()
            } else {
                format!(r#", "rrule": "{rrule}""#)
            };
            read_proposal(
                &node(&format!(
                    r#"{{"service": "S", "start": "{start}", "end": "{end}", "title": {{"en": "t"}}{rrule}}}"#
                )),
                tz(),
                now(),
            )
            .unwrap_err()
        };
        assert_eq!(
            fields(read("2026-12-13T04:00", "2026-12-13T02:00", "")),
            ["end"]
        );
        let e = read(
            "2026-12-13T02:00",
            "2026-12-13T04:00",
            "FREQ=WEEKLY;BYSETPOS=1;COUNT=2",
        );
        assert_eq!(fields(e.clone()), ["rrule"]);
        assert!(e[0].message.contains("BYSETPOS"), "{}", e[0].message);
        let e = read("2026-12-13T02:00", "2026-12-13T04:00", "FREQ=WEEKLY");
        assert_eq!(fields(e), ["rrule"]);
        // Already begun (now is 1 December 09:00 in Brussels).
        assert_eq!(
            fields(read("2026-12-01T08:00", "2026-12-01T10:00", "")),
            ["start"]
        );
    }

    #[test]
    fn an_answer_and_an_override_are_read() {
        let a = read_answer(&node(
            r#"{"answer": "object", "comment": "Payroll", "occurrence": "2026-12-20T02:00:00+01:00",
                "alternative": {"start": "2026-12-27T02:00", "end": "2026-12-27T04:00"}}"#,
        ))
        .unwrap();
        assert_eq!(a.answer, Answer::Object);
        assert_eq!(
            a.alternative,
            Some(("2026-12-27T02:00".into(), "2026-12-27T04:00".into()))
        );
        assert_eq!(
            fields(read_answer(&node(r#"{"answer": "object"}"#)).unwrap_err()),
            ["comment"]
        );
        assert_eq!(
            fields(read_answer(&node(r#"{"answer": "maybe"}"#)).unwrap_err()),
            ["answer"]
        );
        assert_eq!(
            fields(
                read_answer(&node(
                    r#"{"answer": "agree", "alternative": {"start": "2026-12-27T04:00", "end": "2026-12-27T02:00"}}"#
                ))
                .unwrap_err()
            ),
            ["alternative.end"]
        );
        assert!(read_answer(&node(r#"{"answer": "agree"}"#)).is_ok());
        assert_eq!(
            fields(read_override(&node(r#"{"partner": "P", "justification": " "}"#)).unwrap_err()),
            ["justification"]
        );
    }
}
