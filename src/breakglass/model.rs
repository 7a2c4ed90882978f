//! Break-glass rules: reasons, what counts as a written justification, and when an unreviewed use stands out.
//! No I/O.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    AcuteDangerChild,
    AcuteDangerAdult,
    AcuteCareAvoidance,
    Other,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AcuteDangerChild => "acute_danger_child",
            Reason::AcuteDangerAdult => "acute_danger_adult",
            Reason::AcuteCareAvoidance => "acute_care_avoidance",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        [Reason::AcuteDangerChild, Reason::AcuteDangerAdult, Reason::AcuteCareAvoidance, Reason::Other]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// At least a sentence: some thirty characters and five words, not a code or a single word.
pub fn is_justification(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() >= 30 && t.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count() >= 5
}

/// Working days (Monday to Friday) after `from` up to and including `to`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut days = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            days += 1;
        }
    }
    days
}

/// An unreviewed use stands out once more than five working days have passed.
pub fn review_overdue(started: NaiveDate, today: NaiveDate) -> bool {
    working_days_between(started, today) > 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_justification_is_at_least_a_sentence() {
        assert!(!is_justification("acuut"));
        assert!(!is_justification("zie melding 12345678 van vandaag"), "digits are not words");
        assert!(is_justification("Buren melden geschreeuw en een huilend kind; niemand doet open."));
    }

    #[test]
    fn five_working_days_skip_weekends() {
        // Monday 2026-11-16 → Monday 2026-11-23 is five working days.
        assert_eq!(working_days_between(d("2026-11-16"), d("2026-11-23")), 5);
        assert!(!review_overdue(d("2026-11-16"), d("2026-11-23")));
        assert!(review_overdue(d("2026-11-16"), d("2026-11-24")));
        // Friday → next Monday: one working day.
        assert_eq!(working_days_between(d("2026-11-20"), d("2026-11-23")), 1);
    }
}
