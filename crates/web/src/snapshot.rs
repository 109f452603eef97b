//! The in-memory snapshot of the catalogue that every read is served from. It is rebuilt after
//! each write; per language it holds the JSON of every service already rendered, so a list
//! request concatenates strings instead of querying the database or serialising the model.

use std::collections::HashMap;

use pacta_core::catalogue::import::Kind;
use pacta_core::catalogue::{rules, Service, ServiceLevel};
use pacta_core::sla::calendar::{Calendar, Calendars};
use pacta_core::text::{fold_for_search, Lang};
use pacta_store::catalogue::StoredCatalogue;
use serde_json::{json, Map, Value};

/// The language a response is written in: one language, or every language's map (`?lang=all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangChoice {
    One(Lang),
    All,
}

impl LangChoice {
    pub const ALL: [LangChoice; 5] = [
        LangChoice::One(Lang::Nl),
        LangChoice::One(Lang::Fr),
        LangChoice::One(Lang::De),
        LangChoice::One(Lang::En),
        LangChoice::All,
    ];

    fn index(self) -> usize {
        match self {
            LangChoice::One(Lang::Nl) => 0,
            LangChoice::One(Lang::Fr) => 1,
            LangChoice::One(Lang::De) => 2,
            LangChoice::One(Lang::En) => 3,
            LangChoice::All => 4,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LangChoice::One(l) => l.code(),
            LangChoice::All => "all",
        }
    }
}

