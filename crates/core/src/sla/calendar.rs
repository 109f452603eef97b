//! Support calendars (DOMAIN §5): the YAML-shaped [`CalendarSpec`], its validation into a
//! [`Calendar`], and the built-ins `24x7` and `be-working-hours`.
//!
//! # How a calendar is stored
//!
//! A built [`Calendar`] holds, per year of 1900–2200, the year's open time as sorted, disjoint
//! instants `[start, end)` with a prefix sum of their lengths. Open time exists only on local
//! dates 1900-01-01 to 2200-12-31 (the supported range): before and after, the calendar is
//! closed, so a deadline needing later open time is "no open time before 2201". (An empty
//! padding year 1899 keeps instants like `1900-01-01T00:00:00+14:00` inside the index.) A year is the
//! span between two local midnights of 1 January. Years are computed lazily, once, on first use
//! (`OnceLock`), so that building a calendar costs ~300 zone look-ups and a deadline costs two
//! binary searches — independent of how many years the calendar spans (DOMAIN §5: never walk
//! day by day). [`Calendar::precompute`] fills years eagerly where latency matters.
//!
//! # How open time is derived (the Rules of DOMAIN §5)
//!
//! 1. Slots of the same weekday are merged in local wall time (08:00–12:00 + 11:00–14:00 =
//!    08:00–14:00).
//! 2. For each local date that is not a holiday (built-in sets + `closed` dates), each merged
//!    slot of its weekday becomes `[from, to)` converted to instants in the calendar's zone;
//!    `24:00` is 00:00 of the next date. A time in a spring-forward gap moves forward by the gap,
//!    an ambiguous one takes the earlier instant ("compatible"). A slot that becomes empty (or
//!    reversed, when both ends fall in a gap) is dropped. A holiday removes the slots that
//!    *start* on it: a Thursday 22:00–24:00 slot before a holiday Friday is kept.
//! 3. The instants of all dates are merged (a 00:00–24:00 slot on consecutive dates is one
//!    continuous period).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use jiff::{civil::Date, tz::TimeZone, Timestamp};
use serde::{de, Deserialize, Serialize};

use super::holidays::{holidays, HolidaySet};
use super::instant::{format_instant, FIRST_YEAR, LAST_YEAR};
use super::intervals::{clip, normalize, Span};
use super::SlaError;
use crate::text::{Lang, Text};

/// The names of the built-in calendars, accepted by [`Calendar::builtin`].
pub const BUILTIN_CALENDARS: &[&str] = &["24x7", "be-working-hours"];

/// The central helpdesk's calendar when the organisation profile names none (DOMAIN §4).
pub const DEFAULT_HELPDESK_CALENDAR: &str = "be-working-hours";

/// A day of the week, written `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Monday to Friday.
    pub const WORKING_DAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The code, `mon` … `sun`.
    pub fn code(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }

    /// The weekday of a code `mon` … `sun`.
    pub fn from_code(code: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|w| w.code() == code)
    }
}

/// A calendar as written in YAML (issue 3; DOMAIN §5):
///
/// ```yaml
/// timezone: Europe/Brussels            # IANA, required
/// slots:                               # may be empty
///   - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }
/// holidays: { sets: [be-federal], closed: [2026-12-24] }
/// ```
///
/// Deserialising checks only the shape (unknown keys are errors); [`CalendarSpec::build`]
/// checks the values and reports every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA time zone name, e.g. `Europe/Brussels`.
    pub timezone: String,
    /// Weekly open slots; empty means never open.
    #[serde(default)]
    pub slots: Vec<SlotSpec>,
    /// Holidays: built-in sets and explicit closed dates.
    #[serde(default, skip_serializing_if = "HolidaySpec::is_empty")]
    pub holidays: HolidaySpec,
}

/// One weekly slot: open on `days` from `from` to `to`, local wall time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotSpec {
    /// The weekdays the slot applies to.
    pub days: Vec<Weekday>,
    /// Opening time, `"HH:MM"` (00:00–23:59).
    pub from: String,
    /// Closing time, `"HH:MM"` (00:01–23:59, or `"24:00"` for the end of the day); after `from`.
    pub to: String,
}

/// The holidays of a calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidaySpec {
    /// Built-in set codes: `be-legal`, `be-federal`.
    #[serde(default)]
    pub sets: Vec<String>,
    /// Explicit closed dates (bridge days, 24 and 31 December, …).
    #[serde(default)]
    pub closed: Vec<ClosedDay>,
}

