//! Dutch working days: Monday to Friday minus the public holidays. Every deadline in eenplan counts in these (the
//! break-glass review, the match confirmation, the stuck-case rules), and the Netherlands' clock time (the days the
//! person overview merges by, the times pages show). A leaf: std, chrono and serde only, no I/O.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use serde::Deserialize;

/// Whether Bevrijdingsdag (5 May) is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiberationDay {
    EveryYear,
    /// Only in the lustrum years, those divisible by five (2025, 2030), as many CAOs have it.
    EveryFiveYears,
    Never,
}

/// Which of the days that differ between employers count as holidays; the rest are fixed.
///
/// The default follows the Algemene termijnenwet (Bevrijdingsdag every year) and adds Goede Vrijdag, which most
/// municipal CAOs give as a day off although the Act does not name it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkCalendar {
    pub good_friday: bool,
    pub liberation_day: LiberationDay,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        WorkCalendar { good_friday: true, liberation_day: LiberationDay::EveryYear }
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
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
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a date in March or April")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The last Sunday of a month at 01:00 UTC: when the Netherlands change their clocks.
fn last_sunday_1am(year: i32, month: u32) -> NaiveDateTime {
    let mut d = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or_default();
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().unwrap_or(d);
    }
    d.and_hms_opt(1, 0, 0).unwrap_or_default()
}

/// An instant in the Netherlands' own time (CET, CEST from the last Sunday of March to that of October).
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    let u = t.naive_utc();
    let summer = u >= last_sunday_1am(u.year(), 3) && u < last_sunday_1am(u.year(), 10);
    u + chrono::Duration::hours(if summer { 2 } else { 1 })
}

/// The instant a Dutch calendar day begins (its local midnight, in UTC). Clocks change at 01:00 UTC, never at
/// midnight, so one of the two offsets gives back the day's own midnight.
pub fn start_of_day(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let summer = (midnight - chrono::Duration::hours(2)).and_utc();
    if local(summer) == midnight {
        summer
    } else {
        (midnight - chrono::Duration::hours(1)).and_utc()
    }
}

impl WorkCalendar {
    /// The year's holidays with their Dutch names, in date order (two may fall on one day: Hemelvaartsdag on
    /// Bevrijdingsdag, as in 2016).
    fn holidays(&self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("fixed holiday exists");
        let e = easter(year);
        let mut days = vec![(ymd(1, 1), "Nieuwjaarsdag")];
        if self.good_friday {
            days.push((e - Duration::days(2), "Goede Vrijdag"));
        }
        days.push((e, "Eerste Paasdag"));
        days.push((e + Duration::days(1), "Tweede Paasdag"));
        // On the 26th when the 27th is a Sunday (Wet viering Koningsdag).
        let kings = if ymd(4, 27).weekday() == Weekday::Sun { ymd(4, 26) } else { ymd(4, 27) };
        days.push((kings, "Koningsdag"));
        let liberation = match self.liberation_day {
            LiberationDay::EveryYear => true,
            LiberationDay::EveryFiveYears => year % 5 == 0,
            LiberationDay::Never => false,
        };
        if liberation {
            days.push((ymd(5, 5), "Bevrijdingsdag"));
        }
        days.push((e + Duration::days(39), "Hemelvaartsdag"));
        days.push((e + Duration::days(49), "Eerste Pinksterdag"));
        days.push((e + Duration::days(50), "Tweede Pinksterdag"));
        days.push((ymd(12, 25), "Eerste Kerstdag"));
        days.push((ymd(12, 26), "Tweede Kerstdag"));
        days.sort_by_key(|(d, _)| *d);
        days
    }

