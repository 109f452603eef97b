//! Windows and their recurrence, worked out by hand (calendar of 2026: 1 January is a Thursday,
//! the clocks go forward on 29 March and back on 25 October).

use super::*;

fn brussels() -> TimeZone {
    crate::subscription::zone().clone()
}

/// The occurrences as RFC 3339 pairs in Europe/Brussels.
fn occurrences(
    start: &str,
    end: &str,
    rrule: Option<&str>,
) -> Result<Vec<(String, String)>, WindowError> {
    let tz = brussels();
    let times = WindowTimes::parse(start, end, rrule)?;
    Ok(times
        .occurrences(&tz)?
        .into_iter()
        .map(|o| {
            (
                crate::sla::instant::format_instant(o.start, &tz),
                crate::sla::instant::format_instant(o.end, &tz),
            )
        })
        .collect())
}

fn starts(start: &str, end: &str, rrule: &str) -> Vec<String> {
    occurrences(start, end, Some(rrule))
        .unwrap()
        .into_iter()
        .map(|(s, _)| s[..16].to_owned())
        .collect()
}

fn error(start: &str, end: &str, rrule: Option<&str>) -> (String, String) {
    let e = occurrences(start, end, rrule).unwrap_err();
    (e.field.to_owned(), e.message)
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn a_window_in_the_spring_forward_night_loses_the_missing_hour() {
    assert_eq!(
        occurrences("2026-03-29T02:00", "2026-03-29T04:00", None).unwrap(),
        vec![pair(
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T04:00:00+02:00"
        )]
    );
}

#[test]
fn a_window_in_the_fall_back_night_takes_the_earlier_instant_and_lasts_longer() {
    let o = WindowTimes::parse("2026-10-25T02:00", "2026-10-25T03:00", None)
        .unwrap()
        .occurrences(&brussels())
        .unwrap();
    assert_eq!(o[0].start.to_string(), "2026-10-25T00:00:00Z");
    assert_eq!(o[0].end.to_string(), "2026-10-25T02:00:00Z");
}

#[test]
fn an_occurrence_the_spring_forward_night_empties_is_dropped_as_a_calendar_slot_is() {
    // 02:00–03:00 on 29 March 2026 is [03:00+02:00, 03:00+02:00): nothing; the other Sundays
    // stay. 02:00–02:30 is not empty: [03:00, 03:30).
    assert_eq!(
        occurrences(
            "2026-03-22T02:00",
            "2026-03-22T03:00",
            Some("FREQ=WEEKLY;COUNT=3")
        )
        .unwrap(),
        vec![
            pair("2026-03-22T02:00:00+01:00", "2026-03-22T03:00:00+01:00"),
            pair("2026-04-05T02:00:00+02:00", "2026-04-05T03:00:00+02:00"),
        ]
    );
    assert_eq!(
        occurrences("2026-03-29T02:00", "2026-03-29T02:30", None).unwrap(),
        vec![pair(
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:30:00+02:00"
        )]
    );
}

#[test]
fn a_weekly_window_keeps_its_wall_clock_across_the_change() {
    assert_eq!(
        occurrences(
            "2026-03-22T02:00",
            "2026-03-22T04:00",
            Some("FREQ=WEEKLY;COUNT=3")
        )
        .unwrap(),
        vec![
            pair("2026-03-22T02:00:00+01:00", "2026-03-22T04:00:00+01:00"),
            pair("2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"),
            pair("2026-04-05T02:00:00+02:00", "2026-04-05T04:00:00+02:00"),
        ]
    );
}

#[test]
fn monthly_by_ordinal_weekday() {
    assert_eq!(
        starts(
            "2026-01-31T22:00",
            "2026-01-31T23:30",
            "FREQ=MONTHLY;BYDAY=-1SA;COUNT=4"
        ),
        [
            "2026-01-31T22:00",
            "2026-02-28T22:00",
            "2026-03-28T22:00",
            "2026-04-25T22:00"
        ]
    );
    assert_eq!(
        starts(
            "2026-02-01T06:00",
            "2026-02-01T08:00",
            "FREQ=MONTHLY;BYDAY=1SU;COUNT=3"
        ),
        ["2026-02-01T06:00", "2026-03-01T06:00", "2026-04-05T06:00"]
    );
    // Without an ordinal: every such weekday of the month.
    assert_eq!(
        starts(
            "2026-02-03T06:00",
            "2026-02-03T07:00",
            "FREQ=MONTHLY;BYDAY=TU;COUNT=5"
        ),
        [
            "2026-02-03T06:00",
            "2026-02-10T06:00",
            "2026-02-17T06:00",
            "2026-02-24T06:00",
            "2026-03-03T06:00"
        ]
    );
    // The fifth Friday: only months that have one.
    assert_eq!(
        starts(
            "2026-01-30T20:00",
            "2026-01-30T21:00",
            "FREQ=MONTHLY;BYDAY=5FR;COUNT=3"
        ),
        ["2026-01-30T20:00", "2026-05-29T20:00", "2026-07-31T20:00"]
    );
}

#[test]
fn monthly_by_month_day_skips_months_without_it() {
    assert_eq!(
        starts(
            "2026-01-31T22:00",
            "2026-01-31T23:00",
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3"
        ),
        ["2026-01-31T22:00", "2026-03-31T22:00", "2026-05-31T22:00"]
    );
    assert_eq!(
        starts(
            "2026-01-31T22:00",
            "2026-01-31T23:00",
            "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3"
        ),
        ["2026-01-31T22:00", "2026-02-28T22:00", "2026-03-31T22:00"]
    );
    // Without BYDAY or BYMONTHDAY: the start's day of the month.
    assert_eq!(
        starts(
            "2026-01-15T22:00",
            "2026-01-15T23:00",
            "FREQ=MONTHLY;INTERVAL=3;COUNT=3"
        ),
        ["2026-01-15T22:00", "2026-04-15T22:00", "2026-07-15T22:00"]
    );
    // Both: a day must match both (Fridays the 13th).
    assert_eq!(
        starts(
            "2026-02-13T22:00",
            "2026-02-13T23:00",
            "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3"
        ),
        ["2026-02-13T22:00", "2026-03-13T22:00", "2026-11-13T22:00"]
    );
}

#[test]
fn weekly_every_other_week_on_two_days_until_a_date() {
    // 30 November 2026 is a Monday: the weeks are those of 30 Nov, 14 Dec and 28 Dec.
    assert_eq!(
        starts(
            "2026-12-01T07:00",
            "2026-12-01T07:30",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20261231"
        ),
        [
            "2026-12-01T07:00",
            "2026-12-03T07:00",
            "2026-12-15T07:00",
            "2026-12-17T07:00",
            "2026-12-29T07:00",
            "2026-12-31T07:00"
        ]
    );
    // UNTIL as a local time and as UTC, inclusive.
    assert_eq!(
        starts(
            "2026-12-01T07:00",
            "2026-12-01T07:30",
            "FREQ=WEEKLY;UNTIL=20261215T070000"
        )
        .len(),
        3
    );
    assert_eq!(
        starts(
            "2026-12-01T07:00",
            "2026-12-01T07:30",
            "freq=weekly;until=20261215T060000Z"
        )
        .len(),
        3
    );
    assert_eq!(
        starts(
            "2026-12-01T07:00",
            "2026-12-01T07:30",
            "RRULE:FREQ=WEEKLY;UNTIL=20261215T055959Z"
        )
        .len(),
        2
    );
}

#[test]
fn ten_years_of_sundays() {
    let tz = brussels();
    let o = WindowTimes::parse(
        "2027-01-03T02:00",
        "2027-01-03T04:00",
        Some("FREQ=WEEKLY;COUNT=520"),
    )
    .unwrap()
    .occurrences(&tz)
    .unwrap();
    assert_eq!(o.len(), 520);
    let short: Vec<&Occurrence> = o
        .iter()
        .filter(|o| o.end.as_second() - o.start.as_second() != 7200)
        .collect();
    // One spring-forward Sunday a year is an hour short; fall-back nights are 2 h + 1 h only
    // when the window holds 03:00, which 02:00–04:00 does: 3 h.
    assert!(short.iter().all(|o| {
        let len = o.end.as_second() - o.start.as_second();
        len == 3600 || len == 10_800
    }));
    assert_eq!(short.len(), 20, "ten spring and ten fall nights");
    assert!(o
        .iter()
        .all(|o| o.start.to_zoned(tz.clone()).weekday() == jiff::civil::Weekday::Sunday));
}

#[test]
fn the_start_must_be_the_first_occurrence() {
    // 30 November 2026 is a Monday.
    let (field, message) = error(
        "2026-11-30T22:00",
        "2026-11-30T23:00",
        Some("FREQ=WEEKLY;BYDAY=TU;COUNT=2"),
    );
    assert_eq!(field, "rrule");
    assert!(message.starts_with("RRULE BYDAY:"), "{message}");
    let (_, message) = error(
        "2026-11-30T22:00",
        "2026-11-30T23:00",
        Some("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=2"),
    );
    assert!(message.starts_with("RRULE BYMONTHDAY:"), "{message}");
}

#[test]
fn parts_outside_the_subset_are_named() {
    let part = |rule: &str| RRule::parse(rule).unwrap_err().part;
    assert_eq!(part("FREQ=DAILY;COUNT=3"), "FREQ");
    assert_eq!(part("FREQ=WEEKLY;COUNT=3;BYSETPOS=1"), "BYSETPOS");
    assert_eq!(part("FREQ=WEEKLY;COUNT=3;WKST=SU"), "WKST");
    assert_eq!(part("FREQ=WEEKLY;COUNT=3;BYHOUR=2"), "BYHOUR");
    assert_eq!(part("FREQ=WEEKLY"), "RRULE");
    assert_eq!(part("FREQ=WEEKLY;COUNT=3;UNTIL=20270101"), "COUNT");
    assert_eq!(part("FREQ=WEEKLY;BYDAY=1MO;COUNT=3"), "BYDAY");
    assert_eq!(part("FREQ=WEEKLY;BYMONTHDAY=1;COUNT=3"), "BYMONTHDAY");
    assert_eq!(part("FREQ=MONTHLY;BYDAY=6SU;COUNT=3"), "BYDAY");
    assert_eq!(part("FREQ=MONTHLY;BYDAY=XX;COUNT=3"), "BYDAY");
    assert_eq!(part("FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3"), "BYMONTHDAY");
    assert_eq!(part("FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3"), "BYMONTHDAY");
    assert_eq!(part("FREQ=MONTHLY;INTERVAL=0;COUNT=3"), "INTERVAL");
    assert_eq!(part("FREQ=MONTHLY;COUNT=0"), "COUNT");
    assert_eq!(part("FREQ=MONTHLY;COUNT=3;COUNT=4"), "COUNT");
    assert_eq!(part("FREQ=MONTHLY;UNTIL=2027-01-01"), "UNTIL");
    assert_eq!(part("COUNT=3"), "FREQ");
    assert_eq!(part(""), "RRULE");
}

#[test]
fn the_normal_form_reads_back_the_same() {
    for rule in [
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20261231",
        "FREQ=MONTHLY;BYDAY=-1SA;COUNT=4",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3",
        "FREQ=WEEKLY;UNTIL=20261215T060000Z",
        "FREQ=WEEKLY;UNTIL=20261215T070000",
    ] {
        let parsed = RRule::parse(rule).unwrap();
        assert_eq!(parsed.to_rule_string(), rule);
        assert_eq!(RRule::parse(&parsed.to_rule_string()).unwrap(), parsed);
    }
    assert_eq!(
        RRule::parse("rrule:byday=+1su;freq=monthly;count=2;interval=1")
            .unwrap()
            .to_rule_string(),
        "FREQ=MONTHLY;BYDAY=1SU;COUNT=2"
    );
}

#[test]
fn bad_times_are_named_by_their_field() {
    assert_eq!(error("2026-11-30T23:00", "2026-11-30T22:00", None).0, "end");
    assert_eq!(error("2026-11-30T22:00", "2026-11-30T22:00", None).0, "end");
    assert_eq!(
        error("2026-11-30 22:00", "2026-11-30T23:00", None).0,
        "start"
    );
    assert_eq!(
        error("2026-02-30T22:00", "2026-03-01T23:00", None).0,
        "start"
    );
    assert_eq!(
        error("2026-11-30T22:00", "2026-11-30T23:00:00", None).0,
        "end"
    );
    // Once the clocks move forward, 02:30–03:00 has no time left: a one-off window is then
    // nothing at all.
    assert_eq!(error("2026-03-29T02:30", "2026-03-29T03:00", None).0, "end");
    // UNTIL before the start: no occurrence.
    let (field, message) = error(
        "2026-12-01T07:00",
        "2026-12-01T07:30",
        Some("FREQ=WEEKLY;UNTIL=20261130"),
    );
    assert_eq!(field, "rrule");
    assert!(message.starts_with("RRULE UNTIL:"), "{message}");
    assert_eq!(
        error(
            "2026-12-01T07:00",
            "2026-12-01T07:30",
            Some("FREQ=WEEKLY;UNTIL=20261201T055959Z")
        )
        .0,
        "rrule"
    );
    // A week-long window every week overlaps the next.
    let (field, message) = error(
        "2026-11-30T22:00",
        "2026-12-07T23:00",
        Some("FREQ=WEEKLY;COUNT=2"),
    );
    assert_eq!(field, "end", "{message}");
    assert_eq!(
        error(
            "2026-11-30T22:00",
            "2026-11-30T23:00",
            Some("FREQ=WEEKLY;COUNT=5001")
        )
        .0,
        "rrule"
    );
}
