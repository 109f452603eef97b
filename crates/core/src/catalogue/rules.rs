//! The catalogue's rules (DOMAIN §2): the default responsibilities matrix, the effective SLA of a
//! pack with options at a chosen level, and the quote.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::*;
use crate::sla::availability::Target;
use crate::text::{Lang, Text};

/// A standard activity of the responsibilities matrix, with its PaaS and SaaS defaults.
pub struct StandardActivity {
    pub key: &'static str,
    pub paas: Party,
    pub saas: Party,
    /// nl, fr, de, en.
    pub labels: [&'static str; 4],
}

/// DOMAIN §2's matrix, in its order.
pub const STANDARD_ACTIVITIES: &[StandardActivity] = &[
    StandardActivity {
        key: "infrastructure",
        paas: Party::Provider,
        saas: Party::Provider,
        labels: [
            "Infrastructuur, netwerk, opslag",
            "Infrastructure, réseau, stockage",
            "Infrastruktur, Netzwerk, Speicher",
            "Infrastructure, network, storage",
        ],
    },
    StandardActivity {
        key: "operating-system",
        paas: Party::Provider,
        saas: Party::Provider,
        labels: [
            "Besturingssysteem, updates en basisconfiguratie",
            "Système d'exploitation, mises à jour et configuration de base",
            "Betriebssystem, Updates und Basiskonfiguration",
            "Operating system, its updates, base configuration",
        ],
    },
    StandardActivity {
        key: "runtime-middleware",
        paas: Party::Provider,
        saas: Party::Provider,
        labels: [
            "Runtime en middleware",
            "Runtime et middleware",
            "Laufzeitumgebung und Middleware",
            "Runtime and middleware",
        ],
    },
    StandardActivity {
        key: "backup-security-monitoring",
        paas: Party::Provider,
        saas: Party::Provider,
        labels: [
            "Back-ups, beveiliging, 24/7-monitoring",
            "Sauvegardes, sécurité, monitoring 24/7",
            "Datensicherung, Sicherheit, 24/7-Überwachung",
            "Back-ups, security, 24/7 monitoring",
        ],
    },
    StandardActivity {
        key: "application",
        paas: Party::Partner,
        saas: Party::Provider,
        labels: ["Applicatie", "Application", "Anwendung", "Application"],
    },
    StandardActivity {
        key: "extended-configuration",
        paas: Party::Partner,
        saas: Party::Provider,
        labels: [
            "Uitgebreide configuratie",
            "Configuration étendue",
            "Erweiterte Konfiguration",
            "Extended configuration",
        ],
    },
    StandardActivity {
        key: "specific-developments",
        paas: Party::Partner,
        saas: Party::ProviderWhenAgreed,
        labels: [
            "Specifieke ontwikkelingen",
            "Développements spécifiques",
            "Spezifische Entwicklungen",
            "Specific developments",
        ],
    },
    StandardActivity {
        key: "first-line-helpdesk",
        paas: Party::Partner,
        saas: Party::PartnerUnlessCentralFirstLine,
        labels: [
            "Gebruikers- en werkpostenhelpdesk (eerste lijn)",
            "Helpdesk utilisateurs et postes de travail (première ligne)",
            "Benutzer- und Arbeitsplatz-Helpdesk (erste Ebene)",
            "User and workstation helpdesk (1st line)",
        ],
    },
];

pub fn standard_activity(key: &str) -> Option<&'static StandardActivity> {
    STANDARD_ACTIVITIES.iter().find(|a| a.key == key)
}

/// One row of a service's effective matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Responsibility {
    pub activity: String,
    pub label: Text,
    pub paas: Party,
    pub saas: Party,
}

/// The standard matrix with the service's overrides applied, then its own activities.
pub fn responsibilities(service: &Service) -> Vec<Responsibility> {
    let mut rows: Vec<Responsibility> = STANDARD_ACTIVITIES
        .iter()
        .map(|a| {
            let mut label = Text::new();
            for (lang, l) in Lang::ALL.iter().zip(a.labels) {
                label.0.insert(*lang, l.to_owned());
            }
            Responsibility {
                activity: a.key.to_owned(),
                label,
                paas: a.paas,
                saas: a.saas,
            }
        })
        .collect();
    for o in &service.responsibilities {
        match rows.iter_mut().find(|r| r.activity == o.activity) {
            Some(row) => {
                row.paas = o.paas;
                row.saas = o.saas;
                if !o.label.is_empty() {
                    row.label = o.label.clone();
                }
            }
            None => rows.push(Responsibility {
                activity: o.activity.clone(),
                label: o.label.clone(),
                paas: o.paas,
                saas: o.saas,
            }),
        }
    }
    rows
}

