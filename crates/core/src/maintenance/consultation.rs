//! One partner's consultation on a window (issue 12, point 2 and 3): its consent to each
//! occurrence, through the `consent` op of `pacta sla eval` (DOMAIN §6, "Consent") and nothing
//! else.
//!
//! * A partner is consulted once per window; its answer covers every occurrence, unless it
//!   names one (by its start): then it covers that one only.
//! * The partner's terms for an occurrence — the notice, and whether silence is consent — are
//!   those of its subscriptions to the service that are active (or approved to start) at some
//!   point of that occurrence: the longest notice, and silence is consent only if every one of
//!   them says so (the strictest wins). An occurrence that none of them meets is not the
//!   partner's: no consent (`none`).
//! * An occurrence that had started when the partner was consulted (a late subscriber to a
//!   recurring window) was never put to it: no consent (`none`), never excluded.
//! * An answer is accepted while `now` is at or before the deadline of some occurrence it
//!   covers ([`accepts_answer`]).

use jiff::Timestamp;

use super::Occurrence;
use crate::sla::consent::{
    consent, Answer, Consent, ConsentDecision, ConsentError, ConsentQuery, GivenAnswer,
};

/// What a partner's level says of a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerTerms {
    /// Seconds before an occurrence's start by which the partner answers.
    pub notice_seconds: i64,
    /// Whether silence by the deadline is consent.
    pub silence_is_consent: bool,
}

impl PartnerTerms {
    /// The terms of a partner with several subscriptions to the service: the longest notice;
    /// silence is consent only if it is under every one. `None` for no subscription.
    pub fn strictest(terms: impl IntoIterator<Item = PartnerTerms>) -> Option<PartnerTerms> {
        terms.into_iter().reduce(|a, b| PartnerTerms {
            notice_seconds: a.notice_seconds.max(b.notice_seconds),
            silence_is_consent: a.silence_is_consent && b.silence_is_consent,
        })
    }
}

/// One subscription of the partner to the service, as the consultation took it: when it runs
/// (`[from, until)`, `until` open) and what its effective level says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionTerms {
    pub from: Timestamp,
    pub until: Option<Timestamp>,
    pub terms: PartnerTerms,
    /// When the partner was consulted on this subscription's terms, if later than the
    /// consultation (a further subscription approved after it): an occurrence it meets counts
    /// as consulted then — its deadline may become the start, and silence is then no consent.
    pub consulted_at: Option<Timestamp>,
}

impl SubscriptionTerms {
    fn meets(&self, o: &Occurrence) -> bool {
        self.from < o.end && self.until.is_none_or(|u| o.start < u)
    }
}

/// When the partner counts as consulted on occurrence `o`: the consultation's instant, or the
/// latest later one of the subscriptions that meet `o` (their terms were added then).
pub fn consulted_on(
    subscriptions: &[SubscriptionTerms],
    consulted_at: Timestamp,
    o: &Occurrence,
) -> Timestamp {
    subscriptions
        .iter()
        .filter(|s| s.meets(o))
        .filter_map(|s| s.consulted_at)
        .fold(consulted_at, Timestamp::max)
}

/// The partner's terms for one occurrence: the strictest of its subscriptions that meet it.
pub fn terms_for(subscriptions: &[SubscriptionTerms], o: &Occurrence) -> Option<PartnerTerms> {
    PartnerTerms::strictest(subscriptions.iter().filter(|s| s.meets(o)).map(|s| s.terms))
}

/// An answer of the partner, as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerAnswer {
    pub at: Timestamp,
    pub answer: Answer,
    /// The start of the one occurrence it is about; `None`: every occurrence.
    pub occurrence: Option<Timestamp>,
}

impl PartnerAnswer {
    fn covers(&self, o: &Occurrence) -> bool {
        self.occurrence.is_none_or(|start| start == o.start)
    }
}

/// One partner's consultation on a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub subscriptions: Vec<SubscriptionTerms>,
    pub consulted_at: Timestamp,
    /// In the order given.
    pub answers: Vec<PartnerAnswer>,
    /// When the service manager overrode the partner's objection, every time, in order. Each
    /// occurrence takes the latest before its start (and at or before now): an objection given
    /// again after an override may be overridden again, and an occurrence that started in
    /// between keeps the override that counted then.
    pub overrides: Vec<Timestamp>,
}

