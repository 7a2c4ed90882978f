//! Household membership over time: who belonged to a household on a given date. No I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Parent,
    Child,
    Partner,
    Carer,
    Other,
}

/// One period of one person in one household. `until` is the first day the person no longer belongs
/// (exclusive), so a move on day D ends one period and starts the next on the same D without overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person_id: String,
    pub household_id: String,
    pub relation: Relation,
    pub custody: bool,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Membership {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|u| date < u)
    }

    pub fn overlaps(&self, other: &Membership) -> bool {
        let starts_before_other_ends = other.until.is_none_or(|u| self.from < u);
        let other_starts_before_this_ends = self.until.is_none_or(|u| other.from < u);
        starts_before_other_ends && other_starts_before_this_ends
    }
}

/// The members of `household_id` on `date`.
pub fn composition_on<'a>(memberships: &'a [Membership], household_id: &str, date: NaiveDate) -> Vec<&'a Membership> {
    memberships.iter().filter(|m| m.household_id == household_id && m.covers(date)).collect()
}

/// A person is in one household at a time: a new period may not overlap any of theirs.
pub fn conflicting_membership<'a>(existing: &'a [Membership], new: &Membership) -> Option<&'a Membership> {
    existing.iter().find(|m| m.person_id == new.person_id && m.overlaps(new))
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Partner => "partner",
            Relation::Carer => "carer",
            Relation::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        [Relation::Parent, Relation::Child, Relation::Partner, Relation::Carer, Relation::Other]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Adding `new` to a person's history. A person moves: an open-ended `new` that starts after the person's open
/// membership of another household ends that one on the same day (`Ok(Some(index))`). Any other overlap is a
/// conflict (`Err(index)`): the same person is never in two households at once, nor twice in one.
pub fn place_membership(existing: &[Membership], new: &Membership) -> Result<Option<usize>, usize> {
    let mut ends = None;
    for (i, m) in existing.iter().enumerate().filter(|(_, m)| m.person_id == new.person_id) {
        let moves_out =
            m.until.is_none() && new.until.is_none() && m.household_id != new.household_id && m.from < new.from;
        let effective = if moves_out { Membership { until: Some(new.from), ..m.clone() } } else { m.clone() };
        if effective.overlaps(new) {
            return Err(i);
        }
        if moves_out {
            ends = Some(i);
        }
    }
    Ok(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn m(person: &str, household: &str, from: &str, until: Option<&str>) -> Membership {
        Membership {
            person_id: person.into(),
            household_id: household.into(),
            relation: Relation::Child,
            custody: false,
            from: d(from),
            until: until.map(d),
        }
    }

    #[test]
    fn composition_on_a_date_follows_moves() {
        let history = vec![
            m("mother", "h1", "2020-01-01", None),
            m("child", "h1", "2020-01-01", Some("2025-06-01")),
            m("child", "h2", "2025-06-01", None),
            m("partner", "h1", "2024-03-01", Some("2024-09-01")),
        ];
        let ids = |date: &str| -> Vec<&str> {
            composition_on(&history, "h1", d(date)).iter().map(|x| x.person_id.as_str()).collect()
        };
        assert_eq!(ids("2019-12-31"), Vec::<&str>::new());
        assert_eq!(ids("2024-05-01"), ["mother", "child", "partner"]);
        assert_eq!(ids("2025-05-31"), ["mother", "child"]);
        assert_eq!(ids("2025-06-01"), ["mother"], "the moving day belongs to the new household");
        assert_eq!(composition_on(&history, "h2", d("2025-06-01")).len(), 1);
    }

    #[test]
    fn one_household_at_a_time() {
        let history = vec![m("child", "h1", "2020-01-01", Some("2025-06-01"))];
        assert!(conflicting_membership(&history, &m("child", "h2", "2025-06-01", None)).is_none());
        assert!(conflicting_membership(&history, &m("child", "h2", "2025-05-31", None)).is_some());
        assert!(conflicting_membership(&history, &m("child", "h2", "2019-01-01", Some("2020-01-02"))).is_some());
        assert!(conflicting_membership(&history, &m("other", "h2", "2021-01-01", None)).is_none());
    }

    #[test]
    fn moving_ends_the_old_membership_on_the_moving_day() {
        let history = vec![m("child", "h1", "2020-01-01", Some("2022-01-01")), m("child", "h2", "2022-01-01", None)];
        assert_eq!(place_membership(&history, &m("child", "h3", "2025-06-01", None)), Ok(Some(1)));
        assert_eq!(place_membership(&history, &m("child", "h2", "2025-06-01", None)), Err(1), "already a member");
        assert_eq!(place_membership(&history, &m("child", "h3", "2021-06-01", None)), Err(0), "before the move");
        assert_eq!(
            place_membership(&history, &m("child", "h3", "2022-01-01", None)),
            Err(1),
            "same day as the open one"
        );
        assert_eq!(
            place_membership(&history, &m("child", "h3", "2023-01-01", Some("2023-02-01"))),
            Err(1),
            "a stay elsewhere while still living in h2 is an overlap, not a move"
        );
        assert_eq!(place_membership(&history, &m("child", "h3", "2019-01-01", Some("2020-01-01"))), Ok(None));
        assert_eq!(place_membership(&history, &m("other", "h2", "2020-01-01", None)), Ok(None));
    }
}