/// Resolves every `lang → text` map in `value` to `{"text", "lang"}` in `choice`, with the
/// language actually used (DOMAIN §1 fallback). Quantities and other maps are left alone: a text
/// map is an object whose keys are all language codes and whose values are all strings.
pub fn localize(value: &mut Value, choice: LangChoice) {
    let LangChoice::One(lang) = choice else {
        return;
    };
    match value {
        Value::Object(map) => {
            let is_text = !map.is_empty()
                && map
                    .iter()
                    .all(|(k, v)| Lang::from_code(k).is_some() && v.is_string());
            if is_text {
                let text: pacta_core::text::Text =
                    serde_json::from_value(Value::Object(std::mem::take(map))).unwrap_or_default();
                if let Some((used, t)) = text.resolve(lang) {
                    *value = json!({"text": t, "lang": used.code()});
                }
                return;
            }
            for v in map.values_mut() {
                localize(v, choice);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localize(v, choice)),
        _ => {}
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| unreachable!("catalogue entities always serialise: {e}"))
}

/// A level as the API shows it: with its allowed downtime per 30 days.
pub fn level_json(level: &ServiceLevel) -> Value {
    let mut v = to_json(level);
    if let Value::Object(map) = &mut v {
        map.insert(
            "allowed_downtime_30d_seconds".into(),
            json!(level.allowed_downtime_per_month()),
        );
    }
    v
}

pub struct Snapshot {
    pub stored: StoredCatalogue,
    /// Services in API order (category, then code): indices into `stored.catalogue.services`.
    pub order: Vec<usize>,
    pub by_code: HashMap<String, usize>,
    /// Every calendar a level, an option or the profile names, built: the built-ins and the
    /// catalogue's own, by code.
    calendars: Calendars,
    summaries: [Vec<String>; 5],
    details: [Vec<String>; 5],
    /// Per language, the folded searchable text of each service.
    search: [Vec<String>; 5],
    levels: [String; 5],
    categories: [String; 5],
    profile: [Option<String>; 5],
    /// Page fragments rendered on first use (a fiche's body per language). They live and die with
    /// the snapshot, so a catalogue write never leaves a stale one behind.
    fragments: std::sync::RwLock<HashMap<String, std::sync::Arc<str>>>,
}

impl Snapshot {
    pub fn build(stored: StoredCatalogue) -> Snapshot {
        let services = &stored.catalogue.services;
        let mut order: Vec<usize> = (0..services.len()).collect();
        order.sort_by(|&a, &b| {
            (&services[a].category, &services[a].code)
                .cmp(&(&services[b].category, &services[b].code))
        });
        let by_code = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.clone(), i))
            .collect();
        let (calendars, broken) = stored.catalogue.calendars();
        for (code, errors) in broken {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            tracing::error!(calendar = %code, errors = %errors.join("; "), "a stored calendar does not build");
        }
        let mut snapshot = Snapshot {
            order,
            by_code,
            calendars,
            summaries: Default::default(),
            details: Default::default(),
            search: Default::default(),
            levels: Default::default(),
            categories: Default::default(),
            profile: Default::default(),
            fragments: Default::default(),
            stored,
        };
        for choice in LangChoice::ALL {
            let i = choice.index();
            let cat = &snapshot.stored.catalogue;
            snapshot.summaries[i] = cat
                .services
                .iter()
                .map(|s| render(snapshot.summary_value(s), choice))
                .collect();
            snapshot.details[i] = cat
                .services
                .iter()
                .map(|s| render(snapshot.detail_value(s), choice))
                .collect();
            snapshot.search[i] = cat
                .services
                .iter()
                .map(|s| search_text(s, choice))
                .collect();
            let levels: Vec<Value> = cat.levels.iter().map(level_json).collect();
            snapshot.levels[i] = render(json!({"items": levels}), choice);
            snapshot.categories[i] = render(json!({"items": cat.categories}), choice);
            snapshot.profile[i] = cat.profile.as_ref().map(|p| render(to_json(p), choice));
        }
        snapshot
    }

    /// A rendered fragment by key, made once per snapshot; a fragment that fails to render is
    /// not kept, and the failure is the caller's.
    pub fn fragment<E>(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<String, E>,
    ) -> Result<std::sync::Arc<str>, E> {
        if let Some(hit) = self
            .fragments
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return Ok(hit.clone());
        }
        let made: std::sync::Arc<str> = make()?.into();
        self.fragments
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), made.clone());
        Ok(made)
    }

    pub fn revision(&self) -> i64 {
        self.stored.revision
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.by_code
            .get(code)
            .map(|&i| &self.stored.catalogue.services[i])
    }

    /// A calendar by code: a built-in or the catalogue's own.
    pub fn calendar(&self, code: &str) -> Option<&Calendar> {
        self.calendars.get(code)
    }

    pub fn service_revision(&self, code: &str) -> Option<i64> {
        self.stored.revision_of(Kind::Service, code)
    }

    pub fn summary_json(&self, index: usize, choice: LangChoice) -> &str {
        &self.summaries[choice.index()][index]
    }

    pub fn detail_json(&self, index: usize, choice: LangChoice) -> &str {
        &self.details[choice.index()][index]
    }

    pub fn search_text(&self, index: usize, choice: LangChoice) -> &str {
        &self.search[choice.index()][index]
    }

    pub fn levels_json(&self, choice: LangChoice) -> &str {
        &self.levels[choice.index()]
    }

    pub fn categories_json(&self, choice: LangChoice) -> &str {
        &self.categories[choice.index()]
    }

    pub fn profile_json(&self, choice: LangChoice) -> Option<&str> {
        self.profile[choice.index()].as_deref()
    }

    fn version_of(&self, code: &str) -> i64 {
        self.stored.versions.get(code).copied().unwrap_or(0)
    }

    fn summary_value(&self, s: &Service) -> Value {
        let mut v = json!({
            "code": s.code,
            "category": s.category,
            "status": s.status,
            "version": self.version_of(&s.code),
            "name": s.name,
            "delivery_models": s.delivery_models,
            "levels": s.levels,
        });
        if let Value::Object(map) = &mut v {
            if !s.summary.is_empty() {
                map.insert("summary".into(), to_json(&s.summary));
            }
            if let Some(successor) = &s.successor {
                map.insert("successor".into(), json!(successor));
            }
            if let Some(edition) = s.edition {
                map.insert("edition".into(), json!(edition.to_string()));
            }
        }
        v
    }

    fn detail_value(&self, s: &Service) -> Value {
        let mut v = to_json(s);
        // Strictest first, as the catalogue orders its levels.
        let levels: Vec<Value> = self
            .stored
            .catalogue
            .levels
            .iter()
            .filter(|l| s.levels.contains(&l.code))
            .map(level_json)
            .collect();
        if let Value::Object(map) = &mut v {
            map.insert("version".into(), json!(self.version_of(&s.code)));
            map.insert(
                "revision".into(),
                json!(self.service_revision(&s.code).unwrap_or(0)),
            );
            map.insert(
                "responsibilities".into(),
                to_json(&rules::responsibilities(s)),
            );
            map.insert("service_levels".into(), Value::Array(levels));
        }
        v
    }
}

fn render(mut value: Value, choice: LangChoice) -> String {
    localize(&mut value, choice);
    if let (Value::Object(map), LangChoice::One(_) | LangChoice::All) = (&mut value, choice) {
        if !map.contains_key("items") {
            map.insert("lang".into(), json!(choice.code()));
        }
    }
    value.to_string()
}

fn search_text(s: &Service, choice: LangChoice) -> String {
    let mut out = fold_for_search(&s.code);
    let mut push = |t: &pacta_core::text::Text| match choice {
        LangChoice::One(lang) => {
            if let Some((_, text)) = t.resolve(lang) {
                out.push('\u{1f}');
                out.push_str(&fold_for_search(text));
            }
        }
        LangChoice::All => {
            for text in t.0.values() {
                out.push('\u{1f}');
                out.push_str(&fold_for_search(text));
            }
        }
    };
    push(&s.name);
    push(&s.summary);
    push(&s.fiche.characteristics);
    for p in &s.packs {
        push(&p.name);
    }
    for o in &s.options {
        push(&o.name);
    }
    out
}

/// An empty object for maps built by hand.
pub fn object() -> Map<String, Value> {
    Map::new()
}
