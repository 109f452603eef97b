//! The names of the catalogue's things in a reader's language: what a page shows where the data
//! holds a code (a level, a category, a calendar, a delivery model, a right).

use pacta_core::catalogue::{DeliveryModel, Service};
use pacta_core::text::Lang;

use super::i18n::{Tr, L};
use crate::snapshot::Snapshot;

/// The name of a calendar: the catalogue's own, else a built-in's UI string, else its code.
pub fn calendar_name(snapshot: &Snapshot, code: &str, lang: Lang) -> L {
    if let Some(c) = snapshot
        .stored
        .catalogue
        .calendars
        .iter()
        .find(|c| c.code == code && !c.name.is_empty())
    {
        return L::new(&c.name, lang);
    }
    L::plain(
        Tr(lang)
            .try_s(&format!("calendar-{code}"))
            .unwrap_or_else(|| code.to_owned()),
    )
}

/// The name of a service level, else its code.
pub fn level_name(snapshot: &Snapshot, code: &str, lang: Lang) -> L {
    snapshot
        .stored
        .catalogue
        .levels
        .iter()
        .find(|l| l.code == code)
        .map(|l| L::new(&l.name, lang))
        .unwrap_or_else(|| L::plain(code.to_owned()))
}

/// The name of a service's category (empty when the category is unknown).
pub fn category_name(snapshot: &Snapshot, service: &Service, lang: Lang) -> L {
    snapshot
        .stored
        .catalogue
        .categories
        .iter()
        .find(|c| c.code == service.category)
        .map(|c| L::new(&c.name, lang))
        .unwrap_or_default()
}

/// The names of the levels a service offers, strictest first, joined for a line of text.
pub fn offered_levels(snapshot: &Snapshot, service: &Service, lang: Lang) -> String {
    snapshot
        .stored
        .catalogue
        .levels
        .iter()
        .filter(|l| service.levels.contains(&l.code))
        .map(|l| L::new(&l.name, lang).text)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn model_name(t: Tr, m: DeliveryModel) -> String {
    t.s(&format!("model-{}", m.code()))
}

/// A service's delivery models, joined for a line of text.
pub fn models(t: Tr, service: &Service) -> String {
    service
        .delivery_models
        .iter()
        .map(|m| model_name(t, *m))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A right an option grants (`central-first-line`), else its code.
pub fn right_name(t: Tr, right: &str) -> String {
    t.try_s(&format!("right-{right}"))
        .unwrap_or_else(|| right.to_owned())
}
