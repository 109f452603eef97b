//! The fiche's view model: every section of a service's sheet in one language (DOMAIN §2, §10),
//! rendered by `fiche_body.html` into the fiche page, the printed fiche and the printed
//! catalogue. Each section is made by a function of its own.

use askama::Template;
use pacta_core::catalogue::{
    rules, DeliveryModel, Party, Per, Period, Price, Service, ServiceLevel, ServiceOption,
};
use pacta_core::text::Lang;

use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::i18n::{md, Markup, Tr, L};
use crate::ui::names::{calendar_name, category_name, level_name, models, right_name};

pub struct RespRow {
    pub label: L,
    pub paas: String,
    pub saas: String,
}

pub struct PackView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub included: Vec<(String, String)>,
    pub prices: Vec<String>,
    pub level: L,
}

pub struct OptionView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub prices: Vec<String>,
    pub applies: String,
    pub changes: Vec<String>,
}

pub struct TargetRow {
    pub priority: &'static str,
    pub response: String,
    pub resolution: String,
    pub calendar: L,
}

pub struct LevelView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub target: String,
    pub downtime: String,
    pub calendar: L,
    pub rows: Vec<TargetRow>,
    pub notice: String,
    pub consent: String,
}

/// The fiche's content, in one language.
#[derive(Template)]
#[template(path = "fiche_body.html")]
pub struct FicheBody {
    pub t: Tr,
    pub lang: Lang,
    pub code: String,
    pub name: L,
    pub summary: L,
    pub category: L,
    pub retired: bool,
    pub successor: Option<(String, L)>,
    pub models: String,
    pub show_paas: bool,
    pub show_saas: bool,
    pub characteristics: Markup,
    pub sla_notes: Markup,
    pub resp: Vec<RespRow>,
    pub packs: Vec<PackView>,
    pub options: Vec<OptionView>,
    pub levels: Vec<LevelView>,
    pub manager_name: String,
    pub manager_email: String,
    pub manager_phone: String,
    pub escalation: Markup,
    pub edition: String,
    /// The heading level of the fiche's title (1 on its page, 2 in the printed catalogue).
    pub h: u8,
    /// Whether this is the printed catalogue (section anchors are prefixed with the code).
    pub in_book: bool,
}

impl FicheBody {
    /// A heading level below the fiche's title.
    pub fn sub(&self) -> u8 {
        self.h + 1
    }

    pub fn anchor(&self, section: &str) -> String {
        if self.in_book {
            format!("{}-{section}", self.code)
        } else {
            section.to_owned()
        }
    }

    pub fn build(snapshot: &Snapshot, s: &Service, lang: Lang, h: u8, in_book: bool) -> FicheBody {
        let t = Tr(lang);
        let profile = snapshot.stored.catalogue.profile.as_ref();
        FicheBody {
            t,
            lang,
            code: s.code.clone(),
            name: L::new(&s.name, lang),
            summary: L::new(&s.summary, lang),
            category: category_name(snapshot, s, lang),
            retired: s.status == pacta_core::catalogue::Lifecycle::Retired,
            successor: successor(snapshot, s, lang),
            models: models(t, s),
            show_paas: s.delivery_models.contains(&DeliveryModel::Paas),
            show_saas: s.delivery_models.contains(&DeliveryModel::Saas),
            characteristics: md(&s.fiche.characteristics, lang, h + 1),
            sla_notes: md(&s.fiche.sla_notes, lang, h + 1),
            resp: responsibilities(s, t, lang),
            packs: s.packs.iter().map(|p| pack(snapshot, p, lang)).collect(),
            options: s
                .options
                .iter()
                .map(|o| option(snapshot, s, o, lang))
                .collect(),
            levels: snapshot
                .stored
                .catalogue
                .levels
                .iter()
                .filter(|l| s.levels.contains(&l.code))
                .map(|l| level_view(snapshot, l, lang))
                .collect(),
            manager_name: s.service_manager.name.clone(),
            manager_email: s.service_manager.email.clone(),
            manager_phone: s.service_manager.phone.clone(),
            escalation: profile
                .map(|p| md(&p.escalation, lang, h + 1))
                .unwrap_or_default(),
            edition: s
                .edition
                .or(profile.map(|p| p.edition_date))
                .map(|d| format::date(d, lang))
                .unwrap_or_default(),
            h,
            in_book,
        }
    }
}

/// A retired service's successor, with its name.
fn successor(snapshot: &Snapshot, s: &Service, lang: Lang) -> Option<(String, L)> {
    s.successor
        .as_ref()
        .filter(|_| s.status == pacta_core::catalogue::Lifecycle::Retired)
        .and_then(|code| snapshot.service(code))
        .map(|n| (n.code.clone(), L::new(&n.name, lang)))
}

fn party(t: Tr, p: Party) -> String {
    t.s(&format!("party-{}", p.code()))
}

fn responsibilities(s: &Service, t: Tr, lang: Lang) -> Vec<RespRow> {
    rules::responsibilities(s)
        .iter()
        .map(|r| RespRow {
            label: L::new(&r.label, lang),
            paas: party(t, r.paas),
            saas: party(t, r.saas),
        })
        .collect()
}