    /// The holiday on `d`, by its Dutch name (e.g. "Koningsdag"), also when it falls in a weekend.
    pub fn holiday(&self, d: NaiveDate) -> Option<&'static str> {
        self.holidays(d.year()).into_iter().find(|(h, _)| *h == d).map(|(_, name)| name)
    }

    /// Monday to Friday and no holiday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !is_weekend(d) && self.holiday(d).is_none()
    }

    /// Working days after `from` up to and including `to`; 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        // Weekdays by whole weeks and the rest, then the holidays on weekdays in between: the cost grows with the
        // years spanned, not the days (a break-glass list may hold uses of years ago).
        let days = (to - from).num_days();
        let mut weekdays = days / 7 * 5;
        let mut d = from + Duration::days(days / 7 * 7);
        while d < to {
            d += Duration::days(1);
            if !is_weekend(d) {
                weekdays += 1;
            }
        }
        let mut holidays = 0;
        for year in from.year()..=to.year() {
            let mut dates: Vec<NaiveDate> = self.holidays(year).into_iter().map(|(h, _)| h).collect();
            dates.dedup();
            holidays += dates.into_iter().filter(|h| from < *h && *h <= to && !is_weekend(*h)).count() as i64;
        }
        weekdays - holidays
    }

    /// The `n`-th working day after `from`; `from` itself when `n` is 0 (or negative).
    pub fn add_working_days(&self, from: NaiveDate, n: i64) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The earliest day `d` with `working_days_between(d, today) <= n` (a negative `n` counts as 0): whatever
    /// happened before that day is more than `n` working days ago, so one comparison in SQL finds it.
    pub fn last_day_at_most(&self, today: NaiveDate, n: i64) -> NaiveDate {
        // Stepping back from `d` to the day before adds one working day when `d` itself is one.
        let mut d = today;
        let mut count = 0;
        loop {
            let step = i64::from(self.is_working_day(d));
            if count + step > n.max(0) {
                return d;
            }
            count += step;
            d = d.pred_opt().expect("date in range");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.from_utc_datetime(&NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    #[test]
    fn a_dutch_day_starts_at_its_own_midnight_on_both_sides_of_the_clock_changes() {
        assert_eq!(start_of_day(d("2027-01-15")), utc("2027-01-14 23:00:00"));
        assert_eq!(start_of_day(d("2027-07-15")), utc("2027-07-14 22:00:00"));
        // The days the clocks change begin in the time before the change.
        assert_eq!(start_of_day(d("2027-03-28")), utc("2027-03-27 23:00:00"));
        assert_eq!(start_of_day(d("2027-03-29")), utc("2027-03-28 22:00:00"));
        assert_eq!(start_of_day(d("2027-10-31")), utc("2027-10-30 22:00:00"));
        assert_eq!(start_of_day(d("2027-11-01")), utc("2027-10-31 23:00:00"));
    }

    #[test]
    fn dutch_time_follows_the_clock_changes() {
        // 2027: summer time from Sunday 28 March 01:00 UTC to Sunday 31 October 01:00 UTC.
        assert_eq!(local(utc("2027-03-28 00:59:00")).format("%H:%M").to_string(), "01:59");
        assert_eq!(local(utc("2027-03-28 01:00:00")).format("%H:%M").to_string(), "03:00");
        assert_eq!(local(utc("2027-10-31 00:59:00")).format("%H:%M").to_string(), "02:59");
        assert_eq!(local(utc("2027-10-31 01:00:00")).format("%H:%M").to_string(), "02:00");
    }

    fn every_day(from: &str, to: &str) -> impl Iterator<Item = NaiveDate> {
        let last = d(to);
        d(from).iter_days().take_while(move |x| *x <= last)
    }

    /// The plain count, day by day, that `working_days_between` must agree with.
    fn counted(cal: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days().skip(1).take_while(|x| *x <= to).filter(|x| cal.is_working_day(*x)).count() as i64
    }

    fn no_good_friday() -> WorkCalendar {
        WorkCalendar { good_friday: false, ..WorkCalendar::default() }
    }

    #[test]
    fn easter_2024_to_2030() {
        let known = [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
        ];
        for (year, date) in known {
            assert_eq!(easter(year), d(date), "{year}");
        }
        // The extremes of the Gregorian range: 22 March and 25 April.
        assert_eq!(easter(2285), d("2285-03-22"));
        assert_eq!(easter(2038), d("2038-04-25"));
    }

    #[test]
    fn koningsdag_moves_to_saturday_when_the_27th_is_a_sunday() {
        let cal = WorkCalendar::default();
        assert_eq!(d("2025-04-27").weekday(), Weekday::Sun);
        assert_eq!(cal.holiday(d("2025-04-26")), Some("Koningsdag"));
        assert_eq!(cal.holiday(d("2025-04-27")), None);
        assert_eq!(cal.holiday(d("2026-04-27")), Some("Koningsdag"));
        assert_eq!(cal.holiday(d("2026-04-26")), None);
        assert!(!cal.is_working_day(d("2026-04-27")), "a Monday");
    }

    #[test]
    fn bevrijdingsdag_every_year_every_five_years_or_never() {
        let every = WorkCalendar::default();
        let lustrum = WorkCalendar { liberation_day: LiberationDay::EveryFiveYears, ..WorkCalendar::default() };
        let never = WorkCalendar { liberation_day: LiberationDay::Never, ..WorkCalendar::default() };
        for year in 2024..=2030 {
            let day = NaiveDate::from_ymd_opt(year, 5, 5).unwrap();
            assert_eq!(every.holiday(day), Some("Bevrijdingsdag"), "{year}");
            let expected = if year == 2025 || year == 2030 { Some("Bevrijdingsdag") } else { None };
            assert_eq!(lustrum.holiday(day), expected, "{year}");
            assert_eq!(never.holiday(day), None, "{year}");
        }
        // Wednesday 5 May 2027 is a working day only where it is not a holiday every year.
        assert!(!every.is_working_day(d("2027-05-05")));
        assert!(lustrum.is_working_day(d("2027-05-05")));
        assert!(never.is_working_day(d("2027-05-05")));
    }

    #[test]
    fn goede_vrijdag_on_or_off() {
        assert_eq!(WorkCalendar::default().holiday(d("2027-03-26")), Some("Goede Vrijdag"));
        assert!(!WorkCalendar::default().is_working_day(d("2027-03-26")));
        assert_eq!(no_good_friday().holiday(d("2027-03-26")), None);
        assert!(no_good_friday().is_working_day(d("2027-03-26")));
        assert_eq!(no_good_friday().holiday(d("2027-03-29")), Some("Tweede Paasdag"), "the rest of Easter stays");
    }

    #[test]
    fn hemelvaart_and_pinksteren_2027() {
        let cal = WorkCalendar::default();
        assert_eq!(cal.holiday(d("2027-05-06")), Some("Hemelvaartsdag"));
        assert_eq!(d("2027-05-06").weekday(), Weekday::Thu);
        assert_eq!(cal.holiday(d("2027-05-16")), Some("Eerste Pinksterdag"));
        assert_eq!(cal.holiday(d("2027-05-17")), Some("Tweede Pinksterdag"));
        assert!(cal.is_working_day(d("2027-05-07")), "the Friday after Hemelvaart is no holiday");
        // Monday 2027-05-03 → Monday 2027-05-10: Wednesday 5 May and Thursday 6 May are off.
        assert_eq!(cal.working_days_between(d("2027-05-03"), d("2027-05-10")), 3);
        // 2016: Hemelvaartsdag on Bevrijdingsdag, one day off, counted once.
        assert_eq!(cal.working_days_between(d("2016-05-02"), d("2016-05-09")), 4);
    }

    #[test]
    fn christmas_around_a_weekend() {
        let cal = WorkCalendar::default();
        // 2026: Friday 25 and Saturday 26 December; Thursday → Monday is one working day (the Monday).
        assert_eq!(cal.holiday(d("2026-12-25")), Some("Eerste Kerstdag"));
        assert_eq!(cal.holiday(d("2026-12-26")), Some("Tweede Kerstdag"));
        assert_eq!(cal.working_days_between(d("2026-12-24"), d("2026-12-28")), 1);
        // 2027: Saturday 25 and Sunday 26 December; no day moves, Monday 27 is a working day.
        assert_eq!(d("2027-12-25").weekday(), Weekday::Sat);
        assert!(cal.is_working_day(d("2027-12-27")));
        assert_eq!(cal.working_days_between(d("2027-12-24"), d("2027-12-28")), 2);
        // Nieuwjaarsdag 2027 is a Friday.
        assert_eq!(cal.holiday(d("2027-01-01")), Some("Nieuwjaarsdag"));
        assert_eq!(cal.working_days_between(d("2026-12-31"), d("2027-01-04")), 1);
    }

    #[test]
    fn working_days_across_easter_2027() {
        // Thursday 2027-03-25 → Tuesday 2027-03-30: Good Friday, the weekend, Easter Monday, then Tuesday.
        assert_eq!(WorkCalendar::default().working_days_between(d("2027-03-25"), d("2027-03-30")), 1);
        assert_eq!(no_good_friday().working_days_between(d("2027-03-25"), d("2027-03-30")), 2);
        assert_eq!(WorkCalendar::default().add_working_days(d("2027-03-25"), 1), d("2027-03-30"));
        assert_eq!(no_good_friday().add_working_days(d("2027-03-25"), 1), d("2027-03-26"));
    }

    #[test]
    fn nothing_between_a_day_and_itself_or_backwards() {
        let cal = WorkCalendar::default();
        assert_eq!(cal.working_days_between(d("2026-11-23"), d("2026-11-23")), 0);
        assert_eq!(cal.working_days_between(d("2026-11-24"), d("2026-11-23")), 0);
        assert_eq!(cal.add_working_days(d("2026-11-21"), 0), d("2026-11-21"), "n = 0 keeps a Saturday");
    }

    #[test]
    fn the_week_arithmetic_agrees_with_counting_day_by_day() {
        for cal in [WorkCalendar::default(), no_good_friday()] {
            for from in every_day("2024-01-01", "2030-12-31").step_by(3) {
                for span in [0, 1, 2, 6, 7, 8, 13, 20, 45, 200, 400] {
                    let to = from + Duration::days(span);
                    assert_eq!(cal.working_days_between(from, to), counted(&cal, from, to), "{from} → {to}");
                }
            }
        }
    }

    #[test]
    fn adding_working_days_and_counting_them_agree_2024_to_2030() {
        let cal = WorkCalendar::default();
        for day in every_day("2024-01-01", "2030-12-31") {
            for n in 0..15 {
                let later = cal.add_working_days(day, n);
                assert_eq!(cal.working_days_between(day, later), n, "{day} + {n}");
                if n > 0 {
                    assert!(cal.is_working_day(later), "{day} + {n} lands on {later}");
                }
            }
        }
    }

    #[test]
    fn last_day_at_most_is_where_the_count_first_exceeds_n() {
        for cal in [WorkCalendar::default(), no_good_friday()] {
            for today in every_day("2027-01-01", "2027-12-31") {
                for n in [0, 1, 5, 10] {
                    let last = cal.last_day_at_most(today, n);
                    assert!(cal.working_days_between(last, today) <= n, "{today}, {n}: {last}");
                    let before = last.pred_opt().unwrap();
                    assert!(cal.working_days_between(before, today) > n, "{today}, {n}: {before} is too");
                }
            }
        }
        // Monday 2026-11-23: five working days back is Monday 2026-11-16.
        assert_eq!(WorkCalendar::default().last_day_at_most(d("2026-11-23"), 5), d("2026-11-16"));
    }

    #[test]
    fn a_calendar_reads_from_configuration() {
        let cal: WorkCalendar = serde_json::from_str(r#"{"liberation_day": "every_five_years"}"#).unwrap();
        assert_eq!(cal, WorkCalendar { good_friday: true, liberation_day: LiberationDay::EveryFiveYears });
        assert_eq!(serde_json::from_str::<WorkCalendar>("{}").unwrap(), WorkCalendar::default());
        assert!(serde_json::from_str::<WorkCalendar>(r#"{"goede_vrijdag": false}"#).is_err(), "unknown field");
    }
}
