//! Tests of calendars and business time: the worked examples of docs/sla-engine.md, the Rules
//! of DOMAIN §5, and property tests against a naive reference implementation.

use jiff::{civil::Date, tz::TimeZone, Timestamp};
use proptest::prelude::*;

use super::calendar::{Calendar, CalendarSpec, ClosedDay, HolidaySpec, SlotSpec, Weekday};
use super::clock::{Clock, ClockState};
use super::holidays::{holidays, HolidaySet};
use super::instant::{format_instant, parse_instant};
use super::{Interval, SlaError};

fn t(s: &str) -> Timestamp {
    parse_instant(s).unwrap()
}
fn bwh() -> Calendar {
    Calendar::builtin("be-working-hours").unwrap()
}
fn h24() -> Calendar {
    Calendar::builtin("24x7").unwrap()
}
fn deadline(cal: &Calendar, start: &str, d: i64) -> String {
    cal.format(cal.deadline(t(start), d).unwrap())
}
fn iv(a: &str, b: &str) -> Interval {
    Interval::new(t(a), t(b)).unwrap()
}
fn spec(
    tz: &str,
    slots: &[(&[Weekday], &str, &str)],
    sets: &[&str],
    closed: &[Date],
) -> CalendarSpec {
    CalendarSpec {
        timezone: tz.into(),
        slots: slots
            .iter()
            .map(|(days, from, to)| SlotSpec {
                days: days.to_vec(),
                from: from.to_string(),
                to: to.to_string(),
            })
            .collect(),
        holidays: HolidaySpec {
            sets: sets.iter().map(|s| s.to_string()).collect(),
            closed: closed.iter().map(|d| ClosedDay::new(*d)).collect(),
        },
    }
}
const H: i64 = 3600;

// ---- worked examples (docs/sla-engine.md) ----

#[test]
fn friday_1730_ticket() {
    let cal = bwh();
    // A deadline that ends a period is that period's end, not Monday 08:00.
    assert_eq!(
        deadline(&cal, "2026-11-27T17:30:00+01:00", 30 * 60),
        "2026-11-27T18:00:00+01:00"
    );
    assert_eq!(
        deadline(&cal, "2026-11-27T17:30:00+01:00", 31 * 60),
        "2026-11-30T08:01:00+01:00"
    );
    assert_eq!(
        deadline(&cal, "2026-11-27T17:30:00+01:00", 4 * H),
        "2026-11-30T11:30:00+01:00"
    );
    assert_eq!(
        cal.elapsed(
            t("2026-11-27T17:30:00+01:00"),
            t("2026-11-30T11:30:00+01:00")
        ),
        Ok(4 * H)
    );
    // d = 0 is the start, even when closed.
    assert_eq!(
        deadline(&cal, "2026-11-28T12:00:00Z", 0),
        "2026-11-28T13:00:00+01:00"
    );
}

#[test]
fn dst_weekend() {
    let cal = bwh();
    // Friday 17:00 CET + 2 h → Monday 09:00 CEST.
    assert_eq!(
        deadline(&cal, "2026-03-27T17:00:00+01:00", 2 * H),
        "2026-03-30T09:00:00+02:00"
    );
    // 24x7 counts real seconds: the spring-forward Sunday lasts 23 h, the fall-back one 25 h.
    let h = h24();
    assert_eq!(
        h.elapsed(
            t("2026-03-29T00:00:00+01:00"),
            t("2026-03-30T00:00:00+02:00")
        ),
        Ok(23 * H)
    );
    assert_eq!(
        h.elapsed(
            t("2026-10-25T00:00:00+02:00"),
            t("2026-10-26T00:00:00+01:00")
        ),
        Ok(25 * H)
    );
    assert_eq!(
        deadline(&h, "2026-03-28T12:00:00+01:00", 24 * H),
        "2026-03-29T13:00:00+02:00"
    );
    // A 00:00–24:00 slot on the DST Sundays lasts 23 h and 25 h.
    let sundays = spec(
        "Europe/Brussels",
        &[(&[Weekday::Sun], "00:00", "24:00")],
        &[],
        &[],
    )
    .build()
    .unwrap();
    assert_eq!(
        sundays.elapsed(t("2026-03-28T00:00:00Z"), t("2026-03-31T00:00:00Z")),
        Ok(23 * H)
    );
    assert_eq!(
        sundays.elapsed(t("2026-10-24T00:00:00Z"), t("2026-10-27T00:00:00Z")),
        Ok(25 * H)
    );
}

