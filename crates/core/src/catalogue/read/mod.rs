//! Reading and validating the catalogue format from a positioned document (YAML file or JSON body).
//! Every problem is reported at once; nothing is returned unless the whole input is valid.

mod calendar;
mod level;
mod profile;
mod service;

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;

use super::document::{index, join, Issue, MapReader, Node, Reader, Value};
use super::model::*;
use crate::text::{Lang, Text};
use calendar::read_calendar;
use level::read_level;
use profile::read_profile;
use service::read_service_at;

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
pub(crate) enum CodeStyle {
    /// `[A-Z0-9-]+` (services).
    Upper,
    /// `[a-z0-9-]+` (everything else).
    Lower,
}

pub(crate) fn check_code(
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

pub(crate) fn req_code(r: &mut Reader, m: &mut MapReader<'_>, style: CodeStyle) -> Option<String> {
    let node = m.require(r, "code")?;
    let path = m.path_of("code");
    let code = r.string(node, &path)?;
    check_code(r, Some(node), &path, &code, style).then_some(code)
}

/// A `lang → text` map; `required` demands at least one non-empty language.
pub(crate) fn read_text(r: &mut Reader, node: Option<&Node>, path: &str, required: bool) -> Text {
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

pub(crate) fn req_text(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Text {
    let node = m.get(key);
    let path = m.path_of(key);
    if node.is_none() {
        r.report(m.node.pos, &path, "is required");
        return Text::new();
    }
    read_text(r, node, &path, true)
}

pub(crate) fn opt_text(r: &mut Reader, m: &mut MapReader<'_>, key: &'static str) -> Text {
    let node = m.get(key);
    let path = m.path_of(key);
    read_text(r, node, &path, false)
}

pub(crate) fn read_duration(r: &mut Reader, node: &Node, path: &str) -> Option<Seconds> {
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

pub(crate) fn read_enum<T>(
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

pub(crate) fn read_code_list<'a>(
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

/// The `email` of a contact, checked to look like an address.
pub(crate) fn read_email(r: &mut Reader, m: &mut MapReader<'_>, required: bool) -> Option<String> {
    let path = m.path_of("email");
    let node = m.get("email");
    let email = if required {
        m.req_string(r, "email")
    } else {
        m.opt_string(r, "email")
    };
    if let Some(e) = &email {
        if !looks_like_email(e) {
            r.report(
                node.and_then(|n| n.pos),
                &path,
                format!("`{e}` is not an e-mail address"),
            );
        }
    }
    email
}

/// Whether `e` looks like an e-mail address: one `@`, a dot in the domain, no white space.
pub fn looks_like_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !e.contains(char::is_whitespace))
}
