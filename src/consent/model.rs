//! Consent and its rules: who must give it by age, whether a consent covers a category for an organisation on a
//! given day. Checked at access time, so withdrawal, expiry and birthdays take effect at once. No I/O.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::access::coverage::Category;

/// In what capacity someone gave consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GiverCapacity {
    /// The person the consent concerns.
    #[serde(rename = "self")]
    Self_,
    /// A parent or guardian with custody.
    Custodian,
}

/// Whole years of age on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Who must consent for a person of this age: under 12 a custodian; 12 to 15 both the young person and a
/// custodian; 16 and over the person alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    pub person: bool,
    pub custodian: bool,
}

pub fn required_givers(age: i32) -> Required {
    match age {
        a if a < 12 => Required { person: false, custodian: true },
        12..=15 => Required { person: true, custodian: true },
        _ => Required { person: true, custodian: false },
    }
}

/// Whether the givers satisfy the rule for `age`; otherwise a sentence saying who must (also) consent.
pub fn givers_suffice(age: i32, person_gave: bool, custodian_gave: bool) -> Result<(), &'static str> {
    let need = required_givers(age);
    match (need.person && !person_gave, need.custodian && !custodian_gave) {
        (false, false) => Ok(()),
        (true, true) => Err("both the young person and a parent or guardian with custody must consent"),
        (true, false) if need.custodian => Err("the young person must consent as well as the parent or guardian"),
        (true, false) => Err("the person must consent themselves"),
        (false, true) if need.person => {
            Err("a parent or guardian with custody must consent as well as the young person")
        }
        (false, true) => Err("a parent or guardian with custody must consent"),
    }
}

/// A consent or statutory basis as the access check reads it.
#[derive(Debug, Clone)]
pub struct Basis {
    pub id: String,
    pub statutory: bool,
    pub person_birth: NaiveDate,
    pub person_gave: bool,
    pub custodian_gave: bool,
    pub organisations: Vec<String>,
    pub categories: Vec<Category>,
    pub valid_from: NaiveDate,
    /// The last day it holds.
    pub valid_until: NaiveDate,
    pub withdrawn: bool,
}

impl Basis {
    /// Whether it lets `organisation` see `category` on `day`. A consent also needs, on that very day, the givers the
    /// person's age then requires: a parent's consent for a child stops covering on the child's twelfth birthday.
    pub fn covers(&self, organisation: &str, category: Category, day: NaiveDate) -> bool {
        let in_window = self.valid_from <= day && day <= self.valid_until && !self.withdrawn;
        let named = self.organisations.iter().any(|o| o == organisation) && self.categories.contains(&category);
        let givers = self.statutory
            || givers_suffice(age_on(self.person_birth, day), self.person_gave, self.custodian_gave).is_ok();
        in_window && named && givers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_counts_whole_years_and_birthdays() {
        assert_eq!(age_on(d("2014-06-15"), d("2026-06-14")), 11);
        assert_eq!(age_on(d("2014-06-15"), d("2026-06-15")), 12);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }

    #[test]
    fn who_must_consent_by_age() {
        assert!(givers_suffice(11, false, true).is_ok());
        assert_eq!(givers_suffice(11, true, false), Err("a parent or guardian with custody must consent"));
        assert!(givers_suffice(12, true, true).is_ok());
        assert!(givers_suffice(15, false, true).is_err());
        assert!(givers_suffice(15, true, false).is_err());
        assert!(givers_suffice(12, false, false).unwrap_err().contains("both"));
        assert!(givers_suffice(16, true, false).is_ok());
        assert_eq!(givers_suffice(16, false, true), Err("the person must consent themselves"));
        assert!(givers_suffice(40, true, true).is_ok());
    }

    fn basis(birth: &str, person: bool, custodian: bool) -> Basis {
        Basis {
            id: "c1".into(),
            statutory: false,
            person_birth: d(birth),
            person_gave: person,
            custodian_gave: custodian,
            organisations: vec!["org-a".into()],
            categories: vec![Category::Plan],
            valid_from: d("2026-01-01"),
            valid_until: d("2026-12-31"),
            withdrawn: false,
        }
    }

    #[test]
    fn a_birthday_inside_the_period_changes_who_must_have_consented() {
        // Turns 12 on 15 June: the parent's consent alone covers until the day before, not from the birthday on.
        let parent_only = basis("2014-06-15", false, true);
        assert!(parent_only.covers("org-a", Category::Plan, d("2026-06-14")));
        assert!(!parent_only.covers("org-a", Category::Plan, d("2026-06-15")));
        // Given by both at 15, it still holds after the 16th birthday (the young person consented).
        let both = basis("2010-09-01", true, true);
        assert!(both.covers("org-a", Category::Plan, d("2026-08-31")));
        assert!(both.covers("org-a", Category::Plan, d("2026-09-01")));
        // Given by a parent for a 15-year-old who was not asked: never enough.
        assert!(!basis("2010-09-01", false, true).covers("org-a", Category::Plan, d("2026-03-01")));
    }

    #[test]
    fn window_organisation_category_and_withdrawal() {
        let b = basis("1980-01-01", true, false);
        assert!(b.covers("org-a", Category::Plan, d("2026-01-01")));
        assert!(b.covers("org-a", Category::Plan, d("2026-12-31")), "the end date is the last day");
        assert!(!b.covers("org-a", Category::Plan, d("2027-01-01")), "expired");
        assert!(!b.covers("org-a", Category::Plan, d("2025-12-31")), "not yet");
        assert!(!b.covers("org-b", Category::Plan, d("2026-05-01")), "another organisation");
        assert!(!b.covers("org-a", Category::Zrm, d("2026-05-01")), "another category");
        let withdrawn = Basis { withdrawn: true, ..b.clone() };
        assert!(!withdrawn.covers("org-a", Category::Plan, d("2026-05-01")));
        let statutory = Basis { statutory: true, person_gave: false, custodian_gave: false, ..b };
        assert!(statutory.covers("org-a", Category::Plan, d("2026-05-01")), "a statutory basis needs no givers");
    }
}