/// The most units one selection may quote (mailboxes, workstations, …).
pub const MAX_QUANTITY: i64 = 1_000_000;

/// What a partner chooses: a pack, optionally a level, options, and a quantity of units
/// (1 to [`MAX_QUANTITY`]; checked by [`quote`], whoever asks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub pack: String,
    pub level: Option<String>,
    pub options: Vec<String>,
    pub quantity: i64,
}

/// A choice that the service cannot honour, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SelectionError {
    pub field: String,
    pub problem: Problem,
    pub message: String,
}

/// What is wrong with a selection, for a reader that words it in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    QuantityTooSmall,
    QuantityTooLarge,
    UnknownPack,
    UnknownLevel,
    LevelNotOffered,
    UnknownOption,
    OptionNotForPack,
    OptionTwice,
    CalendarConflict,
}

fn selection_error(field: &str, problem: Problem, message: String) -> SelectionError {
    SelectionError {
        field: field.to_owned(),
        problem,
        message,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveTarget {
    pub response: Seconds,
    pub resolution: Seconds,
    pub calendar: String,
}

/// The SLA a partner gets for a selection (DOMAIN §2, Rule "effective SLA").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveSla {
    pub level: String,
    pub availability_target: Target,
    pub support_calendar: String,
    pub targets: BTreeMap<Priority, EffectiveTarget>,
    pub maintenance_notice: Seconds,
    pub tacit_consent: bool,
    pub rights: BTreeSet<String>,
    /// The level's escalation thresholds.
    pub escalation: crate::ticket::escalation::Thresholds,
}

impl EffectiveSla {
    /// The downtime its target allows per 30 days (DOMAIN §6).
    pub fn allowed_downtime_per_month(&self) -> i64 {
        self.availability_target.allowed_downtime_per_month()
    }
}

/// Computes the effective SLA. `levels` are the catalogue's service levels.
pub fn effective_sla(
    service: &Service,
    levels: &[ServiceLevel],
    selection: &Selection,
) -> Result<EffectiveSla, SelectionError> {
    let pack = service.pack(&selection.pack).ok_or_else(|| {
        selection_error(
            "pack",
            Problem::UnknownPack,
            format!("service {} has no pack `{}`", service.code, selection.pack),
        )
    })?;
    let level_of = |code: &str, field: &str| -> Result<&ServiceLevel, SelectionError> {
        levels.iter().find(|l| l.code == code).ok_or_else(|| {
            selection_error(
                field,
                Problem::UnknownLevel,
                format!("unknown service level `{code}`"),
            )
        })
    };
    // (1) The strictest of the pack's standard level, the chosen level and any level an option raises to.
    let mut level = level_of(&pack.standard_level, "pack")?;
    if let Some(chosen) = &selection.level {
        if !service.levels.contains(chosen) {
            return Err(selection_error(
                "level",
                Problem::LevelNotOffered,
                format!(
                    "service {} does not offer level `{chosen}` (it offers {})",
                    service.code,
                    service.levels.join(", ")
                ),
            ));
        }
        let chosen = level_of(chosen, "level")?;
        if chosen.rank > level.rank {
            level = chosen;
        }
    }
    let mut options = Vec::new();
    for (i, code) in selection.options.iter().enumerate() {
        let field = format!("options[{i}]");
        let option = service.option(code).ok_or_else(|| {
            selection_error(
                &field,
                Problem::UnknownOption,
                format!("service {} has no option `{code}`", service.code),
            )
        })?;
        if !option.applies_to_pack(&pack.code) {
            return Err(selection_error(
                &field,
                Problem::OptionNotForPack,
                format!("option `{code}` does not apply to pack `{}`", pack.code),
            ));
        }
        if options
            .iter()
            .any(|o: &&ServiceOption| o.code == option.code)
        {
            return Err(selection_error(
                &field,
                Problem::OptionTwice,
                format!("option `{code}` is chosen twice"),
            ));
        }
        if let Some(raised) = &option.sla.raise_level {
            let raised = level_of(raised, &field)?;
            if raised.rank > level.rank {
                level = raised;
            }
        }
        options.push(option);
    }
    // (2) Target changes: per priority the shorter duration wins; a calendar is replaced.
    let mut targets: BTreeMap<Priority, EffectiveTarget> = level
        .targets
        .iter()
        .map(|(p, t)| {
            (
                *p,
                EffectiveTarget {
                    response: t.response,
                    resolution: t.resolution,
                    calendar: t.calendar.clone(),
                },
            )
        })
        .collect();
    let mut calendar_set_by: BTreeMap<Priority, &str> = BTreeMap::new();
    for option in &options {
        for (priority, change) in &option.sla.targets {
            let Some(target) = targets.get_mut(priority) else {
                continue;
            };
            if let Some(r) = change.response {
                target.response = target.response.min(r);
            }
            if let Some(r) = change.resolution {
                target.resolution = target.resolution.min(r);
            }
            if let Some(c) = &change.calendar {
                if let Some(other) = calendar_set_by.get(priority) {
                    if target.calendar != *c {
                        // Refused at import; kept as an error here should a store hold it anyway.
                        return Err(selection_error(
                            "options",
                            Problem::CalendarConflict,
                            format!(
                                "options `{other}` and `{}` set different calendars for {}",
                                option.code,
                                priority.code()
                            ),
                        ));
                    }
                }
                target.calendar = c.clone();
                calendar_set_by.insert(*priority, &option.code);
            }
        }
    }
    // (3) Rights are a union.
    let rights = options
        .iter()
        .flat_map(|o| o.sla.rights.iter().cloned())
        .collect();
    Ok(EffectiveSla {
        level: level.code.clone(),
        availability_target: level.availability_target,
        support_calendar: level.support_calendar.clone(),
        targets,
        maintenance_notice: level.maintenance_notice,
        tacit_consent: level.tacit_consent,
        rights,
        escalation: level.escalation,
    })
}

/// One priced line of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteLine {
    /// `pack` or `option`.
    pub kind: &'static str,
    pub code: String,
    pub period: Period,
    pub per: Per,
    pub unit_amount_cents: i64,
    pub quantity: i64,
    pub amount_cents: i64,
}

