//! The rules of Mijn werk: when something is due and in which panel it belongs. No I/O.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// "Binnenkort": due within this many days after today.
pub const SOON_DAYS: i64 = 14;
/// A consent "ends soon" within this many days.
pub const CONSENT_ENDING_DAYS: i64 = 30;
/// A person (or household) is measured again with the ZRM this long after their last assessment, unless that was
/// the end assessment.
pub const ZRM_INTERVAL_MONTHS: u32 = 6;

/// Where a due item belongs, seen from today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Te laat: the date has passed.
    Overdue,
    /// Vandaag.
    Today,
    /// Binnenkort: within `SOON_DAYS`.
    Soon,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Overdue, Urgency::Today, Urgency::Soon];

    /// The panel of a date, or None when it is further away.
    pub fn of(due: NaiveDate, today: NaiveDate) -> Option<Urgency> {
        let days = (due - today).num_days();
        match days {
            d if d < 0 => Some(Urgency::Overdue),
            0 => Some(Urgency::Today),
            d if d <= SOON_DAYS => Some(Urgency::Soon),
            _ => None,
        }
    }
}

/// What is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// An action of the agreed plan that is not done.
    Action,
    /// The plan's next evaluation.
    Evaluation,
    /// A ZRM re-measurement.
    Zrm,
}

/// Whether an action with this progress status still has to be done (no progress recorded: planned).
pub fn action_open(status: Option<&str>) -> bool {
    !matches!(status, Some("done" | "cancelled"))
}

/// The date of the next evaluation: the one set by the last evaluation when it was held on or after the plan's
/// own date (or the plan has none), else the plan's date. `evaluations`: (held on, next date it set).
pub fn next_evaluation(
    plan_date: Option<NaiveDate>,
    evaluations: &[(NaiveDate, Option<NaiveDate>)],
) -> Option<NaiveDate> {
    let last = evaluations.iter().max_by_key(|(held, _)| *held);
    match (plan_date, last) {
        (Some(plan), Some((held, next))) if *held >= plan => *next,
        (None, Some((_, next))) => *next,
        (plan, _) => plan,
    }
}

/// When a subject (a person, or the household: `None`) is to be measured again: `ZRM_INTERVAL_MONTHS` after their
/// latest assessment, unless that was the end assessment. `assessments`: (subject, kind, assessed on).
pub fn zrm_due(assessments: &[(Option<String>, String, NaiveDate)]) -> Vec<(Option<String>, NaiveDate)> {
    let mut latest: Vec<(Option<String>, String, NaiveDate)> = Vec::new();
    for (subject, kind, on) in assessments {
        match latest.iter_mut().find(|(s, _, _)| s == subject) {
            Some(entry) if entry.2 <= *on => *entry = (subject.clone(), kind.clone(), *on),
            Some(_) => {}
            None => latest.push((subject.clone(), kind.clone(), *on)),
        }
    }
    latest
        .into_iter()
        .filter(|(_, kind, _)| kind != "end")
        .filter_map(|(s, _, on)| on.checked_add_months(Months::new(ZRM_INTERVAL_MONTHS)).map(|d| (s, d)))
        .collect()
}

/// Whether a consent that holds today ends within `CONSENT_ENDING_DAYS` (the last day included).
pub fn consent_ending(valid_from: NaiveDate, valid_until: NaiveDate, withdrawn: bool, today: NaiveDate) -> bool {
    !withdrawn && valid_from <= today && valid_until >= today && (valid_until - today).num_days() <= CONSENT_ENDING_DAYS
}

/// A household as a list names it: its members' names (oldest first, at most three, then how many more).
pub fn household_name(mut members: Vec<(String, NaiveDate)>) -> Option<String> {
    if members.is_empty() {
        return None;
    }
    members.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let names: Vec<&str> = members.iter().take(3).map(|(n, _)| n.as_str()).collect();
    let more = members.len().saturating_sub(3);
    let mut out = match names.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} en {}", init.join(", "), last),
        [] => String::new(),
    };
    if more > 0 {
        out = format!("{} en nog {} {}", names.join(", "), more, if more == 1 { "ander" } else { "anderen" });
    }
    Some(out)
}

/// Where an action stands for the one who carries it out: open, bezig, klaar, vervallen, or te laat (open or bezig
/// past its due date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Te laat: not done or cancelled, and its due date has passed.
    Overdue,
    /// Open: planned, nothing recorded yet.
    Open,
    /// Bezig.
    InProgress,
    /// Klaar.
    Done,
    /// Vervallen.
    Cancelled,
}

/// The standing of an action with this progress status (None: not tracked, i.e. planned) and due date, today.
pub fn standing(status: Option<&str>, due: Option<NaiveDate>, today: NaiveDate) -> Standing {
    match status {
        Some("done") => Standing::Done,
        Some("cancelled") => Standing::Cancelled,
        _ if due.is_some_and(|d| d < today) => Standing::Overdue,
        Some("in_progress") => Standing::InProgress,
        _ => Standing::Open,
    }
}