#[test]
fn dst_gap_moves_forward_and_overlap_takes_the_earlier_instant() {
    let sun = &[Weekday::Sun][..];
    // 02:00–03:00 lies entirely in the spring gap: both ends become 03:00 CEST, the slot is dropped.
    let gap = spec("Europe/Brussels", &[(sun, "02:00", "03:00")], &[], &[])
        .build()
        .unwrap();
    assert_eq!(
        gap.elapsed(t("2026-03-29T00:00:00Z"), t("2026-03-30T00:00:00Z")),
        Ok(0)
    );
    assert_eq!(
        gap.elapsed(t("2026-04-05T00:00:00Z"), t("2026-04-06T00:00:00Z")),
        Ok(H)
    );
    // 01:30–02:30: 02:30 moves forward by the gap to 03:30 CEST → 01:30 CET..03:30 CEST = 1 h.
    let half = spec("Europe/Brussels", &[(sun, "01:30", "02:30")], &[], &[])
        .build()
        .unwrap();
    let day = |c: &Calendar| {
        c.open_periods(t("2026-03-29T00:00:00Z"), t("2026-03-30T00:00:00Z"), &[])
            .unwrap()
    };
    assert_eq!(
        day(&half),
        vec![iv("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00")]
    );
    // Fall back: 02:30 is ambiguous → the earlier (CEST) instant; 02:30–03:30 lasts 2 h.
    let fold = spec("Europe/Brussels", &[(sun, "02:30", "03:30")], &[], &[])
        .build()
        .unwrap();
    assert_eq!(
        fold.open_periods(t("2026-10-25T00:00:00Z"), t("2026-10-26T00:00:00Z"), &[])
            .unwrap(),
        vec![iv("2026-10-25T02:30:00+02:00", "2026-10-25T03:30:00+01:00")]
    );
    // Slots merged in wall time first: 02:00–02:30 + 02:30–03:00 = 02:00–03:00, dropped.
    let split = spec(
        "Europe/Brussels",
        &[(sun, "02:00", "02:30"), (sun, "02:30", "03:00")],
        &[],
        &[],
    )
    .build()
    .unwrap();
    assert_eq!(
        split.elapsed(t("2026-03-29T00:00:00Z"), t("2026-03-30T00:00:00Z")),
        Ok(0)
    );
}

#[test]
fn holiday_week() {
    let cal = bwh();
    // Armistice (Wed 11 Nov 2026): Mon 08:00 + 40 h → Fri 18:00.
    assert_eq!(
        deadline(&cal, "2026-11-09T08:00:00+01:00", 40 * H),
        "2026-11-13T18:00:00+01:00"
    );
    // Christmas (Fri 25) and Boxing Day: Thu 24 16:00 + 4 h → Mon 28 10:00.
    assert_eq!(
        deadline(&cal, "2026-12-24T16:00:00+01:00", 4 * H),
        "2026-12-28T10:00:00+01:00"
    );
    // With 24 and 31 December closed by the catalogue; 1 January 2027 is a holiday:
    // Wed 23 Dec 17:00 + 1 h (Wed) + 10 h (Mon 28) + 10 h (Tue 29) + 10 h (Wed 30) + 1 h → Mon 4 Jan 09:00.
    let closed = spec(
        "Europe/Brussels",
        &[(&Weekday::WORKING_DAYS, "08:00", "18:00")],
        &["be-federal"],
        &[Date::constant(2026, 12, 24), Date::constant(2026, 12, 31)],
    )
    .build()
    .unwrap();
    assert_eq!(
        deadline(&closed, "2026-12-23T17:00:00+01:00", 32 * H),
        "2027-01-04T09:00:00+01:00"
    );
    assert_eq!(
        closed.elapsed(
            t("2026-12-21T00:00:00+01:00"),
            t("2027-01-04T00:00:00+01:00")
        ),
        Ok(6 * 10 * H)
    );
}

#[test]
fn a_holiday_removes_only_the_slots_that_start_on_it() {
    // Thu 22:00–24:00 before the Christmas Friday is kept; the Friday's own slot is removed.
    let night = spec(
        "Europe/Brussels",
        &[(&[Weekday::Thu, Weekday::Fri][..], "22:00", "24:00")],
        &["be-legal"],
        &[],
    )
    .build()
    .unwrap();
    let periods = night
        .open_periods(t("2026-12-24T00:00:00Z"), t("2026-12-27T00:00:00Z"), &[])
        .unwrap();
    assert_eq!(
        periods,
        vec![iv("2026-12-24T22:00:00+01:00", "2026-12-25T00:00:00+01:00")]
    );
}

