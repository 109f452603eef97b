//! The built-in Belgian holiday sets `be-legal` and `be-federal`, 1900–2200 (DOMAIN §5).
//!
//! Easter is computed by the Gregorian computus (the anonymous algorithm of Meeus, Jones and
//! Butcher). Bridge and compensation days are decided each year by circular: they are not
//! built in, a calendar adds them as explicit `closed` dates.

use jiff::civil::Date;

use super::instant::{FIRST_YEAR, LAST_YEAR};
use crate::text::{Lang, Text};

/// A built-in holiday set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidaySet {
    /// The ten Belgian legal holidays.
    BeLegal,
    /// `be-legal` plus 2 November, 15 November and 26 December (federal civil service).
    BeFederal,
}

/// The codes of the built-in holiday sets, as written in calendars and on the CLI.
pub const HOLIDAY_SETS: &[&str] = &["be-legal", "be-federal"];

impl HolidaySet {
    /// The set of a code: `be-legal` or `be-federal`.
    pub fn from_code(code: &str) -> Option<HolidaySet> {
        match code {
            "be-legal" => Some(HolidaySet::BeLegal),
            "be-federal" => Some(HolidaySet::BeFederal),
            _ => None,
        }
    }

    /// The code of the set.
    pub fn code(self) -> &'static str {
        match self {
            HolidaySet::BeLegal => "be-legal",
            HolidaySet::BeFederal => "be-federal",
        }
    }

    fn contains(self, kind: HolidayKind) -> bool {
        !matches!(
            (self, kind),
            (
                HolidaySet::BeLegal,
                HolidayKind::AllSouls | HolidayKind::KingsFeast | HolidayKind::BoxingDay
            )
        )
    }
}

/// One holiday of the built-in sets, in the order of DOMAIN §5's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayKind {
    /// 1 January.
    NewYear,
    /// Easter + 1.
    EasterMonday,
    /// 1 May.
    LabourDay,
    /// Easter + 39.
    Ascension,
    /// Easter + 50.
    WhitMonday,
    /// 21 July.
    NationalDay,
    /// 15 August.
    Assumption,
    /// 1 November.
    AllSaints,
    /// 2 November (`be-federal` only).
    AllSouls,
    /// 11 November.
    Armistice,
    /// 15 November (`be-federal` only).
    KingsFeast,
    /// 25 December.
    Christmas,
    /// 26 December (`be-federal` only).
    BoxingDay,
}

impl HolidayKind {
    const ALL: [HolidayKind; 13] = [
        HolidayKind::NewYear,
        HolidayKind::EasterMonday,
        HolidayKind::LabourDay,
        HolidayKind::Ascension,
        HolidayKind::WhitMonday,
        HolidayKind::NationalDay,
        HolidayKind::Assumption,
        HolidayKind::AllSaints,
        HolidayKind::AllSouls,
        HolidayKind::Armistice,
        HolidayKind::KingsFeast,
        HolidayKind::Christmas,
        HolidayKind::BoxingDay,
    ];

    /// The name of the holiday in a language (DOMAIN §5).
    pub fn name(self, lang: Lang) -> &'static str {
        let [nl, fr, de, en] = match self {
            HolidayKind::NewYear => ["Nieuwjaar", "Jour de l'An", "Neujahr", "New Year's Day"],
            HolidayKind::EasterMonday => [
                "Paasmaandag",
                "Lundi de Pâques",
                "Ostermontag",
                "Easter Monday",
            ],
            HolidayKind::LabourDay => [
                "Dag van de Arbeid",
                "Fête du Travail",
                "Tag der Arbeit",
                "Labour Day",
            ],
            HolidayKind::Ascension => [
                "Onze-Lieve-Heer-Hemelvaart",
                "Ascension",
                "Christi Himmelfahrt",
                "Ascension Day",
            ],
            HolidayKind::WhitMonday => [
                "Pinkstermaandag",
                "Lundi de Pentecôte",
                "Pfingstmontag",
                "Whit Monday",
            ],
            HolidayKind::NationalDay => [
                "Nationale feestdag",
                "Fête nationale",
                "Nationalfeiertag",
                "National Day",
            ],
            HolidayKind::Assumption => [
                "Onze-Lieve-Vrouw-Hemelvaart",
                "Assomption",
                "Mariä Himmelfahrt",
                "Assumption Day",
            ],
            HolidayKind::AllSaints => [
                "Allerheiligen",
                "Toussaint",
                "Allerheiligen",
                "All Saints' Day",
            ],
            HolidayKind::AllSouls => [
                "Allerzielen",
                "Jour des Morts",
                "Allerseelen",
                "All Souls' Day",
            ],
            HolidayKind::Armistice => [
                "Wapenstilstand",
                "Armistice",
                "Waffenstillstand",
                "Armistice Day",
            ],
            HolidayKind::KingsFeast => [
                "Koningsdag",
                "Fête du Roi",
                "Festtag des Königs",
                "King's Feast",
            ],
            HolidayKind::Christmas => ["Kerstmis", "Noël", "Weihnachten", "Christmas Day"],
            HolidayKind::BoxingDay => [
                "Tweede Kerstdag",
                "Lendemain de Noël",
                "Zweiter Weihnachtstag",
                "Boxing Day",
            ],
        };
        match lang {
            Lang::Nl => nl,
            Lang::Fr => fr,
            Lang::De => de,
            Lang::En => en,
        }
    }

    fn date(self, year: i16, easter: Date) -> Date {
        let fixed = |m, d| Date::new(year, m, d).expect("valid fixed holiday");
        let from_easter = |n: i32| {
            easter
                .checked_add(jiff::Span::new().days(n))
                .expect("Easter-relative date in range")
        };
        match self {
            HolidayKind::NewYear => fixed(1, 1),
            HolidayKind::EasterMonday => from_easter(1),
            HolidayKind::LabourDay => fixed(5, 1),
            HolidayKind::Ascension => from_easter(39),
            HolidayKind::WhitMonday => from_easter(50),
            HolidayKind::NationalDay => fixed(7, 21),
            HolidayKind::Assumption => fixed(8, 15),
            HolidayKind::AllSaints => fixed(11, 1),
            HolidayKind::AllSouls => fixed(11, 2),
            HolidayKind::Armistice => fixed(11, 11),
            HolidayKind::KingsFeast => fixed(11, 15),
            HolidayKind::Christmas => fixed(12, 25),
            HolidayKind::BoxingDay => fixed(12, 26),
        }
    }
}

