//! Multilingual text: every partner-facing string exists in nl, fr, de and en (DOMAIN §1).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A language Pacta speaks. The declaration order (nl, fr, de, en) is the order of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Nl,
    Fr,
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Nl, Lang::Fr, Lang::De, Lang::En];

    /// Display falls back user language → en → nl → fr → de (DOMAIN §1).
    const FALLBACK: [Lang; 4] = [Lang::En, Lang::Nl, Lang::Fr, Lang::De];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// Exactly one of the four codes, lower-case.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "nl" => Some(Lang::Nl),
            "fr" => Some(Lang::Fr),
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// A BCP 47 tag such as `nl-BE` or `FR`: its primary subtag decides.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::from_code(&primary.to_ascii_lowercase())
    }

    /// The best supported language of an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u32, usize, Lang)> = None;
        for (index, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let mut quality = 1000u32;
            for param in pieces {
                if let Some(q) = param.trim().strip_prefix("q=") {
                    quality = parse_quality(q.trim()).unwrap_or(0);
                }
            }
            let Some(lang) = Lang::from_tag(tag) else {
                continue;
            };
            if quality == 0 {
                continue;
            }
            // Higher quality wins; on a tie the earlier entry wins.
            let better = match best {
                None => true,
                Some((q, i, _)) => quality > q || (quality == q && index < i),
            };
            if better {
                best = Some((quality, index, lang));
            }
        }
        best.map(|(_, _, lang)| lang)
    }
}

fn parse_quality(q: &str) -> Option<u32> {
    let value: f64 = q.parse().ok()?;
    if !(0.0..=1.0).contains(&value) {
        return None;
    }
    Some((value * 1000.0).round() as u32)
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A `lang → text` map. Missing languages are allowed; display falls back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Lang, String>);

impl Text {
    pub fn new() -> Self {
        Text(BTreeMap::new())
    }

    /// The same string in every language (codes, names of people, e-mail addresses).
    pub fn same(value: &str) -> Self {
        Text(Lang::ALL.iter().map(|l| (*l, value.to_owned())).collect())
    }

    pub fn with(mut self, lang: Lang, value: &str) -> Self {
        self.0.insert(lang, value.to_owned());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, lang: Lang) -> Option<&str> {
        self.0.get(&lang).map(String::as_str)
    }

    /// The text in `lang`, else in the fallback order; with the language actually used.
    pub fn resolve(&self, lang: Lang) -> Option<(Lang, &str)> {
        std::iter::once(lang)
            .chain(Lang::FALLBACK)
            .find_map(|l| self.0.get(&l).map(|t| (l, t.as_str())))
    }

    /// The languages of [`Lang::ALL`] that have no entry.
    pub fn missing(&self) -> impl Iterator<Item = Lang> + '_ {
        Lang::ALL.into_iter().filter(|l| !self.0.contains_key(l))
    }

    /// Whether any language's text contains the folded needle (see [`fold_for_search`]).
    pub fn matches_folded(&self, folded_needle: &str) -> bool {
        self.0
            .values()
            .any(|t| fold_for_search(t).contains(folded_needle))
    }
}

/// Case- and accent-insensitive form for search: NFKD, combining marks dropped, lower-cased.
/// Search runs on this form in memory, so it behaves the same on SQLite and PostgreSQL.
pub fn fold_for_search(s: &str) -> String {
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_goes_user_then_en_nl_fr_de() {
        let t = Text::new()
            .with(Lang::Fr, "bonjour")
            .with(Lang::Nl, "hallo");
        assert_eq!(t.resolve(Lang::De), Some((Lang::Nl, "hallo")));
        assert_eq!(t.resolve(Lang::Fr), Some((Lang::Fr, "bonjour")));
        let t = t.with(Lang::En, "hello");
        assert_eq!(t.resolve(Lang::De), Some((Lang::En, "hello")));
        assert_eq!(Text::new().resolve(Lang::En), None);
    }

    #[test]
    fn accept_language_uses_primary_subtag_and_quality() {
        assert_eq!(Lang::from_accept_language("nl-BE"), Some(Lang::Nl));
        assert_eq!(
            Lang::from_accept_language("es, fr;q=0.5, de;q=0.8"),
            Some(Lang::De)
        );
        assert_eq!(Lang::from_accept_language("es, it"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, fr;q=0.1"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("*"), None);
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold_for_search("Équipe Ångström"), "equipe angstrom");
        assert!(Text::same("Hébergement Web").matches_folded(&fold_for_search("HEBERG")));
    }

    #[test]
    fn serialises_in_lang_order() {
        let t = Text::new().with(Lang::En, "b").with(Lang::Nl, "a");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"nl":"a","en":"b"}"#);
    }
}
