//! Break-glass rules: reasons, what counts as a written justification, and when an unreviewed use stands out.
//! No I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;

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

/// Working days an unreviewed use may wait for its review.
pub const REVIEW_WORKING_DAYS: i64 = 5;

/// An unreviewed use stands out once more than five working days have passed.
pub fn review_overdue(calendar: &WorkCalendar, started: NaiveDate, today: NaiveDate) -> bool {
    calendar.working_days_between(started, today) > REVIEW_WORKING_DAYS
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
        let cal = WorkCalendar::default();
        // Monday 2026-11-16 → Monday 2026-11-23 is five working days.
        assert!(!review_overdue(&cal, d("2026-11-16"), d("2026-11-23")));
        assert!(review_overdue(&cal, d("2026-11-16"), d("2026-11-24")));
        // Friday 2026-11-20 → the Monday after next is six working days.
        assert!(!review_overdue(&cal, d("2026-11-20"), d("2026-11-27")));
        assert!(review_overdue(&cal, d("2026-11-20"), d("2026-11-30")));
    }

    #[test]
    fn christmas_is_no_working_day_for_the_review() {
        let cal = WorkCalendar::default();
        // Started Friday 2026-12-18: 21–24 December are four working days, Friday 25 December (Eerste Kerstdag) is
        // none, Monday 28 December the fifth. Without Christmas the 28th would have been the sixth.
        assert!(!review_overdue(&cal, d("2026-12-18"), d("2026-12-28")));
        assert!(review_overdue(&cal, d("2026-12-18"), d("2026-12-29")));
        assert!(review_overdue(&cal, d("2026-11-20"), d("2026-11-30")), "the same weekdays without a holiday");
    }
}