/// The partner's consent to one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OccurrenceConsent {
    pub deadline: Timestamp,
    pub consent: Consent,
    pub excluded: bool,
}

impl From<ConsentDecision> for OccurrenceConsent {
    fn from(d: ConsentDecision) -> Self {
        OccurrenceConsent {
            deadline: d.deadline,
            consent: d.consent,
            excluded: d.excluded,
        }
    }
}

/// The partner's consent to each occurrence at `now`, in the order of `occurrences`.
pub fn consents(
    occurrences: &[Occurrence],
    consultation: &Consultation,
    now: Timestamp,
) -> Result<Vec<OccurrenceConsent>, ConsentError> {
    let general: Vec<GivenAnswer> = consultation
        .answers
        .iter()
        .filter(|a| a.occurrence.is_none())
        .map(given)
        .collect();
    let named = consultation.answers.iter().any(|a| a.occurrence.is_some());
    let mut query = ConsentQuery {
        start: Timestamp::UNIX_EPOCH,
        notice_seconds: 0,
        silence_is_consent: false,
        now,
        answers: general.clone(),
        override_at: None,
        consulted_at: Some(consultation.consulted_at),
    };
    occurrences
        .iter()
        .map(|o| {
            let terms = terms_for(&consultation.subscriptions, o);
            let at = consulted_on(&consultation.subscriptions, consultation.consulted_at, o);
            let Some(terms) = terms.filter(|_| at <= o.start) else {
                return Ok(OccurrenceConsent {
                    deadline: o.start,
                    consent: Consent::None,
                    excluded: false,
                });
            };
            query.start = o.start;
            query.consulted_at = Some(at);
            query.override_at = latest_override(&consultation.overrides, o.start, now);
            query.notice_seconds = terms.notice_seconds;
            query.silence_is_consent = terms.silence_is_consent;
            if named {
                // Only this occurrence's answers besides the general ones, in the order given.
                query.answers.clear();
                query.answers.extend(
                    consultation
                        .answers
                        .iter()
                        .filter(|a| a.covers(o))
                        .map(given),
                );
            }
            consent(&query).map(OccurrenceConsent::from)
        })
        .collect()
}

/// The override that counts for an occurrence starting at `start`, read at `now`: the latest
/// before the start and at or before now. If any override follows the deciding objection, the
/// latest does; so this is the op's single `override_at` for that occurrence.
fn latest_override(overrides: &[Timestamp], start: Timestamp, now: Timestamp) -> Option<Timestamp> {
    overrides
        .iter()
        .copied()
        .filter(|&o| o < start && o <= now)
        .max()
}

fn given(a: &PartnerAnswer) -> GivenAnswer {
    GivenAnswer {
        at: a.at,
        answer: a.answer,
    }
}

/// The deadline of one occurrence for the partner: start − notice, or the start itself when
/// the partner was consulted after start − notice.
pub fn deadline(o: &Occurrence, terms: PartnerTerms, consulted_at: Timestamp) -> Timestamp {
    let regular = o
        .start
        .as_second()
        .checked_sub(terms.notice_seconds)
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MIN);
    if consulted_at > regular {
        o.start
    } else {
        regular
    }
}

