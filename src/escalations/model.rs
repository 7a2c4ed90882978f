//! Why a case is stuck: the rules of `policies/rules.toml` applied to what is known of one open case. Each rule
//! that holds gives a reason with since when it holds and its weight; the score is their sum. No I/O.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;
use crate::rules::StuckRules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    NoRegisseur,
    NoAgreedPlan,
    ActionsOverdue,
    EvaluationOverdue,
    ManyHands,
    Complexity,
    NoProgress,
    UnconfirmedMatch,
    RegisseurChurn,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 9] = [
        ReasonCode::NoRegisseur,
        ReasonCode::NoAgreedPlan,
        ReasonCode::ActionsOverdue,
        ReasonCode::EvaluationOverdue,
        ReasonCode::ManyHands,
        ReasonCode::Complexity,
        ReasonCode::NoProgress,
        ReasonCode::UnconfirmedMatch,
        ReasonCode::RegisseurChurn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::NoRegisseur => "no_regisseur",
            ReasonCode::NoAgreedPlan => "no_agreed_plan",
            ReasonCode::ActionsOverdue => "actions_overdue",
            ReasonCode::EvaluationOverdue => "evaluation_overdue",
            ReasonCode::ManyHands => "many_hands",
            ReasonCode::Complexity => "complexity",
            ReasonCode::NoProgress => "no_progress",
            ReasonCode::UnconfirmedMatch => "unconfirmed_match",
            ReasonCode::RegisseurChurn => "regisseur_churn",
        }
    }

    pub fn parse(s: &str) -> Option<ReasonCode> {
        ReasonCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One ZRM assessment of a case: whom it is about (None: the household), when, and the score per domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub subject: Option<String>,
    pub on: NaiveDate,
    pub scores: BTreeMap<String, u8>,
}

/// What the rules look at in one open case, read by the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub opened_on: NaiveDate,
    /// A regisseur holds the case now.
    pub has_regisseur: bool,
    /// When the last regisseur's assignment ended (the case has been without one since).
    pub regisseur_left_on: Option<NaiveDate>,
    /// The days accepted regisseurs began, every one of the case.
    pub regisseur_starts: Vec<NaiveDate>,
    pub has_agreed_plan: bool,
    /// Due dates of the agreed plan's actions that are not done.
    pub open_action_dues: Vec<NaiveDate>,
    /// The agreed plan's next evaluation date (after the evaluations held).
    pub next_evaluation: Option<NaiveDate>,
    /// Active involvements (professionals, not procescoördinatoren): organisation, user, since.
    pub involvements: Vec<(String, String, NaiveDate)>,
    pub assessments: Vec<Assessment>,
    /// Per signal match on a household member: the first day an unconfirmed member makes it overdue.
    pub matches_overdue_from: Vec<NaiveDate>,
}

