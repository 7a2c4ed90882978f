//! Signal rules (Jeugdwet §7.1 in spirit): who may be signalled, when a signal ends, how long an archived one is
//! kept, and how candidate signals group into matches. No I/O.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;

/// How long a signal lasts at most, and how long a removed one is kept in the archive.
const SIGNAL_MONTHS: u32 = 24;
const ARCHIVE_MONTHS: u32 = 60;

/// The day a person born on `birth` turns `age` (someone born on 29 February: 1 March in other years, as
/// `consent::model::age_on` counts).
pub fn birthday(birth: NaiveDate, age: i32) -> NaiveDate {
    let year = birth.year() + age;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).expect("1 March exists"))
}

/// Whether a subject may be signalled on `day`: born, and younger than `max_age`.
pub fn may_be_signalled(birth: NaiveDate, day: NaiveDate, max_age: i32) -> bool {
    birth <= day && day < birthday(birth, max_age)
}

/// A signal ends at the earlier of two years after it was made and the subject's `max_age` birthday (the last day it
/// is active is the day before).
pub fn expires_on(created: NaiveDate, birth: NaiveDate, max_age: i32) -> NaiveDate {
    let two_years = created.checked_add_months(Months::new(SIGNAL_MONTHS)).expect("date in range");
    two_years.min(birthday(birth, max_age))
}

/// Until when a removed ("risk gone") or expired signal stays in the archive: five years, never past the `max_age`
/// birthday. None when that day has come already: the signal is deleted instead.
pub fn archive_until(removed: NaiveDate, birth: NaiveDate, max_age: i32) -> Option<NaiveDate> {
    let five_years = removed.checked_add_months(Months::new(ARCHIVE_MONTHS)).expect("date in range");
    let until = five_years.min(birthday(birth, max_age));
    (until > removed).then_some(until)
}

/// Working days a match may wait for every signaller's contact confirmation before it is overdue.
pub const CONFIRM_WORKING_DAYS: i64 = 10;

/// Whether a member who joined on `joined` and has not confirmed contact makes the match overdue on `today`.
pub fn confirmation_overdue(calendar: &WorkCalendar, joined: NaiveDate, today: NaiveDate) -> bool {
    calendar.working_days_between(joined, today) > CONFIRM_WORKING_DAYS
}

/// The same rule as a moment, for SQL: an unconfirmed member who joined before it is overdue on `today`. (The
/// working days since a day only grow the earlier the day, so the overdue days are all those before one day.)
pub fn overdue_if_joined_before(calendar: &WorkCalendar, today: NaiveDate) -> NaiveDateTime {
    calendar.last_day_at_most(today, CONFIRM_WORKING_DAYS).and_time(chrono::NaiveTime::MIN)
}

/// The matchregisseur reminds a match's unconfirmed signallers at most once in this many hours.
pub const REMINDER_INTERVAL_HOURS: i64 = 24;

/// Whether a match last reminded at `last` (None: never) may be reminded again at `now`.
pub fn may_remind(last: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    last.is_none_or(|last| now - last >= chrono::Duration::hours(REMINDER_INTERVAL_HOURS))
}

/// Why a signaller removes their signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// It should not have been made: deleted, not archived.
    Unjustified,
    /// The risk is gone: archived.
    RiskGone,
}

/// How a new signal relates to another organisation's signal. Ordered: a pair that matches on the person is not
/// matched again on the address, nor one at the same address on the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The same person.
    Person,
    /// A person living at the same (non-institutional) address on the day of signalling.
    Address,
    /// A child of the same parent.
    Parent,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Person => "person",
            MatchKind::Address => "address",
            MatchKind::Parent => "parent",
        }
    }

    pub fn parse(s: &str) -> Option<MatchKind> {
        [MatchKind::Person, MatchKind::Address, MatchKind::Parent].into_iter().find(|k| k.as_str() == s)
    }
}

/// The key an address match is kept on: postcode, house number and addition, normalised (`2716BB|8|A`), so that every
/// household record at one address gives the same key. The addition ignores case, spaces and punctuation.
pub fn address_key(postcode: &str, house_number: i32, addition: Option<&str>) -> String {
    let postcode: String = postcode.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
    let addition: String =
        addition.unwrap_or_default().chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    format!("{postcode}|{house_number}|{addition}")
}

