//! The worked example, by hand, and the Rule replayed minute by minute against
//! [`evaluate`].

use jiff::Timestamp;
use proptest::prelude::*;

use super::clocks::{evaluate, ClockPhase, Event, Target, TicketQuery, TicketView};
use super::escalation::{Level, Threshold, Thresholds};
use super::Status;
use crate::sla::calendar::Calendar;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// `DDTHH:MM` in November 2026 at +01:00.
fn nov(s: &str) -> Timestamp {
    t(&format!("2026-11-{s}:00+01:00"))
}

fn ev(at: &str, status: Option<Status>, response: bool) -> Event {
    Event {
        at: nov(at),
        status,
        response,
    }
}

struct Example {
    bwh: Calendar,
    always: Calendar,
}

impl Example {
    fn new() -> Example {
        Example {
            bwh: Calendar::builtin("be-working-hours").unwrap(),
            always: Calendar::builtin("24x7").unwrap(),
        }
    }

    /// The P3 on `standard` of the issue: created Friday 30 October 17:00, 4 h / 16 h.
    fn p3(&self, events: &[Event], now: Timestamp) -> TicketView {
        evaluate(&TicketQuery {
            created: t("2026-10-30T17:00:00+01:00"),
            now,
            qualifies_for_on_call: false,
            response: Target {
                goal: 4 * 3600,
                calendar: &self.bwh,
            },
            resolution: Target {
                goal: 16 * 3600,
                calendar: &self.bwh,
            },
            helpdesk: &self.bwh,
            thresholds: Thresholds::default(),
            events,
            manual_escalations: &[],
        })
        .unwrap()
    }
}

/// Levels as `(level, "DDTHH:MM", why)`.
fn levels(v: &TicketView) -> Vec<(u8, String, &'static str)> {
    v.escalations
        .iter()
        .map(|e| {
            let local = e.at.to_zoned(crate::subscription::zone().clone());
            (
                e.level.number(),
                local.strftime("%dT%H:%M").to_string(),
                e.why.code(),
            )
        })
        .collect()
}

fn l(n: u8, at: &str, why: &'static str) -> (u8, String, &'static str) {
    (n, at.to_string(), why)
}

#[test]
fn worked_example_a_no_events() {
    let x = Example::new();
    let a1 = x.p3(&[], nov("02T12:00"));
    assert_eq!(a1.response.state, ClockPhase::Running);
    assert_eq!(a1.response.deadline, nov("03T11:00"));
    assert_eq!(a1.response.met, None);
    assert_eq!(a1.response.business_seconds, 3600);
    assert_eq!(a1.resolution.deadline, nov("04T13:00"));
    assert_eq!(a1.resolution.business_seconds, 3600);
    assert!(a1.escalations.is_empty());

    let a2 = x.p3(&[], t("2026-11-03T10:59:59+01:00"));
    assert_eq!(a2.response.met, None);
    assert_eq!(a2.response.business_seconds, 14_399);
    assert_eq!(a2.resolution.business_seconds, 14_399);
    assert!(a2.escalations.is_empty());
    assert_eq!(a2.next_due, Some(nov("03T11:00")));

    let a3 = x.p3(&[], nov("03T11:00"));
    assert_eq!(a3.response.met, Some(false));
    assert_eq!(a3.response.original_breach, Some(nov("03T11:00")));
    assert_eq!(a3.response.business_seconds, 14_400);
    assert_eq!(a3.resolution.met, None);
    assert_eq!(levels(&a3), [l(1, "03T11:00", "response-missed")]);

    let a4 = x.p3(&[], nov("06T12:00"));
    assert_eq!(a4.response.business_seconds, 126_000);
    assert_eq!(a4.response.wall_seconds, 586_800);
    assert_eq!(a4.resolution.deadline, nov("04T13:00"));
    assert_eq!(a4.resolution.original_breach, Some(nov("04T13:00")));
    assert_eq!(a4.resolution.met, Some(false));
    assert_eq!(
        levels(&a4),
        [
            l(1, "03T11:00", "response-missed"),
            l(2, "04T13:00", "threshold"),
            l(3, "05T11:00", "threshold"),
        ]
    );
    assert_eq!(a4.resolution.breached_by_seconds(), 126_000 - 57_600);
    assert_eq!(a4.next_due, None);
}

