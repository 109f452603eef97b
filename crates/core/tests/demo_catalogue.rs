//! The demo catalogue (`demo/catalogue.yaml`, loaded by `pacta serve --demo`) is what people see
//! first: it must pass the reader and hold everything issue 2 (item 5) promises.

use std::collections::BTreeSet;

use jiff::civil::Weekday;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::export::{canonical, to_yaml};
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::rules::{effective_sla, Selection};
use pacta_core::catalogue::{Catalogue, Lifecycle, Priority, Seconds, Service, ServiceLevel};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");

const LANGS: [&str; 4] = ["nl", "fr", "de", "en"];

fn read(source: &str, name: &str) -> Catalogue {
    let doc = parse_yaml(source).unwrap_or_else(|e| panic!("{name}:{e}"));
    match read_catalogue(&doc, &Known::default()) {
        Ok(catalogue) => catalogue,
        Err(issues) => {
            let lines: Vec<String> = issues.iter().map(|i| format!("{name}:{i}")).collect();
            panic!(
                "the reader refuses {name} ({} issues):\n{}",
                issues.len(),
                lines.join("\n")
            );
        }
    }
}

fn demo() -> Catalogue {
    let source = std::fs::read_to_string(PATH).unwrap_or_else(|e| panic!("{PATH}: {e}"));
    read(&source, PATH)
}

fn published(c: &Catalogue) -> Vec<&Service> {
    c.services
        .iter()
        .filter(|s| s.status == Lifecycle::Published)
        .collect()
}

fn level<'a>(c: &'a Catalogue, code: &str) -> &'a ServiceLevel {
    c.levels
        .iter()
        .find(|l| l.code == code)
        .unwrap_or_else(|| panic!("no level `{code}`"))
}

#[test]
fn the_reader_accepts_the_demo_catalogue() {
    let c = demo();
    assert!(c.profile.is_some(), "the demo has an organisation profile");
    assert!(!c.calendars.is_empty());
    assert!((5..=7).contains(&c.categories.len()));
}

#[test]
fn at_least_eight_published_services_with_two_to_three_packs_and_two_to_four_options() {
    let c = demo();
    let services = published(&c);
    assert!(
        services.len() >= 8,
        "only {} published services",
        services.len()
    );
    for s in services {
        assert!(
            (2..=3).contains(&s.packs.len()),
            "{} has {} packs",
            s.code,
            s.packs.len()
        );
        assert!(
            (2..=4).contains(&s.options.len()),
            "{} has {} options",
            s.code,
            s.options.len()
        );
        for p in &s.packs {
            assert!(
                !p.prices.is_empty(),
                "{} pack {} has no price",
                s.code,
                p.code
            );
            assert!(
                !p.included.is_empty(),
                "{} pack {} includes nothing",
                s.code,
                p.code
            );
        }
        for o in &s.options {
            assert!(
                !o.prices.is_empty(),
                "{} option {} has no price",
                s.code,
                o.code
            );
        }
        assert!(s.edition.is_some(), "{} has no edition date", s.code);
        assert!(!s.fiche.characteristics.is_empty() && !s.fiche.sla_notes.is_empty());
    }
}

#[test]
fn every_category_is_used_and_retired_services_name_a_published_successor() {
    let c = demo();
    for cat in &c.categories {
        assert!(
            c.services.iter().any(|s| s.category == cat.code),
            "category {} has no service",
            cat.code
        );
    }
    let retired: Vec<&Service> = c
        .services
        .iter()
        .filter(|s| s.status == Lifecycle::Retired)
        .collect();
    assert!(!retired.is_empty(), "the demo shows a retired service");
    for s in retired {
        let successor = s.successor.as_deref().unwrap_or_else(|| {
            panic!("retired {} names no successor", s.code);
        });
        assert!(
            published(&c).iter().any(|p| p.code == successor),
            "{} is succeeded by {successor}, which is not published",
            s.code
        );
    }
}

#[test]
fn three_levels_critical_standard_basic_with_their_availability_targets() {
    let c = demo();
    let codes: BTreeSet<&str> = c.levels.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, BTreeSet::from(["basic", "critical", "standard"]));
    let (critical, standard, basic) = (
        level(&c, "critical"),
        level(&c, "standard"),
        level(&c, "basic"),
    );
    assert_eq!(critical.availability_target.to_string(), "99.9");
    assert_eq!(standard.availability_target.to_string(), "99.7");
    assert_eq!(basic.availability_target.to_string(), "99.5");
    assert!(critical.rank > standard.rank && standard.rank > basic.rank);
    // A stricter level never promises less: shorter or equal targets, longer or equal notice.
    for (strict, loose) in [(critical, standard), (standard, basic)] {
        for p in Priority::ALL {
            let (a, b) = (&strict.targets[&p], &loose.targets[&p]);
            assert!(
                a.response <= b.response && a.resolution <= b.resolution,
                "{} {} is looser than {}",
                strict.code,
                p.code(),
                loose.code
            );
            assert!(a.response < a.resolution, "{} {}", strict.code, p.code());
        }
        assert!(strict.maintenance_notice >= loose.maintenance_notice);
    }
}

