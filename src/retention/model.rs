//! Retention (docs/privacy.md): when a closed case's data goes, when audit events may be pruned, how the audit
//! checkpoints are summed up, and what stands in the way of an erasure request (AVG art. 17(3)). No I/O here.

use chrono::{Months, NaiveDate, NaiveDateTime};

use crate::audit::model::digest_note;
use crate::cases::model::Law;
use crate::rules::RetentionRules;

pub fn years_of(law: Law, rules: &RetentionRules) -> u32 {
    match law {
        Law::Jeugdwet => rules.jeugdwet_years,
        Law::Wmo => rules.wmo_years,
        Law::Participatiewet => rules.participatiewet_years,
    }
}

/// The longest term of the laws the case fell under: each law's data is kept as long as that law asks. A case that
/// records no law is kept as long as the longest term of all (the safe side).
pub fn term_years(laws: &[Law], rules: &RetentionRules) -> u32 {
    let all = [Law::Jeugdwet, Law::Wmo, Law::Participatiewet];
    let laws = if laws.is_empty() { &all[..] } else { laws };
    laws.iter().map(|l| years_of(*l, rules)).max().unwrap_or(rules.jeugdwet_years)
}

/// The first day the case may be erased: its term after the day it closed (a 29 February closing ends on the 28th).
pub fn erase_from(closed_on: NaiveDate, laws: &[Law], rules: &RetentionRules) -> NaiveDate {
    closed_on.checked_add_months(Months::new(term_years(laws, rules) * 12)).unwrap_or(NaiveDate::MAX)
}

pub fn is_due(closed_on: NaiveDate, laws: &[Law], today: NaiveDate, rules: &RetentionRules) -> bool {
    erase_from(closed_on, laws, rules) <= today
}

/// Events that occurred before this moment (UTC midnight, the configured years before today) may be pruned.
pub fn audit_cutoff(today: NaiveDate, rules: &RetentionRules) -> NaiveDateTime {
    let years = rules.audit_years.max(crate::rules::MIN_AUDIT_YEARS);
    today.checked_sub_months(Months::new(years * 12)).unwrap_or(NaiveDate::MIN).and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// What one run erased and pruned (or, for the dry run, would).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub cases: usize,
    pub households: usize,
    pub persons: usize,
    /// Cases past their term kept for a legal hold.
    pub held: usize,
    pub audit_events: i64,
    pub chains: usize,
}

/// The run's record in its audit event: counts only, never whose data.
pub fn run_note(c: &Counts, digest: &str) -> String {
    format!(
        "bewaartermijnen: {} zaken, {} huishoudens, {} personen gewist ({} vastgehouden); {} loggebeurtenissen uit {} \
         ketens opgeschoond; {}",
        c.cases,
        c.households,
        c.persons,
        c.held,
        c.audit_events,
        c.chains,
        digest_note(digest)
    )
}

/// Why an erasure request cannot be carried out (AVG art. 17(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// A case of a household the person belongs to is open: the municipality's statutory task (art. 17(3)(b)).
    OpenCase,
    /// A case of the person's is on a legal hold (art. 17(3)(e): legal claims).
    LegalHold,
    /// A Verwijsindex signal on the person still runs (art. 17(3)(b)); it ends by its own term.
    ActiveSignal,
}

impl Ground {
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::OpenCase => "open_case",
            Ground::LegalHold => "legal_hold",
            Ground::ActiveSignal => "active_signal",
        }
    }

    /// The reason a refusal records (Dutch: it goes into the answer to the person).
    pub fn explanation(self) -> &'static str {
        match self {
            Ground::OpenCase => {
                "er loopt nog een zaak van het huishouden: de gemeente heeft de gegevens nodig voor haar wettelijke taak \
                 (AVG art. 17 lid 3 onder b)"
            }
            Ground::LegalHold => {
                "een zaak staat onder een juridische bewaarplicht (AVG art. 17 lid 3 onder e)"
            }
            Ground::ActiveSignal => {
                "er loopt nog een melding in de verwijsindex; die vervalt na haar eigen termijn (AVG art. 17 lid 3 onder b)"
            }
        }
    }
}

