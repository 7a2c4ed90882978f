//! The escalation ladder (DESIGN §5) as pure rules: the three levels, whom each addresses, its respond-by date in
//! working days, and when an unanswered level rises. No I/O.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;
use crate::rules::EscalationRules;

/// The highest level; it does not rise further.
pub const TOP: i64 = 3;

/// Whom a level addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    /// The teamleider of the team that owns the case.
    Teamleider,
    /// Every procescoördinator.
    Procescoordinator,
    /// The official or role holding doorzettingsmacht (rules: `escalation.doorzettingsmacht`).
    Doorzettingsmacht,
}

/// The addressee of a level (1 to 3).
pub fn addressee(level: i64) -> Addressee {
    match level {
        1 => Addressee::Teamleider,
        2 => Addressee::Procescoordinator,
        _ => Addressee::Doorzettingsmacht,
    }
}

/// Working days a level has to respond.
pub fn working_days(level: i64, rules: &EscalationRules) -> i64 {
    match level {
        1 => rules.level1_working_days,
        2 => rules.level2_working_days,
        _ => rules.level3_working_days,
    }
}

/// The day by which a level reached on `since` must respond: that many working days later.
pub fn respond_by(level: i64, since: NaiveDate, rules: &EscalationRules, cal: &WorkCalendar) -> NaiveDate {
    cal.add_working_days(since, working_days(level, rules))
}

/// The level an open escalation rises to today, when its level went unanswered past its respond-by date; None
/// when it holds (answered, not yet due, or at the top).
pub fn rises_to(level: i64, respond_by: NaiveDate, responded: bool, today: NaiveDate) -> Option<i64> {
    (!responded && today > respond_by && level < TOP).then_some(level + 1)
}

/// The note a convene step keeps: how many professionals were invited (Dutch, as the page shows it).
pub fn convened_note(invited: usize) -> String {
    format!("{invited} {} uitgenodigd", if invited == 1 { "hulpverlener" } else { "hulpverleners" })
}

/// One rung of the ladder as shown with an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rung {
    pub level: i64,
    pub addressee: Addressee,
    /// Working days this level has to respond.
    pub working_days: i64,
    /// For a passed or the current level its deadline; for a level above, the deadline it would have if the one
    /// below went unanswered.
    pub respond_by: NaiveDate,
    /// Passed, current or still to come.
    pub state: RungState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RungState {
    Passed,
    Current,
    Ahead,
}

/// The ladder of an escalation now at `level` whose current respond-by date is `current_respond_by`: the levels
/// below as passed (their dates are in the steps), the current one, and those above as they would follow.
/// `passed_respond_by` gives the deadline each lower level had, when known.
pub fn ladder(
    level: i64,
    current_respond_by: NaiveDate,
    passed_respond_by: &[(i64, NaiveDate)],
    rules: &EscalationRules,
    cal: &WorkCalendar,
) -> Vec<Rung> {
    let mut out = Vec::new();
    let mut next_from = current_respond_by;
    for l in 1..=TOP {
        let (state, date) = match l.cmp(&level) {
            std::cmp::Ordering::Less => {
                let date = passed_respond_by.iter().find(|(pl, _)| *pl == l).map(|(_, d)| *d);
                match date {
                    Some(d) => (RungState::Passed, d),
                    // Raised straight at a higher level (a procescoördinator raises at 2): no date of its own.
                    None => continue,
                }
            }
            std::cmp::Ordering::Equal => (RungState::Current, current_respond_by),
            std::cmp::Ordering::Greater => {
                next_from = respond_by(l, next_from, rules, cal);
                (RungState::Ahead, next_from)
            }
        };
        out.push(Rung {
            level: l,
            addressee: addressee(l),
            working_days: working_days(l, rules),
            respond_by: date,
            state,
        });
    }
    out
}