#[test]
fn worked_example_b_waiting_for_the_partner() {
    let x = Example::new();
    let b1_events = [
        ev("03T09:00", Some(Status::InProgress), false),
        ev("03T10:00", Some(Status::WaitingPartner), false),
    ];
    let b1 = x.p3(&b1_events, nov("03T12:00"));
    assert_eq!(b1.response.state, ClockPhase::Stopped);
    assert_eq!(b1.response.stopped_at, Some(nov("03T10:00")));
    assert_eq!(b1.response.met, Some(true));
    assert_eq!(b1.response.business_seconds, 10_800);
    assert_eq!(b1.resolution.state, ClockPhase::Paused);
    assert_eq!(b1.resolution.deadline, nov("04T13:00"));
    assert_eq!(b1.resolution.met, None);
    assert_eq!(b1.resolution.business_seconds, 10_800);
    assert_eq!(b1.resolution.wall_seconds, 327_600);
    assert!(b1.escalations.is_empty());
    // Paused: nothing is due.
    assert_eq!(b1.next_due, None);

    let mut b2_events = b1_events.to_vec();
    b2_events.push(ev("03T14:00", Some(Status::InProgress), false));
    let b2 = x.p3(&b2_events, nov("06T12:00"));
    assert_eq!(b2.resolution.state, ClockPhase::Running);
    assert_eq!(b2.resolution.deadline, nov("04T17:00"));
    assert_eq!(b2.resolution.met, Some(false));
    assert_eq!(b2.resolution.business_seconds, 111_600);
    assert_eq!(
        levels(&b2),
        [
            l(1, "04T13:00", "threshold"),
            l(2, "04T17:00", "threshold"),
            l(3, "05T15:00", "threshold"),
        ]
    );
}

#[test]
fn worked_example_c_resolved_reopened_closed() {
    let x = Example::new();
    let c1_events = [
        ev("03T08:30", Some(Status::Assigned), false),
        ev("03T09:00", Some(Status::InProgress), true),
        ev("04T12:00", Some(Status::Resolved), false),
    ];
    let c1 = x.p3(&c1_events, nov("04T12:00"));
    assert_eq!(c1.response.stopped_at, Some(nov("03T09:00")));
    assert_eq!(c1.response.business_seconds, 7_200);
    assert_eq!(c1.resolution.state, ClockPhase::Stopped);
    assert_eq!(c1.resolution.deadline, nov("04T13:00"));
    assert_eq!(c1.resolution.met, Some(true));
    assert_eq!(c1.resolution.business_seconds, 54_000);
    assert_eq!(levels(&c1), [l(1, "04T09:00", "threshold")]);

    let mut c2_events = c1_events.to_vec();
    c2_events.extend([
        ev("05T09:00", Some(Status::InProgress), false),
        ev("05T09:45", Some(Status::Resolved), false),
        ev("06T10:00", Some(Status::Closed), false),
    ]);
    let c2 = x.p3(&c2_events, nov("06T12:00"));
    assert_eq!(c2.status, Status::Closed);
    assert_eq!(c2.resolution.stopped_at, Some(nov("05T09:45")));
    assert_eq!(c2.resolution.deadline, nov("05T10:00"));
    assert_eq!(c2.resolution.met, Some(true));
    assert_eq!(c2.resolution.business_seconds, 56_700);
    assert_eq!(c2.resolution.wall_seconds, 492_300);
    assert_eq!(levels(&c2), [l(1, "04T09:00", "threshold")]);

    let mut c3_events = c1_events.to_vec();
    c3_events.push(ev("05T09:00", Some(Status::InProgress), false));
    let c3 = x.p3(&c3_events, nov("06T12:00"));
    assert_eq!(c3.resolution.deadline, nov("05T10:00"));
    assert_eq!(c3.resolution.met, Some(false));
    assert_eq!(c3.resolution.business_seconds, 100_800);
    assert_eq!(
        levels(&c3),
        [
            l(1, "04T09:00", "threshold"),
            l(2, "05T10:00", "threshold"),
            l(3, "05T18:00", "threshold"),
        ]
    );
}