/// The order of "Mijn acties" as a string key (also the list's cursor): what still has to be done first, by due
/// date (so the overdue ones lead), then what is done or cancelled; actions without a date last in their group.
pub fn action_key(standing: Standing, due: Option<NaiveDate>, case_id: &str, action_id: &str) -> String {
    let group = if matches!(standing, Standing::Done | Standing::Cancelled) { 1 } else { 0 };
    let due = due.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "9999-12-31".into());
    format!("{group}|{due}|{case_id}|{action_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_date_falls_in_one_panel_or_none() {
        let today = d("2027-03-10");
        assert_eq!(Urgency::of(d("2027-03-09"), today), Some(Urgency::Overdue));
        assert_eq!(Urgency::of(d("2026-01-01"), today), Some(Urgency::Overdue));
        assert_eq!(Urgency::of(today, today), Some(Urgency::Today));
        assert_eq!(Urgency::of(d("2027-03-11"), today), Some(Urgency::Soon));
        assert_eq!(Urgency::of(d("2027-03-24"), today), Some(Urgency::Soon), "the fourteenth day is soon");
        assert_eq!(Urgency::of(d("2027-03-25"), today), None);
    }

    #[test]
    fn done_and_cancelled_actions_are_not_due() {
        assert!(action_open(None));
        assert!(action_open(Some("planned")));
        assert!(action_open(Some("in_progress")));
        assert!(!action_open(Some("done")));
        assert!(!action_open(Some("cancelled")));
    }

    #[test]
    fn the_last_evaluation_sets_the_next_date() {
        assert_eq!(next_evaluation(None, &[]), None);
        assert_eq!(next_evaluation(Some(d("2027-04-01")), &[]), Some(d("2027-04-01")));
        // Held on the plan's date: its own next date counts.
        let held = [(d("2027-04-01"), Some(d("2027-07-01")))];
        assert_eq!(next_evaluation(Some(d("2027-04-01")), &held), Some(d("2027-07-01")));
        // An evaluation before the (new) plan's date does not replace it.
        let before = [(d("2027-01-15"), Some(d("2027-02-01")))];
        assert_eq!(next_evaluation(Some(d("2027-04-01")), &before), Some(d("2027-04-01")));
        // The latest of several counts; a closing evaluation sets none.
        let several = [(d("2027-05-01"), None), (d("2027-04-01"), Some(d("2027-05-01")))];
        assert_eq!(next_evaluation(Some(d("2027-04-01")), &several), None);
        assert_eq!(next_evaluation(None, &[(d("2027-01-01"), Some(d("2027-02-01")))]), Some(d("2027-02-01")));
    }

    #[test]
    fn a_zrm_re_measurement_follows_the_latest_assessment_of_each_subject() {
        let a = |s: Option<&str>, kind: &str, on: &str| (s.map(String::from), kind.to_string(), d(on));
        let due = zrm_due(&[
            a(Some("p1"), "start", "2026-01-10"),
            a(Some("p1"), "intermediate", "2026-07-01"),
            a(None, "start", "2026-02-01"),
            a(Some("p2"), "start", "2026-01-01"),
            a(Some("p2"), "end", "2026-06-01"),
        ]);
        assert_eq!(due, vec![(Some("p1".to_string()), d("2027-01-01")), (None, d("2026-08-01"))]);
        // Month ends are kept in range.
        assert_eq!(zrm_due(&[a(None, "start", "2026-08-31")]), vec![(None, d("2027-02-28"))]);
    }

    #[test]
    fn consents_ending_within_thirty_days() {
        let today = d("2027-03-10");
        assert!(consent_ending(d("2027-01-01"), today, false, today), "ends today");
        assert!(consent_ending(d("2027-01-01"), d("2027-04-09"), false, today), "the thirtieth day");
        assert!(!consent_ending(d("2027-01-01"), d("2027-04-10"), false, today));
        assert!(!consent_ending(d("2027-01-01"), d("2027-03-09"), false, today), "already ended");
        assert!(!consent_ending(d("2027-01-01"), d("2027-03-20"), true, today), "withdrawn");
        assert!(!consent_ending(d("2027-03-11"), d("2027-03-20"), false, today), "not started");
    }

    #[test]
    fn households_are_named_by_their_members() {
        let m = |n: &str, b: &str| (n.to_string(), d(b));
        assert_eq!(household_name(vec![]), None);
        assert_eq!(household_name(vec![m("Sanne", "1990-01-01")]).as_deref(), Some("Sanne"));
        assert_eq!(
            household_name(vec![m("Kind", "2015-01-01"), m("Moeder", "1985-01-01")]).as_deref(),
            Some("Moeder en Kind")
        );
        assert_eq!(
            household_name(vec![
                m("D", "2018-01-01"),
                m("A", "1980-01-01"),
                m("B", "1982-01-01"),
                m("C", "2010-01-01"),
                m("E", "2020-01-01")
            ])
            .as_deref(),
            Some("A, B, C en nog 2 anderen")
        );
    }

    #[test]
    fn an_action_is_late_until_it_is_done_or_cancelled() {
        let today = d("2027-03-10");
        let past = Some(d("2027-03-09"));
        assert_eq!(standing(None, past, today), Standing::Overdue);
        assert_eq!(standing(Some("planned"), past, today), Standing::Overdue);
        assert_eq!(standing(Some("in_progress"), past, today), Standing::Overdue);
        assert_eq!(standing(Some("done"), past, today), Standing::Done);
        assert_eq!(standing(Some("cancelled"), past, today), Standing::Cancelled);
        assert_eq!(standing(Some("planned"), Some(today), today), Standing::Open, "due today is not late yet");
        assert_eq!(standing(Some("in_progress"), Some(today), today), Standing::InProgress);
        assert_eq!(standing(None, None, today), Standing::Open);
    }

    #[test]
    fn open_actions_come_first_by_due_date_and_done_ones_last() {
        let k = |s, due: Option<&str>, a: &str| action_key(s, due.map(d), "c1", a);
        let mut keys = [
            k(Standing::Done, Some("2026-01-01"), "done-early"),
            k(Standing::Open, None, "undated"),
            k(Standing::Open, Some("2027-04-01"), "later"),
            k(Standing::Overdue, Some("2027-03-01"), "late"),
            k(Standing::InProgress, Some("2027-03-20"), "busy"),
        ];
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.rsplit('|').next().unwrap()).collect();
        assert_eq!(order, ["late", "busy", "later", "undated", "done-early"]);
    }
}