/// The holidays of one date: usually one, two when they coincide (Ascension on 1 May, 2008).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The date.
    pub date: Date,
    /// The holidays on that date, in the order of DOMAIN §5's table (at least one).
    pub kinds: Vec<HolidayKind>,
}

impl Holiday {
    /// The name in a language; two holidays on one date are joined by ` / `
    /// (`Labour Day / Ascension Day`), as the CLI prints them.
    pub fn name(&self, lang: Lang) -> String {
        self.kinds
            .iter()
            .map(|k| k.name(lang))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The names in the four languages, joined as in [`Holiday::name`] — the shape of a
    /// catalogue's named closed date.
    pub fn names(&self) -> Text {
        Text(Lang::ALL.iter().map(|&l| (l, self.name(l))).collect())
    }
}

/// Easter Sunday of a Gregorian year (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).expect("Easter is a valid date")
}

/// The holidays of a set in a year, one entry per **date**, in date order; two holidays on one
/// date share an entry (see [`Holiday::name`]). The sets are defined for 1900–2200; the
/// computation itself works for any year jiff supports, which the calendar uses to pad its
/// precomputed range by a year.
pub fn holidays(set: HolidaySet, year: i16) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let mut dated: Vec<(Date, HolidayKind)> = HolidayKind::ALL
        .iter()
        .filter(|k| set.contains(**k))
        .map(|&k| (k.date(year, easter), k))
        .collect();
    dated.sort();
    let mut out: Vec<Holiday> = Vec::with_capacity(dated.len());
    for (date, kind) in dated {
        match out.last_mut() {
            Some(h) if h.date == date => h.kinds.push(kind),
            _ => out.push(Holiday {
                date,
                kinds: vec![kind],
            }),
        }
    }
    out
}

/// Whether a year is inside the range the holiday sets are defined for (1900–2200).
pub fn year_supported(year: i16) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_of_known_years() {
        for (y, m, d) in [
            (1900, 4, 15),
            (1943, 4, 25),
            (1961, 4, 2),
            (2008, 3, 23),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2200, 4, 6),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), date(y, m, d), "Easter {y}");
        }
    }

    #[test]
    fn easter_is_always_between_22_march_and_25_april_on_a_sunday() {
        for y in 1900..=2200 {
            let e = easter_sunday(y);
            assert!(e >= date(y, 3, 22) && e <= date(y, 4, 25), "{y}");
            assert_eq!(e.weekday(), jiff::civil::Weekday::Sunday, "{y}");
        }
    }

    #[test]
    fn be_federal_2026() {
        let list: Vec<String> = holidays(HolidaySet::BeFederal, 2026)
            .iter()
            .map(|h| format!("{} {}", h.date, h.name(Lang::En)))
            .collect();
        assert_eq!(
            list,
            [
                "2026-01-01 New Year's Day",
                "2026-04-06 Easter Monday",
                "2026-05-01 Labour Day",
                "2026-05-14 Ascension Day",
                "2026-05-25 Whit Monday",
                "2026-07-21 National Day",
                "2026-08-15 Assumption Day",
                "2026-11-01 All Saints' Day",
                "2026-11-02 All Souls' Day",
                "2026-11-11 Armistice Day",
                "2026-11-15 King's Feast",
                "2026-12-25 Christmas Day",
                "2026-12-26 Boxing Day",
            ]
        );
        assert_eq!(holidays(HolidaySet::BeLegal, 2026).len(), 10);
    }

    #[test]
    fn two_holidays_on_one_date_share_a_line() {
        let h = holidays(HolidaySet::BeLegal, 2008);
        assert_eq!(h.len(), 9);
        let may1 = h.iter().find(|h| h.date == date(2008, 5, 1)).unwrap();
        assert_eq!(may1.name(Lang::En), "Labour Day / Ascension Day");
        assert_eq!(
            may1.name(Lang::Nl),
            "Dag van de Arbeid / Onze-Lieve-Heer-Hemelvaart"
        );
    }

    #[test]
    fn codes_round_trip() {
        for code in HOLIDAY_SETS {
            assert_eq!(HolidaySet::from_code(code).unwrap().code(), *code);
        }
        assert_eq!(HolidaySet::from_code("be-flemish"), None);
        assert!(year_supported(1900) && year_supported(2200) && !year_supported(2201));
    }
}
