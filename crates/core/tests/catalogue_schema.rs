//! The JSON Schema of the catalogue format (`crates/core/src/catalogue/schema.json`, printed by
//! `pacta catalogue schema` so that editors validate catalogue files as you type).
//!
//! The reader (`catalogue::read`) remains the authority. The schema must never refuse what the
//! reader accepts — neither the demo catalogue nor its export — and should refuse what it can of
//! what the reader refuses. Each hand-made case below is checked against both, YAML being typed the
//! way an editor types it (YAML 1.2 core: `2024` is a number, `2026-12-24` a string).

use jsonschema::Validator;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::export::{canonical, to_yaml};
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::Catalogue;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

const SCHEMA: &str = include_str!("../src/catalogue/schema.json");
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).unwrap_or_else(|e| panic!("schema.json is not JSON: {e}"))
}

fn validator() -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap_or_else(|e| panic!("schema.json does not compile: {e}"))
}

/// Every schema error, as `instance path: message`.
fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn reader(source: &str) -> Result<Catalogue, Vec<String>> {
    let doc = parse_yaml(source).map_err(|e| vec![e.to_string()])?;
    read_catalogue(&doc, &Known::default())
        .map_err(|issues| issues.iter().map(ToString::to_string).collect())
}

/// A YAML document as an editor's YAML 1.2 parser types it, as JSON.
fn as_editor_reads(source: &str) -> Value {
    let docs = YamlLoader::load_from_str(source).unwrap_or_else(|e| panic!("YAML: {e}"));
    assert_eq!(docs.len(), 1, "one YAML document");
    yaml_to_json(&docs[0])
}

fn yaml_to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => {
            let f: f64 = text
                .parse()
                .unwrap_or_else(|e| panic!("YAML real {text:?}: {e}"));
            Value::from(f)
        }
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => panic!("unexpected mapping key {other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML value {other:?}"),
    }
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the schema declares draft 2020-12"
    );
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("schema.json is not a valid draft 2020-12 schema: {e}");
    }
    // Compiling resolves every `$ref` and every pattern.
    validator();
    // Hover help: the top level and every definition have a description.
    assert!(schema["description"].is_string());
    for (name, def) in schema["$defs"].as_object().expect("$defs") {
        assert!(
            def["description"].is_string(),
            "$defs/{name} has no description"
        );
    }
}

#[test]
fn the_demo_catalogue_and_its_export_satisfy_the_schema() {
    let source = std::fs::read_to_string(DEMO).unwrap_or_else(|e| panic!("{DEMO}: {e}"));
    let catalogue = reader(&source)
        .unwrap_or_else(|issues| panic!("the reader refuses the demo:\n{}", issues.join("\n")));
    let validator = validator();
    // What `pacta catalogue export` writes (as JSON): the stored order, and the canonical one.
    for (what, catalogue) in [
        ("as read", catalogue.clone()),
        ("canonical", canonical(&catalogue)),
    ] {
        let json = serde_json::to_value(&catalogue).expect("the model serialises");
        let errs = errors(&validator, &json);
        assert!(
            errs.is_empty(),
            "the demo export ({what}) fails the schema:\n{}",
            errs.join("\n")
        );
    }
    // The file itself and its YAML export, as an editor sees them.
    for (what, yaml) in [
        ("demo/catalogue.yaml", source),
        ("the YAML export", to_yaml(&catalogue)),
    ] {
        let errs = errors(&validator, &as_editor_reads(&yaml));
        assert!(
            errs.is_empty(),
            "{what} fails the schema as an editor reads it:\n{}",
            errs.join("\n")
        );
    }
}

