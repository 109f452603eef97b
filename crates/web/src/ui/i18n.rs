//! The UI's own strings, through Project Fluent (`locales/{nl,fr,de,en}/main.ftl`, embedded at
//! compile time), and catalogue content resolved with its fallback language (WCAG 3.1.2).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
use pacta_core::text::{Lang, Text};

use super::markdown::escape;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidi isolation marks would end up inside attributes and e-mail addresses.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The sources, for `check-translations`.
pub const SOURCES: [(Lang, &str); 4] = [
    (Lang::Nl, include_str!("../../locales/nl/main.ftl")),
    (Lang::Fr, include_str!("../../locales/fr/main.ftl")),
    (Lang::De, include_str!("../../locales/de/main.ftl")),
    (Lang::En, include_str!("../../locales/en/main.ftl")),
];

fn lang_id(lang: Lang) -> &'static LanguageIdentifier {
    static IDS: std::sync::LazyLock<[LanguageIdentifier; 4]> = std::sync::LazyLock::new(|| {
        Lang::ALL.map(|l| {
            l.code()
                .parse()
                .unwrap_or_else(|_| unreachable!("valid tags"))
        })
    });
    &IDS[match lang {
        Lang::Nl => 0,
        Lang::Fr => 1,
        Lang::De => 2,
        Lang::En => 3,
    }]
}

/// The translator of one page: `t.s("nav-catalogue")` in templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// A UI string.
    pub fn s(&self, id: &str) -> String {
        LOCALES.lookup(lang_id(self.0), id)
    }

    /// A UI string with arguments (`{ $name }` in the message).
    pub fn a(&self, id: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES.lookup_with_args(lang_id(self.0), id, &map)
    }

    /// A UI string with a count (`{ $count }`), plural-aware in Fluent.
    pub fn n(&self, id: &str, count: impl std::borrow::Borrow<usize>) -> String {
        let count = *count.borrow();
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        map.insert(Cow::Borrowed("count"), FluentValue::from(count));
        LOCALES.lookup_with_args(lang_id(self.0), id, &map)
    }

    /// A UI string if it exists (included-quantity names, calendar names).
    pub fn try_s(&self, id: &str) -> Option<String> {
        LOCALES.try_lookup(lang_id(self.0), id)
    }
}

/// Message ids defined in a Fluent source (top-level `id = …` lines; terms start with `-`).
pub fn message_ids(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let ok = !id.is_empty()
                && !line.starts_with([' ', '\t', '#', '.'])
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

/// Every UI string missing in a language: `(id, lang)`, against the union of all languages' ids.
pub fn missing_ui_strings() -> Vec<(String, Lang)> {
    let sets: Vec<(Lang, BTreeSet<String>)> = SOURCES
        .iter()
        .map(|(l, src)| (*l, message_ids(src)))
        .collect();
    let all: BTreeSet<&String> = sets.iter().flat_map(|(_, s)| s.iter()).collect();
    let mut out = Vec::new();
    for id in all {
        for (lang, set) in &sets {
            if !set.contains(id) {
                out.push((id.clone(), *lang));
            }
        }
    }
    out
}

/// Catalogue content in the reader's language, or in the fallback language it exists in; then it
/// carries that language so screen readers pronounce it right.
#[derive(Debug, Clone, Default)]
pub struct L {
    pub text: String,
    /// Set only when the text is not in the page's language.
    pub lang: Option<&'static str>,
}

impl L {
    pub fn new(text: &Text, lang: Lang) -> L {
        match text.resolve(lang) {
            Some((used, t)) => L {
                text: t.to_owned(),
                lang: (used != lang).then_some(used.code()),
            },
            None => L::default(),
        }
    }

    /// Text in the page's own language (a UI string, a code).
    pub fn plain(text: String) -> L {
        L { text, lang: None }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Escaped text, wrapped in `<span lang>` when it is in a fallback language.
impl fmt::Display for L {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lang {
            Some(l) => write!(f, "<span lang=\"{l}\">{}</span>", escape(&self.text)),
            None => f.write_str(&escape(&self.text)),
        }
    }
}

impl askama::filters::HtmlSafe for L {}

/// HTML made by Pacta itself (sanitised Markdown, pre-rendered sections): not escaped again.
#[derive(Debug, Clone, Default)]
pub struct Markup(pub String);

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Markup {}

/// Markdown content in the reader's language (or its fallback, in a `<div lang>`), sanitised.
pub fn md(text: &Text, lang: Lang, shift: u8) -> Markup {
    match text.resolve(lang) {
        Some((used, t)) => {
            let html = super::markdown::render(t, shift);
            if used == lang {
                Markup(html)
            } else {
                Markup(format!("<div lang=\"{}\">{html}</div>", used.code()))
            }
        }
        None => Markup::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_ui_string() {
        assert_eq!(missing_ui_strings(), vec![]);
    }

    #[test]
    fn lookups_are_per_language() {
        assert_eq!(Tr(Lang::Nl).s("lang-name"), "Nederlands");
        assert_eq!(Tr(Lang::Fr).s("lang-name"), "Français");
    }

    #[test]
    fn fallback_text_carries_its_language_and_is_escaped() {
        let t = Text::new().with(Lang::Fr, "<b>été</b>");
        let l = L::new(&t, Lang::Nl);
        assert_eq!(
            l.to_string(),
            "<span lang=\"fr\">&lt;b&gt;été&lt;/b&gt;</span>"
        );
        assert_eq!(L::new(&t, Lang::Fr).to_string(), "&lt;b&gt;été&lt;/b&gt;");
    }
}