/// Another organisation's active signal found for a new one: its id, the kind, and the key the match is kept on
/// (the person, the address — see `address_key` —, or the parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub signal_id: String,
    pub kind: MatchKind,
    pub key: String,
}

/// Groups candidates into matches: each other signal joins only its best (lowest) kind — for the parent kind, via
/// the parent with the lowest id, so full siblings form one match, not two. Result: (kind, key) → signal ids.
pub fn group(candidates: Vec<Candidate>) -> BTreeMap<(MatchKind, String), Vec<String>> {
    let mut best: BTreeMap<String, (MatchKind, String)> = BTreeMap::new();
    for c in candidates {
        let entry = best.entry(c.signal_id).or_insert((c.kind, c.key.clone()));
        if (c.kind, &c.key) < (entry.0, &entry.1) {
            *entry = (c.kind, c.key);
        }
    }
    let mut out: BTreeMap<(MatchKind, String), Vec<String>> = BTreeMap::new();
    for (signal, key) in best {
        out.entry(key).or_default().push(signal);
    }
    out
}

/// A phone number as people write it: digits with spaces, dashes, brackets and a leading +; 6 to 15 digits.
pub fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && s.chars().all(|c| c.is_ascii_digit() || " -()".contains(c) || c == '+')
        && s.chars().skip(1).all(|c| c != '+')
}