#[test]
fn p1_runs_on_24x7_everywhere_and_p2_too_on_critical() {
    let c = demo();
    for l in &c.levels {
        for p in Priority::ALL {
            let expected = match (l.code.as_str(), p) {
                (_, Priority::P1) | ("critical", Priority::P2) => "24x7",
                _ => "be-working-hours",
            };
            assert_eq!(l.targets[&p].calendar, expected, "{} {}", l.code, p.code());
        }
    }
}

#[test]
fn central_first_line_critical_coverage_and_extended_support_options_exist() {
    let c = demo();
    let services = published(&c);
    let with = |code: &str| -> Vec<&Service> {
        services
            .iter()
            .copied()
            .filter(|s| s.option(code).is_some())
            .collect()
    };
    let central = with("central-first-line");
    assert!(central.len() >= 2, "central-first-line on several services");
    for s in &central {
        let o = s.option("central-first-line").unwrap();
        assert_eq!(o.sla.rights, vec!["central-first-line".to_string()]);
    }
    let critical = with("critical-coverage");
    assert!(critical.len() >= 2, "critical-coverage on several services");
    for s in &critical {
        let o = s.option("critical-coverage").unwrap();
        assert_eq!(o.sla.raise_level.as_deref(), Some("critical"));
    }
    let extended = with("extended-support");
    assert!(!extended.is_empty(), "an extended-support option exists");
    let basic = level(&c, "basic");
    for s in &extended {
        let o = s.option("extended-support").unwrap();
        for p in [Priority::P3, Priority::P4] {
            let change = &o.sla.targets[&p];
            assert_eq!(change.calendar.as_deref(), Some("extended-hours"));
            assert!(change.response.unwrap() < basic.targets[&p].response);
            assert!(change.resolution.unwrap() < basic.targets[&p].resolution);
        }
    }
}

#[test]
fn the_profile_carries_the_seed_contacts_and_a_defined_helpdesk_calendar() {
    let c = demo();
    let profile = c.profile.as_ref().unwrap();
    let emails: BTreeSet<&str> = profile
        .contacts
        .iter()
        .filter_map(|k| k.email.as_deref())
        .collect();
    for e in [
        "servicedesk@premier.belgium.be",
        "ictsecurity@premier.fed.be",
        "partner.relationship@premier.fed.be",
        "ict.kanselarij@premier.fed.be",
    ] {
        assert!(emails.contains(e), "contact {e} is missing");
    }
    assert_eq!(profile.dashboard_url, "https://www.yourict.be");
    assert_eq!(profile.edition_date.to_string(), "2026-11-28");
    let calendar = c
        .calendars
        .iter()
        .find(|k| k.code == profile.central_helpdesk_calendar)
        .expect("the central helpdesk calendar is defined in the catalogue");
    assert_eq!(calendar.spec.timezone, "Europe/Brussels");
    assert_eq!(calendar.spec.holidays.sets, vec!["be-federal".to_string()]);
    for year in [2026, 2027] {
        let days: Vec<_> = calendar
            .spec
            .holidays
            .closed
            .iter()
            .filter(|d| d.date.year() == year)
            .collect();
        assert!(days.len() >= 3, "closure days for {year}");
        for d in days {
            assert!(
                !matches!(d.date.weekday(), Weekday::Saturday | Weekday::Sunday),
                "closure day {} is a weekend day",
                d.date
            );
            assert!(!d.name.is_empty(), "closure day {} has no name", d.date);
        }
    }
}