/// The name of a price's period (`per month`).
pub fn period_name(t: Tr, period: Period) -> String {
    t.s(match period {
        Period::Month => "period-month",
        Period::Year => "period-year",
        Period::OneOff => "period-one_off",
    })
}

/// A price as a sentence: `€42.00 per workstation per month`.
pub fn price(t: Tr, lang: Lang, p: &Price) -> String {
    let amount = format::money(p.amount_cents, lang);
    let period = period_name(t, p.period);
    match p.per {
        Per::Pack => t.a("price-pack", &[("amount", amount), ("period", period)]),
        Per::Unit => t.a(
            "price-unit",
            &[
                ("amount", amount),
                ("unit", L::new(&p.unit, lang).text),
                ("period", period),
            ],
        ),
    }
}

/// The name of an included quantity (`storage_gb`): a UI string when known, else the key.
fn quantity_name(t: Tr, key: &str) -> String {
    t.try_s(&format!("qty-{}", key.replace('_', "-")))
        .unwrap_or_else(|| key.replace('_', " "))
}

fn pack(snapshot: &Snapshot, p: &pacta_core::catalogue::Pack, lang: Lang) -> PackView {
    let t = Tr(lang);
    PackView {
        code: p.code.clone(),
        name: L::new(&p.name, lang),
        description: L::new(&p.description, lang),
        included: p
            .included
            .iter()
            .map(|(k, v)| (quantity_name(t, k), format::integer(*v, lang)))
            .collect(),
        prices: p.prices.iter().map(|pr| price(t, lang, pr)).collect(),
        level: level_name(snapshot, &p.standard_level, lang),
    }
}

fn option(snapshot: &Snapshot, s: &Service, o: &ServiceOption, lang: Lang) -> OptionView {
    let t = Tr(lang);
    OptionView {
        code: o.code.clone(),
        name: L::new(&o.name, lang),
        description: L::new(&o.description, lang),
        prices: o.prices.iter().map(|pr| price(t, lang, pr)).collect(),
        applies: if o.applies_to.is_empty() {
            t.s("option-all-packs")
        } else {
            o.applies_to
                .iter()
                .map(|code| {
                    s.pack(code)
                        .map(|p| L::new(&p.name, lang).text)
                        .unwrap_or_else(|| code.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        },
        changes: option_changes(snapshot, o, lang),
    }
}

/// What an option does to the service level, one sentence per change.
fn option_changes(snapshot: &Snapshot, o: &ServiceOption, lang: Lang) -> Vec<String> {
    let t = Tr(lang);
    let mut changes = Vec::new();
    if let Some(level) = &o.sla.raise_level {
        changes.push(t.a(
            "option-raises",
            &[("level", level_name(snapshot, level, lang).text)],
        ));
    }
    for (p, c) in &o.sla.targets {
        let mut parts = Vec::new();
        if let Some(r) = c.response {
            parts.push(t.a(
                "option-response",
                &[("duration", format::duration(r.0, lang))],
            ));
        }
        if let Some(r) = c.resolution {
            parts.push(t.a(
                "option-resolution",
                &[("duration", format::duration(r.0, lang))],
            ));
        }
        if let Some(cal) = &c.calendar {
            parts.push(t.a(
                "option-calendar",
                &[("calendar", calendar_name(snapshot, cal, lang).text)],
            ));
        }
        changes.push(format!("{}: {}", p.code(), parts.join(", ")));
    }
    for right in &o.sla.rights {
        changes.push(right_name(t, right));
    }
    if changes.is_empty() {
        changes.push(t.s("option-no-sla-change"));
    }
    changes
}

/// A priority's response and resolution targets on their calendar.
pub fn target_row(
    snapshot: &Snapshot,
    priority: pacta_core::catalogue::Priority,
    response: i64,
    resolution: i64,
    calendar: &str,
    lang: Lang,
) -> TargetRow {
    TargetRow {
        priority: priority.code(),
        response: format::duration(response, lang),
        resolution: format::duration(resolution, lang),
        calendar: calendar_name(snapshot, calendar, lang),
    }
}

fn level_view(snapshot: &Snapshot, l: &ServiceLevel, lang: Lang) -> LevelView {
    let t = Tr(lang);
    LevelView {
        code: l.code.clone(),
        name: L::new(&l.name, lang),
        description: L::new(&l.description, lang),
        target: format::percent(&l.availability_target, lang),
        downtime: format::duration(l.allowed_downtime_per_month(), lang),
        calendar: calendar_name(snapshot, &l.support_calendar, lang),
        rows: l
            .targets
            .iter()
            .map(|(p, x)| {
                target_row(
                    snapshot,
                    *p,
                    x.response.0,
                    x.resolution.0,
                    &x.calendar,
                    lang,
                )
            })
            .collect(),
        notice: format::duration(l.maintenance_notice.0, lang),
        consent: t.s(if l.tacit_consent {
            "level-tacit-yes"
        } else {
            "level-tacit-no"
        }),
    }
}
