//! The case lifecycle: registered → intake → planning → active ⇄ evaluating → closed, closing from any open
//! state with a reason. No I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Registered,
    Intake,
    Planning,
    Active,
    Evaluating,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    GoalReached,
    Moved,
    RefusedHelp,
    Transferred,
    Other,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::GoalReached => "goal_reached",
            CloseReason::Moved => "moved",
            CloseReason::RefusedHelp => "refused_help",
            CloseReason::Transferred => "transferred",
            CloseReason::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Law {
    Wmo,
    Jeugdwet,
    Participatiewet,
}

/// The laws a case records, as stored (`Wmo,Jeugdwet`).
pub fn parse_laws(stored: &str) -> Vec<Law> {
    stored
        .split(',')
        .filter_map(|l| match l.trim() {
            "Wmo" => Some(Law::Wmo),
            "Jeugdwet" => Some(Law::Jeugdwet),
            "Participatiewet" => Some(Law::Participatiewet),
            _ => None,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// Not a step this state allows; lists the ones it does (for the 409 answer).
    NotAllowed {
        from: CaseState,
        to: CaseState,
        allowed: Vec<CaseState>,
    },
    /// Closing needs a reason; other steps take none.
    ReasonRequired,
    ReasonNotExpected,
}

impl CaseState {
    pub const ALL: [CaseState; 6] = [
        CaseState::Registered,
        CaseState::Intake,
        CaseState::Planning,
        CaseState::Active,
        CaseState::Evaluating,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Registered => "registered",
            CaseState::Intake => "intake",
            CaseState::Planning => "planning",
            CaseState::Active => "active",
            CaseState::Evaluating => "evaluating",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self != CaseState::Closed
    }

    /// The states this one may move to. A closed case moves nowhere: it is reopened as a new case.
    pub fn allowed_next(self) -> Vec<CaseState> {
        use CaseState::*;
        match self {
            Registered => vec![Intake, Closed],
            Intake => vec![Planning, Closed],
            Planning => vec![Active, Closed],
            Active => vec![Evaluating, Closed],
            Evaluating => vec![Active, Closed],
            Closed => vec![],
        }
    }

    pub fn transition(self, to: CaseState, reason: Option<CloseReason>) -> Result<CaseState, TransitionError> {
        if !self.allowed_next().contains(&to) {
            return Err(TransitionError::NotAllowed { from: self, to, allowed: self.allowed_next() });
        }
        match (to, reason) {
            (CaseState::Closed, None) => Err(TransitionError::ReasonRequired),
            (CaseState::Closed, Some(_)) => Ok(to),
            (_, Some(_)) => Err(TransitionError::ReasonNotExpected),
            (_, None) => Ok(to),
        }
    }
}

// Coming of age (18-/18+): a young person in an open case who turns 18 soon needs a plan for how care goes on
// under adult law (Wmo, Participatiewet, Zvw, Wlz), because youth care (Jeugdwet) ends on the 18th birthday.

/// The day a person born on `birth` turns 18: the birthday, or 1 March for a birth on 29 February in a year that has
/// none (as `consent::model::age_on` counts age).
pub fn eighteenth_birthday(birth: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let year = birth.year() + 18;
    chrono::NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| chrono::NaiveDate::from_ymd_opt(year, 3, 1))
        .expect("a valid date")
}

/// A birth date whose 18th birthday is `day` (for a 29 February: 29 February 18 years before when that year has one,
/// else 1 March — whose 18th birthday is then 1 March, the day after).
pub fn born_eighteen_years_before(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(day.year() - 18, day.month(), day.day())
        .or_else(|| chrono::NaiveDate::from_ymd_opt(day.year() - 18, 3, 1))
        .expect("a valid date")
}

/// Whether `day` falls after `today` and no later than `months` calendar months after it (a month on from 31 August
/// is 30 September: the month's last day when it has no 31st).
pub fn within_months(today: chrono::NaiveDate, day: chrono::NaiveDate, months: u32) -> bool {
    let until = today.checked_add_months(chrono::Months::new(months)).unwrap_or(chrono::NaiveDate::MAX);
    today < day && day <= until
}

/// The members of a household who turn 18 within `months` from `today`: (person, birthday), soonest first.
pub fn turning_eighteen<'a>(
    members: impl IntoIterator<Item = (&'a str, chrono::NaiveDate)>,
    today: chrono::NaiveDate,
    months: u32,
) -> Vec<(String, chrono::NaiveDate)> {
    let mut out: Vec<(String, chrono::NaiveDate)> = members
        .into_iter()
        .map(|(id, birth)| (id.to_string(), eighteenth_birthday(birth)))
        .filter(|(_, day)| within_months(today, *day, months))
        .collect();
    out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::CaseState::*;
    use super::*;

    #[test]
    fn the_happy_path_and_the_evaluation_loop() {
        let mut s = Registered;
        for next in [Intake, Planning, Active, Evaluating, Active, Evaluating] {
            s = s.transition(next, None).unwrap();
        }
        assert_eq!(s.transition(Closed, Some(CloseReason::GoalReached)), Ok(Closed));
    }

    #[test]
    fn every_pair_of_states_is_decided_by_the_table() {
        let allowed: &[(CaseState, CaseState)] =
            &[(Registered, Intake), (Intake, Planning), (Planning, Active), (Active, Evaluating), (Evaluating, Active)];
        for from in CaseState::ALL {
            for to in CaseState::ALL {
                let result = from.transition(to, None);
                if allowed.contains(&(from, to)) {
                    assert_eq!(result, Ok(to), "{from:?} -> {to:?}");
                } else if to == Closed && from.is_open() {
                    assert_eq!(result, Err(TransitionError::ReasonRequired), "{from:?} -> {to:?}");
                    assert_eq!(from.transition(to, Some(CloseReason::Moved)), Ok(Closed));
                } else {
                    let Err(TransitionError::NotAllowed { allowed, .. }) = result else {
                        panic!("{from:?} -> {to:?} must be refused")
                    };
                    assert_eq!(allowed, from.allowed_next());
                }
            }
        }
    }

    #[test]
    fn a_closed_case_goes_nowhere_and_reasons_are_only_for_closing() {
        assert!(Closed.allowed_next().is_empty());
        assert!(Closed.transition(Active, None).is_err());
        assert_eq!(Intake.transition(Planning, Some(CloseReason::Other)), Err(TransitionError::ReasonNotExpected));
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
        }
    }

    fn d(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_eighteenth_birthday_of_a_leap_day_birth_is_the_first_of_march() {
        assert_eq!(eighteenth_birthday(d("2009-06-15")), d("2027-06-15"));
        assert_eq!(eighteenth_birthday(d("2008-02-29")), d("2026-03-01"));
        assert_eq!(eighteenth_birthday(d("2012-02-29")), d("2030-03-01"));
        assert_eq!(eighteenth_birthday(d("2010-02-28")), d("2028-02-28"));
        // The same day the consent rules count 18 from.
        for birth in ["2008-02-29", "2009-06-15", "2010-12-31"] {
            let b = d(birth);
            let day = eighteenth_birthday(b);
            assert_eq!(crate::consent::model::age_on(b, day), 18);
            assert_eq!(crate::consent::model::age_on(b, day.pred_opt().unwrap()), 17);
        }
    }

    #[test]
    fn born_eighteen_years_before_a_day_turns_eighteen_on_it_or_the_day_after() {
        for day in ["2027-06-15", "2028-02-29", "2027-03-01", "2026-12-31"] {
            let birthday = eighteenth_birthday(born_eighteen_years_before(d(day)));
            assert!(birthday == d(day) || birthday == d(day).succ_opt().unwrap(), "{day}: {birthday}");
        }
        assert_eq!(born_eighteen_years_before(d("2028-02-29")), d("2010-03-01"));
    }

    #[test]
    fn turning_eighteen_within_six_months_at_its_boundaries() {
        let today = d("2027-01-15");
        let members = [
            ("in six months", d("2009-07-15")),
            ("in six months and a day", d("2009-07-16")),
            ("tomorrow", d("2009-01-16")),
            ("today", d("2009-01-15")),
            ("adult", d("2000-01-01")),
            ("child", d("2015-01-01")),
        ];
        let found = turning_eighteen(members.iter().map(|(n, b)| (*n, *b)), today, 6);
        assert_eq!(found, [("tomorrow".to_string(), d("2027-01-16")), ("in six months".to_string(), d("2027-07-15"))]);
        // From 31 August, six months on is the last day of February.
        assert!(within_months(d("2026-08-31"), d("2027-02-28"), 6));
        assert!(!within_months(d("2026-08-31"), d("2027-03-01"), 6));
        // A leap-day birth turns 18 on 1 March 2026: six months before is 1 September; on 31 August it is further.
        let leap = [("leap", d("2008-02-29"))];
        let on = |today: &str| turning_eighteen(leap.iter().map(|(n, b)| (*n, *b)), d(today), 6);
        assert_eq!(on("2025-09-01"), [("leap".to_string(), d("2026-03-01"))]);
        assert!(on("2025-08-31").is_empty());
        assert!(on("2026-03-01").is_empty(), "18 today: no longer turning 18");
    }
}
