//! What counts for one subscription (issue 10, "What counts for a subscription"; DOMAIN §6).
//!
//! * Its counting monitors are the service's and the subscription's own that count for
//!   availability. With monitors i, each with outages Oᵢ and unmonitored time Uᵢ over the
//!   period, the subscription's outages are ∪ᵢ(Oᵢ − Uᵢ) and its unmonitored time ∩ᵢ Uᵢ:
//!   unmonitored only when no monitor watched. With no counting monitor it is wholly unmonitored.
//! * The period P is the part of the month in which the subscription was in service (active or
//!   suspended). Suspended spans are not owed: they go to the `statement` rule as excluded
//!   windows (consent `explicit`) and are answered apart as `suspended_seconds`, outside
//!   `excluded_maintenance_seconds`.
//!
//! Everything then goes through [`statement`](super::statement::statement), the rule of the
//! `statement` op.

use super::availability::Target;
use super::consent::Consent;
use super::intervals::{clip, difference, intersection, measure, normalize, union, Span};
use super::outages::{Outage, Outages};
use super::statement::{statement, Incident, MaintenanceWindow, Statement};
use super::{ts, Interval, SlaError};
use crate::subscription::State;

/// A subscription's figures over a month (or a period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionStatement {
    /// The part of the asked period in which the subscription was in service; `None` when it
    /// was not in service at all (the statement is then of an empty period).
    pub in_service: Option<Interval>,
    /// The figures of the rule over that part.
    pub statement: Statement,
    /// Seconds of that part during which the subscription was suspended (excluded, not owed).
    pub suspended_seconds: i64,
    /// The subscription's outages and unmonitored time, as they entered the rule.
    pub outages: Vec<Span>,
    pub unmonitored: Vec<Span>,
}

/// The spans in which a subscription was in service and, of those, suspended, from its history
/// (`(at, state entered)` in time order; each state holds until the next entry).
pub fn service_spans(history: &[(i64, State)]) -> (Vec<Span>, Vec<Span>) {
    let mut in_service = Vec::new();
    let mut suspended = Vec::new();
    for (i, &(at, state)) in history.iter().enumerate() {
        let until = history.get(i + 1).map_or(i64::MAX, |&(next, _)| next);
        if until <= at {
            continue;
        }
        if matches!(state, State::Active | State::Suspended) {
            in_service.push((at, until));
        }
        if state == State::Suspended {
            suspended.push((at, until));
        }
    }
    (merge(in_service), merge(suspended))
}

/// What of a lifecycle the figures of `[lo, hi)` read: the spans in service within it and, of
/// those, suspended. Two subscriptions of a service with the same target, counting monitors and
/// maintenance consents, and the same part here, have the same figures over any period inside
/// `[lo, hi)`.
pub fn served_within(history: &[(i64, State)], lo: i64, hi: i64) -> (Vec<Span>, Vec<Span>) {
    let (in_service, suspended) = service_spans(history);
    (clip(&in_service, lo, hi), clip(&suspended, lo, hi))
}

fn merge(spans: Vec<Span>) -> Vec<Span> {
    normalize(spans).unwrap_or_default()
}

/// What several monitors saw together over `[lo, hi)`: the outages ∪ᵢ(Oᵢ − Uᵢ) (an open one
/// running to `hi`) and the unmonitored time ∩ᵢ Uᵢ — all of it with no monitor.
pub fn watched(monitors: &[Outages], lo: i64, hi: i64) -> (Vec<Span>, Vec<Span>) {
    let mut outages: Vec<Span> = Vec::new();
    let mut unmonitored: Vec<Span> = vec![(lo, hi)];
    for m in monitors {
        let u = clip(
            &merge(m.unmonitored.iter().map(|i| i.span()).collect()),
            lo,
            hi,
        );
        outages = union(&outages, &difference(&outage_spans(&m.outages, lo, hi), &u));
        unmonitored = intersection(&unmonitored, &u);
    }
    unmonitored.retain(|(s, e)| s < e);
    (outages, unmonitored)
}

/// One monitor's outages over `[lo, hi)` as spans, an open one running to `hi`.
fn outage_spans(outages: &[Outage], lo: i64, hi: i64) -> Vec<Span> {
    let spans = outages
        .iter()
        .map(|o| (o.start.as_second(), o.end.map_or(hi, |e| e.as_second())))
        .filter(|(s, e)| s < e)
        .collect();
    clip(&merge(spans), lo, hi)
}