impl HolidaySpec {
    /// Whether there is neither a set nor a closed date.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.closed.is_empty()
    }
}

/// An explicit closed date (a bridge day, 24 December), optionally named in the four languages
/// so that the closures page can publish it.
///
/// Deserialises from a bare date (`2026-12-24`) or from `{date: 2026-12-24, name: {nl: …, fr: …,
/// de: …, en: …}}` (`name` optional); serialises back to a bare date when it has no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDay {
    /// The local date on which the slots starting that day are removed.
    pub date: Date,
    /// Its name per language; may be empty.
    pub name: Text,
}

impl ClosedDay {
    /// A closed date without a name.
    pub fn new(date: Date) -> ClosedDay {
        ClosedDay {
            date,
            name: Text::new(),
        }
    }
}

impl Serialize for ClosedDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.name.is_empty() {
            return self.date.serialize(s);
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("date", &self.date)?;
        map.serialize_entry("name", &self.name)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for ClosedDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = ClosedDay;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD or {date, name}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ClosedDay, E> {
                v.parse::<Date>()
                    .map(ClosedDay::new)
                    .map_err(|e| E::custom(format!("invalid date {v:?}: {e}")))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<ClosedDay, A::Error> {
                let mut date = None;
                let mut name = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "date" if date.is_none() => date = Some(map.next_value::<Date>()?),
                        "name" if name.is_none() => name = Some(map.next_value::<Text>()?),
                        "date" | "name" => {
                            return Err(de::Error::custom(format!("duplicate field `{key}`")))
                        }
                        other => return Err(de::Error::unknown_field(other, &["date", "name"])),
                    }
                }
                Ok(ClosedDay {
                    date: date.ok_or_else(|| de::Error::missing_field("date"))?,
                    name: name.unwrap_or_default(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A problem in a [`CalendarSpec`]: where (a path relative to the calendar, e.g. `timezone`,
/// `slots[1].to`, `holidays.sets[0]`, `holidays.closed[2]`) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecError {
    /// Path of the offending field, relative to the calendar.
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for SpecError {}

fn spec_error(path: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        path: path.into(),
        message: message.into(),
    }
}

/// Parses `"HH:MM"` into minutes since midnight; `24:00` only when `is_end`.
fn parse_hhmm(text: &str, is_end: bool) -> Result<u16, String> {
    let b = text.as_bytes();
    let ok = b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    if !ok {
        return Err(format!("{text:?} is not a time HH:MM"));
    }
    let h = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
    let m = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
    if m > 59 {
        return Err(format!("{text:?}: minute out of range (00–59)"));
    }
    match (h, m) {
        (24, 0) if is_end => Ok(1440),
        (24, 0) => Err("\"24:00\" is only allowed for `to`".to_string()),
        (0..=23, _) => Ok(h * 60 + m),
        _ => Err(format!(
            "{text:?}: hour out of range (00–23, or 24:00 for `to`)"
        )),
    }
}

impl CalendarSpec {
    /// Parses a calendar from YAML text (the file format of `pacta sla … --calendar FILE`).
    pub fn from_yaml_str(text: &str) -> Result<CalendarSpec, String> {
        let value = super::yaml::to_json(text)?;
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// Validates the spec and builds the calendar, reporting every problem at once: unknown
    /// zone, malformed or out-of-range `HH:MM`, `from` not before `to`, unknown holiday set,
    /// closed date outside 1900–2200.
    pub fn build(&self) -> Result<Calendar, Vec<SpecError>> {
        let mut errors = Vec::new();
        let tz = match TimeZone::get(&self.timezone) {
            Ok(tz) => Some(tz),
            Err(_) => {
                errors.push(spec_error(
                    "timezone",
                    format!("unknown IANA time zone {:?}", self.timezone),
                ));
                None
            }
        };
        let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
        for (i, slot) in self.slots.iter().enumerate() {
            let from = parse_hhmm(&slot.from, false)
                .map_err(|m| errors.push(spec_error(format!("slots[{i}].from"), m)))
                .ok();
            let to = parse_hhmm(&slot.to, true)
                .map_err(|m| errors.push(spec_error(format!("slots[{i}].to"), m)))
                .ok();
            if let (Some(from), Some(to)) = (from, to) {
                if from >= to {
                    errors.push(spec_error(
                        format!("slots[{i}].to"),
                        format!("`to` ({}) must be after `from` ({})", slot.to, slot.from),
                    ));
                } else {
                    for day in &slot.days {
                        weekly[day.index()].push((from, to));
                    }
                }
            }
        }
        let mut sets = Vec::new();
        for (i, code) in self.holidays.sets.iter().enumerate() {
            match HolidaySet::from_code(code) {
                Some(set) => sets.push(set),
                None => errors.push(spec_error(
                    format!("holidays.sets[{i}]"),
                    format!("unknown holiday set {code:?} (known: be-legal, be-federal)"),
                )),
            }
        }
        for (i, day) in self.holidays.closed.iter().enumerate() {
            if !(FIRST_YEAR..=LAST_YEAR).contains(&day.date.year()) {
                errors.push(spec_error(
                    format!("holidays.closed[{i}]"),
                    format!("{} is outside 1900–2200", day.date),
                ));
            }
        }
        match tz {
            Some(tz) if errors.is_empty() => {
                let closed = self.holidays.closed.iter().map(|d| d.date).collect();
                Ok(Calendar::new(tz, weekly, sets, closed))
            }
            _ => Err(errors),
        }
    }
}

/// The first year of the precomputed range (one year of padding before [`FIRST_YEAR`]).
const FIRST_CHUNK_YEAR: i16 = FIRST_YEAR - 1;
/// Number of precomputed years: 1899–2200.
const CHUNKS: usize = (LAST_YEAR - FIRST_CHUNK_YEAR + 1) as usize;

/// The open time of one year: sorted disjoint `[starts[k], ends[k])`, `cum[k]` = total length of
/// the spans before `k` (`cum.len() == starts.len() + 1`).
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub(crate) starts: Vec<i64>,
    pub(crate) ends: Vec<i64>,
    pub(crate) cum: Vec<i64>,
}

impl Chunk {
    pub(crate) fn total(&self) -> i64 {
        *self.cum.last().expect("cum has n + 1 entries")
    }

    /// Open time of this chunk before `t`.
    pub(crate) fn pos(&self, t: i64) -> i64 {
        let k = self.starts.partition_point(|&s| s <= t);
        if k == 0 {
            0
        } else {
            self.cum[k - 1] + t.min(self.ends[k - 1]) - self.starts[k - 1]
        }
    }

    /// The earliest instant at which this chunk's open time reaches `target` (0 < target ≤ total).
    pub(crate) fn at(&self, target: i64) -> i64 {
        let k = self.cum[1..].partition_point(|&c| c < target);
        self.starts[k] + (target - self.cum[k])
    }
}

/// A built, validated support calendar. Cheap to clone (an `Arc`), `Send + Sync`.
///
/// Business-time operations (`elapsed`, `deadline`, `is_open`, `next_open`, with or without
/// pauses) are in [`super::business_time`].
#[derive(Clone)]
pub struct Calendar {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    tz: TimeZone,
    weekly: [Vec<(u16, u16)>; 7],
    sets: Vec<HolidaySet>,
    closed: BTreeSet<Date>,
    /// `bounds[i]` = the instant of local midnight, 1 January of `FIRST_CHUNK_YEAR + i`
    /// (`CHUNKS + 1` entries).
    pub(crate) bounds: Vec<i64>,
    chunks: Vec<OnceLock<Chunk>>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("timezone", &self.inner.tz.iana_name())
            .field("weekly_minutes", &self.inner.weekly)
            .field("sets", &self.inner.sets)
            .field("closed", &self.inner.closed)
            .finish()
    }
}

fn local_instant(tz: &TimeZone, date: Date, minutes: u16) -> i64 {
    let (date, minutes) = if minutes == 1440 {
        (date.tomorrow().expect("date in range"), 0)
    } else {
        (date, minutes)
    };
    let dt = date.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0);
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .expect("instant in range")
        .as_second()
}

/// Merges slots of one weekday in wall time: overlapping or touching ones become one.
fn merge_slots(mut slots: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    slots.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(slots.len());
    for (f, t) in slots {
        match out.last_mut() {
            Some(last) if f <= last.1 => last.1 = last.1.max(t),
            _ => out.push((f, t)),
        }
    }
    out
}

impl Calendar {
    fn new(
        tz: TimeZone,
        weekly: [Vec<(u16, u16)>; 7],
        mut sets: Vec<HolidaySet>,
        closed: BTreeSet<Date>,
    ) -> Calendar {
        sets.sort();
        sets.dedup();
        let weekly = weekly.map(merge_slots);
        let bounds = (0..=CHUNKS)
            .map(|i| {
                let y = FIRST_CHUNK_YEAR + i as i16;
                local_instant(&tz, Date::new(y, 1, 1).expect("1 January"), 0)
            })
            .collect();
        Calendar {
            inner: Arc::new(Inner {
                tz,
                weekly,
                sets,
                closed,
                bounds,
                chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
            }),
        }
    }

    /// A built-in calendar: `24x7` (always open, shown in Europe/Brussels) or
    /// `be-working-hours` (Europe/Brussels, Mon–Fri 08:00–18:00, closed on `be-federal`).
    /// The same instance (and its computed years) is shared by every caller.
    pub fn builtin(name: &str) -> Option<Calendar> {
        static H24: OnceLock<Option<Calendar>> = OnceLock::new();
        static WORKING: OnceLock<Option<Calendar>> = OnceLock::new();
        let (cell, spec) = match name {
            "24x7" => (&H24, CalendarSpec::always_open()),
            "be-working-hours" => (&WORKING, CalendarSpec::be_working_hours()),
            _ => return None,
        };
        cell.get_or_init(|| spec.build().ok()).clone()
    }

    /// The calendar's time zone: instants are shown in it.
    pub fn time_zone(&self) -> &TimeZone {
        &self.inner.tz
    }

    /// Writes an instant as `YYYY-MM-DDTHH:MM:SS±HH:MM` in the calendar's zone.
    pub fn format(&self, t: Timestamp) -> String {
        format_instant(t, &self.inner.tz)
    }

    /// Computes the open time of the given years now rather than on first use (years outside
    /// 1899–2200 are ignored). Useful before a benchmark or in a long-running server.
    pub fn precompute(&self, years: std::ops::RangeInclusive<i16>) {
        for y in years {
            if (FIRST_CHUNK_YEAR..=LAST_YEAR).contains(&y) {
                self.chunk((y - FIRST_CHUNK_YEAR) as usize);
            }
        }
    }

    /// Whether the calendar has no slot at all (never open).
    pub fn is_never_open(&self) -> bool {
        self.inner.weekly.iter().all(Vec::is_empty)
    }

    pub(crate) fn chunk(&self, i: usize) -> &Chunk {
        self.inner.chunks[i].get_or_init(|| self.compute_chunk(i))
    }

    /// Index of the year chunk containing `t`; `t` must lie in `[bounds[0], bounds[CHUNKS])`.
    pub(crate) fn chunk_of(&self, t: i64) -> usize {
        self.inner.bounds.partition_point(|&b| b <= t) - 1
    }

    /// Index of the year chunk whose end is at or after `t` (for the end of a range);
    /// `t` must lie in `(bounds[0], bounds[CHUNKS]]`.
    pub(crate) fn chunk_ending_at_or_after(&self, t: i64) -> usize {
        self.inner.bounds.partition_point(|&b| b < t) - 1
    }

    /// The precomputed range `[first, end)`: no open time outside it.
    pub(crate) fn domain(&self) -> (i64, i64) {
        (self.inner.bounds[0], self.inner.bounds[CHUNKS])
    }

    fn holiday_dates(&self, year: i16) -> Vec<Date> {
        let inner = &self.inner;
        let mut dates: Vec<Date> = Vec::new();
        for y in year - 1..=year + 1 {
            for set in &inner.sets {
                dates.extend(holidays(*set, y).iter().map(|h| h.date));
            }
        }
        let lo = Date::new(year - 1, 12, 1).expect("date");
        let hi = Date::new(year + 1, 1, 31).expect("date");
        dates.extend(inner.closed.range(lo..=hi).copied());
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    fn compute_chunk(&self, i: usize) -> Chunk {
        let inner = &self.inner;
        let year = FIRST_CHUNK_YEAR + i as i16;
        let (lo, hi) = (inner.bounds[i], inner.bounds[i + 1]);
        if year < FIRST_YEAR {
            // The padding year: no open time before local 1900-01-01.
            return Chunk {
                cum: vec![0],
                ..Chunk::default()
            };
        }
        let holidays = self.holiday_dates(year);
        let two_days = jiff::Span::new().days(2);
        let mut date = Date::new(year, 1, 1)
            .expect("date")
            .checked_sub(two_days)
            .expect("date");
        let last = Date::new(year, 12, 31)
            .expect("date")
            .checked_add(two_days)
            .expect("date");
        let mut raw: Vec<Span> = Vec::with_capacity(400);
        while date <= last {
            let slots = &inner.weekly[date.weekday().to_monday_zero_offset() as usize];
            if !slots.is_empty() && holidays.binary_search(&date).is_err() {
                for &(from, to) in slots {
                    let s = local_instant(&inner.tz, date, from);
                    let e = local_instant(&inner.tz, date, to);
                    if s < e {
                        raw.push((s, e));
                    }
                }
            }
            date = date.tomorrow().expect("date in range");
        }
        let spans = clip(&normalize(raw).expect("non-reversed spans"), lo, hi);
        let mut chunk = Chunk {
            starts: Vec::with_capacity(spans.len()),
            ends: Vec::with_capacity(spans.len()),
            cum: Vec::with_capacity(spans.len() + 1),
        };
        chunk.cum.push(0);
        for (s, e) in spans {
            chunk.starts.push(s);
            chunk.ends.push(e);
            chunk.cum.push(chunk.total() + (e - s));
        }
        chunk
    }

    /// Open time in `[a, b)` (`a <= b`), without pauses.
    pub(crate) fn measure(&self, a: i64, b: i64) -> i64 {
        let (d0, dn) = self.domain();
        let (a, b) = (a.clamp(d0, dn), b.clamp(d0, dn));
        if a >= b {
            return 0;
        }
        let ia = self.chunk_of(a);
        let ib = self.chunk_ending_at_or_after(b);
        if ia == ib {
            let c = self.chunk(ia);
            return c.pos(b) - c.pos(a);
        }
        let ca = self.chunk(ia);
        let mut total = ca.total() - ca.pos(a);
        for j in ia + 1..ib {
            total += self.chunk(j).total();
        }
        total + self.chunk(ib).pos(b)
    }

    /// The earliest `t >= start` with `measure(start, t) == d`, for `d > 0`.
    pub(crate) fn reach(&self, start: i64, d: i64) -> Result<i64, SlaError> {
        debug_assert!(d > 0);
        let (d0, dn) = self.domain();
        let s = start.max(d0);
        if s >= dn || self.is_never_open() {
            return Err(SlaError::NoOpenTime);
        }
        let mut i = self.chunk_of(s);
        let mut target = self
            .chunk(i)
            .pos(s)
            .checked_add(d)
            .ok_or(SlaError::NoOpenTime)?;
        loop {
            let c = self.chunk(i);
            if target <= c.total() {
                return Ok(c.at(target));
            }
            target -= c.total();
            i += 1;
            if i == CHUNKS {
                return Err(SlaError::NoOpenTime);
            }
        }
    }

    /// Whether `t` is inside open time (no pauses).
    pub(crate) fn open_at(&self, t: i64) -> bool {
        let (d0, dn) = self.domain();
        if t < d0 || t >= dn {
            return false;
        }
        let c = self.chunk(self.chunk_of(t));
        let k = c.starts.partition_point(|&s| s <= t);
        k > 0 && t < c.ends[k - 1]
    }

    /// The earliest open instant `>= t` (no pauses), if any before 2201.
    pub(crate) fn next_open_at(&self, t: i64) -> Option<i64> {
        let (d0, dn) = self.domain();
        let t = t.max(d0);
        if t >= dn || self.is_never_open() {
            return None;
        }
        let mut i = self.chunk_of(t);
        let c = self.chunk(i);
        let k = c.starts.partition_point(|&s| s <= t);
        if k > 0 && t < c.ends[k - 1] {
            return Some(t);
        }
        if k < c.starts.len() {
            return Some(c.starts[k]);
        }
        i += 1;
        while i < CHUNKS {
            if let Some(&s) = self.chunk(i).starts.first() {
                return Some(s);
            }
            i += 1;
        }
        None
    }

    /// The earliest closed instant in `[a, last]`, if any: `a` itself when it is closed, else
    /// the end of the run of open spans (touching ones included) that holds it.
    pub(crate) fn first_closed_at(&self, a: i64, last: i64) -> Option<i64> {
        let mut t = a;
        while t <= last {
            if !self.open_at(t) {
                return Some(t);
            }
            let c = self.chunk(self.chunk_of(t));
            let k = c.starts.partition_point(|&s| s <= t);
            t = c.ends[k - 1];
        }
        None
    }

    /// The open spans within `[a, b)`, clipped, touching spans merged (no pauses).
    pub(crate) fn open_spans(&self, a: i64, b: i64) -> Vec<Span> {
        let (d0, dn) = self.domain();
        let (a, b) = (a.clamp(d0, dn), b.clamp(d0, dn));
        let mut out: Vec<Span> = Vec::new();
        if a >= b {
            return out;
        }
        for i in self.chunk_of(a)..=self.chunk_ending_at_or_after(b) {
            let c = self.chunk(i);
            let from = c.ends.partition_point(|&e| e <= a);
            for k in from..c.starts.len() {
                let (s, e) = (c.starts[k].max(a), c.ends[k].min(b));
                if c.starts[k] >= b {
                    break;
                }
                if s >= e {
                    continue;
                }
                match out.last_mut() {
                    Some(last) if last.1 == s => last.1 = e,
                    _ => out.push((s, e)),
                }
            }
        }
        out
    }
}

impl CalendarSpec {
    /// The spec of the built-in `24x7`.
    pub fn always_open() -> CalendarSpec {
        CalendarSpec {
            timezone: "Europe/Brussels".into(),
            slots: vec![SlotSpec {
                days: Weekday::ALL.to_vec(),
                from: "00:00".into(),
                to: "24:00".into(),
            }],
            holidays: HolidaySpec::default(),
        }
    }

    /// The spec of the built-in `be-working-hours`.
    pub fn be_working_hours() -> CalendarSpec {
        CalendarSpec {
            timezone: "Europe/Brussels".into(),
            slots: vec![SlotSpec {
                days: Weekday::WORKING_DAYS.to_vec(),
                from: "08:00".into(),
                to: "18:00".into(),
            }],
            holidays: HolidaySpec {
                sets: vec!["be-federal".into()],
                closed: vec![],
            },
        }
    }

    /// The spec of a built-in calendar by name (see [`BUILTIN_CALENDARS`]).
    pub fn builtin(name: &str) -> Option<CalendarSpec> {
        match name {
            "24x7" => Some(CalendarSpec::always_open()),
            "be-working-hours" => Some(CalendarSpec::be_working_hours()),
            _ => None,
        }
    }

    /// The days this calendar is closed in `years`, in date order, each named in the four
    /// languages: the holidays of its sets and its explicit closed dates (the helpdesk's closure
    /// days, DOMAIN §4). Several closures on one date share one line, their names joined by
    /// ` / ` per language (DOMAIN §5); an unnamed closed date has no name.
    pub fn closures(&self, years: std::ops::RangeInclusive<i16>) -> Vec<Closure> {
        let mut days: BTreeMap<Date, Vec<Text>> = BTreeMap::new();
        let sets: Vec<HolidaySet> = self
            .holidays
            .sets
            .iter()
            .filter_map(|s| HolidaySet::from_code(s))
            .collect();
        for year in years
            .clone()
            .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
        {
            for set in &sets {
                for h in holidays(*set, year) {
                    let names = days.entry(h.date).or_default();
                    let name = h.names();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        for day in &self.holidays.closed {
            if years.contains(&day.date.year()) {
                days.entry(day.date).or_default().push(day.name.clone());
            }
        }
        days.into_iter()
            .map(|(date, names)| {
                let mut joined = Text::new();
                for lang in Lang::ALL {
                    let parts: Vec<&str> = names.iter().filter_map(|n| n.get(lang)).collect();
                    if !parts.is_empty() {
                        joined.0.insert(lang, parts.join(" / "));
                    }
                }
                Closure { date, name: joined }
            })
            .collect()
    }
}

/// A date on which a calendar is closed, with its name(s) (see [`CalendarSpec::closures`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    /// The local date.
    pub date: Date,
    /// Its name in each language that has one; empty for an unnamed closed date.
    pub name: Text,
}

/// Built calendars by code: the built-ins, and a catalogue's own beside them. What a deadline
/// runs on is looked up here, so a calendar defined in the catalogue serves exactly as a built-in.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    by_code: BTreeMap<String, Calendar>,
}

impl Calendars {
    /// The built-ins only.
    pub fn builtins() -> Calendars {
        let mut calendars = Calendars::default();
        for code in BUILTIN_CALENDARS {
            if let Some(cal) = Calendar::builtin(code) {
                calendars.by_code.insert((*code).to_owned(), cal);
            }
        }
        calendars
    }

    /// Adds (or replaces) a calendar under `code`.
    pub fn insert(&mut self, code: impl Into<String>, calendar: Calendar) {
        self.by_code.insert(code.into(), calendar);
    }

    /// The calendar of a code.
    pub fn get(&self, code: &str) -> Option<&Calendar> {
        self.by_code.get(code)
    }

    /// The codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.by_code.keys().map(String::as_str)
    }
}
