//! The catalogue's entities (DOMAIN §2). Their serde shape is the catalogue-as-code format: what
//! `pacta catalogue export` writes, and what the store keeps as JSON documents.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::sla::availability::Target;
use crate::sla::calendar::{
    Calendar, CalendarSpec, Calendars, SpecError, DEFAULT_HELPDESK_CALENDAR,
};
pub use crate::sla::calendar::{ClosedDay, HolidaySpec, SlotSpec, Weekday};
use crate::text::Text;

/// A duration in exact seconds, written `4h30m` (DOMAIN §5: no day unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seconds(pub i64);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::sla::duration::format_duration(self.0))
    }
}

impl Serialize for Seconds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::sla::duration::parse_duration(&text)
            .map(Seconds)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<CalendarDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<ServiceLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
}

impl Catalogue {
    /// The central helpdesk's calendar: the profile's, else `be-working-hours` (DOMAIN §4).
    pub fn helpdesk_calendar(&self) -> &str {
        self.profile
            .as_ref()
            .map(|p| p.central_helpdesk_calendar.as_str())
            .unwrap_or(DEFAULT_HELPDESK_CALENDAR)
    }

    /// The spec of a calendar code: the catalogue's own, else a built-in's.
    pub fn calendar_spec(&self, code: &str) -> Option<CalendarSpec> {
        self.calendars
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.spec.clone())
            .or_else(|| CalendarSpec::builtin(code))
    }

    /// Every calendar a level, an option or the profile may name, built: the built-ins and the
    /// catalogue's own. A stored calendar that does not build (it was validated when written, so
    /// only a damaged store has one) is returned beside them with its problems.
    pub fn calendars(&self) -> (Calendars, Vec<(String, Vec<SpecError>)>) {
        let mut calendars = Calendars::builtins();
        let mut broken = Vec::new();
        for def in &self.calendars {
            match def.build() {
                Ok(cal) => calendars.insert(def.code.clone(), cal),
                Err(errors) => broken.push((def.code.clone(), errors)),
            }
        }
        (calendars, broken)
    }

    /// Every multilingual text with its path (`services.MAIL.packs.mail-50.name`), for
    /// translation checks. Texts that are empty in every language are left out: they are absent,
    /// not untranslated.
    pub fn texts(&self) -> Vec<(String, &Text)> {
        let mut out: Vec<(String, &Text)> = Vec::new();
        if let Some(p) = &self.profile {
            for (name, t) in p.texts() {
                if !t.is_empty() {
                    out.push((format!("profile.{name}"), t));
                }
            }
            for c in &p.contacts {
                if !c.name.is_empty() {
                    out.push((format!("profile.contacts.{}.name", c.role), &c.name));
                }
            }
        }
        for c in &self.calendars {
            if !c.name.is_empty() {
                out.push((format!("calendars.{}.name", c.code), &c.name));
            }
            for d in &c.spec.holidays.closed {
                if !d.name.is_empty() {
                    out.push((
                        format!("calendars.{}.closed.{}.name", c.code, d.date),
                        &d.name,
                    ));
                }
            }
        }
        for l in &self.levels {
            out.push((format!("levels.{}.name", l.code), &l.name));
            out.push((format!("levels.{}.description", l.code), &l.description));
        }
        for c in &self.categories {
            out.push((format!("categories.{}.name", c.code), &c.name));
            out.push((format!("categories.{}.description", c.code), &c.description));
        }
        for s in &self.services {
            let base = format!("services.{}", s.code);
            out.push((format!("{base}.name"), &s.name));
            out.push((format!("{base}.summary"), &s.summary));
            out.push((
                format!("{base}.fiche.characteristics"),
                &s.fiche.characteristics,
            ));
            out.push((format!("{base}.fiche.sla_notes"), &s.fiche.sla_notes));
            for r in &s.responsibilities {
                out.push((
                    format!("{base}.responsibilities.{}.label", r.activity),
                    &r.label,
                ));
            }
            for p in &s.packs {
                out.push((format!("{base}.packs.{}.name", p.code), &p.name));
                out.push((
                    format!("{base}.packs.{}.description", p.code),
                    &p.description,
                ));
                for (i, pr) in p.prices.iter().enumerate() {
                    out.push((format!("{base}.packs.{}.prices.{i}.unit", p.code), &pr.unit));
                }
            }
            for o in &s.options {
                out.push((format!("{base}.options.{}.name", o.code), &o.name));
                out.push((
                    format!("{base}.options.{}.description", o.code),
                    &o.description,
                ));
                for (i, pr) in o.prices.iter().enumerate() {
                    out.push((
                        format!("{base}.options.{}.prices.{i}.unit", o.code),
                        &pr.unit,
                    ));
                }
            }
        }
        out.retain(|(_, t)| !t.is_empty());
        out
    }
}