#[test]
fn paused_clock() {
    let cal = bwh();
    let goal = 8 * H;
    let mut clock = Clock::new();
    clock.start(t("2026-11-30T16:00:00+01:00")).unwrap();
    clock.pause(t("2026-12-01T10:00:00+01:00")).unwrap();
    let paused = clock
        .status(&cal, goal, t("2026-12-01T15:00:00+01:00"))
        .unwrap();
    assert_eq!(paused.state, ClockState::Paused);
    assert_eq!(paused.business_elapsed, 4 * H);
    // Paused: the deadline it had when it last ran, no verdict yet.
    assert_eq!(
        cal.format(paused.deadline.unwrap()),
        "2026-12-01T14:00:00+01:00"
    );
    assert_eq!(paused.met, None);
    clock.resume(t("2026-12-02T14:00:00+01:00")).unwrap();
    let running = clock
        .status(&cal, goal, t("2026-12-02T15:00:00+01:00"))
        .unwrap();
    assert_eq!(
        cal.format(running.deadline.unwrap()),
        "2026-12-02T18:00:00+01:00"
    );
    assert_eq!(running.business_elapsed, 5 * H);
    // The same with the pause given to deadline(): never earlier than without it.
    let pause = [iv("2026-12-01T10:00:00+01:00", "2026-12-02T14:00:00+01:00")];
    let with = cal
        .deadline_with_pauses(t("2026-11-30T16:00:00+01:00"), goal, &pause)
        .unwrap();
    assert_eq!(cal.format(with), "2026-12-02T18:00:00+01:00");
    assert_eq!(
        deadline(&cal, "2026-11-30T16:00:00+01:00", goal),
        "2026-12-01T14:00:00+01:00"
    );
    // Stopped exactly at the deadline: met. One second later: breached, at the deadline.
    let mut met = clock.clone();
    met.stop(t("2026-12-02T18:00:00+01:00")).unwrap();
    let s = met
        .status(&cal, goal, t("2026-12-03T12:00:00+01:00"))
        .unwrap();
    assert!(!s.breached);
    assert_eq!(s.met, Some(true));
    assert_eq!(s.stopped_at, Some(t("2026-12-02T18:00:00+01:00")));
    // Seen at the deadline itself while still running: breached then.
    let s = clock
        .status(&cal, goal, t("2026-12-02T18:00:00+01:00"))
        .unwrap();
    assert_eq!((s.breached, s.met), (true, Some(false)));
    let s = clock
        .status(&cal, goal, t("2026-12-02T17:59:59+01:00"))
        .unwrap();
    assert_eq!((s.breached, s.met), (false, None));
    let mut late = clock.clone();
    late.stop(t("2026-12-02T18:00:01+01:00")).unwrap();
    let s = late
        .observe(&cal, goal, t("2026-12-03T12:00:00+01:00"))
        .unwrap();
    assert!(s.breached);
    assert_eq!(
        late.original_breach_at(),
        Some(t("2026-12-02T18:00:00+01:00"))
    );
    assert_eq!(s.wall_elapsed, 2 * 24 * H + 2 * H + 1);
    // Recomputing with a longer goal clears the breach but keeps the original breach time.
    let s = late
        .observe(&cal, 10 * H, t("2026-12-03T12:00:00+01:00"))
        .unwrap();
    assert!(!s.breached);
    assert_eq!(s.original_breach_at, Some(t("2026-12-02T18:00:00+01:00")));
}

// ---- further rules ----

#[test]
fn clock_thresholds_and_transitions() {
    let cal = bwh();
    let mut clock = Clock::new();
    assert!(clock.pause(t("2026-11-30T08:00:00Z")).is_err());
    clock.start(t("2026-11-30T08:00:00+01:00")).unwrap();
    assert!(clock.start(t("2026-11-30T09:00:00+01:00")).is_err());
    assert!(matches!(
        clock.pause(t("2026-11-30T07:00:00+01:00")),
        Err(super::clock::ClockError::BackInTime { .. })
    ));
    // 75 % of 4 h = 3 h; 150 % = 6 h; ceil for odd goals.
    let far = t("2027-01-01T00:00:00Z");
    let at = |p| {
        let amount = super::clock::percent_of(4 * H, p);
        cal.format(clock.reaches(&cal, amount, far).unwrap())
    };
    assert_eq!(at(75), "2026-11-30T11:00:00+01:00");
    assert_eq!(at(150), "2026-11-30T14:00:00+01:00");
    assert_eq!(super::clock::percent_of(1001, 75), 751);
    // Not by an earlier instant.
    assert_eq!(
        clock.reaches(&cal, 3 * H, t("2026-11-30T10:59:59+01:00")),
        None
    );
    // Stop, reopen: stopped time does not count; wall time runs from the first start.
    clock.stop(t("2026-11-30T09:00:00+01:00")).unwrap();
    assert_eq!(clock.state(), ClockState::Stopped);
    clock.resume(t("2026-11-30T10:00:00+01:00")).unwrap();
    let s = clock
        .status(&cal, 4 * H, t("2026-11-30T11:00:00+01:00"))
        .unwrap();
    assert_eq!(s.business_elapsed, 2 * H);
    assert_eq!(s.wall_elapsed, 3 * H);
    assert_eq!(cal.format(s.deadline.unwrap()), "2026-11-30T13:00:00+01:00");
    // Serde round trip; an invalid stored log is refused.
    let json = serde_json::to_string(&clock).unwrap();
    assert_eq!(serde_json::from_str::<Clock>(&json).unwrap(), clock);
    let bad = r#"{"segments":[{"kind":"pause","start":"2026-11-30T08:00:00Z"}]}"#;
    assert!(serde_json::from_str::<Clock>(bad).is_err());
}