/// Every object of the serialised catalogue whose keys are all language codes is a `Text`: it has
/// all four languages, none of them blank.
fn check_texts(value: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if !map.is_empty() && map.keys().all(|k| LANGS.contains(&k.as_str())) {
                for lang in LANGS {
                    match map.get(lang).and_then(|v| v.as_str()) {
                        Some(t) if !t.trim().is_empty() => {}
                        _ => problems.push(format!("{path}: no text in `{lang}`")),
                    }
                }
                return;
            }
            for (k, v) in map {
                check_texts(v, &format!("{path}.{k}"), problems);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_texts(v, &format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn every_text_exists_in_nl_fr_de_and_en() {
    let c = demo();
    let value = serde_json::to_value(&c).unwrap();
    let mut problems = Vec::new();
    check_texts(&value, "catalogue", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The optional texts are written too: the demo shows every section filled in.
    for cat in &c.categories {
        assert!(!cat.description.is_empty(), "category {}", cat.code);
    }
    for l in &c.levels {
        assert!(!l.description.is_empty(), "level {}", l.code);
    }
    for s in &c.services {
        assert!(!s.summary.is_empty(), "service {}", s.code);
        for p in &s.packs {
            assert!(!p.description.is_empty(), "{} pack {}", s.code, p.code);
        }
        for o in &s.options {
            assert!(!o.description.is_empty(), "{} option {}", s.code, o.code);
        }
    }
}

#[test]
fn every_pack_with_every_applicable_option_has_an_effective_sla() {
    let c = demo();
    for s in &c.services {
        for pack in &s.packs {
            let applicable: Vec<String> = s
                .options
                .iter()
                .filter(|o| o.applies_to_pack(&pack.code))
                .map(|o| o.code.clone())
                .collect();
            let mut choices: Vec<Vec<String>> = vec![Vec::new(), applicable.clone()];
            choices.extend(applicable.iter().map(|o| vec![o.clone()]));
            let levels = std::iter::once(None).chain(s.levels.iter().cloned().map(Some));
            for chosen in levels {
                for options in &choices {
                    let selection = Selection {
                        pack: pack.code.clone(),
                        level: chosen.clone(),
                        options: options.clone(),
                        quantity: 1,
                    };
                    let sla = effective_sla(s, &c.levels, &selection).unwrap_or_else(|e| {
                        panic!("{} {} {chosen:?} {options:?}: {e}", s.code, pack.code)
                    });
                    let rank = |code: &str| level(&c, code).rank;
                    assert!(rank(&sla.level) >= rank(&pack.standard_level));
                    if let Some(chosen) = &chosen {
                        assert!(rank(&sla.level) >= rank(chosen));
                    }
                    if options.iter().any(|o| o == "critical-coverage") {
                        assert_eq!(sla.level, "critical");
                    }
                    if options.iter().any(|o| o == "central-first-line") {
                        assert!(sla.rights.contains("central-first-line"));
                    }
                    if options.iter().any(|o| o == "extended-support") {
                        assert_eq!(sla.targets[&Priority::P3].calendar, "extended-hours");
                    }
                    assert_eq!(sla.targets[&Priority::P1].calendar, "24x7");
                    assert!(sla.targets.values().all(|t| t.response > Seconds(0)));
                }
            }
        }
    }
}

#[test]
fn the_demo_survives_export_and_reimport_unchanged() {
    let c = demo();
    let exported = to_yaml(&c);
    let again = read(&exported, "export of the demo");
    assert_eq!(canonical(&c), again);
    assert_eq!(to_yaml(&again), exported);
}

/// The worked examples of docs/catalogue-format.md ("The effective SLA").
#[test]
fn the_documented_mail_agenda_examples_hold() {
    let c = demo();
    let mail = c.services.iter().find(|s| s.code == "MAIL-AGENDA").unwrap();
    let sla = |pack: &str, level: Option<&str>, options: &[&str]| {
        effective_sla(
            mail,
            &c.levels,
            &Selection {
                pack: pack.into(),
                level: level.map(Into::into),
                options: options.iter().map(|o| o.to_string()).collect(),
                quantity: 1,
            },
        )
    };
    let h = |n: i64| Seconds(n * 3600);
    assert_eq!(sla("mail-50", None, &[]).unwrap().level, "basic");
    assert_eq!(
        sla("mail-50", Some("standard"), &[]).unwrap().level,
        "standard"
    );
    let refused = sla("mail-50", None, &["critical-coverage"]).unwrap_err();
    assert_eq!(refused.field, "options[0]");
    let both = sla("mail-250", None, &["critical-coverage", "extended-support"]).unwrap();
    assert_eq!(both.level, "critical");
    assert_eq!(both.availability_target.to_string(), "99.9");
    assert_eq!(both.targets[&Priority::P2].calendar, "24x7");
    let p3 = &both.targets[&Priority::P3];
    assert_eq!((p3.response, p3.resolution), (h(1), h(12)));
    assert_eq!(p3.calendar, "extended-hours");
    let p4 = &both.targets[&Priority::P4];
    assert_eq!((p4.response, p4.resolution), (h(2), h(24)));
    assert_eq!(p4.calendar, "extended-hours");
    assert!(both.rights.is_empty());
    let all = sla(
        "mail-250",
        None,
        &[
            "critical-coverage",
            "extended-support",
            "central-first-line",
        ],
    )
    .unwrap();
    assert_eq!(all.targets, both.targets);
    assert_eq!(
        all.rights.into_iter().collect::<Vec<_>>(),
        vec!["central-first-line".to_string()]
    );
}
