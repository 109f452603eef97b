//! YAML text to a `serde_json::Value`, so that YAML files deserialise through serde (the
//! workspace has `yaml-rust2`, a YAML 1.2 parser, not a serde format). YAML 1.2 core schema:
//! an unquoted `2026-12-24` or `08:00` stays a string.

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Parses one YAML document into JSON; an empty document is `null`.
pub(crate) fn to_json(text: &str) -> Result<Value, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    match docs.as_slice() {
        [] => Ok(Value::Null),
        [doc] => convert(doc),
        _ => Err("expected one YAML document, found several".to_string()),
    }
}

fn convert(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.clone())),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Hash(hash) => {
            let mut map = Map::new();
            for (k, v) in hash {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => return Err("a mapping key must be a scalar".to_string()),
                };
                map.insert(key, convert(v)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) => return Err("YAML aliases are not supported".to_string()),
        Yaml::BadValue => return Err("invalid YAML value".to_string()),
    })
}
