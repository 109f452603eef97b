//! Deterministic export of the catalogue format: a fixed order, no ids, timestamps or history,
//! so that export → import elsewhere → export gives the same bytes.

use yaml_rust2::yaml::{Hash, Yaml};
use yaml_rust2::YamlEmitter;

use super::model::Catalogue;

/// The catalogue in its canonical order: calendars and categories by code, levels from the
/// strictest, services by category then code. Packs and options keep their authored order.
pub fn canonical(catalogue: &Catalogue) -> Catalogue {
    let mut c = catalogue.clone();
    c.calendars.sort_by(|a, b| a.code.cmp(&b.code));
    c.levels
        .sort_by(|a, b| b.rank.cmp(&a.rank).then_with(|| a.code.cmp(&b.code)));
    c.categories.sort_by(|a, b| a.code.cmp(&b.code));
    c.services
        .sort_by(|a, b| (&a.category, &a.code).cmp(&(&b.category, &b.code)));
    c
}

/// Writes the catalogue as YAML.
pub fn to_yaml(catalogue: &Catalogue) -> String {
    let value = serde_json::to_value(canonical(catalogue))
        .unwrap_or_else(|e| unreachable!("the model always serialises: {e}"));
    yaml_file(
        "# Pacta catalogue — edit and load with `pacta catalogue import`.\n",
        &value,
    )
}

/// A YAML file of `value` (keys in their serialisation order), under a comment `header`.
pub(crate) fn yaml_file(header: &str, value: &serde_json::Value) -> String {
    let yaml = to_yaml_value(value);
    let mut out = String::from(header);
    let mut body = String::new();
    let mut emitter = YamlEmitter::new(&mut body);
    emitter.multiline_strings(true);
    emitter
        .dump(&yaml)
        .unwrap_or_else(|e| unreachable!("emitting to a String cannot fail: {e}"));
    // The emitter opens with a document marker; the file reads better without it.
    out.push_str(body.strip_prefix("---\n").unwrap_or(&body));
    out.push('\n');
    out
}

fn to_yaml_value(value: &serde_json::Value) -> Yaml {
    match value {
        serde_json::Value::Null => Yaml::Null,
        serde_json::Value::Bool(b) => Yaml::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        serde_json::Value::String(s) => Yaml::String(s.clone()),
        serde_json::Value::Array(items) => Yaml::Array(items.iter().map(to_yaml_value).collect()),
        serde_json::Value::Object(map) => {
            let mut hash = Hash::new();
            for (k, v) in map {
                hash.insert(Yaml::String(k.clone()), to_yaml_value(v));
            }
            Yaml::Hash(hash)
        }
    }
}