/// A support calendar of the catalogue: the engine's [`CalendarSpec`] — what `pacta sla
/// --calendar FILE` reads — with a code and a name. Built, it serves deadlines exactly as a
/// built-in does (see [`Catalogue::calendars`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "CalendarDoc", from = "CalendarDoc")]
pub struct CalendarDef {
    pub code: String,
    pub name: Text,
    pub spec: CalendarSpec,
}

/// The catalogue-as-code shape of a calendar: code and name beside the spec's own keys.
#[derive(Serialize, Deserialize)]
struct CalendarDoc {
    code: String,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    name: Text,
    timezone: String,
    #[serde(default)]
    slots: Vec<SlotSpec>,
    #[serde(default)]
    holidays: HolidaySpec,
}

impl From<CalendarDoc> for CalendarDef {
    fn from(d: CalendarDoc) -> CalendarDef {
        CalendarDef {
            code: d.code,
            name: d.name,
            spec: CalendarSpec {
                timezone: d.timezone,
                slots: d.slots,
                holidays: d.holidays,
            },
        }
    }
}

impl From<CalendarDef> for CalendarDoc {
    fn from(c: CalendarDef) -> CalendarDoc {
        CalendarDoc {
            code: c.code,
            name: c.name,
            timezone: c.spec.timezone,
            slots: c.spec.slots,
            holidays: c.spec.holidays,
        }
    }
}