/// Whether an answer given at `now` covering `occurrence` (or every one) still counts for some
/// occurrence it covers: now at or before that occurrence's deadline (and the occurrence put
/// to the partner).
pub fn accepts_answer(
    occurrences: &[Occurrence],
    subscriptions: &[SubscriptionTerms],
    consulted_at: Timestamp,
    occurrence: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    occurrences
        .iter()
        .filter(|o| occurrence.is_none_or(|s| s == o.start))
        .map(|o| (o, consulted_on(subscriptions, consulted_at, o)))
        .filter(|(o, at)| *at <= o.start)
        .filter_map(|(o, at)| Some((o, at, terms_for(subscriptions, o)?)))
        .any(|(o, at, terms)| now <= deadline(o, terms, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::parse_instant;

    /// An instant of December 2026 (+01:00): "13 02:00".
    fn dec(s: &str) -> Timestamp {
        let (day, time) = s.split_once(' ').unwrap();
        parse_instant(&format!("2026-12-{day}T{time}:00+01:00")).unwrap()
    }

    fn two_sundays() -> Vec<Occurrence> {
        vec![
            Occurrence {
                start: dec("13 02:00"),
                end: dec("13 04:00"),
            },
            Occurrence {
                start: dec("20 02:00"),
                end: dec("20 04:00"),
            },
        ]
    }

    const FIVE_DAYS: PartnerTerms = PartnerTerms {
        notice_seconds: 5 * 86_400,
        silence_is_consent: true,
    };

    /// One subscription since November, on five days' notice.
    fn subscribed() -> Vec<SubscriptionTerms> {
        vec![SubscriptionTerms {
            consulted_at: None,
            from: dec("01 00:00") - jiff::SignedDuration::from_hours(24 * 30),
            until: None,
            terms: FIVE_DAYS,
        }]
    }

    fn answer(at: &str, answer: Answer, occurrence: Option<&str>) -> PartnerAnswer {
        PartnerAnswer {
            at: dec(at),
            answer,
            occurrence: occurrence.map(dec),
        }
    }

    fn codes(c: &Consultation, now: &str) -> Vec<(&'static str, Timestamp)> {
        consents(&two_sundays(), c, dec(now))
            .unwrap()
            .into_iter()
            .map(|d| (d.consent.code(), d.deadline))
            .collect()
    }

    #[test]
    fn each_occurrence_has_its_deadline_and_an_objection_may_name_one() {
        let mut c = Consultation {
            subscriptions: subscribed(),
            consulted_at: dec("01 09:00"),
            answers: vec![],
            overrides: Vec::new(),
        };
        assert_eq!(
            codes(&c, "10 12:00"),
            [("tacit", dec("08 02:00")), ("pending", dec("15 02:00"))]
        );
        c.answers
            .push(answer("07 10:00", Answer::Object, Some("20 02:00")));
        assert_eq!(codes(&c, "10 12:00")[0].0, "tacit");
        assert_eq!(codes(&c, "10 12:00")[1].0, "objected");
        // An earlier general agreement: the first is explicit, the objection decides the second.
        c.answers.insert(0, answer("05 10:00", Answer::Agree, None));
        assert_eq!(codes(&c, "10 12:00")[0].0, "explicit");
        assert_eq!(codes(&c, "10 12:00")[1].0, "objected");
        c.overrides = vec![dec("11 08:00")];
        assert_eq!(
            codes(&c, "10 12:00")[1].0,
            "objected",
            "not yet overridden at 10 12:00"
        );
        assert_eq!(codes(&c, "12 08:00")[1].0, "overridden");
        assert!(!consents(&two_sundays(), &c, dec("12 08:00")).unwrap()[1].excluded);
    }

    #[test]
    fn an_occurrence_keeps_the_override_that_counted_before_its_start() {
        // Objects to both on the 1st; overridden on the 2nd; objects again on the 14th (after
        // the first Sunday's deadline, so for the second only); overridden again on the 14th.
        let mut c = Consultation {
            subscriptions: subscribed(),
            consulted_at: dec("01 09:00"),
            answers: vec![answer("01 10:00", Answer::Object, None)],
            overrides: vec![dec("02 10:00")],
        };
        assert_eq!(codes(&c, "12 08:00")[0].0, "overridden");
        c.answers.push(answer("14 10:00", Answer::Object, None));
        // Before the second Sunday's deadline (the 15th): it decides the second Sunday, and
        // the override of the 2nd is older than it.
        assert_eq!(codes(&c, "14 12:00")[1].0, "objected");
        c.overrides.push(dec("14 11:00"));
        // The first Sunday had started before the second override: it stays overridden by the
        // first; the second Sunday is overridden by the second.
        assert_eq!(
            codes(&c, "21 12:00"),
            [
                ("overridden", dec("08 02:00")),
                ("overridden", dec("15 02:00"))
            ]
        );
        // An override after an occurrence's start never counts for it.
        c.overrides = vec![dec("14 11:00")];
        assert_eq!(codes(&c, "21 12:00")[0].0, "objected");
    }
    #[test]
    fn a_late_consultation_moves_the_deadline_to_the_start_and_silence_is_no_consent() {
        let c = Consultation {
            subscriptions: subscribed(),
            consulted_at: dec("10 09:00"),
            answers: vec![],
            overrides: Vec::new(),
        };
        assert_eq!(
            codes(&c, "14 12:00"),
            [("none", dec("13 02:00")), ("pending", dec("15 02:00"))]
        );
        // Consulted after the first had begun: it was never put to the partner.
        let c = Consultation {
            consulted_at: dec("14 09:00"),
            ..c
        };
        assert_eq!(
            codes(&c, "16 12:00"),
            [("none", dec("13 02:00")), ("tacit", dec("15 02:00"))]
        );
    }

    #[test]
    fn a_stricter_subscription_added_later_counts_as_a_late_consultation() {
        // Consulted on the 1st on five days' notice; agrees on the 11th for the 20th; on the
        // 12th a second subscription (ten days, silence no consent) is added. The 20th counts as
        // consulted on the 12th, after start − ten days: its deadline is the start, the
        // agreement of the 11th still counts.
        let mut c = Consultation {
            subscriptions: subscribed(),
            consulted_at: dec("01 09:00"),
            answers: vec![answer("11 10:00", Answer::Agree, Some("20 02:00"))],
            overrides: Vec::new(),
        };
        c.subscriptions.push(SubscriptionTerms {
            from: dec("14 00:00"),
            until: None,
            terms: PartnerTerms {
                notice_seconds: 10 * 86_400,
                silence_is_consent: false,
            },
            consulted_at: Some(dec("12 09:00")),
        });
        assert_eq!(
            codes(&c, "16 12:00"),
            [("tacit", dec("08 02:00")), ("explicit", dec("20 02:00"))]
        );
        assert!(accepts_answer(
            &two_sundays(),
            &c.subscriptions,
            c.consulted_at,
            Some(dec("20 02:00")),
            dec("19 12:00")
        ));
        // Silent instead: no consent.
        c.answers.clear();
        assert_eq!(codes(&c, "21 12:00")[1].0, "none");
    }

    #[test]
    fn an_answer_is_accepted_while_an_occurrence_it_covers_is_before_its_deadline() {
        let o = two_sundays();
        let (s, at) = (subscribed(), dec("01 09:00"));
        assert!(accepts_answer(&o, &s, at, None, dec("09 10:00")));
        assert!(accepts_answer(&o, &s, at, None, dec("15 02:00")));
        assert!(!accepts_answer(&o, &s, at, None, dec("15 02:01")));
        assert!(!accepts_answer(
            &o,
            &s,
            at,
            Some(dec("13 02:00")),
            dec("09 10:00")
        ));
        assert!(accepts_answer(
            &o,
            &s,
            at,
            Some(dec("20 02:00")),
            dec("09 10:00")
        ));
        assert!(!accepts_answer(
            &o,
            &s,
            at,
            Some(dec("21 02:00")),
            dec("09 10:00")
        ));
    }

    #[test]
    fn each_occurrence_takes_the_subscriptions_that_meet_it() {
        // A second subscription from 15 December, on ten days' notice and silence no consent:
        // the first Sunday is on five days' notice, the second on ten, and silence there is
        // no consent.
        let mut s = subscribed();
        s.push(SubscriptionTerms {
            consulted_at: None,
            from: dec("15 00:00"),
            until: None,
            terms: PartnerTerms {
                notice_seconds: 10 * 86_400,
                silence_is_consent: false,
            },
        });
        let c = Consultation {
            subscriptions: s.clone(),
            consulted_at: dec("01 09:00"),
            answers: vec![],
            overrides: Vec::new(),
        };
        assert_eq!(
            codes(&c, "16 12:00"),
            [("tacit", dec("08 02:00")), ("none", dec("10 02:00"))]
        );
        // The first subscription ended on 14 December: the second Sunday is the other's alone;
        // a subscription that meets neither leaves the partner out.
        s[0].until = Some(dec("14 00:00"));
        assert_eq!(
            terms_for(&s, &two_sundays()[1]).unwrap().notice_seconds,
            10 * 86_400
        );
        s.remove(1);
        assert_eq!(terms_for(&s, &two_sundays()[1]), None);
        let c = Consultation {
            subscriptions: s,
            ..c
        };
        assert_eq!(codes(&c, "16 12:00")[1].0, "none");
    }

    #[test]
    fn the_strictest_terms_win() {
        let terms = PartnerTerms::strictest([
            PartnerTerms {
                notice_seconds: 3 * 86_400,
                silence_is_consent: true,
            },
            PartnerTerms {
                notice_seconds: 86_400,
                silence_is_consent: false,
            },
        ]);
        assert_eq!(
            terms,
            Some(PartnerTerms {
                notice_seconds: 3 * 86_400,
                silence_is_consent: false
            })
        );
        assert_eq!(PartnerTerms::strictest([]), None);
    }
}
