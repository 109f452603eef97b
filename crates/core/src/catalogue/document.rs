//! A YAML or JSON document as a tree that remembers where each value was written, and a reader
//! that collects every problem at once with its line, column and field path.
//!
//! The catalogue is read through this tree rather than straight through serde because serde stops
//! at the first error and forgets positions; editors of a catalogue want every error, each pointing
//! at its place in the file.

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    fn from_marker(m: &Marker) -> Pos {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

/// What a scalar was written as. JSON keeps its types; a plain YAML scalar is typed by the reader
/// from what the field expects (so `24x7`, `08:00` and `2026-12-24` need no quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// A quoted YAML scalar or a JSON string.
    Str,
    /// An unquoted YAML scalar.
    Plain,
    /// A JSON number.
    Num,
    /// A JSON boolean.
    Bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar(String, ScalarKind),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Option<Pos>,
    pub value: Value,
}

impl Node {
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Scalar(_, ScalarKind::Num) => "a number",
            Value::Scalar(_, ScalarKind::Bool) => "a boolean",
            Value::Scalar(..) => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The entry `key` of a mapping, if this is one and has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A JSON document as a tree without positions: errors then carry the field path only.
    pub fn from_json(value: &serde_json::Value) -> Node {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Scalar(b.to_string(), ScalarKind::Bool),
            serde_json::Value::Number(n) => Value::Scalar(n.to_string(), ScalarKind::Num),
            serde_json::Value::String(s) => Value::Scalar(s.clone(), ScalarKind::Str),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(Node::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: k.clone(),
                                pos: None,
                            },
                            Node::from_json(v),
                        )
                    })
                    .collect(),
            ),
        };
        Node { pos: None, value }
    }
}

/// One problem in a document: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub pos: Option<Pos>,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = self.pos {
            write!(f, "{}:{}: ", pos.line, pos.col)?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Parses one YAML document into a positioned tree. Aliases are resolved; tags are ignored.
pub fn parse_yaml(source: &str) -> Result<Node, Issue> {
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(source);
    parser.load(&mut builder, false).map_err(|e| Issue {
        pos: Some(Pos::from_marker(e.marker())),
        path: String::new(),
        message: format!("YAML syntax: {}", e.info()),
    })?;
    if let Some(issue) = builder.error {
        return Err(issue);
    }
    Ok(builder.root.unwrap_or(Node {
        pos: Some(Pos { line: 1, col: 1 }),
        value: Value::Null,
    }))
}

enum Frame {
    Seq(Node, usize),
    Map(Node, usize, Option<(Key, Pos)>),
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    error: Option<Issue>,
}