impl CalendarDef {
    /// Builds the engine's calendar, or every problem with its path inside the calendar.
    pub fn build(&self) -> Result<Calendar, Vec<SpecError>> {
        self.spec.build()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn code(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }

    pub fn from_code(code: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A response and a resolution goal, on the calendar they run on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTarget {
    pub response: Seconds,
    pub resolution: Seconds,
    pub calendar: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevel {
    pub code: String,
    /// Strictness: a higher rank is a stricter level (`critical` > `standard` > `basic`).
    pub rank: u32,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
    pub availability_target: Target,
    pub support_calendar: String,
    pub targets: BTreeMap<Priority, PriorityTarget>,
    pub maintenance_notice: Seconds,
    /// Whether silence in a maintenance consultation counts as consent (DOMAIN §6).
    pub tacit_consent: bool,
    /// The escalation thresholds of its tickets on the resolution clock (DOMAIN §4); each
    /// level's default (75 %, 100 %, 150 %) where the catalogue says nothing.
    #[serde(
        default,
        skip_serializing_if = "crate::ticket::escalation::Thresholds::all_default"
    )]
    pub escalation: crate::ticket::escalation::Thresholds,
}

impl ServiceLevel {
    /// The downtime its target allows "per month", which on a fiche means per 30 days
    /// (DOMAIN §6): 43 min 12 s at 99.9 %.
    pub fn allowed_downtime_per_month(&self) -> i64 {
        self.availability_target.allowed_downtime_per_month()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Draft,
    Published,
    Retired,
}

impl Lifecycle {
    pub fn code(self) -> &'static str {
        match self {
            Lifecycle::Draft => "draft",
            Lifecycle::Published => "published",
            Lifecycle::Retired => "retired",
        }
    }

    pub fn from_code(code: &str) -> Option<Lifecycle> {
        match code {
            "draft" => Some(Lifecycle::Draft),
            "published" => Some(Lifecycle::Published),
            "retired" => Some(Lifecycle::Retired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryModel {
    Paas,
    Saas,
}

impl DeliveryModel {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryModel::Paas => "paas",
            DeliveryModel::Saas => "saas",
        }
    }

    pub fn from_code(code: &str) -> Option<DeliveryModel> {
        match code {
            "paas" => Some(DeliveryModel::Paas),
            "saas" => Some(DeliveryModel::Saas),
            _ => None,
        }
    }
}

/// A person to contact: the service manager (SPOC) of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// Who carries an activity in the responsibilities matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    Provider,
    Partner,
    /// "provider, when agreed" (specific developments under SaaS).
    ProviderWhenAgreed,
    /// "partner (unless the central-first-line option)".
    PartnerUnlessCentralFirstLine,
}

impl Party {
    pub const ALL: [Party; 4] = [
        Party::Provider,
        Party::Partner,
        Party::ProviderWhenAgreed,
        Party::PartnerUnlessCentralFirstLine,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Party::Provider => "provider",
            Party::Partner => "partner",
            Party::ProviderWhenAgreed => "provider-when-agreed",
            Party::PartnerUnlessCentralFirstLine => "partner-unless-central-first-line",
        }
    }

    pub fn from_code(code: &str) -> Option<Party> {
        Party::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// One row of a service's responsibilities: a standard activity (by key) overridden, or an
/// activity of the service's own (then with a label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsibilityRow {
    pub activity: String,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub label: Text,
    pub paas: Party,
    pub saas: Party,
}

/// The fiche's free-text sections (Markdown); the structured sections come from the service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fiche {
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub characteristics: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub sla_notes: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Year,
    OneOff,
}

impl Period {
    pub fn code(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Year => "year",
            Period::OneOff => "one_off",
        }
    }

    pub fn from_code(code: &str) -> Option<Period> {
        match code {
            "month" => Some(Period::Month),
            "year" => Some(Period::Year),
            "one_off" => Some(Period::OneOff),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Pack,
    Unit,
}

/// A price in EUR cents excluding VAT, per period; never converted between periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub amount_cents: i64,
    pub period: Period,
    pub per: Per,
    /// The unit's name when `per` is `unit` (e.g. "mailbox").
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub unit: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pack {
    pub code: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub included: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<Price>,
    pub standard_level: String,
}

/// What an option changes in one priority's targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Seconds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Seconds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// An option's SLA adjustment (DOMAIN §2): raise the level, change targets, grant rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaAdjustment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raise_level: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub targets: BTreeMap<Priority, TargetChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rights: Vec<String>,
}

impl SlaAdjustment {
    pub fn is_empty(&self) -> bool {
        self.raise_level.is_none() && self.targets.is_empty() && self.rights.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOption {
    pub code: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<Price>,
    /// Codes of the packs it applies to; empty means every pack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    #[serde(default, skip_serializing_if = "SlaAdjustment::is_empty")]
    pub sla: SlaAdjustment,
}

impl ServiceOption {
    pub fn applies_to_pack(&self, pack: &str) -> bool {
        self.applies_to.is_empty() || self.applies_to.iter().any(|p| p == pack)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub code: String,
    pub category: String,
    pub status: Lifecycle,
    /// The service that replaces a retired one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub summary: Text,
    pub delivery_models: Vec<DeliveryModel>,
    pub service_manager: Contact,
    /// The levels this service offers (the partner chooses among them).
    pub levels: Vec<String>,
    /// Overrides and additions to the delivery models' default matrix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsibilities: Vec<ResponsibilityRow>,
    #[serde(default)]
    pub fiche: Fiche,
    /// The fiche's edition date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<Date>,
    pub packs: Vec<Pack>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ServiceOption>,
}

impl Service {
    pub fn pack(&self, code: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.code == code)
    }

    pub fn option(&self, code: &str) -> Option<&ServiceOption> {
        self.options.iter().find(|o| o.code == code)
    }
}

/// A contact of the provider's organisation (central helpdesk, security advisor, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileContact {
    /// `central-helpdesk`, `security-advisor`, `partner-relationship`, `ict-escalation`, …
    pub role: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The provider's own texts (DOMAIN §2), from which the support page and printed catalogue come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub organisation: Text,
    pub catalogue_title: Text,
    pub edition_date: Date,
    pub basic_offer: Text,
    pub personalised_approach: Text,
    pub general_support: Text,
    pub local_helpdesk: Text,
    pub central_helpdesk: Text,
    /// The central helpdesk's calendar: closures page and on-call rule use it (DOMAIN §4).
    pub central_helpdesk_calendar: String,
    pub on_call: Text,
    pub service_manager: Text,
    pub partner_management: Text,
    pub escalation: Text,
    pub contacts: Vec<ProfileContact>,
    pub service_delivery: Text,
    pub delivery_models: Text,
    pub sla: Text,
    pub maintenance: Text,
    pub monitoring: Text,
    pub dashboard_url: String,
}

impl Profile {
    /// Every text field with its name, for translation checks and search.
    pub fn texts(&self) -> Vec<(&'static str, &Text)> {
        vec![
            ("organisation", &self.organisation),
            ("catalogue_title", &self.catalogue_title),
            ("basic_offer", &self.basic_offer),
            ("personalised_approach", &self.personalised_approach),
            ("general_support", &self.general_support),
            ("local_helpdesk", &self.local_helpdesk),
            ("central_helpdesk", &self.central_helpdesk),
            ("on_call", &self.on_call),
            ("service_manager", &self.service_manager),
            ("partner_management", &self.partner_management),
            ("escalation", &self.escalation),
            ("service_delivery", &self.service_delivery),
            ("delivery_models", &self.delivery_models),
            ("sla", &self.sla),
            ("maintenance", &self.maintenance),
            ("monitoring", &self.monitoring),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    #[test]
    fn texts_name_each_text_by_its_path_and_skip_absent_ones() {
        let catalogue = Catalogue {
            categories: vec![Category {
                code: "hosting".into(),
                name: Text::new()
                    .with(Lang::En, "Hosting")
                    .with(Lang::Nl, "Hosting"),
                description: Text::new(),
            }],
            ..Catalogue::default()
        };
        let texts = catalogue.texts();
        assert_eq!(
            texts.len(),
            1,
            "the empty description is absent, not untranslated"
        );
        assert_eq!(texts[0].0, "categories.hosting.name");
        assert_eq!(
            texts[0].1.missing().collect::<Vec<_>>(),
            vec![Lang::Fr, Lang::De]
        );
    }
}