#[test]
fn worked_example_d_p1_pages_on_call_at_the_helpdesk_closing() {
    let x = Example::new();
    let events = [
        Event {
            at: t("2026-10-30T17:20:00+01:00"),
            status: Some(Status::InProgress),
            response: true,
        },
        Event {
            at: t("2026-10-30T19:40:00+01:00"),
            status: Some(Status::Resolved),
            response: false,
        },
    ];
    let q = |events: &[Event], now: &str| {
        evaluate(&TicketQuery {
            created: t("2026-10-30T17:00:00+01:00"),
            now: t(now),
            qualifies_for_on_call: true,
            response: Target {
                goal: 1800,
                calendar: &x.always,
            },
            resolution: Target {
                goal: 4 * 3600,
                calendar: &x.always,
            },
            helpdesk: &x.bwh,
            thresholds: Thresholds::default(),
            events,
            manual_escalations: &[],
        })
        .unwrap()
    };
    let d = q(&events, "2026-10-30T20:00:00+01:00");
    assert_eq!(d.response.deadline, t("2026-10-30T17:30:00+01:00"));
    assert_eq!(d.response.met, Some(true));
    assert_eq!(d.resolution.deadline, t("2026-10-30T21:00:00+01:00"));
    assert_eq!(d.resolution.met, Some(true));
    assert_eq!(d.resolution.business_seconds, 9_600);
    assert!(d.escalations.is_empty());
    assert_eq!(d.on_call_page_at, Some(t("2026-10-30T18:00:00+01:00")));
    // Before the closing, nothing yet; the closing is what is due.
    let early = q(&events[..1], "2026-10-30T17:55:00+01:00");
    assert_eq!(early.on_call_page_at, None);
    assert_eq!(early.next_due, Some(t("2026-10-30T18:00:00+01:00")));
    // Resolved at 18:00 exactly: no page.
    let at_close = [
        events[0],
        Event {
            at: t("2026-10-30T18:00:00+01:00"),
            status: Some(Status::Resolved),
            response: false,
        },
    ];
    let d = q(&at_close, "2026-10-30T20:00:00+01:00");
    assert_eq!(d.on_call_page_at, None);
}

#[test]
fn a_manual_escalation_takes_the_lowest_level_not_reached() {
    let x = Example::new();
    let events = [ev("03T09:00", Some(Status::InProgress), true)];
    let asks = [nov("03T10:00"), nov("04T10:00")];
    let v = evaluate(&TicketQuery {
        created: t("2026-10-30T17:00:00+01:00"),
        now: nov("06T12:00"),
        qualifies_for_on_call: false,
        response: Target {
            goal: 4 * 3600,
            calendar: &x.bwh,
        },
        resolution: Target {
            goal: 16 * 3600,
            calendar: &x.bwh,
        },
        helpdesk: &x.bwh,
        thresholds: Thresholds::default(),
        events: &events,
        manual_escalations: &asks,
    })
    .unwrap();
    // The first ask takes level 1 (its 75 % would have been 04 09:00); the second, after
    // nothing else fired, level 2; level 3 fires at its threshold.
    assert_eq!(
        levels(&v),
        [
            l(1, "03T10:00", "manual"),
            l(2, "04T10:00", "manual"),
            l(3, "05T11:00", "threshold"),
        ]
    );
}

#[test]
fn offsets_and_a_stop_at_the_threshold_instant() {
    let x = Example::new();
    let mut thresholds = Thresholds::default();
    thresholds.set(Level::Prm, Threshold::parse("-1h").unwrap());
    // Resolved exactly when 75 % is reached (04 09:00): level 1 does not fire.
    let events = [
        ev("03T09:00", Some(Status::InProgress), true),
        ev("04T09:00", Some(Status::Resolved), false),
    ];
    let v = evaluate(&TicketQuery {
        created: t("2026-10-30T17:00:00+01:00"),
        now: nov("06T12:00"),
        qualifies_for_on_call: false,
        response: Target {
            goal: 4 * 3600,
            calendar: &x.bwh,
        },
        resolution: Target {
            goal: 16 * 3600,
            calendar: &x.bwh,
        },
        helpdesk: &x.bwh,
        thresholds,
        events: &events,
        manual_escalations: &[],
    })
    .unwrap();
    assert!(v.escalations.is_empty());
    assert_eq!(v.resolution.met, Some(true));
}