/// The grounds that stand in the way, from what the store found about the person.
pub fn erasure_grounds(open_cases: usize, held_cases: usize, active_signals: usize) -> Vec<Ground> {
    let mut grounds = Vec::new();
    if open_cases > 0 {
        grounds.push(Ground::OpenCase);
    }
    if held_cases > 0 {
        grounds.push(Ground::LegalHold);
    }
    if active_signals > 0 {
        grounds.push(Ground::ActiveSignal);
    }
    grounds
}

/// The refusal text for these grounds, or none when the request may be carried out.
pub fn refusal(grounds: &[Ground]) -> Option<String> {
    if grounds.is_empty() {
        None
    } else {
        Some(grounds.iter().map(|g| g.explanation()).collect::<Vec<_>>().join("; "))
    }
}

/// An erasure request's decision: received → carried out, or received → refused. Decided once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    CarryOut,
    Refuse,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "carry_out" => Some(Decision::CarryOut),
            "refuse" => Some(Decision::Refuse),
            _ => None,
        }
    }

    pub fn status(self) -> &'static str {
        match self {
            Decision::CarryOut => "carried_out",
            Decision::Refuse => "refused",
        }
    }
}

pub const REQUESTED_BY: [&str; 3] = ["person", "parent", "representative"];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_case_is_kept_for_the_longest_term_of_its_laws() {
        let rules = RetentionRules::default();
        assert_eq!(term_years(&[Law::Wmo], &rules), 15);
        assert_eq!(term_years(&[Law::Wmo, Law::Jeugdwet], &rules), 20);
        assert_eq!(term_years(&[Law::Participatiewet], &rules), 10);
        assert_eq!(term_years(&[], &rules), 20, "no law recorded: the longest");
        let closed = d("2006-03-15");
        assert_eq!(erase_from(closed, &[Law::Jeugdwet], &rules), d("2026-03-15"));
        assert!(!is_due(closed, &[Law::Jeugdwet], d("2026-03-14"), &rules), "the day before");
        assert!(is_due(closed, &[Law::Jeugdwet], d("2026-03-15"), &rules), "on the day");
        assert!(is_due(closed, &[Law::Wmo], d("2021-03-15"), &rules));
        assert!(!is_due(closed, &[Law::Wmo, Law::Jeugdwet], d("2021-03-15"), &rules));
        assert_eq!(erase_from(d("2008-02-29"), &[Law::Wmo], &rules), d("2023-02-28"), "leap day");
    }

    #[test]
    fn the_audit_cutoff_is_never_less_than_five_years() {
        let mut rules = RetentionRules::default();
        assert_eq!(audit_cutoff(d("2026-12-07"), &rules), d("2021-12-07").and_hms_opt(0, 0, 0).unwrap());
        rules.audit_years = 2;
        assert_eq!(audit_cutoff(d("2026-12-07"), &rules), d("2021-12-07").and_hms_opt(0, 0, 0).unwrap());
        rules.audit_years = 7;
        assert_eq!(audit_cutoff(d("2026-12-07"), &rules), d("2019-12-07").and_hms_opt(0, 0, 0).unwrap());
    }

    #[test]
    fn an_erasure_is_refused_for_each_ground_and_carried_out_without_one() {
        assert_eq!(refusal(&erasure_grounds(0, 0, 0)), None);
        assert_eq!(erasure_grounds(1, 0, 0), vec![Ground::OpenCase]);
        assert_eq!(erasure_grounds(0, 2, 1), vec![Ground::LegalHold, Ground::ActiveSignal]);
        assert!(refusal(&erasure_grounds(1, 1, 0)).unwrap().contains("lid 3 onder e"));
    }
}
