//! One partner's consent to one occurrence of a maintenance window (DOMAIN §6, "Consent";
//! issue 10's `consent` op), as it stands at an instant `now`.
//!
//! * deadline = start − notice in exact seconds (not business time: across a DST change the
//!   wall clock moves by an hour). A partner consulted after that (an emergency window, a late
//!   subscriber) may answer until the window's start, and its silence is no consent.
//! * An answer counts iff given at or before the deadline and at or before `now`; the last
//!   counting one decides (at one instant, the one given last).
//! * No counting answer: `pending` while `now` < deadline, then `tacit` where silence is
//!   consent, else `none`. `agree` → `explicit`. `object` → `overridden` if overridden at or
//!   after that objection, before the start and at or before `now`; else `objected`.
//! * The window is excluded from the partner's availability iff `explicit` or `tacit`.

use std::fmt;

use jiff::Timestamp;

/// Where a partner's consent to a window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Consent {
    /// No counting answer yet and the deadline has not passed.
    Pending,
    /// The deciding answer agrees.
    Explicit,
    /// Silence by the deadline, where silence is consent.
    Tacit,
    /// The deciding answer objects, and no override counts.
    Objected,
    /// The deciding objection was overridden by the service manager.
    Overridden,
    /// Silence by the deadline, where silence is no consent.
    None,
}

impl Consent {
    /// Every consent, in the order of the contract.
    pub const ALL: [Consent; 6] = [
        Consent::Explicit,
        Consent::Tacit,
        Consent::Objected,
        Consent::Overridden,
        Consent::None,
        Consent::Pending,
    ];

    /// The code of the contract: `pending`, `explicit`, `tacit`, `objected`, `overridden`, `none`.
    pub fn code(self) -> &'static str {
        match self {
            Consent::Pending => "pending",
            Consent::Explicit => "explicit",
            Consent::Tacit => "tacit",
            Consent::Objected => "objected",
            Consent::Overridden => "overridden",
            Consent::None => "none",
        }
    }

    /// The consent of a code.
    pub fn parse(code: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether the window is excluded from the partner's availability: `explicit` or `tacit`
    /// (`pending` is not: a provisional figure is never flattering).
    pub fn excludes(self) -> bool {
        matches!(self, Consent::Explicit | Consent::Tacit)
    }
}

impl fmt::Display for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A partner's answer to a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// `agree`.
    Agree,
    /// `object`.
    Object,
}

impl Answer {
    /// `agree` or `object`.
    pub fn code(self) -> &'static str {
        match self {
            Answer::Agree => "agree",
            Answer::Object => "object",
        }
    }

    /// The answer of a code.
    pub fn parse(code: &str) -> Option<Answer> {
        [Answer::Agree, Answer::Object]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// An answer given at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GivenAnswer {
    /// When it was given.
    pub at: Timestamp,
    /// What it says.
    pub answer: Answer,
}

/// What the rule needs about one partner and one occurrence of a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentQuery {
    /// The window's start.
    pub start: Timestamp,
    /// The notice of the partner's level, in seconds (≥ 0).
    pub notice_seconds: i64,
    /// Whether the partner's level takes silence by the deadline as consent.
    pub silence_is_consent: bool,
    /// The instant at which the consent is read.
    pub now: Timestamp,
    /// The partner's answers, in the order given (at one instant, the later one decides).
    pub answers: Vec<GivenAnswer>,
    /// When the service manager overrode an objection, if ever.
    pub override_at: Option<Timestamp>,
    /// When this partner was consulted, if known; after start − notice it moves the deadline
    /// to the start, and silence is then no consent.
    pub consulted_at: Option<Timestamp>,
}

/// The consent at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentDecision {
    /// Until when an answer counts.
    pub deadline: Timestamp,
    /// The consent.
    pub consent: Consent,
    /// Whether the window is excluded from the partner's availability.
    pub excluded: bool,
}

/// Why the rule could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    /// A negative notice.
    #[error("negative notice: {0} s")]
    NegativeNotice(i64),
    /// start − notice is outside the instants that can be represented.
    #[error("the notice reaches outside the supported range of instants")]
    NoticeOutOfRange,
    /// The partner was consulted after the window started.
    #[error("consulted_at {consulted_at} is after the window's start {start}")]
    ConsultedAfterStart {
        /// When it was consulted (RFC 3339, UTC).
        consulted_at: String,
        /// The window's start (RFC 3339, UTC).
        start: String,
    },
}