#[test]
fn clock_running_through_closed_time_after_its_deadline_is_breached() {
    let cal = bwh();
    let mut clock = Clock::new();
    clock.start(t("2026-11-27T17:30:00+01:00")).unwrap();
    clock.stop(t("2026-11-28T10:00:00+01:00")).unwrap();
    let s = clock
        .status(&cal, 30 * 60, t("2026-11-30T00:00:00Z"))
        .unwrap();
    assert_eq!(s.business_elapsed, 30 * 60);
    assert_eq!(cal.format(s.deadline.unwrap()), "2026-11-27T18:00:00+01:00");
    assert!(s.breached);
}

#[test]
fn zero_duration_is_the_start_even_when_paused() {
    let cal = bwh();
    let start = t("2026-11-28T12:00:00Z");
    let pause = [iv("2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z")];
    assert_eq!(cal.deadline_with_pauses(start, 0, &pause), Ok(start));
    assert!(cal.deadline(start, -1).is_err());
}

#[test]
fn no_open_time_before_2201_is_an_error() {
    let never = spec("Europe/Brussels", &[], &[], &[]).build().unwrap();
    assert_eq!(
        never.deadline(t("2026-01-01T00:00:00Z"), 1),
        Err(SlaError::NoOpenTime)
    );
    assert_eq!(never.next_open(t("2026-01-01T00:00:00Z")), None);
    let cal = bwh();
    assert_eq!(
        cal.deadline(t("2200-12-31T12:00:00Z"), 1000 * H),
        Err(SlaError::NoOpenTime)
    );
    // Open time ends with local 2200-12-31: 2200-12-31T23:59:59Z is already 2201 in Brussels.
    assert_eq!(
        h24().elapsed(t("2200-12-31T00:00:00Z"), t("2200-12-31T23:59:59Z")),
        Ok(23 * H)
    );
    assert_eq!(
        h24().elapsed(t("1900-01-01T00:00:00+01:00"), t("1900-01-01T01:00:00Z")),
        Ok(H)
    );
    // The last open period of 2200 (Wed 31 Dec) still counts.
    assert_eq!(
        deadline(&cal, "2200-12-31T17:00:00+01:00", H),
        "2200-12-31T18:00:00+01:00"
    );
    assert_eq!(
        deadline(&h24(), "2200-12-31T23:00:00+01:00", H),
        "2201-01-01T00:00:00+01:00"
    );
}

#[test]
fn elapsed_orders_and_pauses() {
    let cal = bwh();
    let a = t("2026-11-30T08:00:00+01:00");
    let b = t("2026-11-30T18:00:00+01:00");
    assert_eq!(cal.elapsed(a, a), Ok(0));
    assert!(matches!(
        cal.elapsed(b, a),
        Err(SlaError::FromAfterTo { .. })
    ));
    let pauses = [
        iv("2026-11-30T09:00:00+01:00", "2026-11-30T10:00:00+01:00"),
        iv("2026-11-30T09:30:00+01:00", "2026-11-30T11:00:00+01:00"),
        iv("2026-11-30T17:00:00+01:00", "2026-12-01T09:00:00+01:00"),
    ];
    assert_eq!(
        cal.elapsed_with_pauses(a, b, &pauses),
        Ok(10 * H - 2 * H - H)
    );
    let reversed = [Interval { start: b, end: a }];
    assert!(cal.elapsed_with_pauses(a, b, &reversed).is_err());
}

#[test]
fn is_open_and_next_open() {
    let cal = bwh();
    assert!(cal.is_open(t("2026-11-30T08:00:00+01:00")));
    assert!(!cal.is_open(t("2026-11-30T18:00:00+01:00")));
    assert!(!cal.is_open(t("2026-11-28T12:00:00+01:00")));
    assert_eq!(
        cal.next_open(t("2026-11-27T18:00:00+01:00")),
        Some(t("2026-11-30T08:00:00+01:00"))
    );
    assert_eq!(
        cal.next_open(t("2026-12-24T18:30:00+01:00")),
        Some(t("2026-12-28T08:00:00+01:00"))
    );
    let pause = [iv("2026-11-30T07:00:00+01:00", "2026-11-30T09:15:00+01:00")];
    assert_eq!(
        cal.next_open_with_pauses(t("2026-11-28T00:00:00Z"), &pause),
        Ok(Some(t("2026-11-30T09:15:00+01:00")))
    );
    assert_eq!(
        cal.is_open_with_pauses(t("2026-11-30T09:00:00+01:00"), &pause),
        Ok(false)
    );
    assert_eq!(
        cal.is_open_with_pauses(t("2026-11-30T09:15:00+01:00"), &pause),
        Ok(true)
    );
}