#[test]
fn bad_histories_are_refused() {
    let x = Example::new();
    let q = |events: &'_ [Event], now: Timestamp| {
        evaluate(&TicketQuery {
            created: t("2026-10-30T17:00:00+01:00"),
            now,
            qualifies_for_on_call: false,
            response: Target {
                goal: 3600,
                calendar: &x.bwh,
            },
            resolution: Target {
                goal: 3600,
                calendar: &x.bwh,
            },
            helpdesk: &x.bwh,
            thresholds: Thresholds::default(),
            events,
            manual_escalations: &[],
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    let now = nov("06T12:00");
    let bad = [
        vec![ev("03T09:00", Some(Status::WaitingPartner), false)],
        vec![
            ev("03T09:00", Some(Status::InProgress), false),
            ev("03T09:00", Some(Status::InProgress), false),
        ],
        vec![
            ev("03T09:00", Some(Status::Resolved), false),
            ev("03T10:00", Some(Status::Closed), false),
            ev("03T11:00", Some(Status::InProgress), false),
        ],
        vec![
            ev("03T10:00", Some(Status::InProgress), false),
            ev("03T09:00", Some(Status::Resolved), false),
        ],
        vec![ev("07T09:00", Some(Status::InProgress), false)],
        vec![Event {
            at: t("2026-10-30T16:00:00+01:00"),
            status: None,
            response: true,
        }],
    ];
    for events in bad {
        assert!(q(&events, now).is_err(), "{events:?}");
    }
    assert!(q(&[], t("2026-10-30T16:00:00+01:00")).is_err());
}

// ---- the Rule, minute by minute ----

/// An independent reading of DOMAIN §4 on whole minutes: every event, goal and threshold is a
/// whole number of minutes and every calendar boundary is on a minute, so stepping a minute at
/// a time sees every instant at which anything can happen.
struct Replay {
    response: Option<String>,
    resolution_met: Option<bool>,
    escalations: Vec<(u8, i64, &'static str)>,
    on_call: Option<i64>,
    response_bs: i64,
    resolution_bs: i64,
}

#[allow(clippy::too_many_arguments)]
fn replay(
    created: i64,
    now: i64,
    events: &[(i64, Option<Status>, bool)],
    response_goal: i64,
    resolution_goal: i64,
    cal_response: &Calendar,
    cal_resolution: &Calendar,
    helpdesk: &Calendar,
    amounts: [i64; 3],
    qualifies: bool,
) -> Replay {
    let open = |c: &Calendar, s: i64| c.is_open(crate::sla::ts(s));
    let (mut status, mut responded, mut resolution_runs) = (Status::New, false, true);
    let (mut b_resp, mut b_res) = (0i64, 0i64);
    let mut resp_breach: Option<i64> = None;
    let mut res_breach: Option<i64> = None;
    let mut level_at: [Option<i64>; 3] = [None; 3];
    let mut on_call = None;
    let mut k = 0;
    let mut s = created;
    loop {
        while k < events.len() && events[k].0 == s {
            let (_, to, response) = events[k];
            if let Some(to) = to {
                resolution_runs = matches!(to, Status::Assigned | Status::InProgress);
                if matches!(to, Status::WaitingPartner | Status::Resolved) {
                    responded = true;
                }
                if to == Status::Closed {
                    resolution_runs = false;
                }
                status = to;
            }
            responded |= response;
            k += 1;
        }
        // The state at s is after every event at s.
        if !responded && resp_breach.is_none() && b_resp >= response_goal {
            resp_breach = Some(s);
        }
        if resolution_runs {
            if res_breach.is_none() && b_res >= resolution_goal {
                res_breach = Some(s);
            }
            for (i, amount) in amounts.iter().enumerate() {
                if level_at[i].is_none() && b_res >= *amount {
                    level_at[i] = Some(s);
                }
            }
        }
        if qualifies && on_call.is_none() && status.is_open() && !open(helpdesk, s) {
            on_call = Some(s);
        }
        if s >= now {
            break;
        }
        if !responded && open(cal_response, s) {
            b_resp += 60;
        }
        if resolution_runs && open(cal_resolution, s) {
            b_res += 60;
        }
        s += 60;
    }
    let mut escalations = Vec::new();
    for (i, at) in level_at.iter().enumerate() {
        let (at, why) = match (i, *at, resp_breach) {
            (0, Some(a), Some(r)) if r <= a => (Some(r), "response-missed"),
            (0, None, Some(r)) => (Some(r), "response-missed"),
            (_, a, _) => (a, "threshold"),
        };
        if let Some(at) = at {
            escalations.push((i as u8 + 1, at, why));
        }
    }
    escalations.sort_by_key(|e| (e.1, e.0));
    let resolved = matches!(status, Status::Resolved | Status::Closed);
    Replay {
        response: resp_breach.map(|_| "breached".into()).or(if responded {
            Some("met".into())
        } else {
            None
        }),
        resolution_met: match (res_breach, resolved) {
            (Some(_), _) => Some(false),
            (None, true) => Some(true),
            _ => None,
        },
        escalations,
        on_call,
        response_bs: b_resp,
        resolution_bs: b_res,
    }
}

/// A random history: at each step a few minutes later, a move the Rule allows, a response, or
/// both.
fn history() -> impl Strategy<Value = Vec<(i64, u8, bool)>> {
    prop::collection::vec((0i64..48, 0u8..4, any::<bool>()), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluate_agrees_with_the_rule_replayed_minute_by_minute(
        created_half_hour in 0i64..(7 * 48),
        steps in history(),
        response_goal_half_hours in 0i64..20,
        resolution_goal_hours in 0i64..30,
        percents in (0u32..5, 2u32..7, 4u32..9),
        tail_half_hours in 0i64..100,
        cal_pick in 0u8..4,
        qualifies in any::<bool>(),
    ) {
        let bwh = Calendar::builtin("be-working-hours").unwrap();
        let always = Calendar::builtin("24x7").unwrap();
        let (cal_response, cal_resolution) = match cal_pick {
            0 => (&bwh, &bwh),
            1 => (&always, &always),
            2 => (&always, &bwh),
            _ => (&bwh, &always),
        };
        // Monday 26 October 2026 00:00 +01:00 (a week holding 1 and 2 November).
        let base = t("2026-10-26T00:00:00+01:00").as_second();
        let created = base + created_half_hour * 1800;
        let mut at = created;
        let mut status = Status::New;
        let mut events = Vec::new();
        for (gap, pick, response) in steps {
            // Half hours, and now and then the same instant: stops and pauses land on
            // deadlines, thresholds and closings.
            at += gap / 2 * 1800;
            let moves: Vec<Status> = Status::ALL
                .into_iter()
                .filter(|to| status.may_move_to(*to))
                .collect();
            let to = if moves.is_empty() || pick == 3 {
                None
            } else {
                Some(moves[usize::from(pick) % moves.len()])
            };
            if let Some(to) = to {
                status = to;
            }
            events.push((at, to, response));
        }
        let now = at + tail_half_hours * 1800;
        let response_goal = response_goal_half_hours * 1800;
        let resolution_goal = resolution_goal_hours * 3600;
        // Steps of 25 %: every amount a whole number of minutes.
        let thresholds = Thresholds([
            Threshold::Percent(percents.0 * 25),
            Threshold::Percent(percents.1 * 25),
            Threshold::Percent(percents.2 * 25),
        ]);
        let amounts = Level::ALL.map(|l| thresholds.of(l).amount(resolution_goal));
        let expected = replay(
            created, now, &events, response_goal, resolution_goal,
            cal_response, cal_resolution, &bwh, amounts, qualifies,
        );
        let given: Vec<Event> = events
            .iter()
            .map(|&(at, status, response)| Event { at: crate::sla::ts(at), status, response })
            .collect();
        let v = evaluate(&TicketQuery {
            created: crate::sla::ts(created),
            now: crate::sla::ts(now),
            qualifies_for_on_call: qualifies,
            response: Target { goal: response_goal, calendar: cal_response },
            resolution: Target { goal: resolution_goal, calendar: cal_resolution },
            helpdesk: &bwh,
            thresholds,
            events: &given,
            manual_escalations: &[],
        })
        .unwrap();
        let got: Vec<(u8, i64, &'static str)> = v
            .escalations
            .iter()
            .map(|e| (e.level.number(), e.at.as_second(), e.why.code()))
            .collect();
        prop_assert_eq!(got, expected.escalations);
        prop_assert_eq!(v.on_call_page_at.map(|t| t.as_second()), expected.on_call);
        prop_assert_eq!(v.response.business_seconds, expected.response_bs);
        prop_assert_eq!(v.resolution.business_seconds, expected.resolution_bs);
        prop_assert_eq!(v.resolution.met, expected.resolution_met);
        let response = match v.response.met {
            Some(false) => Some("breached".to_string()),
            Some(true) => Some("met".to_string()),
            None => None,
        };
        prop_assert_eq!(response, expected.response);
    }
}
