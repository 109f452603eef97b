//! On-call duty (DOMAIN §4): a weekly rotation with a handover instant, and overrides as
//! intervals. Who is on duty at an instant is an override covering it (the one added last), else
//! the rotation's person of that week, else nobody — then ICT management is paged.
//!
//! The rotation counts weeks from the handover of Monday 1 January 2024's week in Europe/Brussels:
//! the first user on the list took over at that handover, the next at the following one, and so
//! on round the list. A handover is a local wall time (`mon 08:00`), so it keeps its hour across
//! daylight saving time (a spring-forward gap moves it forward, a fall-back overlap takes the
//! earlier instant).

use jiff::civil::{date, Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// An override: `user` is on duty in `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub user: String,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// The roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    /// The handover's weekday and local time.
    pub handover: (Weekday, Time),
    /// The rotation, in order.
    pub users: Vec<String>,
    /// In the order they were added.
    pub overrides: Vec<Override>,
}

/// Where the person on duty comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rotation,
    Override,
    None,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Rotation => "rotation",
            Source::Override => "override",
            Source::None => "none",
        }
    }
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// `mon 08:00` → (Monday, 08:00).
pub fn parse_handover(text: &str) -> Result<(Weekday, Time), String> {
    let bad = || format!("handover {text:?}: expected a day and a time, `mon 08:00`");
    let (day, time) = text.split_once(' ').ok_or_else(bad)?;
    let weekday = DAYS
        .iter()
        .find(|(code, _)| *code == day)
        .map(|(_, d)| *d)
        .ok_or_else(bad)?;
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    fn two(s: &str) -> Option<i8> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    }
    let (h, m) = (two(h).ok_or_else(bad)?, two(m).ok_or_else(bad)?);
    let time = Time::new(h, m, 0, 0).map_err(|_| bad())?;
    Ok((weekday, time))
}

/// (Monday, 08:00) → `mon 08:00`.
pub fn handover_text((weekday, time): (Weekday, Time)) -> String {
    let day = DAYS
        .iter()
        .find(|(_, d)| *d == weekday)
        .map_or("mon", |(c, _)| c);
    format!("{day} {:02}:{:02}", time.hour(), time.minute())
}

/// The week the rotation counts from: Monday 1 January 2024.
const ANCHOR: Date = date(2024, 1, 1);