#[test]
fn year_boundaries_are_seamless() {
    let h = h24();
    assert_eq!(
        deadline(&h, "2026-12-31T23:00:00+01:00", 2 * H),
        "2027-01-01T01:00:00+01:00"
    );
    assert_eq!(
        h.elapsed(t("2020-01-01T00:00:00Z"), t("2030-01-01T00:00:00Z")),
        Ok(3653 * 86_400)
    );
    assert_eq!(
        h.open_periods(t("2026-12-31T12:00:00Z"), t("2027-01-01T12:00:00Z"), &[])
            .unwrap(),
        vec![iv("2026-12-31T12:00:00Z", "2027-01-01T12:00:00Z")]
    );
}

#[test]
fn spec_errors_are_all_reported_with_paths() {
    let bad = CalendarSpec {
        timezone: "Europe/Atlantis".into(),
        slots: vec![
            SlotSpec {
                days: vec![Weekday::Mon],
                from: "08:00".into(),
                to: "18:00".into(),
            },
            SlotSpec {
                days: vec![Weekday::Tue],
                from: "18:00".into(),
                to: "08:00".into(),
            },
            SlotSpec {
                days: vec![Weekday::Wed],
                from: "8:00".into(),
                to: "12:60".into(),
            },
            SlotSpec {
                days: vec![Weekday::Thu],
                from: "24:00".into(),
                to: "25:00".into(),
            },
        ],
        holidays: HolidaySpec {
            sets: vec!["be-federal".into(), "be-flemish".into()],
            closed: vec![
                ClosedDay::new(Date::constant(2026, 12, 24)),
                ClosedDay::new(Date::constant(1850, 1, 1)),
            ],
        },
    };
    let errors = bad.build().unwrap_err();
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "timezone",
            "slots[1].to",
            "slots[2].from",
            "slots[2].to",
            "slots[3].from",
            "slots[3].to",
            "holidays.sets[1]",
            "holidays.closed[1]"
        ]
    );
    assert!(
        errors[3].message.contains("minute out of range"),
        "{}",
        errors[3]
    );
}

#[test]
fn spec_yaml_and_serde_shape() {
    let yaml = r#"
timezone: Europe/Brussels
slots:
  - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "12:00" }
  - { days: [mon], from: "11:00", to: "24:00" }