impl TreeBuilder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(seq, _)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, _, pending)) => match pending.take() {
                None => {
                    // A key. Only scalar keys make sense in the catalogue.
                    let name = match &node.value {
                        Value::Scalar(s, _) => s.clone(),
                        Value::Null => String::new(),
                        _ => {
                            if self.error.is_none() {
                                self.error = Some(Issue {
                                    pos: node.pos,
                                    path: String::new(),
                                    message: "mapping keys must be plain scalars".into(),
                                });
                            }
                            String::new()
                        }
                    };
                    let pos = node.pos.unwrap_or(Pos { line: 1, col: 1 });
                    *pending = Some((
                        Key {
                            name,
                            pos: node.pos,
                        },
                        pos,
                    ));
                }
                Some((key, _)) => {
                    if let Value::Map(entries) = &mut map.value {
                        entries.push((key, node));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = Some(Pos::from_marker(&mark));
        match ev {
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq(
                Node {
                    pos,
                    value: Value::Seq(Vec::new()),
                },
                anchor,
            )),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map(
                Node {
                    pos,
                    value: Value::Map(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (node, anchor) = match frame {
                        Frame::Seq(node, anchor) => (node, anchor),
                        Frame::Map(mut node, anchor, _) => {
                            // A block mapping's start event is marked after its first key; the
                            // first key is where a reader looks.
                            if let Value::Map(entries) = &node.value {
                                if let Some((key, _)) = entries.first() {
                                    node.pos = key.pos.or(node.pos);
                                }
                            }
                            (node, anchor)
                        }
                    };
                    self.push_value(node, anchor);
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let value = if style == TScalarStyle::Plain {
                    if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
                        Value::Null
                    } else {
                        Value::Scalar(text, ScalarKind::Plain)
                    }
                } else {
                    Value::Scalar(text, ScalarKind::Str)
                };
                self.push_value(Node { pos, value }, anchor);
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node {
                    pos,
                    value: Value::Null,
                });
                self.push_value(Node { pos, ..node }, 0);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// Collects problems while a document is read, each with its path and position.
#[derive(Debug, Default)]
pub struct Reader {
    pub issues: Vec<Issue>,
}

impl Reader {
    pub fn new() -> Self {
        Reader::default()
    }

    pub fn report(&mut self, pos: Option<Pos>, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            pos,
            path: path.to_owned(),
            message: message.into(),
        });
    }

    pub fn ok(&self) -> bool {
        self.issues.is_empty()
    }

    /// Opens `node` as a mapping; reports and returns `None` otherwise.
    pub fn map<'a>(&mut self, node: &'a Node, path: &str) -> Option<MapReader<'a>> {
        match &node.value {
            Value::Map(entries) => {
                let mut seen: Vec<&str> = Vec::new();
                for (key, _) in entries {
                    if seen.contains(&key.name.as_str()) {
                        self.report(key.pos, &join(path, &key.name), "duplicate key");
                    }
                    seen.push(&key.name);
                }
                Some(MapReader {
                    node,
                    entries,
                    path: path.to_owned(),
                    known: Vec::new(),
                })
            }
            _ => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a mapping, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    /// Items of a list (a missing or null list is empty).
    pub fn seq<'a>(&mut self, node: Option<&'a Node>, path: &str) -> &'a [Node] {
        match node.map(|n| &n.value) {
            None | Some(Value::Null) => &[],
            Some(Value::Seq(items)) => items,
            Some(_) => {
                let node = node.unwrap_or_else(|| unreachable!());
                self.report(
                    node.pos,
                    path,
                    format!("expected a list, found {}", node.kind_name()),
                );
                &[]
            }
        }
    }

    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Scalar(s, ScalarKind::Str | ScalarKind::Plain) => Some(s.clone()),
            _ => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a string, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    /// A non-negative integer that fits `max`.
    pub fn integer(&mut self, node: &Node, path: &str, min: i64, max: i64) -> Option<i64> {
        match &node.value {
            Value::Scalar(s, ScalarKind::Num | ScalarKind::Plain) => match s.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Some(n),
                Ok(n) => {
                    self.report(node.pos, path, format!("{n} is out of range {min}..={max}"));
                    None
                }
                Err(_) => {
                    self.report(node.pos, path, format!("expected an integer, found `{s}`"));
                    None
                }
            },
            _ => {
                self.report(
                    node.pos,
                    path,
                    format!("expected an integer, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Scalar(s, ScalarKind::Bool | ScalarKind::Plain) if s == "true" => Some(true),
            Value::Scalar(s, ScalarKind::Bool | ScalarKind::Plain) if s == "false" => Some(false),
            _ => {
                self.report(
                    node.pos,
                    path,
                    format!("expected true or false, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    /// The digits of a number, as written (for exact decimals); quoted strings are accepted too.
    pub fn number_text(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Scalar(s, ScalarKind::Num | ScalarKind::Plain | ScalarKind::Str) => {
                Some(s.clone())
            }
            _ => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a number, found {}", node.kind_name()),
                );
                None
            }
        }
    }
}

/// A mapping being read: every key asked for is known; [`MapReader::finish`] reports the rest.
pub struct MapReader<'a> {
    pub node: &'a Node,
    entries: &'a [(Key, Node)],
    pub path: String,
    known: Vec<&'static str>,
}

impl<'a> MapReader<'a> {
    /// The value of `key`, null treated as absent.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
            .filter(|v| v.value != Value::Null)
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of a key that must be there.
    pub fn require(&mut self, r: &mut Reader, key: &'static str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            r.report(self.node.pos, &self.path_of(key), "is required");
        }
        node
    }

    pub fn req_string(&mut self, r: &mut Reader, key: &'static str) -> Option<String> {
        let node = self.require(r, key)?;
        r.string(node, &self.path_of(key))
    }

    pub fn opt_string(&mut self, r: &mut Reader, key: &'static str) -> Option<String> {
        let node = self.get(key)?;
        r.string(node, &self.path_of(key))
    }

    /// Reports every key that was never asked for.
    pub fn finish(self, r: &mut Reader) {
        for (key, _) in self.entries {
            if !self.known.contains(&key.name.as_str()) {
                let mut known: Vec<&str> = self.known.clone();
                known.sort_unstable();
                known.dedup();
                r.report(
                    key.pos,
                    &join(&self.path, &key.name),
                    format!("unknown field; expected one of: {}", known.join(", ")),
                );
            }
        }
    }
}

/// `services[2]` + `code` → `services[2].code`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// `services` + 2 → `services[2]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_line_and_column() {
        let doc = parse_yaml("a: 1\nb:\n  c: \"x\"\n").unwrap();
        let b = doc.get("b").unwrap();
        let c = b.get("c").unwrap();
        assert_eq!(c.pos, Some(Pos { line: 3, col: 6 }));
        assert_eq!(c.value, Value::Scalar("x".into(), ScalarKind::Str));
        assert_eq!(
            doc.get("a").unwrap().value,
            Value::Scalar("1".into(), ScalarKind::Plain)
        );
    }

    #[test]
    fn unknown_and_duplicate_keys_are_reported_with_positions() {
        let doc = parse_yaml("code: x\ncolour: red\ncode: y\n").unwrap();
        let mut r = Reader::new();
        let mut m = r.map(&doc, "").unwrap();
        m.req_string(&mut r, "code");
        m.require(&mut r, "name");
        m.finish(&mut r);
        let lines: Vec<String> = r.issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "3:1: code: duplicate key",
                "1:1: name: is required",
                "2:1: colour: unknown field; expected one of: code, name",
            ]
        );
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = parse_yaml("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.is_some());
        assert!(err.message.starts_with("YAML syntax"));
    }

    #[test]
    fn aliases_resolve_to_their_anchor() {
        let doc = parse_yaml("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(
            doc.get("b").unwrap().get("k").unwrap().value,
            Value::Scalar("v".into(), ScalarKind::Plain)
        );
    }

    #[test]
    fn json_keeps_its_types() {
        let doc = Node::from_json(&serde_json::json!({"n": 5, "s": "5"}));
        let mut r = Reader::new();
        assert_eq!(r.integer(doc.get("n").unwrap(), "n", 0, 10), Some(5));
        assert_eq!(r.integer(doc.get("s").unwrap(), "s", 0, 10), None);
        assert_eq!(r.string(doc.get("n").unwrap(), "n"), None);
        assert_eq!(r.issues.len(), 2);
    }
}