impl Roster {
    /// The handover instant on local date `d`.
    fn handover_on(&self, d: Date, tz: &TimeZone) -> Timestamp {
        d.to_datetime(self.handover.1)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The local date of the last handover at or before `at`.
    fn last_handover_date(&self, at: Timestamp, tz: &TimeZone) -> Date {
        let local = at.to_zoned(tz.clone()).date();
        let back = (i64::from(local.weekday().to_monday_zero_offset())
            - i64::from(self.handover.0.to_monday_zero_offset()))
        .rem_euclid(7);
        let mut d = local
            .checked_sub(jiff::Span::new().days(back))
            .unwrap_or(local);
        if self.handover_on(d, tz) > at {
            d = d.checked_sub(jiff::Span::new().days(7)).unwrap_or(d);
        }
        d
    }

    /// Who the rotation puts on duty at `at`, if anyone.
    pub fn rotation_at(&self, at: Timestamp, tz: &TimeZone) -> Option<&str> {
        if self.users.is_empty() {
            return None;
        }
        let d = self.last_handover_date(at, tz);
        let anchor = ANCHOR
            .checked_add(jiff::Span::new().days(i64::from(self.handover.0.to_monday_zero_offset())))
            .unwrap_or(ANCHOR);
        let days = (d - anchor).get_days();
        let week = i64::from(days).div_euclid(7);
        let n = self.users.len() as i64;
        Some(&self.users[week.rem_euclid(n) as usize])
    }

    /// The rotation's next `count` weeks from the one holding `at`: each from its handover to
    /// the next, with who the rotation puts on duty (overrides aside).
    pub fn weeks(
        &self,
        at: Timestamp,
        count: usize,
        tz: &TimeZone,
    ) -> Vec<(Timestamp, Timestamp, Option<&str>)> {
        let mut d = self.last_handover_date(at, tz);
        let mut weeks = Vec::with_capacity(count);
        for _ in 0..count {
            let next = d.checked_add(jiff::Span::new().days(7)).unwrap_or(d);
            let (from, to) = (self.handover_on(d, tz), self.handover_on(next, tz));
            weeks.push((from, to, self.rotation_at(from, tz)));
            d = next;
        }
        weeks
    }

    /// Who is on duty at `at`, and why.
    pub fn who(&self, at: Timestamp, tz: &TimeZone) -> (Option<&str>, Source) {
        if let Some(o) = self
            .overrides
            .iter()
            .rev()
            .find(|o| o.from <= at && at < o.to)
        {
            return (Some(&o.user), Source::Override);
        }
        match self.rotation_at(at, tz) {
            Some(u) => (Some(u), Source::Rotation),
            None => (None, Source::None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn roster() -> Roster {
        Roster {
            handover: parse_handover("mon 08:00").unwrap(),
            users: vec!["ann@x".into(), "bob@x".into(), "cas@x".into()],
            overrides: vec![],
        }
    }

    #[test]
    fn the_person_paged_or_ict_management_acknowledges() {
        use crate::access::{Actor, Grant, UserActor};
        let user = |email: &str, partner: Option<&str>, role: &str| {
            Actor::User(UserActor {
                email: email.into(),
                partner: partner.map(Into::into),
                grants: vec![Grant::parse(role).unwrap()],
            })
        };
        let ann = user("ann@x", None, "on-call");
        let bob = user("bob@x", None, "on-call");
        let ict = user("ict@x", None, "ict-management");
        let theirs = user("ann@x", Some("P-A"), "local-helpdesk");
        assert!(may_acknowledge(&ann, PageTo::Person, Some("ann@x")));
        assert!(!may_acknowledge(&bob, PageTo::Person, Some("ann@x")));
        assert!(!may_acknowledge(&ict, PageTo::Person, Some("ann@x")));
        assert!(may_acknowledge(&ict, PageTo::IctManagement, None));
        assert!(!may_acknowledge(&ann, PageTo::IctManagement, None));
        assert!(!may_acknowledge(&theirs, PageTo::Person, Some("ann@x")));
        assert!(!may_acknowledge(
            &Actor::Anonymous,
            PageTo::IctManagement,
            None
        ));
    }

    #[test]
    fn the_weeks_run_from_handover_to_handover_across_dst() {
        let tz = crate::subscription::zone();
        let r = roster();
        // Wednesday 21 October 2026: the week from Monday 19 October 08:00 (+02:00); the
        // next from Monday 26 October 08:00, which is +01:00 (DST ended on the 25th): a week of
        // 169 hours.
        let weeks = r.weeks(t("2026-10-21T10:00:00Z"), 3, tz);
        assert_eq!(weeks[0].0, t("2026-10-19T06:00:00Z"));
        assert_eq!(weeks[0].1, t("2026-10-26T07:00:00Z"));
        assert_eq!(weeks[1].0, weeks[0].1);
        assert_eq!(weeks[2].0, t("2026-11-02T07:00:00Z"));
        for (from, _, user) in &weeks {
            assert_eq!(*user, r.rotation_at(*from, tz));
        }
        assert_ne!(weeks[0].2, weeks[1].2);
    }

    #[test]
    fn the_rotation_changes_hands_at_the_local_handover() {
        let tz = crate::subscription::zone();
        let r = roster();
        // Monday 1 January 2024 08:00 (+01:00): ann takes over; a week later bob.
        assert_eq!(r.rotation_at(t("2024-01-01T07:59:59Z"), tz), Some("ann@x"));
        assert_eq!(r.rotation_at(t("2024-01-01T06:59:59Z"), tz), Some("cas@x"));
        assert_eq!(r.rotation_at(t("2024-01-08T07:00:00Z"), tz), Some("bob@x"));
        // 30 November 2026 is Monday: weeks since the anchor = 152 → 152 mod 3 = 2: cas.
        assert_eq!(r.rotation_at(t("2026-11-30T07:00:00Z"), tz), Some("cas@x"));
        assert_eq!(r.rotation_at(t("2026-11-30T06:59:59Z"), tz), Some("bob@x"));
        // Across the spring-forward night the handover stays at 08:00 local (+02:00 then).
        assert_eq!(
            r.rotation_at(t("2027-03-29T05:59:59Z"), tz),
            r.rotation_at(t("2027-03-28T12:00:00Z"), tz)
        );
        assert_ne!(
            r.rotation_at(t("2027-03-29T06:00:00Z"), tz),
            r.rotation_at(t("2027-03-29T05:59:59Z"), tz)
        );
    }

    #[test]
    fn an_override_wins_and_an_empty_roster_has_nobody() {
        let tz = crate::subscription::zone();
        let mut r = roster();
        r.overrides.push(Override {
            user: "dan@x".into(),
            from: t("2026-12-24T17:00:00Z"),
            to: t("2026-12-26T08:00:00Z"),
        });
        assert_eq!(
            r.who(t("2026-12-25T00:00:00Z"), tz),
            (Some("dan@x"), Source::Override)
        );
        assert_eq!(r.who(t("2026-12-26T08:00:00Z"), tz).1, Source::Rotation);
        let empty = Roster {
            users: vec![],
            overrides: vec![],
            ..roster()
        };
        assert_eq!(
            empty.who(t("2026-12-25T00:00:00Z"), tz),
            (None, Source::None)
        );
    }

    #[test]
    fn handovers_parse() {
        assert_eq!(
            handover_text(parse_handover("fri 17:30").unwrap()),
            "fri 17:30"
        );
        for bad in ["monday 08:00", "mon 8:00", "mon 24:00", "mon", "mon 08:60"] {
            assert!(parse_handover(bad).is_err(), "{bad}");
        }
    }
}

/// How long a page waits for its acknowledgement before the next one goes.
pub const ACK_WITHIN_SECONDS: i64 = 15 * 60;

/// Whom a page goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageTo {
    /// The person on duty.
    Person,
    /// ICT management: when nobody is on duty, or nobody acknowledged.
    IctManagement,
}

impl PageTo {
    pub fn code(self) -> &'static str {
        match self {
            PageTo::Person => "on-call",
            PageTo::IctManagement => "ict-management",
        }
    }

    pub fn parse(code: &str) -> Option<PageTo> {
        [PageTo::Person, PageTo::IctManagement]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// Whether `actor` may acknowledge a page to `to` (the person `user` when to a person): the
/// person paged; for a page to ICT management, any of its (staff) users. A partner's people
/// never.
pub fn may_acknowledge(actor: &crate::access::Actor, to: PageTo, user: Option<&str>) -> bool {
    use crate::access::{Actor, Role};
    let Actor::User(u) = actor else {
        return false;
    };
    if u.partner.is_some() {
        return false;
    }
    match to {
        PageTo::Person => user == Some(u.email.as_str()),
        PageTo::IctManagement => u.grants.iter().any(|g| g.role == Role::IctManagement),
    }
}

/// A page sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentPage {
    pub attempt: u8,
    pub at: Timestamp,
    pub to: PageTo,
    pub acknowledged: bool,
}

/// The next page of a ticket first paged at `first` (DOMAIN §4 and issue 13): attempt 0 at
/// `first` to the person on duty (ICT management when nobody is); without an acknowledgement,
/// attempt 1 fifteen minutes later to the same person, then attempt 2 fifteen minutes after
/// that to ICT management. Nothing once a page is acknowledged or ICT management was paged.
pub fn next_page(
    first: Timestamp,
    sent: &[SentPage],
    someone_on_duty: bool,
) -> Option<(u8, Timestamp, PageTo)> {
    if sent.iter().any(|p| p.acknowledged) {
        return None;
    }
    let after = |n: i64| {
        first
            .checked_add(jiff::SignedDuration::from_secs(n * ACK_WITHIN_SECONDS))
            .ok()
    };
    match sent.last() {
        None if someone_on_duty => Some((0, first, PageTo::Person)),
        None => Some((0, first, PageTo::IctManagement)),
        Some(last) if last.to == PageTo::IctManagement => None,
        Some(last) if last.attempt == 0 => Some((1, after(1)?, PageTo::Person)),
        Some(_) => Some((2, after(2)?, PageTo::IctManagement)),
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    #[test]
    fn a_page_unanswered_goes_again_then_to_ict_management() {
        let first: Timestamp = "2026-10-30T17:00:00Z".parse().unwrap();
        let sent = |attempt, mins: i64, to, acknowledged| SentPage {
            attempt,
            at: first + jiff::SignedDuration::from_mins(mins),
            to,
            acknowledged,
        };
        assert_eq!(
            next_page(first, &[], true),
            Some((0, first, PageTo::Person))
        );
        assert_eq!(
            next_page(first, &[], false),
            Some((0, first, PageTo::IctManagement))
        );
        let p0 = sent(0, 0, PageTo::Person, false);
        assert_eq!(
            next_page(first, &[p0], true),
            Some((
                1,
                first + jiff::SignedDuration::from_mins(15),
                PageTo::Person
            ))
        );
        let p1 = sent(1, 15, PageTo::Person, false);
        assert_eq!(
            next_page(first, &[p0, p1], true),
            Some((
                2,
                first + jiff::SignedDuration::from_mins(30),
                PageTo::IctManagement
            ))
        );
        let p2 = sent(2, 30, PageTo::IctManagement, false);
        assert_eq!(next_page(first, &[p0, p1, p2], true), None);
        assert_eq!(
            next_page(first, &[sent(0, 0, PageTo::Person, true)], true),
            None
        );
        assert_eq!(
            next_page(first, &[sent(0, 0, PageTo::IctManagement, false)], false),
            None
        );
    }
}