/// One partner's consent to one occurrence of a window, at `query.now`.
pub fn consent(query: &ConsentQuery) -> Result<ConsentDecision, ConsentError> {
    if query.notice_seconds < 0 {
        return Err(ConsentError::NegativeNotice(query.notice_seconds));
    }
    let start = query.start.as_second();
    let regular = start
        .checked_sub(query.notice_seconds)
        .and_then(|s| Timestamp::from_second(s).ok())
        .ok_or(ConsentError::NoticeOutOfRange)?;
    if let Some(c) = query.consulted_at {
        if c > query.start {
            return Err(ConsentError::ConsultedAfterStart {
                consulted_at: c.to_string(),
                start: query.start.to_string(),
            });
        }
    }
    let late = query.consulted_at.is_some_and(|c| c > regular);
    let deadline = if late { query.start } else { regular };
    let now = query.now;
    let deciding = query
        .answers
        .iter()
        .filter(|a| a.at <= deadline && a.at <= now)
        // The last of the latest: `max_by_key` keeps the last of equal maxima.
        .max_by_key(|a| a.at);
    let consent = match deciding {
        None if now < deadline => Consent::Pending,
        None if query.silence_is_consent && !late => Consent::Tacit,
        None => Consent::None,
        Some(GivenAnswer {
            answer: Answer::Agree,
            ..
        }) => Consent::Explicit,
        Some(&GivenAnswer {
            at: objected_at,
            answer: Answer::Object,
        }) => match query.override_at {
            Some(o) if objected_at <= o && o < query.start && o <= now => Consent::Overridden,
            _ => Consent::Objected,
        },
    };
    Ok(ConsentDecision {
        deadline,
        consent,
        excluded: consent.excludes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::{format_instant, parse_instant};
    use crate::subscription::zone;
    use proptest::prelude::*;

    fn t(s: &str) -> Timestamp {
        parse_instant(s).unwrap()
    }
    /// An instant of October 2026 in +02:00: "10-05 22:00" or "10-05 22:00:01".
    fn oct(s: &str) -> Timestamp {
        let (date, time) = s.split_once(' ').unwrap();
        let time = if time.len() == 5 {
            format!("{time}:00")
        } else {
            time.to_string()
        };
        t(&format!("2026-{date}T{time}+02:00"))
    }
    fn answer(at: &str, answer: Answer) -> GivenAnswer {
        GivenAnswer {
            at: oct(at),
            answer,
        }
    }
    fn query(now: &str, answers: Vec<GivenAnswer>, silence: bool) -> ConsentQuery {
        ConsentQuery {
            start: oct("10-10 22:00"),
            notice_seconds: 120 * 3600,
            silence_is_consent: silence,
            now: oct(now),
            answers,
            override_at: None,
            consulted_at: None,
        }
    }
    fn decide(q: &ConsentQuery) -> (Consent, bool) {
        let d = consent(q).unwrap();
        (d.consent, d.excluded)
    }
    use Answer::{Agree, Object};

    #[test]
    fn every_row_of_the_worked_example() {
        let d = consent(&query("10-01 09:00", vec![], true)).unwrap();
        assert_eq!(d.deadline, oct("10-05 22:00"));
        for silence in [true, false] {
            assert_eq!(
                decide(&query("10-01 09:00", vec![], silence)),
                (Consent::Pending, false)
            );
        }
        assert_eq!(
            decide(&query("10-05 22:00", vec![], true)),
            (Consent::Tacit, true)
        );
        assert_eq!(
            decide(&query("10-05 22:00", vec![], false)),
            (Consent::None, false)
        );
        assert_eq!(
            decide(&query(
                "10-06 09:00",
                vec![answer("10-05 22:00", Object)],
                true
            )),
            (Consent::Objected, false)
        );
        assert_eq!(
            decide(&query(
                "10-06 09:00",
                vec![answer("10-05 22:00:01", Object)],
                true
            )),
            (Consent::Tacit, true),
            "an objection after the deadline does not count"
        );
        let overridden = |override_at: &str, now: &str| {
            let mut q = query(now, vec![answer("10-02 11:00", Object)], true);
            q.override_at = Some(oct(override_at));
            decide(&q)
        };
        assert_eq!(
            overridden("10-07 16:00", "10-08 09:00"),
            (Consent::Overridden, false)
        );
        assert_eq!(
            overridden("10-01 16:00", "10-08 09:00"),
            (Consent::Objected, false),
            "an override before the objection"
        );
        assert_eq!(
            overridden("10-10 22:00", "10-11 09:00"),
            (Consent::Objected, false),
            "an override at the start is too late"
        );
        assert_eq!(
            overridden("10-07 16:00", "10-07 15:00"),
            (Consent::Objected, false),
            "an override after now"
        );
        assert_eq!(
            decide(&query(
                "10-08 09:00",
                vec![answer("10-02 11:00", Object), answer("10-03 08:00", Agree)],
                true
            )),
            (Consent::Explicit, true)
        );
        let mut late = query("10-10 22:00", vec![], true);
        late.consulted_at = Some(oct("10-08 09:00"));
        let d = consent(&late).unwrap();
        assert_eq!(d.deadline, oct("10-10 22:00"));
        assert_eq!((d.consent, d.excluded), (Consent::None, false));
        late.answers = vec![answer("10-10 21:00", Agree)];
        assert_eq!(decide(&late), (Consent::Explicit, true));
    }

    #[test]
    fn the_deadline_is_exact_seconds_across_dst() {
        let mut q = query("10-23 09:00", vec![], true);
        q.start = t("2026-10-27T22:00:00+01:00");
        let d = consent(&q).unwrap();
        assert_eq!(
            format_instant(d.deadline, zone()),
            "2026-10-22T23:00:00+02:00"
        );
        assert_eq!(d.consent, Consent::Tacit);
        q.silence_is_consent = false;
        assert_eq!(decide(&q), (Consent::None, false));
    }

    #[test]
    fn at_one_instant_the_later_answer_decides() {
        let both = |first, second| {
            decide(&query(
                "10-08 09:00",
                vec![answer("10-02 11:00", first), answer("10-02 11:00", second)],
                true,
            ))
        };
        assert_eq!(both(Object, Agree).0, Consent::Explicit);
        assert_eq!(both(Agree, Object).0, Consent::Objected);
    }

    #[test]
    fn an_answer_after_now_does_not_count_yet() {
        assert_eq!(
            decide(&query(
                "10-02 09:00",
                vec![answer("10-03 08:00", Agree)],
                true
            )),
            (Consent::Pending, false)
        );
    }

    #[test]
    fn consulted_after_start_is_an_error() {
        let mut q = query("10-08 09:00", vec![], true);
        q.consulted_at = Some(oct("10-10 22:00:01"));
        assert!(matches!(
            consent(&q),
            Err(ConsentError::ConsultedAfterStart { .. })
        ));
        q.consulted_at = Some(oct("10-10 22:00"));
        assert!(consent(&q).is_ok());
        // Consulted on time: the ordinary deadline, and silence may be consent.
        q.consulted_at = Some(oct("10-01 09:00"));
        q.now = oct("10-06 09:00");
        assert_eq!(decide(&q), (Consent::Tacit, true));
    }

    #[test]
    fn codes_round_trip() {
        for c in Consent::ALL {
            assert_eq!(Consent::parse(c.code()), Some(c));
        }
        assert_eq!(Consent::parse("agreed"), None);
        assert_eq!(Answer::parse("object"), Some(Object));
        assert_eq!(Answer::parse("objects"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn answers_that_do_not_count_change_nothing(
            answers in prop::collection::vec((0i64..400, any::<bool>()), 0..6),
            late in prop::collection::vec((0i64..400, any::<bool>()), 0..4),
            now in 0i64..400,
            override_at in prop::option::of(0i64..400),
            silence in any::<bool>(),
        ) {
            // start = 300, notice = 100 → deadline 200.
            let base = 1_800_000_000;
            let mk = |v: &[(i64, bool)]| -> Vec<GivenAnswer> {
                v.iter()
                    .map(|&(at, agree)| GivenAnswer {
                        at: Timestamp::from_second(base + at).unwrap(),
                        answer: if agree { Agree } else { Object },
                    })
                    .collect()
            };
            let q = ConsentQuery {
                start: Timestamp::from_second(base + 300).unwrap(),
                notice_seconds: 100,
                silence_is_consent: silence,
                now: Timestamp::from_second(base + now).unwrap(),
                answers: mk(&answers),
                override_at: override_at.map(|o| Timestamp::from_second(base + o).unwrap()),
                consulted_at: None,
            };
            let d = consent(&q).unwrap();
            prop_assert_eq!(d.excluded, matches!(d.consent, Consent::Explicit | Consent::Tacit));
            prop_assert!(d.consent != Consent::Pending || now < 200);
            // Answers after the deadline or after now, appended anywhere, do not count.
            let mut more = q.clone();
            for (at, agree) in late {
                let pos = at as usize % (more.answers.len() + 1);
                more.answers.insert(pos, mk(&[(201 + at % 199, agree)])[0]);
            }
            prop_assert_eq!(consent(&more).unwrap(), d);
        }
    }
}