/// A plausible email address: one @, something before it, a dotted domain after it, no spaces.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && s.len() <= 254
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_signal_ends_two_years_on_or_at_the_23rd_birthday_whichever_is_first() {
        // Born 2010: two years come first.
        assert_eq!(expires_on(d("2026-11-23"), d("2010-05-01"), 23), d("2028-11-23"));
        // Turns 23 in four months: the birthday comes first.
        assert_eq!(expires_on(d("2026-11-23"), d("2004-03-15"), 23), d("2027-03-15"));
        // Exactly two years before the birthday: both the same day.
        assert_eq!(expires_on(d("2026-11-23"), d("2005-11-23"), 23), d("2028-11-23"));
        // A municipality with adult signalling up to 27.
        assert_eq!(expires_on(d("2026-11-23"), d("2004-03-15"), 27), d("2028-11-23"));
    }

    #[test]
    fn the_age_limit_is_the_day_before_the_birthday() {
        let birth = d("2003-11-24");
        assert!(may_be_signalled(birth, d("2026-11-23"), 23), "22 until tomorrow");
        assert!(!may_be_signalled(birth, d("2026-11-24"), 23), "23 today");
        assert!(!may_be_signalled(d("2026-12-01"), d("2026-11-23"), 23), "not born yet");
        assert!(may_be_signalled(d("2026-11-23"), d("2026-11-23"), 23), "born today");
    }

    #[test]
    fn leap_day_birthdays_fall_on_the_first_of_march() {
        assert_eq!(birthday(d("2004-02-29"), 23), d("2027-03-01"));
        assert_eq!(birthday(d("2004-02-29"), 24), d("2028-02-29"));
    }

    #[test]
    fn the_archive_keeps_five_years_never_past_the_23rd_birthday() {
        assert_eq!(archive_until(d("2026-11-23"), d("2015-01-01"), 23), Some(d("2031-11-23")));
        assert_eq!(archive_until(d("2026-11-23"), d("2005-06-01"), 23), Some(d("2028-06-01")));
        // Expired on the 23rd birthday itself: nothing to keep.
        assert_eq!(archive_until(d("2026-11-23"), d("2003-11-23"), 23), None);
    }

    #[test]
    fn the_overdue_moment_agrees_with_the_working_day_rule() {
        let cal = WorkCalendar::default();
        // November has no holiday; late December and early May 2027 have several.
        for start in ["2026-11-01", "2026-12-20", "2027-04-20"] {
            for today in (0..28).map(|n| d(start) + chrono::Duration::days(n)) {
                let before = overdue_if_joined_before(&cal, today);
                for joined in (0..40).map(|n| today - chrono::Duration::days(n)) {
                    let at = joined.and_hms_opt(13, 30, 0).unwrap();
                    let overdue = confirmation_overdue(&cal, joined, today);
                    assert_eq!(at < before, overdue, "joined {joined}, today {today}");
                }
            }
        }
        // On a Monday: who joined on the Monday two weeks before has had ten working days, who joined the day before
        // that eleven.
        assert_eq!(overdue_if_joined_before(&cal, d("2026-11-23")), d("2026-11-09").and_hms_opt(0, 0, 0).unwrap());
    }

    #[test]
    fn holidays_are_no_working_days_for_the_confirmation() {
        // Joined Monday 2027-04-19. Ten weekdays later is Monday 3 May, but Koningsdag (Tuesday 27 April) is off, so
        // the tenth working day is Tuesday 4 May; Wednesday 5 May (Bevrijdingsdag) and Thursday 6 May
        // (Hemelvaartsdag) add none.
        let cal = WorkCalendar::default();
        assert!(!confirmation_overdue(&cal, d("2027-04-19"), d("2027-05-04")));
        assert!(!confirmation_overdue(&cal, d("2027-04-19"), d("2027-05-05")));
        assert!(!confirmation_overdue(&cal, d("2027-04-19"), d("2027-05-06")));
        assert!(confirmation_overdue(&cal, d("2027-04-19"), d("2027-05-07")));
        assert_eq!(overdue_if_joined_before(&cal, d("2027-05-05")), d("2027-04-19").and_hms_opt(0, 0, 0).unwrap());
        // Where Bevrijdingsdag is a holiday only every five years, 5 May 2027 is the eleventh working day.
        let lustrum = WorkCalendar { liberation_day: crate::calendar::LiberationDay::EveryFiveYears, ..cal };
        assert!(confirmation_overdue(&lustrum, d("2027-04-19"), d("2027-05-05")));
    }

    #[test]
    fn a_match_is_reminded_at_most_once_a_day() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert!(may_remind(None, at("2026-11-23 09:00:00")), "never reminded");
        assert!(!may_remind(Some(at("2026-11-23 09:00:00")), at("2026-11-23 09:00:00")));
        assert!(!may_remind(Some(at("2026-11-22 09:00:01")), at("2026-11-23 09:00:00")), "23 hours 59 later");
        assert!(may_remind(Some(at("2026-11-22 09:00:00")), at("2026-11-23 09:00:00")), "a day later");
    }

    #[test]
    fn each_other_signal_joins_its_best_match_only() {
        let c = |s: &str, kind, key: &str| Candidate { signal_id: s.into(), kind, key: key.into() };
        let groups = group(vec![
            c("s1", MatchKind::Person, "p"),
            c("s2", MatchKind::Parent, "mother"),
            c("s2", MatchKind::Address, "h"),
            c("s3", MatchKind::Parent, "mother"),
            c("s4", MatchKind::Parent, "father"),
            c("s4", MatchKind::Parent, "amother"),
            c("s5", MatchKind::Parent, "father"),
        ]);
        assert_eq!(groups[&(MatchKind::Person, "p".into())], vec!["s1"]);
        assert_eq!(groups[&(MatchKind::Address, "h".into())], vec!["s2"], "address beats parent");
        assert_eq!(groups[&(MatchKind::Parent, "mother".into())], vec!["s3"]);
        assert_eq!(groups[&(MatchKind::Parent, "amother".into())], vec!["s4"], "full siblings: one parent");
        assert_eq!(groups[&(MatchKind::Parent, "father".into())], vec!["s5"]);
        assert_eq!(groups.len(), 5);
    }

    #[test]
    fn an_address_key_is_the_normalised_address() {
        assert_eq!(address_key("2716BB", 8, None), "2716BB|8|");
        assert_eq!(address_key("2716 bb", 8, Some(" a ")), address_key("2716BB", 8, Some("A")));
        assert_eq!(address_key("2716BB", 8, Some("-2")), address_key("2716BB", 8, Some("2")));
        assert_ne!(address_key("2716BB", 8, Some("A")), address_key("2716BB", 8, None));
        assert_ne!(address_key("2716BB", 8, None), address_key("2716BB", 80, None));
        assert_ne!(address_key("2716BB", 1, Some("2")), address_key("2716BB", 12, None));
    }

    #[test]
    fn contact_details_are_checked() {
        assert!(is_phone("079 123 45 67") && is_phone("+31 6-12345678") && is_phone("(079) 1234567"));
        assert!(!is_phone("12345") && !is_phone("bel me") && !is_phone("06+12345678"));
        assert!(is_email("s.devries@jgz.example.nl"));
        assert!(!is_email("sanne") && !is_email("a@b") && !is_email("a b@c.nl") && !is_email("@c.nl"));
    }
}