/// A small valid catalogue that the cases below change one thing in.
const BASE: &str = r#"
calendars:
  - code: extended-hours
    name: { en: Extended hours }
    timezone: Europe/Brussels
    slots:
      - { days: [mon, tue, wed, thu, fri], from: "07:00", to: "20:00" }
    holidays:
      sets: [be-federal]
      closed:
        - 2026-12-24
        - date: 2026-12-31
          name: { en: New Year's Eve }
levels:
  - code: standard
    rank: 2
    name: { en: Standard }
    availability_target: "99.7"
    support_calendar: be-working-hours
    targets:
      P1: { response: 30m, resolution: 8h, calendar: 24x7 }
      P2: { response: 1h, resolution: 12h, calendar: be-working-hours }
      P3: { response: 4h, resolution: 24h, calendar: be-working-hours }
      P4: { response: 8h, resolution: 60h, calendar: be-working-hours }
    maintenance_notice: 120h
categories:
  - code: hosting
    name: { en: Hosting }
services:
  - code: WEB-HOSTING
    category: hosting
    status: published
    name: { en: Web hosting }
    delivery_models: [paas, saas]
    service_manager:
      name: Marc Dubois
      email: marc.dubois@example.be
      phone: 02 501 05 32
    levels: [standard]
    responsibilities:
      - { activity: application, paas: partner, saas: provider }
    fiche:
      characteristics: { en: Fast. }
    edition: 2026-11-28
    packs:
      - code: small
        name: { en: Small }
        included: { sites: 5, storage_gb: 50 }
        prices:
          - { amount_cents: 150000, period: one_off }
          - { amount_cents: 420, period: month, per: unit, unit: { en: site } }
        standard_level: standard
    options:
      - code: extended-support
        name: { en: Extended support }
        prices:
          - { amount_cents: 25000, period: month, per: pack }
        applies_to: [small]
        sla:
          targets:
            P3: { response: 1h, calendar: extended-hours }
          rights: [central-first-line]
"#;

/// `BASE` with `from` replaced by `to` (which must occur in it).
fn variant(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "the base catalogue has no {from:?}");
    BASE.replacen(from, to, 1)
}

const TACIT_CONSENT_FALSE: &str = "    maintenance_notice: 120h\n    tacit_consent: false\n";
const RETIRED_FOR_ITSELF: &str = "    status: retired\n    successor: WEB-HOSTING\n";

/// `BASE` with an empty list of packs.
fn without_packs() -> String {
    let start = BASE.find("    packs:\n").expect("packs");
    let end = BASE.find("    options:\n").expect("options");
    format!("{}    packs: []\n{}", &BASE[..start], &BASE[end..])
}

/// What the schema says of `source` (as an editor reads it), and what the reader says.
fn verdicts(validator: &Validator, source: &str) -> (Vec<String>, Result<Catalogue, Vec<String>>) {
    (errors(validator, &as_editor_reads(source)), reader(source))
}

#[test]
fn the_base_catalogue_is_valid() {
    let (schema_errors, read) = verdicts(&validator(), BASE);
    assert!(schema_errors.is_empty(), "{}", schema_errors.join("\n"));
    if let Err(issues) = read {
        panic!("{}", issues.join("\n"));
    }
}