holidays:
  sets: [be-federal]
  closed:
    - 2026-12-24
    - { date: 2026-12-31, name: { nl: Oudejaarsdag, fr: Saint-Sylvestre, de: Silvester, en: New Year's Eve } }
"#;
    let spec = CalendarSpec::from_yaml_str(yaml).unwrap();
    assert_eq!(
        spec.holidays.closed[0],
        ClosedDay::new(Date::constant(2026, 12, 24))
    );
    assert_eq!(
        spec.holidays.closed[1]
            .name
            .get(crate::text::Lang::En)
            .unwrap(),
        "New Year's Eve"
    );
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(json["holidays"]["closed"][0], "2026-12-24");
    assert_eq!(json["holidays"]["closed"][1]["date"], "2026-12-31");
    assert_eq!(serde_json::from_value::<CalendarSpec>(json).unwrap(), spec);
    let cal = spec.build().unwrap();
    // Monday slots merged: 08:00–24:00.
    assert_eq!(
        cal.elapsed(
            t("2026-11-30T00:00:00+01:00"),
            t("2026-12-01T00:00:00+01:00")
        ),
        Ok(16 * H)
    );
    // Unknown keys are errors, at any level.
    assert!(CalendarSpec::from_yaml_str("timezone: UTC\ncolour: red\n").is_err());
    assert!(CalendarSpec::from_yaml_str(
        "timezone: UTC\nslots: [{days: [mon], from: '08:00', to: '09:00', x: 1}]\n"
    )
    .is_err());
    assert!(CalendarSpec::from_yaml_str(
        "timezone: UTC\nholidays: {sets: [], closed: [{date: 2026-01-02, when: x}]}\n"
    )
    .is_err());
    assert!(
        CalendarSpec::from_yaml_str("slots: []\n").is_err(),
        "timezone is required"
    );
    let minimal = CalendarSpec::from_yaml_str("timezone: UTC\n").unwrap();
    assert!(minimal.slots.is_empty() && minimal.holidays.is_empty());
    assert!(CalendarSpec::from_yaml_str(
        "timezone: UTC\nslots: [{days: [monday], from: '08:00', to: '09:00'}]\n"
    )
    .is_err());
}

#[test]
fn closures_list_holidays_and_closed_dates_one_line_per_date() {
    use crate::text::{Lang, Text};
    // 2008: Ascension (Easter + 39) falls on 1 May, Labour Day; a closed date on a holiday joins
    // its name to the holiday's; an unnamed closed date has no name; other years stay out.
    let mut calendar = CalendarSpec::be_working_hours();
    calendar.holidays.closed = vec![
        ClosedDay {
            date: Date::constant(2008, 12, 25),
            name: Text::new().with(Lang::En, "Office party"),
        },
        ClosedDay::new(Date::constant(2008, 12, 24)),
        ClosedDay::new(Date::constant(2009, 1, 2)),
    ];
    let days = calendar.closures(2008..=2008);
    let dates: Vec<String> = days.iter().map(|c| c.date.to_string()).collect();
    assert_eq!(
        dates,
        [
            "2008-01-01",
            "2008-03-24",
            "2008-05-01",
            "2008-05-12",
            "2008-07-21",
            "2008-08-15",
            "2008-11-01",
            "2008-11-02",
            "2008-11-11",
            "2008-11-15",
            "2008-12-24",
            "2008-12-25",
            "2008-12-26"
        ]
    );
    let on = |d: &str| days.iter().find(|c| c.date.to_string() == d).unwrap();
    assert_eq!(
        on("2008-05-01").name.get(Lang::En),
        Some("Labour Day / Ascension Day")
    );
    assert_eq!(
        on("2008-05-01").name.get(Lang::Nl),
        Some("Dag van de Arbeid / Onze-Lieve-Heer-Hemelvaart")
    );
    assert_eq!(
        on("2008-12-25").name.get(Lang::En),
        Some("Christmas Day / Office party")
    );
    assert_eq!(on("2008-12-25").name.get(Lang::Fr), Some("Noël"));
    assert!(on("2008-12-24").name.is_empty());
    assert_eq!(
        calendar.closures(2009..=2009)[0].date.to_string(),
        "2009-01-01"
    );
    assert!(CalendarSpec::always_open().closures(2008..=2030).is_empty());
}

#[test]
fn calendars_are_send_sync_and_shared() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Calendar>();
    let cal = bwh();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cal = cal.clone();
            std::thread::spawn(move || {
                cal.deadline(t("2030-01-07T08:00:00+01:00"), (i + 1) * H)
                    .unwrap()
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(
            h.join().unwrap(),
            t("2030-01-07T08:00:00+01:00") + jiff::SignedDuration::from_hours(i as i64 + 1)
        );
    }
    assert!(Calendar::builtin("24x5").is_none());
    assert_eq!(cal.time_zone().iana_name(), Some("Europe/Brussels"));
}

// ---- property tests against a naive reference ----

/// A naive reference: per date, slots merged through a minute bitmap, converted with
/// `DateTime::to_zoned` (compatible), holidays skipped, then every span merged.
struct Reference {
    spans: Vec<(i64, i64)>,
}

impl Reference {
    fn new(spec: &CalendarSpec, first: Date, last: Date) -> Reference {
        let tz = TimeZone::get(&spec.timezone).unwrap();
        let mut spans = Vec::new();
        let mut date = first;
        while date <= last {
            let hol = spec.holidays.sets.iter().any(|s| {
                holidays(HolidaySet::from_code(s).unwrap(), date.year())
                    .iter()
                    .any(|h| h.date == date)
            }) || spec.holidays.closed.iter().any(|c| c.date == date);
            let wd = date.weekday().to_monday_zero_offset() as usize;
            let mut minutes = [false; 1440];
            for slot in &spec.slots {
                if slot.days.iter().any(|d| *d as usize == wd) {
                    let p = |s: &str| {
                        s[..2].parse::<usize>().unwrap() * 60 + s[3..].parse::<usize>().unwrap()
                    };
                    minutes[p(&slot.from)..p(&slot.to)]
                        .iter_mut()
                        .for_each(|m| *m = true);
                }
            }
            let mut m = 0;
            while !hol && m < 1440 {
                if !minutes[m] {
                    m += 1;
                    continue;
                }
                let from = m;
                while m < 1440 && minutes[m] {
                    m += 1;
                }
                let at = |min: usize| {
                    let (d, min) = if min == 1440 {
                        (date.tomorrow().unwrap(), 0)
                    } else {
                        (date, min)
                    };
                    d.at((min / 60) as i8, (min % 60) as i8, 0, 0)
                        .to_zoned(tz.clone())
                        .unwrap()
                        .timestamp()
                        .as_second()
                };
                let (s, e) = (at(from), at(m));
                if s < e {
                    spans.push((s, e));
                }
            }
            date = date.tomorrow().unwrap();
        }
        Reference {
            spans: super::intervals::normalize(spans).unwrap(),
        }
    }

    fn elapsed(&self, a: i64, b: i64, pauses: &[(i64, i64)]) -> i64 {
        let mut total = 0;
        for &(s, e) in &self.spans {
            let (s, e) = (s.max(a), e.min(b));
            if s >= e {
                continue;
            }
            // Seconds of [s, e) not covered by any pause.
            let mut covered: Vec<(i64, i64)> = pauses
                .iter()
                .map(|&(ps, pe)| (ps.max(s), pe.min(e)))
                .filter(|(ps, pe)| ps < pe)
                .collect();
            covered = super::intervals::normalize(covered).unwrap();
            total += (e - s) - covered.iter().map(|(x, y)| y - x).sum::<i64>();
        }
        total
    }
}

fn arb_spec() -> impl Strategy<Value = CalendarSpec> {
    let zones = prop::sample::select(vec![
        "Europe/Brussels",
        "America/New_York",
        "Australia/Sydney",
        "America/Santiago",
        "Asia/Kolkata",
        "UTC",
    ]);
    let slot = (
        prop::collection::vec(prop::sample::select(Weekday::ALL.to_vec()), 1..4),
        0usize..48,
        1usize..49,
    )
        .prop_map(|(days, a, l)| {
            let from = a * 30;
            let to = (from + l * 30).min(1440);
            let hm = |m: usize| format!("{:02}:{:02}", m / 60, m % 60);
            SlotSpec {
                days,
                from: hm(from),
                to: hm(to),
            }
        })
        .prop_filter("from < to", |s| s.from < s.to);
    (
        zones,
        prop::collection::vec(slot, 0..4),
        prop::sample::subsequence(vec!["be-legal", "be-federal"], 0..=2),
        prop::collection::vec(0i32..40, 0..3),
    )
        .prop_map(|(tz, slots, sets, closed)| CalendarSpec {
            timezone: tz.to_string(),
            slots,
            holidays: HolidaySpec {
                sets: sets.into_iter().map(String::from).collect(),
                closed: closed
                    .into_iter()
                    .map(|d| {
                        ClosedDay::new(
                            Date::constant(2026, 3, 20)
                                .checked_add(jiff::Span::new().days(d))
                                .unwrap(),
                        )
                    })
                    .collect(),
            },
        })
}

/// Windows around DST changes (both hemispheres), Easter, a year end and a leap day.
fn arb_window_start() -> impl Strategy<Value = Date> {
    prop::sample::select(vec![
        Date::constant(2026, 3, 20),
        Date::constant(2026, 4, 1),
        Date::constant(2026, 10, 20),
        Date::constant(2026, 11, 1),
        Date::constant(2026, 12, 24),
        Date::constant(2024, 2, 25),
        Date::constant(2027, 9, 1),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn agrees_with_the_naive_reference(
        spec in arb_spec(),
        first in arb_window_start(),
        offsets in prop::collection::vec((0i64..14 * 86_400, 0i64..5 * 86_400), 1..4),
        pause_raw in prop::collection::vec((0i64..14 * 86_400, 0i64..86_400), 0..3),
        d in 0i64..40 * 3600,
    ) {
        let cal = spec.build().unwrap();
        let lo = first.checked_sub(jiff::Span::new().days(3)).unwrap();
        let hi = first.checked_add(jiff::Span::new().days(60)).unwrap();
        let reference = Reference::new(&spec, lo, hi);
        let base = first.to_zoned(TimeZone::UTC).unwrap().timestamp().as_second();
        let pauses: Vec<(i64, i64)> = pause_raw.iter().map(|&(a, l)| (base + a, base + a + l)).collect();
        let pause_ivs: Vec<Interval> = pauses.iter().map(|&(a, b)| Interval::new(super::ts(a), super::ts(b)).unwrap()).collect();
        for &(a, l) in &offsets {
            let (a, b) = (base + a, base + a + l);
            let got = cal.elapsed_with_pauses(super::ts(a), super::ts(b), &pause_ivs).unwrap();
            prop_assert_eq!(got, reference.elapsed(a, b, &pauses));
            let periods = cal.open_periods(super::ts(a), super::ts(b), &pause_ivs).unwrap();
            prop_assert_eq!(periods.iter().map(Interval::seconds).sum::<i64>(), got);
            prop_assert!(periods.windows(2).all(|w| w[0].end < w[1].start));
            prop_assert!(periods.iter().all(|p| p.start < p.end));
            prop_assert_eq!(cal.elapsed(super::ts(a), super::ts(b)).unwrap(), reference.elapsed(a, b, &[]));
            // The deadline: elapsed reaches d exactly, and not one second earlier.
            if let Ok(dl) = cal.deadline_with_pauses(super::ts(a), d, &pause_ivs) {
                let dl = dl.as_second();
                prop_assert!(dl >= a);
                if dl < hi.to_zoned(TimeZone::UTC).unwrap().timestamp().as_second() - 2 * 86_400 {
                    prop_assert_eq!(reference.elapsed(a, dl, &pauses), d);
                    if d > 0 {
                        prop_assert!(reference.elapsed(a, dl - 1, &pauses) < d);
                    }
                }
            }
            let open = cal.is_open(super::ts(a));
            prop_assert_eq!(open, reference.spans.iter().any(|&(s, e)| s <= a && a < e));
            if let Some(n) = cal.next_open(super::ts(a)) {
                let n = n.as_second();
                let expect = reference.spans.iter().find(|&&(_, e)| e > a).map(|&(s, _)| s.max(a));
                if let Some(expect) = expect { prop_assert_eq!(n, expect); }
            }
        }
    }

    #[test]
    fn deadline_properties_on_be_working_hours(
        start in 1_577_836_800i64..1_893_456_000, // 2020–2030
        d in 0i64..200 * 3600,
        extra in 0i64..20 * 3600,
        shift in 0i64..7 * 86_400,
        pause in (0i64..10 * 86_400, 0i64..3 * 86_400),
    ) {
        let cal = bwh();
        let dl = cal.deadline_secs(start, d).unwrap();
        prop_assert_eq!(cal.measure(start, dl), d);
        if d > 0 { prop_assert!(cal.measure(start, dl - 1) < d); }
        // Monotonic in d and in start.
        prop_assert!(cal.deadline_secs(start, d + extra).unwrap() >= dl);
        prop_assert!(cal.deadline_secs(start + shift, d).unwrap() >= dl);
        // A pause never moves a deadline earlier.
        let p = [(start + pause.0, start + pause.0 + pause.1)];
        prop_assert!(cal.deadline_paused(start, d, &p).unwrap() >= dl);
        // elapsed(s, deadline(s, d)) == d with the pause too.
        let dp = cal.deadline_paused(start, d, &p).unwrap();
        prop_assert_eq!(cal.measure_paused(start, dp, &p), d);
    }

    #[test]
    fn twenty_four_seven_is_plain_arithmetic(
        start in -2_208_988_800i64..7_258_118_400,
        d in 0i64..10_000_000,
    ) {
        let h = h24();
        let dl = h.deadline_secs(start, d).unwrap();
        prop_assert_eq!(dl, start + d);
        prop_assert_eq!(h.measure(start, start + d), d);
        prop_assert!(h.open_at(start));
    }

    #[test]
    fn formatting_is_in_the_calendar_zone(secs in 1_577_836_800i64..1_893_456_000) {
        let cal = bwh();
        let text = cal.format(super::ts(secs));
        prop_assert_eq!(parse_instant(&text).unwrap().as_second(), secs);
        prop_assert_eq!(text, format_instant(super::ts(secs), &TimeZone::get("Europe/Brussels").unwrap()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A running clock's deadline is the calendar's deadline from its first start with its
    /// pause segments as pauses (a pause at that instant comes first); thresholds grow with the
    /// percentage.
    #[test]
    fn clock_deadline_equals_deadline_with_its_pauses(
        start in 1_767_222_000i64..1_798_758_000, // 2026
        steps in prop::collection::vec((0i64..3 * 86_400, 0i64..3 * 86_400), 0..4),
        goal in 0i64..60 * 3600,
    ) {
        let cal = bwh();
        let mut clock = Clock::new();
        clock.start(super::ts(start)).unwrap();
        let mut now = start;
        let mut pauses = Vec::new();
        for (run, pause) in steps {
            let p = now + run;
            let r = p + pause;
            clock.pause(super::ts(p)).unwrap();
            clock.resume(super::ts(r)).unwrap();
            pauses.push(Interval::new(super::ts(p), super::ts(r)).unwrap());
            now = r;
        }
        let mut expected = cal.deadline_with_pauses(super::ts(start), goal, &pauses).unwrap();
        // A pause at the very instant comes first: the clock reaches its goal at the resume.
        for p in &pauses {
            if p.start == expected {
                expected = p.end;
            }
        }
        prop_assert_eq!(clock.deadline(&cal, goal).unwrap(), Some(expected));
        let at = |amount| clock.deadline(&cal, amount).unwrap().unwrap();
        let t75 = at(super::clock::percent_of(goal, 75));
        let t150 = at(super::clock::percent_of(goal, 150));
        prop_assert!(t75 <= expected && expected <= t150);
        // Business elapsed at the deadline is the goal.
        prop_assert_eq!(clock.business_elapsed(&cal, expected), goal);
    }
}