impl CaseFacts {
    /// Organisations and professionals involved now ("hoeveel hulpverleners").
    pub fn involved_counts(&self) -> (i64, i64) {
        (distinct(self.involvements.iter().map(|(o, _, _)| o)), distinct(self.involvements.iter().map(|(_, u, _)| u)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: ReasonCode,
    /// The first day the rule held.
    pub since: NaiveDate,
    pub weight: i64,
    /// The figure the explanation names: working days without regisseur, days since opening without plan, overdue
    /// actions, days the evaluation is late, organisations involved, members, overdue matches, changes (0: none).
    pub figure: i64,
}

/// The reasons that hold on `today`, in the order of `ReasonCode::ALL`.
pub fn reasons(f: &CaseFacts, rules: &StuckRules, cal: &WorkCalendar, today: NaiveDate) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut push = |code, since: Option<NaiveDate>, weight, figure| {
        if let Some(since) = since.filter(|s| *s <= today) {
            out.push(Reason { code, since, weight, figure });
        }
    };

    // No regisseur: counted from the opening, or from the day the last one left.
    if !f.has_regisseur {
        let from = f.regisseur_left_on.map_or(f.opened_on, |left| left.max(f.opened_on));
        let since = cal.add_working_days(from, rules.no_regisseur.working_days);
        push(ReasonCode::NoRegisseur, Some(since), rules.no_regisseur.weight, cal.working_days_between(from, today));
    }

    if !f.has_agreed_plan {
        let since = f.opened_on + chrono::Duration::days(rules.no_agreed_plan.days);
        push(ReasonCode::NoAgreedPlan, Some(since), rules.no_agreed_plan.weight, (today - f.opened_on).num_days());
    }

    let mut overdue: Vec<NaiveDate> = f.open_action_dues.iter().copied().filter(|d| *d < today).collect();
    overdue.sort();
    let r = &rules.actions_overdue;
    // One action more than `days` late: from the day after its `days`-th late day. `count` late at once: from the
    // day after the `count`-th due date passed.
    let long_late = overdue.first().map(|d| *d + chrono::Duration::days(r.days + 1));
    let many_late = usize::try_from(r.count - 1).ok().and_then(|i| overdue.get(i)).map(|d| d.succ_opt().unwrap_or(*d));
    let since = [long_late, many_late].into_iter().flatten().filter(|s| *s <= today).min();
    push(ReasonCode::ActionsOverdue, since, r.weight, overdue.len() as i64);

    if f.has_agreed_plan {
        if let Some(due) = f.next_evaluation {
            let r = &rules.evaluation_overdue;
            push(
                ReasonCode::EvaluationOverdue,
                Some(due + chrono::Duration::days(r.days + 1)),
                r.weight,
                (today - due).num_days(),
            );
        }
    }

    let r = &rules.many_hands;
    let orgs = reached(firsts(f.involvements.iter().map(|(org, _, from)| (org, *from))), r.organisations);
    let people = reached(firsts(f.involvements.iter().map(|(_, user, from)| (user, *from))), r.professionals);
    let org_count = distinct(f.involvements.iter().map(|(org, _, _)| org));
    push(ReasonCode::ManyHands, [orgs, people].into_iter().flatten().min(), r.weight, org_count);

    let latest = latest_per_subject(&f.assessments);
    let r = &rules.complexity;
    let mut complex: Vec<NaiveDate> = latest
        .iter()
        .filter(|a| a.subject.is_some())
        .filter(|a| a.scores.values().filter(|s| **s <= r.max_score).count() as i64 >= r.domains)
        .map(|a| a.on)
        .collect();
    complex.sort();
    let members = complex.len() as i64;
    push(ReasonCode::Complexity, reached(complex, r.members), r.weight, members);

    push(ReasonCode::NoProgress, no_progress_since(&f.assessments, &latest, rules, today), rules.no_progress.weight, 0);

    push(
        ReasonCode::UnconfirmedMatch,
        f.matches_overdue_from.iter().copied().min(),
        rules.unconfirmed_match.weight,
        f.matches_overdue_from.len() as i64,
    );

    let r = &rules.regisseur_churn;
    let window_start = today.checked_sub_months(Months::new(r.months as u32)).unwrap_or(today);
    let mut starts = f.regisseur_starts.clone();
    starts.sort();
    // A change is every start after the first; those within the window count.
    let changes: Vec<NaiveDate> = starts.iter().skip(1).copied().filter(|d| *d > window_start).collect();
    let count = changes.len() as i64;
    push(ReasonCode::RegisseurChurn, reached(changes, r.changes), r.weight, count);

    out
}

/// The stuck score: the sum of the reasons' weights.
pub fn score(reasons: &[Reason]) -> i64 {
    reasons.iter().map(|r| r.weight).sum()
}

/// Each key with its earliest day.
fn firsts<'a>(items: impl Iterator<Item = (&'a String, NaiveDate)>) -> Vec<NaiveDate> {
    let mut first: BTreeMap<&String, NaiveDate> = BTreeMap::new();
    for (key, day) in items {
        let e = first.entry(key).or_insert(day);
        *e = (*e).min(day);
    }
    let mut days: Vec<NaiveDate> = first.into_values().collect();
    days.sort();
    days
}