#[test]
fn the_schema_accepts_what_the_reader_accepts() {
    let long_code = format!("code: {}", "X".repeat(64));
    let cases: &[(&str, String)] = &[
        (
            "optional keys given as null or empty",
            variant(
                "    status: published\n",
                "    status:\n    summary: ~\n    successor:\n    edition: null\n",
            )
            .replace("    edition: 2026-11-28\n", ""),
        ),
        (
            "a null profile",
            variant("calendars:\n", "profile: ~\ncalendars:\n"),
        ),
        (
            "null lists and maps",
            variant(
                concat!(
                    "    responsibilities:\n",
                    "      - { activity: application, paas: partner, saas: provider }\n",
                ),
                "    responsibilities: ~\n",
            )
            .replace("included: { sites: 5, storage_gb: 50 }", "included:")
            .replace("sets: [be-federal]", "sets:"),
        ),
        (
            "digits-only codes, which YAML types as numbers",
            variant("code: hosting", "code: 2024").replace("category: hosting", "category: 2024"),
        ),
        (
            "a code of 64 characters",
            variant("code: WEB-HOSTING", &long_code),
        ),
        (
            "a plain availability target",
            variant(
                r#"availability_target: "99.7""#,
                "availability_target: 99.7",
            ),
        ),
        (
            "an availability target of 100 with trailing zeros",
            variant(r#""99.7""#, r#""100.000000000""#),
        ),
        (
            "an availability target with six decimals",
            variant(r#""99.7""#, r#""099.123456""#),
        ),
        (
            "ISO 8601 durations",
            variant("response: 30m", "response: PT30M"),
        ),
        ("a zero duration", variant("response: 30m", "response: 0s")),
        (
            "every duration part",
            variant("resolution: 8h,", "resolution: 7h59m60s,"),
        ),
        (
            "a slot until 24:00",
            variant(r#"to: "20:00""#, r#"to: "24:00""#),
        ),
        ("unquoted times", variant(r#"from: "07:00""#, "from: 07:00")),
        (
            "a slot without days",
            variant("days: [mon, tue, wed, thu, fri]", "days: []"),
        ),
        (
            "a named closed day without a name",
            variant(
                "          name: { en: New Year's Eve }\n",
                "          name: ~\n",
            ),
        ),
        (
            "partial and null target changes",
            variant(
                "P3: { response: 1h, calendar: extended-hours }",
                "P3: { calendar: extended-hours }\n            P4: ~",
            ),
        ),
        (
            "an activity of the service's own, with a label",
            variant(
                "{ activity: application, paas: partner, saas: provider }",
                "{ activity: web-content, label: { en: Content }, paas: partner, saas: partner }",
            ),
        ),
        (
            "a standard activity relabelled",
            variant(
                "{ activity: application, paas: partner,",
                "{ activity: application, label: { en: The app }, paas: partner,",
            ),
        ),
        (
            "a phone number that YAML types as an integer",
            variant("phone: 02 501 05 32", "phone: 025013255"),
        ),
        (
            "a text that YAML types as a number",
            variant("name: { en: Small }", "name: { en: 250 }"),
        ),
        (
            "a required text with one blank language",
            variant(
                "name: { en: Web hosting }",
                r#"name: { nl: " ", en: Web hosting }"#,
            ),
        ),
        (
            "a text of U+FEFF, which is not white space to the reader",
            variant("name: { en: Small }", r#"name: { en: "\uFEFF" }"#),
        ),
        (
            "escalation thresholds on a level",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    escalation: { service_manager: 50%, ict_management: +4h }\n",
            ),
        ),
        (
            "tacit consent and a zero quantity",
            variant("    maintenance_notice: 120h\n", TACIT_CONSENT_FALSE)
                .replace("sites: 5", "sites: 0"),
        ),
        (
            "an empty unit with a pack price",
            variant("period: one_off }", "period: one_off, unit: {} }"),
        ),
        (
            "an empty SLA adjustment",
            variant(
                concat!(
                    "        sla:\n",
                    "          targets:\n",
                    "            P3: { response: 1h, calendar: extended-hours }\n",
                    "          rights: [central-first-line]\n",
                ),
                "        sla: {}\n",
            ),
        ),
    ];
    let validator = validator();
    let mut failures = Vec::new();
    for (name, source) in cases {
        let (schema_errors, read) = verdicts(&validator, source);
        if let Err(issues) = read {
            failures.push(format!(
                "{name}: the reader refuses it:\n  {}",
                issues.join("\n  ")
            ));
        } else if !schema_errors.is_empty() {
            failures.push(format!(
                "{name}: the schema refuses it:\n  {}",
                schema_errors.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_refuses_what_it_can_of_what_the_reader_refuses() {
    let too_long = format!("code: {}", "X".repeat(65));
    let cases: &[(&str, String)] = &[
        (
            "an unknown key",
            variant(
                "    status: published\n",
                "    status: published\n    sumary: { en: Typo }\n",
            ),
        ),
        ("an unknown top-level key", format!("{BASE}service: []\n")),
        (
            "a lower-case service code",
            variant("code: WEB-HOSTING", "code: Web-Hosting"),
        ),
        (
            "a service code with a space",
            variant("code: WEB-HOSTING", "code: WEB HOSTING"),
        ),
        (
            "a service code of 65 characters",
            variant("code: WEB-HOSTING", &too_long),
        ),
        (
            "an upper-case pack code",
            variant("code: small", "code: Small"),
        ),
        (
            "a negative price",
            variant("amount_cents: 420,", "amount_cents: -420,"),
        ),
        (
            "a price in quotes",
            variant("amount_cents: 420,", r#"amount_cents: "420","#),
        ),
        (
            "a fractional price",
            variant("amount_cents: 420,", "amount_cents: 4.5,"),
        ),
        (
            "a price above 10^12",
            variant("amount_cents: 420,", "amount_cents: 1000000000001,"),
        ),
        (
            "a day unit",
            variant("maintenance_notice: 120h", "maintenance_notice: 5d"),
        ),
        (
            "a duration with a space",
            variant("response: 30m", "response: 4h 30m"),
        ),
        (
            "a duration out of order",
            variant("response: 30m", "response: 30m1h"),
        ),
        (
            "a bare number as a duration",
            variant("response: 30m", "response: 30"),
        ),
        (
            "a lower-case ISO duration",
            variant("response: 30m", "response: PT30m"),
        ),
        (
            "an unknown language key",
            variant(
                "name: { en: Hosting }",
                "name: { en: Hosting, es: Alojamiento }",
            ),
        ),
        (
            "a blank required text",
            variant("name: { en: Hosting }", r#"name: { en: "  " }"#),
        ),
        (
            "an empty required text",
            variant("name: { en: Hosting }", "name: {}"),
        ),
        (
            "a missing required text",
            variant("    name: { en: Hosting }\n", ""),
        ),
        (
            "a text that is not a map",
            variant("name: { en: Hosting }", "name: Hosting"),
        ),
        (
            "a level without P4",
            variant(
                "      P4: { response: 8h, resolution: 60h, calendar: be-working-hours }\n",
                "",
            ),
        ),
        ("a priority P5", variant("      P4: {", "      P5: {")),
        (
            "a target without its calendar",
            variant(
                "P1: { response: 30m, resolution: 8h, calendar: 24x7 }",
                "P1: { response: 30m, resolution: 8h }",
            ),
        ),
        (
            "a target change that changes nothing",
            variant("P3: { response: 1h, calendar: extended-hours }", "P3: {}"),
        ),
        (
            "an availability target above 100",
            variant(r#""99.7""#, r#""100.5""#),
        ),
        (
            "an availability target with seven decimals",
            variant(r#""99.7""#, r#""99.1234567""#),
        ),
        (
            "an availability target with a percent sign",
            variant(r#""99.7""#, r#""99.7%""#),
        ),
        ("a negative availability target", variant(r#""99.7""#, "-1")),
        ("a rank above 1000", variant("rank: 2", "rank: 1001")),
        (
            "a quoted boolean",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    tacit_consent: \"true\"\n",
            ),
        ),
        (
            "a threshold without its percent sign",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    escalation: { prm: 75 }\n",
            ),
        ),
        (
            "a threshold in days",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    escalation: { prm: +1d }\n",
            ),
        ),
        (
            "an unknown escalation level",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    escalation: { cio: 200% }\n",
            ),
        ),
        (
            "yes as a boolean",
            variant(
                "    maintenance_notice: 120h\n",
                "    maintenance_notice: 120h\n    tacit_consent: yes\n",
            ),
        ),
        (
            "a unit on a pack price",
            variant("period: one_off }", "period: one_off, unit: { en: site } }"),
        ),
        (
            "a unit price without its unit",
            variant(", per: unit, unit: { en: site } }", ", per: unit }"),
        ),
        (
            "an unknown period",
            variant("period: one_off", "period: weekly"),
        ),
        ("an unknown per", variant("per: pack", "per: site")),
        (
            "an unknown status",
            variant("status: published", "status: live"),
        ),
        (
            "a successor of a published service",
            variant(
                "    status: published\n",
                "    status: published\n    successor: MAIL\n",
            ),
        ),
        (
            "a successor of a draft service",
            variant("    status: published\n", "    successor: MAIL\n"),
        ),
        (
            "an unknown party",
            variant(
                "paas: partner, saas: provider",
                "paas: customer, saas: provider",
            ),
        ),
        (
            "an unknown delivery model",
            variant("[paas, saas]", "[paas, iaas]"),
        ),
        (
            "a repeated delivery model",
            variant("[paas, saas]", "[paas, paas]"),
        ),
        ("no delivery model", variant("[paas, saas]", "[]")),
        (
            "no service level",
            variant("levels: [standard]", "levels: []"),
        ),
        ("no pack", without_packs()),
        (
            "a missing standard level",
            variant("        standard_level: standard\n", ""),
        ),
        (
            "a repeated right",
            variant(
                "[central-first-line]",
                "[central-first-line, central-first-line]",
            ),
        ),
        (
            "a repeated pack in applies_to",
            variant("applies_to: [small]", "applies_to: [small, small]"),
        ),
        (
            "an upper-case quantity name",
            variant("sites: 5", "Sites: 5"),
        ),
        ("a negative quantity", variant("sites: 5", "sites: -5")),
        (
            "an activity of its own without a label",
            variant("activity: application", "activity: web-content"),
        ),
        (
            "a bad e-mail address",
            variant("marc.dubois@example.be", "marc.dubois"),
        ),
        (
            "an e-mail address with a space",
            variant("marc.dubois@example.be", r#""marc dubois@example.be""#),
        ),
        (
            "a text of U+3000 only, which is white space",
            variant("name: { en: Small }", r#"name: { en: "\u3000" }"#),
        ),
        (
            "a service manager without a phone",
            variant("      phone: 02 501 05 32\n", ""),
        ),
        (
            "a date that is not YYYY-MM-DD",
            variant("edition: 2026-11-28", "edition: 28/11/2026"),
        ),
        (
            "a built-in calendar redefined",
            variant("code: extended-hours", "code: be-working-hours"),
        ),
        ("an unknown weekday", variant("[mon, tue,", "[monday, tue,")),
        (
            "a time without its leading zero",
            variant(r#"from: "07:00""#, r#"from: "7:00""#),
        ),
        (
            "24:00 as an opening time",
            variant(r#"from: "07:00""#, r#"from: "24:00""#),
        ),
        (
            "an unknown holiday set",
            variant("sets: [be-federal]", "sets: [be-flemish]"),
        ),
        (
            "a closed date before 1900",
            variant("- 2026-12-24", "- 1899-12-24"),
        ),
        (
            "a closed day without its date",
            variant(
                "        - date: 2026-12-31\n          name:",
                "        - name:",
            ),
        ),
        (
            "a calendar without a time zone",
            variant("    timezone: Europe/Brussels\n", ""),
        ),
        (
            "a service that is not a mapping",
            variant("services:\n", "services:\n  - WEB-HOSTING\n"),
        ),
    ];
    let validator = validator();
    let mut failures = Vec::new();
    for (name, source) in cases {
        let (schema_errors, read) = verdicts(&validator, source);
        if read.is_ok() {
            failures.push(format!("{name}: the reader accepts it (a bad test case)"));
        }
        if schema_errors.is_empty() {
            failures.push(format!("{name}: the schema accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a JSON Schema cannot say — references, uniqueness by code, relations between fields, the
/// calendar engine's checks — is left to the reader (`pacta catalogue import --dry-run`).
#[test]
fn references_uniqueness_and_calendar_contents_are_left_to_the_reader() {
    let cases: &[(&str, String)] = &[
        (
            "an unknown category",
            variant("category: hosting", "category: storage"),
        ),
        (
            "an unknown calendar",
            variant("calendar: 24x7 }", "calendar: 24x5 }"),
        ),
        (
            "an unknown level",
            variant("levels: [standard]", "levels: [gold]"),
        ),
        (
            "a standard level the service does not offer",
            variant("standard_level: standard", "standard_level: basic"),
        ),
        (
            "an unknown pack in applies_to",
            variant("applies_to: [small]", "applies_to: [large]"),
        ),
        (
            "a service succeeding itself",
            variant("    status: published\n", RETIRED_FOR_ITSELF),
        ),
        (
            "an unknown successor",
            variant(
                "    status: published\n",
                "    status: retired\n    successor: MAIL\n",
            ),
        ),
        (
            "a duplicate category",
            variant(
                "categories:\n",
                "categories:\n  - { code: hosting, name: { en: Again } }\n",
            ),
        ),
        (
            "an activity listed twice",
            variant(
                "    responsibilities:\n",
                concat!(
                    "    responsibilities:\n",
                    "      - { activity: application, paas: partner, saas: partner }\n",
                ),
            ),
        ),
        (
            "a slot that ends before it starts",
            variant(r#"to: "20:00""#, r#"to: "06:00""#),
        ),
        (
            "an unknown time zone",
            variant("Europe/Brussels", "Europe/Gent"),
        ),
        (
            "two levels of the same rank",
            variant(
                "categories:\n",
                concat!(
                    "  - code: basic\n",
                    "    rank: 2\n",
                    "    name: { en: Basic }\n",
                    "    availability_target: 99.5\n",
                    "    support_calendar: 24x7\n",
                    "    targets:\n",
                    "      P1: { response: 1h, resolution: 8h, calendar: 24x7 }\n",
                    "      P2: { response: 1h, resolution: 8h, calendar: 24x7 }\n",
                    "      P3: { response: 1h, resolution: 8h, calendar: 24x7 }\n",
                    "      P4: { response: 1h, resolution: 8h, calendar: 24x7 }\n",
                    "    maintenance_notice: 120h\n",
                    "categories:\n",
                ),
            ),
        ),
        (
            "a duration too large for 64 bits",
            variant("response: 30m", "response: 99999999999999999999s"),
        ),
    ];
    let validator = validator();
    let mut failures = Vec::new();
    for (name, source) in cases {
        let (schema_errors, read) = verdicts(&validator, source);
        if read.is_ok() {
            failures.push(format!("{name}: the reader accepts it"));
        }
        if !schema_errors.is_empty() {
            failures.push(format!(
                "{name}: the schema now refuses it too; move the case:\n  {}",
                schema_errors.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A level's escalation thresholds: read with the defaults filling what is not said, exported
/// with only what differs from them, and read back the same; a bad one is named by its path.
#[test]
fn escalation_thresholds_are_read_exported_without_defaults_and_read_back() {
    use pacta_core::ticket::escalation::{Level, Threshold};
    let plain = reader(BASE).unwrap();
    assert!(plain.levels.iter().all(|l| l.escalation.all_default()));
    assert!(!to_yaml(&plain).contains("escalation"));
    let source = variant(
        "    maintenance_notice: 120h\n",
        "    maintenance_notice: 120h\n    escalation: { service_manager: 50%, ict_management: +4h }\n",
    );
    let c = reader(&source).unwrap();
    let level = c
        .levels
        .iter()
        .find(|l| !l.escalation.all_default())
        .expect("the level with thresholds");
    let e = level.escalation;
    assert_eq!(e.of(Level::ServiceManager), Threshold::Percent(50));
    assert_eq!(e.of(Level::Prm), Threshold::Percent(100), "the default");
    assert_eq!(e.of(Level::IctManagement), Threshold::Offset(4 * 3600));
    let exported = to_yaml(&c);
    assert!(exported.contains("escalation:"), "{exported}");
    assert!(exported.contains("service_manager: 50%"), "{exported}");
    assert!(
        !exported.contains("prm:"),
        "a default is left out: {exported}"
    );
    let again = reader(&exported).unwrap();
    assert_eq!(canonical(&again), canonical(&c));
    assert_eq!(to_yaml(&again), exported);
    let bad = reader(&variant(
        "    maintenance_notice: 120h\n",
        "    maintenance_notice: 120h\n    escalation: { prm: 75% , ict_management: +1d }\n",
    ))
    .unwrap_err();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains(".escalation.ict_management") && bad[0].contains("+1d"),
        "{bad:?}"
    );
}