/// The figures of a subscription over `period`: `history` its lifecycle, `monitors` the answers
/// of the `outages` rule for each counting monitor over (at least) `period`, `incidents` the
/// service's, `maintenance` the service's windows with this partner's consent.
pub fn subscription_statement(
    period: Interval,
    history: &[(i64, State)],
    target: &Target,
    monitors: &[Outages],
    incidents: &[Incident],
    maintenance: &[MaintenanceWindow],
) -> Result<SubscriptionStatement, SlaError> {
    let (lo, hi) = period.span();
    // Suspended spans lie inside the spans in service, so inside the part served.
    let (served, suspended) = served_within(history, lo, hi);
    let part = match (served.first(), served.last()) {
        (Some(&(s, _)), Some(&(_, e))) => Some((s, e)),
        _ => None,
    };
    let (plo, phi) = part.unwrap_or((lo, lo));
    let (outages, unmonitored) = watched(monitors, plo, phi);
    let as_outages: Vec<Outage> = outages
        .iter()
        .map(|&(s, e)| Outage {
            start: ts(s),
            end: Some(ts(e)),
        })
        .collect();
    let as_unmonitored: Vec<Interval> = unmonitored
        .iter()
        .map(|&(s, e)| Interval {
            start: ts(s),
            end: ts(e),
        })
        .collect();
    let mut windows: Vec<MaintenanceWindow> = maintenance.to_vec();
    windows.extend(suspended.iter().map(|&(s, e)| MaintenanceWindow {
        window: Interval {
            start: ts(s),
            end: ts(e),
        },
        consent: Consent::Explicit,
    }));
    let period_part = Interval {
        start: ts(plo),
        end: ts(phi),
    };
    let mut figures = statement(
        period_part,
        target,
        &as_outages,
        &as_unmonitored,
        incidents,
        &windows,
    )?;
    let excluded_maintenance = clip(
        &normalize(
            maintenance
                .iter()
                .filter(|m| m.consent.excludes())
                .map(|m| m.window.span())
                .collect(),
        )?,
        plo,
        phi,
    );
    figures.excluded_maintenance_seconds = measure(&difference(&excluded_maintenance, &suspended));
    Ok(SubscriptionStatement {
        in_service: part.map(|(s, e)| Interval {
            start: ts(s),
            end: ts(e),
        }),
        statement: figures,
        suspended_seconds: measure(&suspended),
        outages,
        unmonitored,
    })
}

/// An open month's error budget left so far: the whole month's allowed downtime — what the
/// month allows if the subscription stays in service as it is — less the downtime so far (the
/// figures so far alone would allow only a part of the month's budget).
pub fn budget_left_so_far(whole_month_allowed: i64, downtime_so_far: i64) -> i64 {
    whole_month_allowed - downtime_so_far
}

/// The burn rate beside the budget: (downtime ÷ agreed time so far) ÷ ((100 − target) ÷ 100),
/// to three decimals; `None` when nothing was agreed or the target allows no downtime.
pub fn burn_rate(downtime: i64, agreed: i64, target: &Target) -> Option<f64> {
    let allowed_micro = 100_000_000 - target.micro();
    if agreed <= 0 || allowed_micro <= 0 {
        return None;
    }
    let rate = (downtime as f64 * 100_000_000.0) / (agreed as f64 * allowed_micro as f64);
    Some((rate * 1000.0).round() / 1000.0)
}

/// The error-budget thresholds told, in % of the month's allowed downtime.
pub const BUDGET_THRESHOLDS: [i64; 2] = [50, 100];

/// The thresholds of [`BUDGET_THRESHOLDS`] that `downtime` has reached (≥) of `allowed`, the
/// month's allowed downtime: none when nothing is allowed (a 100 % target is never "half used").
pub fn budget_thresholds_reached(downtime: i64, allowed: i64) -> Vec<i64> {
    if allowed <= 0 {
        return Vec::new();
    }
    BUDGET_THRESHOLDS
        .into_iter()
        .filter(|&t| i128::from(downtime) * 100 >= i128::from(t) * i128::from(allowed))
        .collect()
}

/// The month (`YYYY-MM`, Europe/Brussels) that holds `at`.
pub fn month_of(at: jiff::Timestamp) -> String {
    let local = at.to_zoned(crate::subscription::zone().clone());
    format!("{:04}-{:02}", local.year(), local.month())
}