fn distinct<'a>(items: impl Iterator<Item = &'a String>) -> i64 {
    items.collect::<std::collections::BTreeSet<_>>().len() as i64
}

/// The day the `n`-th of these sorted days came: when a count reached `n`.
fn reached(sorted: Vec<NaiveDate>, n: i64) -> Option<NaiveDate> {
    usize::try_from(n - 1).ok().and_then(|i| sorted.get(i).copied())
}

fn latest_per_subject(all: &[Assessment]) -> Vec<&Assessment> {
    let mut latest: BTreeMap<&Option<String>, &Assessment> = BTreeMap::new();
    for a in all {
        match latest.get(&a.subject) {
            Some(l) if l.on > a.on => {}
            _ => {
                latest.insert(&a.subject, a);
            }
        }
    }
    latest.into_values().collect()
}

/// No progress for a subject: their latest assessment improved no domain over the latest one at least
/// `apart_days` before it (from the latest's day); or a domain has stood at 1 for more than `at_one_days` (from the
/// first assessment of that unbroken run of ones). The earliest over all subjects.
fn no_progress_since(
    all: &[Assessment],
    latest: &[&Assessment],
    rules: &StuckRules,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let r = &rules.no_progress;
    let mut since: Vec<NaiveDate> = Vec::new();
    for last in latest {
        let mut history: Vec<&Assessment> = all.iter().filter(|a| a.subject == last.subject).collect();
        history.sort_by_key(|a| a.on);
        let before = history.iter().rev().find(|a| (last.on - a.on).num_days() >= r.apart_days);
        if let Some(before) = before {
            let improved = last.scores.iter().any(|(d, s)| before.scores.get(d).is_some_and(|b| s > b));
            if !improved {
                since.push(last.on);
            }
        }
        for (domain, score) in &last.scores {
            if *score != 1 {
                continue;
            }
            // The first assessment of the run of ones that ends with the latest.
            let mut run_start = last.on;
            for a in history.iter().rev() {
                match a.scores.get(domain) {
                    Some(1) => run_start = a.on,
                    _ => break,
                }
            }
            let held = run_start + chrono::Duration::days(r.at_one_days + 1);
            if held <= today {
                since.push(held);
            }
        }
    }
    since.into_iter().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A case that is fine on any day in 2027: a regisseur, an agreed plan, nothing late.
    fn fine(opened: &str) -> CaseFacts {
        CaseFacts {
            opened_on: d(opened),
            has_regisseur: true,
            regisseur_starts: vec![d(opened)],
            has_agreed_plan: true,
            ..CaseFacts::default()
        }
    }

    fn codes(f: &CaseFacts, today: &str) -> Vec<ReasonCode> {
        reasons(f, &StuckRules::default(), &WorkCalendar::default(), d(today)).into_iter().map(|r| r.code).collect()
    }

    fn holds(f: &CaseFacts, code: ReasonCode, day_before: &str, on: &str) {
        assert!(!codes(f, day_before).contains(&code), "{code:?} must not hold on {day_before}");
        let all = reasons(f, &StuckRules::default(), &WorkCalendar::default(), d(on));
        let r = all.iter().find(|r| r.code == code).unwrap_or_else(|| panic!("{code:?} must hold on {on}"));
        assert_eq!(r.since, d(on), "{code:?} holds since its first day");
    }

    #[test]
    fn a_case_in_order_is_not_stuck() {
        assert!(codes(&fine("2027-01-04"), "2027-12-31").is_empty());
    }

    #[test]
    fn no_regisseur_after_five_working_days_around_easter() {
        // Opened Wednesday 2027-03-24; Goede Vrijdag 26 March and Tweede Paasdag 29 March are no working days:
        // 25, 30, 31 March, 1 and 2 April are the five.
        let f = CaseFacts { has_regisseur: false, regisseur_starts: vec![], ..fine("2027-03-24") };
        holds(&f, ReasonCode::NoRegisseur, "2027-04-01", "2027-04-02");
        // When the last regisseur left, the five days count from then.
        let left = CaseFacts { regisseur_left_on: Some(d("2027-06-01")), ..f };
        holds(&left, ReasonCode::NoRegisseur, "2027-06-07", "2027-06-08");
    }

    #[test]
    fn no_agreed_plan_after_six_weeks() {
        let f = CaseFacts { has_agreed_plan: false, ..fine("2027-01-04") };
        holds(&f, ReasonCode::NoAgreedPlan, "2027-02-14", "2027-02-15");
    }

    #[test]
    fn actions_overdue_one_long_or_three_at_once() {
        let one = CaseFacts { open_action_dues: vec![d("2027-03-01"), d("2027-06-01")], ..fine("2027-01-04") };
        // Due 1 March: late from 2 March; more than 14 days late from 16 March.
        holds(&one, ReasonCode::ActionsOverdue, "2027-03-15", "2027-03-16");
        let three = CaseFacts {
            open_action_dues: vec![d("2027-03-01"), d("2027-03-03"), d("2027-03-05")],
            ..fine("2027-01-04")
        };
        // The third is late from 6 March, before the first is 14 days late.
        holds(&three, ReasonCode::ActionsOverdue, "2027-03-05", "2027-03-06");
    }

    #[test]
    fn evaluation_overdue_by_more_than_fourteen_days() {
        let f = CaseFacts { next_evaluation: Some(d("2027-05-01")), ..fine("2027-01-04") };
        holds(&f, ReasonCode::EvaluationOverdue, "2027-05-15", "2027-05-16");
        let no_plan = CaseFacts { has_agreed_plan: false, ..f };
        assert!(!codes(&no_plan, "2027-06-30").contains(&ReasonCode::EvaluationOverdue));
    }

    #[test]
    fn many_hands_five_organisations_or_seven_professionals() {
        let inv = |n: usize, orgs: usize| -> Vec<(String, String, NaiveDate)> {
            (0..n)
                .map(|i| {
                    (format!("org{}", i % orgs), format!("user{i}"), d("2027-02-01") + chrono::Duration::days(i as i64))
                })
                .collect()
        };
        let five_orgs = CaseFacts { involvements: inv(5, 5), ..fine("2027-01-04") };
        holds(&five_orgs, ReasonCode::ManyHands, "2027-02-04", "2027-02-05");
        let four_orgs = CaseFacts { involvements: inv(6, 4), ..fine("2027-01-04") };
        assert!(!codes(&four_orgs, "2027-12-31").contains(&ReasonCode::ManyHands));
        let seven_people = CaseFacts { involvements: inv(7, 2), ..fine("2027-01-04") };
        holds(&seven_people, ReasonCode::ManyHands, "2027-02-06", "2027-02-07");
    }

    fn assessment(who: Option<&str>, on: &str, scores: &[(&str, u8)]) -> Assessment {
        Assessment {
            subject: who.map(str::to_string),
            on: d(on),
            scores: scores.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn complexity_three_low_domains_for_two_members() {
        let low = [("financien", 2), ("huisvesting", 2), ("werk", 1), ("gezondheid", 4)];
        let two_low = [("financien", 2), ("huisvesting", 2), ("werk", 3)];
        let f = CaseFacts {
            assessments: vec![assessment(Some("a"), "2027-02-01", &low), assessment(Some("b"), "2027-02-10", &low)],
            ..fine("2027-01-04")
        };
        holds(&f, ReasonCode::Complexity, "2027-02-09", "2027-02-10");
        let only_two_domains = CaseFacts {
            assessments: vec![assessment(Some("a"), "2027-02-01", &low), assessment(Some("b"), "2027-02-10", &two_low)],
            ..fine("2027-01-04")
        };
        assert!(!codes(&only_two_domains, "2027-12-31").contains(&ReasonCode::Complexity));
        // The latest assessment counts: b improved.
        let better = CaseFacts {
            assessments: vec![
                assessment(Some("a"), "2027-02-01", &low),
                assessment(Some("b"), "2027-02-10", &low),
                assessment(Some("b"), "2027-04-10", &two_low),
            ],
            ..fine("2027-01-04")
        };
        assert!(!codes(&better, "2027-12-31").contains(&ReasonCode::Complexity));
    }

    #[test]
    fn no_progress_between_assessments_ninety_days_apart_or_a_domain_at_one() {
        let start = [("financien", 2), ("werk", 3)];
        let same = [("financien", 2), ("werk", 3)];
        let better = [("financien", 3), ("werk", 3)];
        // 89 days apart: not yet comparable; 90 days: no domain improved.
        let f = CaseFacts {
            assessments: vec![assessment(None, "2027-01-04", &start), assessment(None, "2027-04-04", &same)],
            ..fine("2027-01-04")
        };
        assert!(!codes(&f, "2027-04-03").contains(&ReasonCode::NoProgress));
        holds(&f, ReasonCode::NoProgress, "2027-04-03", "2027-04-04");
        let near = CaseFacts {
            assessments: vec![assessment(None, "2027-01-04", &start), assessment(None, "2027-04-03", &same)],
            ..fine("2027-01-04")
        };
        assert!(!codes(&near, "2027-12-31").contains(&ReasonCode::NoProgress));
        let improved = CaseFacts {
            assessments: vec![assessment(None, "2027-01-04", &start), assessment(None, "2027-04-04", &better)],
            ..fine("2027-01-04")
        };
        assert!(!codes(&improved, "2027-12-31").contains(&ReasonCode::NoProgress));
        // A domain at 1 since 1 March (two assessments): more than 30 days from 1 April.
        let acute = CaseFacts {
            assessments: vec![
                assessment(Some("a"), "2027-03-01", &[("huisvesting", 1)]),
                assessment(Some("a"), "2027-03-20", &[("huisvesting", 1)]),
            ],
            ..fine("2027-01-04")
        };
        holds(&acute, ReasonCode::NoProgress, "2027-03-31", "2027-04-01");
    }

    #[test]
    fn an_overdue_match_and_regisseur_churn() {
        let f = CaseFacts { matches_overdue_from: vec![d("2027-05-20")], ..fine("2027-01-04") };
        holds(&f, ReasonCode::UnconfirmedMatch, "2027-05-19", "2027-05-20");
        // The first regisseur is no change; three changes within twelve months.
        let churn = CaseFacts {
            regisseur_starts: vec![d("2027-01-04"), d("2027-02-01"), d("2027-05-01"), d("2027-09-01")],
            ..fine("2027-01-04")
        };
        holds(&churn, ReasonCode::RegisseurChurn, "2027-08-31", "2027-09-01");
        // A year after the first change, it falls out of the window.
        assert!(!codes(&churn, "2028-02-01").contains(&ReasonCode::RegisseurChurn));
    }

    #[test]
    fn the_score_is_the_sum_of_the_weights_and_rules_take_their_thresholds() {
        let f = CaseFacts { has_regisseur: false, has_agreed_plan: false, ..fine("2027-01-04") };
        let all = reasons(&f, &StuckRules::default(), &WorkCalendar::default(), d("2027-03-01"));
        assert_eq!(score(&all), 6);
        let mut rules = StuckRules::default();
        rules.no_agreed_plan.days = 90;
        rules.no_regisseur.weight = 10;
        let all = reasons(&f, &rules, &WorkCalendar::default(), d("2027-03-01"));
        assert_eq!(all.iter().map(|r| r.code).collect::<Vec<_>>(), [ReasonCode::NoRegisseur]);
        assert_eq!(score(&all), 10);
    }
}