/// Whether a stuck reason that has held since `since` raises level 1 by itself today: it has held at least
/// `auto_raise_after_working_days` working days.
pub fn auto_raise_due(since: NaiveDate, today: NaiveDate, rules: &EscalationRules, cal: &WorkCalendar) -> bool {
    cal.add_working_days(since, rules.auto_raise_after_working_days) <= today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn each_level_addresses_its_own_and_has_its_working_days() {
        let rules = EscalationRules::default();
        assert_eq!(addressee(1), Addressee::Teamleider);
        assert_eq!(addressee(2), Addressee::Procescoordinator);
        assert_eq!(addressee(3), Addressee::Doorzettingsmacht);
        assert_eq!([1, 2, 3].map(|l| working_days(l, &rules)), [5, 10, 10]);
    }

    #[test]
    fn the_ladder_rises_the_day_after_its_respond_by_date_and_not_past_the_top() {
        let rules = EscalationRules::default();
        let cal = WorkCalendar::default();
        // Raised on Monday 7 December 2026: five working days is Monday 14 December.
        let by = respond_by(1, d(2026, 12, 7), &rules, &cal);
        assert_eq!(by, d(2026, 12, 14));
        assert_eq!(rises_to(1, by, false, d(2026, 12, 14)), None, "the deadline day itself is still on time");
        assert_eq!(rises_to(1, by, false, d(2026, 12, 15)), Some(2));
        assert_eq!(rises_to(1, by, true, d(2026, 12, 15)), None, "answered: the clock stopped");
        assert_eq!(rises_to(2, by, false, d(2026, 12, 15)), Some(3));
        assert_eq!(rises_to(3, by, false, d(2027, 3, 1)), None, "level 3 does not rise");
    }

    #[test]
    fn respond_by_skips_the_christmas_and_easter_holidays() {
        let rules = EscalationRules::default();
        let cal = WorkCalendar::default();
        // Level 1 reached on Wednesday 23 December 2026: Christmas (25, 26) and the weekend pass; New Year's Day
        // (1 January 2027, a Friday) too: 24, 28, 29, 30, 31 December.
        assert_eq!(respond_by(1, d(2026, 12, 23), &rules, &cal), d(2026, 12, 31));
        // Level 2 reached on Thursday 25 March 2027: Good Friday 26 March and Easter Monday 29 March are days off.
        // Ten working days: 30, 31 March, 1, 2, 5, 6, 7, 8, 9, 12 April.
        assert_eq!(respond_by(2, d(2027, 3, 25), &rules, &cal), d(2027, 4, 12));
    }

    #[test]
    fn the_ladder_shows_passed_current_and_projected_levels() {
        let rules = EscalationRules::default();
        let cal = WorkCalendar::default();
        let at_one = ladder(1, d(2026, 12, 14), &[], &rules, &cal);
        assert_eq!(
            at_one.iter().map(|r| r.state).collect::<Vec<_>>(),
            [RungState::Current, RungState::Ahead, RungState::Ahead]
        );
        // Level 2 follows 10 working days after 14 December: 15–18, 21–24, 28, 29 (Christmas off).
        assert_eq!(at_one[1].respond_by, d(2026, 12, 29));
        assert_eq!(at_one[2].respond_by, respond_by(3, d(2026, 12, 29), &rules, &cal));
        // Raised straight at level 2: level 1 is not shown.
        let at_two = ladder(2, d(2026, 12, 21), &[], &rules, &cal);
        assert_eq!(at_two.iter().map(|r| r.level).collect::<Vec<_>>(), [2, 3]);
        let risen = ladder(2, d(2026, 12, 29), &[(1, d(2026, 12, 14))], &rules, &cal);
        assert_eq!(
            risen[0],
            Rung {
                level: 1,
                addressee: Addressee::Teamleider,
                working_days: 5,
                respond_by: d(2026, 12, 14),
                state: RungState::Passed
            }
        );
    }

    #[test]
    fn a_reason_raises_level_one_after_its_working_days() {
        let rules = EscalationRules::default();
        let cal = WorkCalendar::default();
        // Since Monday 7 December 2026: ten working days is Monday 21 December.
        assert!(!auto_raise_due(d(2026, 12, 7), d(2026, 12, 18), &rules, &cal));
        assert!(auto_raise_due(d(2026, 12, 7), d(2026, 12, 21), &rules, &cal));
    }
}