/// The month after `month` (`YYYY-MM`, valid).
pub fn next_month(month: &str) -> String {
    let (y, m): (i32, i32) = (
        month[..4].parse().unwrap_or(1900),
        month[5..7].parse().unwrap_or(1),
    );
    let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    format!("{y:04}-{m:02}")
}

/// The month before `month` (`YYYY-MM`, valid).
pub fn previous_month(month: &str) -> String {
    let (y, m): (i32, i32) = (
        month[..4].parse().unwrap_or(1900),
        month[5..7].parse().unwrap_or(1),
    );
    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    format!("{y:04}-{m:02}")
}

/// When `month` closes: at 01:00 in Europe/Brussels on the 1st of the next month (an hour of
/// grace for buffered results). Before that instant the month is open.
pub fn close_at(month: &Interval) -> jiff::Timestamp {
    let first = month.end.to_zoned(crate::subscription::zone().clone());
    first
        .date()
        .at(1, 0, 0, 0)
        .to_zoned(crate::subscription::zone().clone())
        .map(|z| z.timestamp())
        .unwrap_or(month.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::parse_instant;
    use crate::sla::statement::{month_period, IncidentKind};

    fn t(s: &str) -> i64 {
        parse_instant(s).unwrap().as_second()
    }
    fn iv(a: &str, b: &str) -> Interval {
        Interval {
            start: ts(t(a)),
            end: ts(t(b)),
        }
    }
    fn monitor(outages: &[(&str, Option<&str>)], unmonitored: &[(&str, &str)]) -> Outages {
        Outages {
            outages: outages
                .iter()
                .map(|&(s, e)| Outage {
                    start: ts(t(s)),
                    end: e.map(|e| ts(t(e))),
                })
                .collect(),
            unmonitored: unmonitored.iter().map(|&(a, b)| iv(a, b)).collect(),
            down_at_end: false,
        }
    }
    fn target(s: &str) -> Target {
        Target::parse(s).unwrap()
    }
    /// Active before October 2026 and still.
    fn always() -> Vec<(i64, State)> {
        vec![(t("2026-01-01T00:00:00+01:00"), State::Active)]
    }

    #[test]
    fn a_month_with_two_monitors_counts_what_either_saw_down_and_what_neither_watched() {
        // Monitor A: down 10-10 10:00–11:00, away 10-10 10:30–12:00.
        // Monitor B: down 10-10 10:45–11:15, away 10-10 11:00–13:00.
        let a = monitor(
            &[(
                "2026-10-10T10:00:00+02:00",
                Some("2026-10-10T11:00:00+02:00"),
            )],
            &[("2026-10-10T10:30:00+02:00", "2026-10-10T12:00:00+02:00")],
        );
        let b = monitor(
            &[(
                "2026-10-10T10:45:00+02:00",
                Some("2026-10-10T11:15:00+02:00"),
            )],
            &[("2026-10-10T11:00:00+02:00", "2026-10-10T13:00:00+02:00")],
        );
        let got = subscription_statement(
            month_period("2026-10").unwrap(),
            &always(),
            &target("99.9"),
            &[a, b],
            &[],
            &[],
        )
        .unwrap();
        // A: 10:00–10:30 monitored down; B: 10:45–11:00 → 1,800 + 900 s.
        assert_eq!(got.statement.availability.downtime_seconds, 2_700);
        // Neither watched 11:00–12:00 → 3,600 s.
        assert_eq!(got.statement.unmonitored_seconds, 3_600);
        assert_eq!(got.statement.period_seconds, 2_682_000);
        assert_eq!(got.suspended_seconds, 0);
        assert!(!got.statement.incomplete);
    }

    #[test]
    fn without_a_counting_monitor_the_month_is_wholly_unmonitored_but_a_down_incident_counts() {
        let got = subscription_statement(
            month_period("2026-10").unwrap(),
            &always(),
            &target("99.7"),
            &[],
            &[Incident {
                start: ts(t("2026-10-12T11:00:00+02:00")),
                end: Some(ts(t("2026-10-12T11:30:00+02:00"))),
                kind: IncidentKind::Down,
            }],
            &[],
        )
        .unwrap();
        assert_eq!(got.statement.unmonitored_seconds, 2_682_000);
        assert!(got.statement.incomplete);
        assert_eq!(got.statement.availability.downtime_seconds, 1_800);
    }

    #[test]
    fn the_period_is_the_part_in_service_and_a_suspension_is_excluded_apart() {
        // Active from 10-05 00:00, suspended 10-20 00:00 to 10-22 00:00, terminated 10-31
        // 00:00 (all +02:00 but the last, +01:00 after the DST change of the 25th).
        let history = vec![
            (t("2026-09-20T10:00:00+02:00"), State::Approved),
            (t("2026-10-05T00:00:00+02:00"), State::Active),
            (t("2026-10-20T00:00:00+02:00"), State::Suspended),
            (t("2026-10-22T00:00:00+02:00"), State::Active),
            (t("2026-10-31T00:00:00+01:00"), State::Terminated),
        ];
        // Down 10-21 (while suspended) and 10-23 one hour each.
        let m = monitor(
            &[
                (
                    "2026-10-21T10:00:00+02:00",
                    Some("2026-10-21T11:00:00+02:00"),
                ),
                (
                    "2026-10-23T10:00:00+02:00",
                    Some("2026-10-23T11:00:00+02:00"),
                ),
            ],
            &[],
        );
        let got = subscription_statement(
            month_period("2026-10").unwrap(),
            &history,
            &target("99.5"),
            &[m],
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(
            got.in_service,
            Some(iv("2026-10-05T00:00:00+02:00", "2026-10-31T00:00:00+01:00"))
        );
        // 26 days and the extra hour of the 25th.
        assert_eq!(got.statement.period_seconds, 26 * 86_400 + 3_600);
        assert_eq!(got.suspended_seconds, 2 * 86_400);
        assert_eq!(got.statement.excluded_maintenance_seconds, 0);
        assert_eq!(
            got.statement.availability.agreed_seconds,
            24 * 86_400 + 3_600
        );
        // Only the outage outside the suspension counts.
        assert_eq!(got.statement.availability.downtime_seconds, 3_600);
        // Unmonitored: the monitor covered everything.
        assert_eq!(got.statement.unmonitored_seconds, 0);
    }

    #[test]
    fn the_burn_rate_and_the_close_of_a_month() {
        // 99.9 %: 2,682 s allowed in October; 1,341 s down over the whole month burns at 0.5.
        assert_eq!(burn_rate(1_341, 2_682_000, &target("99.9")), Some(0.5));
        assert_eq!(burn_rate(0, 0, &target("99.9")), None);
        assert_eq!(burn_rate(10, 1_000, &target("100")), None);
        // November 2026 at 99.5 %, in service all month: 12,960 s allowed; 7,500 s down so far.
        assert_eq!(budget_left_so_far(12_960, 7_500), 5_460);
        assert_eq!(budget_left_so_far(864, 900), -36);
        let october = month_period("2026-10").unwrap();
        assert_eq!(
            close_at(&october).as_second(),
            t("2026-11-01T01:00:00+01:00")
        );
        assert_eq!(month_of(ts(t("2026-10-31T23:59:59+01:00"))), "2026-10");
        assert_eq!(month_of(ts(t("2026-11-01T00:00:00+01:00"))), "2026-11");
        assert_eq!(next_month("2026-12"), "2027-01");
        assert_eq!(previous_month("2027-01"), "2026-12");
    }

    #[test]
    fn budget_thresholds_are_reached_at_half_and_at_all_never_when_nothing_is_allowed() {
        assert_eq!(budget_thresholds_reached(6_479, 12_960), Vec::<i64>::new());
        assert_eq!(budget_thresholds_reached(6_480, 12_960), [50]);
        assert_eq!(budget_thresholds_reached(12_959, 12_960), [50]);
        assert_eq!(budget_thresholds_reached(12_960, 12_960), [50, 100]);
        assert_eq!(budget_thresholds_reached(3_600, 0), Vec::<i64>::new());
    }

    #[test]
    fn not_in_service_in_the_month_is_an_empty_period() {
        let history = vec![(t("2026-11-01T00:00:00+01:00"), State::Active)];
        let got = subscription_statement(
            month_period("2026-10").unwrap(),
            &history,
            &target("99.9"),
            &[],
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(got.in_service, None);
        assert_eq!(got.statement.period_seconds, 0);
        assert_eq!(got.statement.availability.availability_milli_percent, None);
    }
}