/// Totals per period, never converted into each other (DOMAIN §2). EUR cents, excluding VAT.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub month_cents: i64,
    pub year_cents: i64,
    pub one_off_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub sla: EffectiveSla,
    pub lines: Vec<QuoteLine>,
    pub totals: Totals,
}

/// Prices a selection and gives its effective SLA, without subscribing. Whether the service may
/// be quoted at all is [`super::visibility::may_quote`]'s to say, before this is asked.
pub fn quote(
    service: &Service,
    levels: &[ServiceLevel],
    selection: &Selection,
) -> Result<Quote, SelectionError> {
    if selection.quantity < 1 {
        return Err(selection_error(
            "quantity",
            Problem::QuantityTooSmall,
            "must be at least 1".into(),
        ));
    }
    if selection.quantity > MAX_QUANTITY {
        return Err(selection_error(
            "quantity",
            Problem::QuantityTooLarge,
            format!("must be at most {MAX_QUANTITY}"),
        ));
    }
    let sla = effective_sla(service, levels, selection)?;
    let pack = service
        .pack(&selection.pack)
        .unwrap_or_else(|| unreachable!("checked by effective_sla"));
    let mut lines = Vec::new();
    let mut priced = |kind: &'static str, code: &str, prices: &[Price]| {
        for price in prices {
            let quantity = match price.per {
                Per::Pack => 1,
                Per::Unit => selection.quantity,
            };
            lines.push(QuoteLine {
                kind,
                code: code.to_owned(),
                period: price.period,
                per: price.per,
                unit_amount_cents: price.amount_cents,
                quantity,
                amount_cents: price.amount_cents.saturating_mul(quantity),
            });
        }
    };
    priced("pack", &pack.code, &pack.prices);
    for code in &selection.options {
        if let Some(option) = service.option(code) {
            priced("option", &option.code, &option.prices);
        }
    }
    let mut totals = Totals::default();
    for line in &lines {
        let slot = match line.period {
            Period::Month => &mut totals.month_cents,
            Period::Year => &mut totals.year_cents,
            Period::OneOff => &mut totals.one_off_cents,
        };
        *slot = slot.saturating_add(line.amount_cents);
    }
    Ok(Quote { sla, lines, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(code: &str, rank: u32, target: &str, p1_resp: i64, p1_res: i64) -> ServiceLevel {
        let mut targets = BTreeMap::new();
        for (i, p) in Priority::ALL.into_iter().enumerate() {
            let k = i as i64 + 1;
            targets.insert(
                p,
                PriorityTarget {
                    response: Seconds(p1_resp * k),
                    resolution: Seconds(p1_res * k),
                    calendar: if p == Priority::P1 {
                        "24x7".into()
                    } else {
                        "be-working-hours".into()
                    },
                },
            );
        }
        ServiceLevel {
            code: code.into(),
            rank,
            name: Text::same(code),
            description: Text::new(),
            availability_target: Target::parse(target).unwrap(),
            support_calendar: "be-working-hours".into(),
            targets,
            maintenance_notice: Seconds(5 * 86400),
            tacit_consent: true,
            escalation: Default::default(),
        }
    }

    fn levels() -> Vec<ServiceLevel> {
        vec![
            level("critical", 3, "99.9", 900, 4 * 3600),
            level("standard", 2, "99.7", 1800, 8 * 3600),
            level("basic", 1, "99.5", 3600, 16 * 3600),
        ]
    }

    fn option(code: &str, sla: SlaAdjustment, applies_to: &[&str]) -> ServiceOption {
        ServiceOption {
            code: code.into(),
            name: Text::same(code),
            description: Text::new(),
            prices: vec![Price {
                amount_cents: 5000,
                period: Period::Month,
                per: Per::Pack,
                unit: Text::new(),
            }],
            applies_to: applies_to.iter().map(|s| s.to_string()).collect(),
            sla,
        }
    }

    fn service() -> Service {
        let pack = |code: &str, level: &str| Pack {
            code: code.into(),
            name: Text::same(code),
            description: Text::new(),
            included: BTreeMap::new(),
            prices: vec![
                Price {
                    amount_cents: 10000,
                    period: Period::Month,
                    per: Per::Pack,
                    unit: Text::new(),
                },
                Price {
                    amount_cents: 250,
                    period: Period::Month,
                    per: Per::Unit,
                    unit: Text::same("mailbox"),
                },
                Price {
                    amount_cents: 50000,
                    period: Period::OneOff,
                    per: Per::Pack,
                    unit: Text::new(),
                },
            ],
            standard_level: level.into(),
        };
        let mut extended = BTreeMap::new();
        extended.insert(
            Priority::P3,
            TargetChange {
                response: Some(Seconds(600)),
                resolution: None,
                calendar: Some("extended".into()),
            },
        );
        Service {
            code: "MAIL".into(),
            category: "collaboration".into(),
            status: Lifecycle::Published,
            successor: None,
            name: Text::same("Mail"),
            summary: Text::new(),
            delivery_models: vec![DeliveryModel::Saas],
            service_manager: Contact {
                name: "A".into(),
                email: "a@b.be".into(),
                phone: "1".into(),
            },
            levels: vec!["basic".into(), "standard".into(), "critical".into()],
            responsibilities: vec![],
            fiche: Fiche::default(),
            edition: None,
            packs: vec![pack("small", "basic"), pack("large", "standard")],
            options: vec![
                option(
                    "critical-coverage",
                    SlaAdjustment {
                        raise_level: Some("critical".into()),
                        ..Default::default()
                    },
                    &[],
                ),
                option(
                    "central-first-line",
                    SlaAdjustment {
                        rights: vec!["central-first-line".into()],
                        ..Default::default()
                    },
                    &["large"],
                ),
                option(
                    "extended-hours",
                    SlaAdjustment {
                        targets: extended,
                        ..Default::default()
                    },
                    &[],
                ),
            ],
        }
    }

    fn select(pack: &str, level: Option<&str>, options: &[&str]) -> Selection {
        Selection {
            pack: pack.into(),
            level: level.map(Into::into),
            options: options.iter().map(|s| s.to_string()).collect(),
            quantity: 10,
        }
    }

    #[test]
    fn level_is_the_pack_standard_without_choices() {
        let sla = effective_sla(&service(), &levels(), &select("small", None, &[])).unwrap();
        assert_eq!(sla.level, "basic");
        assert_eq!(sla.availability_target.to_string(), "99.5");
    }

    #[test]
    fn a_chosen_level_never_lowers_the_pack_standard() {
        let sla =
            effective_sla(&service(), &levels(), &select("large", Some("basic"), &[])).unwrap();
        assert_eq!(sla.level, "standard");
        let sla = effective_sla(
            &service(),
            &levels(),
            &select("small", Some("critical"), &[]),
        )
        .unwrap();
        assert_eq!(sla.level, "critical");
    }

    #[test]
    fn an_option_raises_the_level() {
        let sla = effective_sla(
            &service(),
            &levels(),
            &select("small", Some("standard"), &["critical-coverage"]),
        )
        .unwrap();
        assert_eq!(sla.level, "critical");
        assert_eq!(sla.targets[&Priority::P1].response, Seconds(900));
    }

    #[test]
    fn target_changes_take_the_shorter_duration_and_replace_the_calendar() {
        let sla = effective_sla(
            &service(),
            &levels(),
            &select("small", None, &["extended-hours"]),
        )
        .unwrap();
        // basic P3: response 3 × 3600 = 10800 s, resolution 3 × 16 h; the option gives 600 s response.
        assert_eq!(
            sla.targets[&Priority::P3],
            EffectiveTarget {
                response: Seconds(600),
                resolution: Seconds(3 * 16 * 3600),
                calendar: "extended".into()
            }
        );
        // A longer duration from an option never lengthens a target.
        let mut svc = service();
        svc.options[2]
            .sla
            .targets
            .get_mut(&Priority::P3)
            .unwrap()
            .response = Some(Seconds(999_999));
        let sla =
            effective_sla(&svc, &levels(), &select("small", None, &["extended-hours"])).unwrap();
        assert_eq!(sla.targets[&Priority::P3].response, Seconds(10800));
    }

    #[test]
    fn rights_are_a_union() {
        let sla = effective_sla(
            &service(),
            &levels(),
            &select("large", None, &["central-first-line", "critical-coverage"]),
        )
        .unwrap();
        assert_eq!(
            sla.rights.into_iter().collect::<Vec<_>>(),
            vec!["central-first-line".to_string()]
        );
    }

    #[test]
    fn bad_selections_name_their_field() {
        let e = effective_sla(&service(), &levels(), &select("huge", None, &[])).unwrap_err();
        assert_eq!(e.field, "pack");
        let e = effective_sla(
            &service(),
            &levels(),
            &select("small", None, &["central-first-line"]),
        )
        .unwrap_err();
        assert_eq!(e.field, "options[0]");
        let e =
            effective_sla(&service(), &levels(), &select("small", Some("gold"), &[])).unwrap_err();
        assert_eq!(e.field, "level");
    }

    #[test]
    fn quote_totals_per_period_with_units() {
        let q = quote(
            &service(),
            &levels(),
            &select("large", None, &["central-first-line"]),
        )
        .unwrap();
        // 100.00 + 10 × 2.50 + option 50.00 per month; 500.00 one-off.
        assert_eq!(
            q.totals,
            Totals {
                month_cents: 10000 + 2500 + 5000,
                year_cents: 0,
                one_off_cents: 50000
            }
        );
        assert_eq!(q.lines.len(), 4);
    }

    #[test]
    fn default_matrix_follows_the_delivery_model_and_overrides_apply() {
        let mut svc = service();
        let rows = responsibilities(&svc);
        let app = rows.iter().find(|r| r.activity == "application").unwrap();
        assert_eq!((app.paas, app.saas), (Party::Partner, Party::Provider));
        svc.responsibilities.push(ResponsibilityRow {
            activity: "application".into(),
            label: Text::new(),
            paas: Party::Provider,
            saas: Party::Provider,
        });
        let rows = responsibilities(&svc);
        assert_eq!(
            rows.iter()
                .find(|r| r.activity == "application")
                .unwrap()
                .paas,
            Party::Provider
        );
        assert_eq!(rows.len(), STANDARD_ACTIVITIES.len());
    }
}
