//! The thresholds of eenplan's rules, from `policies/rules.toml` (embedded, or from the configured policy folder
//! beside the access policies). Every field has a default here, documented in the file: a rules file names only
//! what a municipality changes, and a name it does not know is a startup error. No I/O beyond reading the file.

use std::path::Path;

use serde::Deserialize;

use crate::calendar::WorkCalendar;

const EMBEDDED_RULES: &str = include_str!("../policies/rules.toml");

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Which public holidays are days off (every deadline counts working days by it).
    pub calendar: WorkCalendar,
    pub stuck: StuckRules,
    pub escalation: EscalationRules,
    pub privacy: PrivacyRules,
    pub retention: RetentionRules,
    pub transition: TransitionRules,
}

impl Rules {
    /// The embedded rules, or `rules.toml` in `policy_dir` when configured.
    pub fn load(policy_dir: Option<&Path>) -> Result<Rules, String> {
        match policy_dir {
            None => Rules::parse(EMBEDDED_RULES).map_err(|e| format!("policies/rules.toml: {e}")),
            Some(dir) => {
                let path = dir.join("rules.toml");
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                Rules::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
        }
    }

    pub fn parse(text: &str) -> Result<Rules, String> {
        let rules: Rules = basic_toml::from_str(text).map_err(|e| e.to_string())?;
        rules.stuck.check()?;
        rules.escalation.check()?;
        rules.privacy.check()?;
        rules.retention.check()?;
        rules.transition.check()?;
        Ok(rules)
    }
}

/// Why a case is stuck (DESIGN §5): one table per rule, each with its thresholds and its weight in the stuck score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StuckRules {
    pub no_regisseur: NoRegisseur,
    pub no_agreed_plan: NoAgreedPlan,
    pub actions_overdue: ActionsOverdue,
    pub evaluation_overdue: EvaluationOverdue,
    pub many_hands: ManyHands,
    pub complexity: Complexity,
    pub no_progress: NoProgress,
    pub unconfirmed_match: UnconfirmedMatch,
    pub regisseur_churn: RegisseurChurn,
}

impl StuckRules {
    fn check(&self) -> Result<(), String> {
        let weights = [
            ("no_regisseur", self.no_regisseur.weight),
            ("no_agreed_plan", self.no_agreed_plan.weight),
            ("actions_overdue", self.actions_overdue.weight),
            ("evaluation_overdue", self.evaluation_overdue.weight),
            ("many_hands", self.many_hands.weight),
            ("complexity", self.complexity.weight),
            ("no_progress", self.no_progress.weight),
            ("unconfirmed_match", self.unconfirmed_match.weight),
            ("regisseur_churn", self.regisseur_churn.weight),
        ];
        for (name, weight) in weights {
            if !(0..=100).contains(&weight) {
                return Err(format!("stuck.{name}.weight must be 0 to 100"));
            }
        }
        let c = &self.complexity;
        if !(1..=5).contains(&c.max_score) {
            return Err("stuck.complexity.max_score must be 1 to 5".into());
        }
        let positive = [
            ("no_regisseur.working_days", self.no_regisseur.working_days),
            ("no_agreed_plan.days", self.no_agreed_plan.days),
            ("actions_overdue.count", self.actions_overdue.count),
            ("many_hands.organisations", self.many_hands.organisations),
            ("many_hands.professionals", self.many_hands.professionals),
            ("complexity.domains", c.domains),
            ("complexity.members", c.members),
            ("no_progress.apart_days", self.no_progress.apart_days),
            ("regisseur_churn.changes", self.regisseur_churn.changes),
            ("regisseur_churn.months", self.regisseur_churn.months),
        ];
        for (name, value) in positive {
            if value < 1 {
                return Err(format!("stuck.{name} must be at least 1"));
            }
        }
        Ok(())
    }
}

/// No regisseur accepted this many working days after the case opened.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoRegisseur {
    pub working_days: i64,
    pub weight: i64,
}
impl Default for NoRegisseur {
    fn default() -> Self {
        NoRegisseur { working_days: 5, weight: 3 }
    }
}

/// No agreed plan this many calendar days after the case opened (the Wmo's six weeks).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoAgreedPlan {
    pub days: i64,
    pub weight: i64,
}
impl Default for NoAgreedPlan {
    fn default() -> Self {
        NoAgreedPlan { days: 42, weight: 3 }
    }
}

/// An action of the agreed plan overdue more than `days`, or `count` or more overdue at once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionsOverdue {
    pub days: i64,
    pub count: i64,
    pub weight: i64,
}
impl Default for ActionsOverdue {
    fn default() -> Self {
        ActionsOverdue { days: 14, count: 3, weight: 2 }
    }
}

/// The plan's evaluation overdue by more than this many days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationOverdue {
    pub days: i64,
    pub weight: i64,
}
impl Default for EvaluationOverdue {
    fn default() -> Self {
        EvaluationOverdue { days: 14, weight: 2 }
    }
}

/// "Veel hulpverleners": at least this many organisations, or professionals, involved at once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManyHands {
    pub organisations: i64,
    pub professionals: i64,
    pub weight: i64,
}
impl Default for ManyHands {
    fn default() -> Self {
        ManyHands { organisations: 5, professionals: 7, weight: 3 }
    }
}

/// At least `domains` life domains scored `max_score` or lower, for at least `members` household members (each
/// by their latest ZRM assessment).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Complexity {
    pub domains: i64,
    pub max_score: u8,
    pub members: i64,
    pub weight: i64,
}
impl Default for Complexity {
    fn default() -> Self {
        Complexity { domains: 3, max_score: 2, members: 2, weight: 2 }
    }
}

/// No domain improved between someone's last two assessments at least `apart_days` apart, or a domain at 1 for
/// more than `at_one_days`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoProgress {
    pub apart_days: i64,
    pub at_one_days: i64,
    pub weight: i64,
}
impl Default for NoProgress {
    fn default() -> Self {
        NoProgress { apart_days: 90, at_one_days: 30, weight: 2 }
    }
}

/// A signal match on a household member whose contact is unconfirmed past its deadline (the match's own rule).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnconfirmedMatch {
    pub weight: i64,
}
impl Default for UnconfirmedMatch {
    fn default() -> Self {
        UnconfirmedMatch { weight: 1 }
    }
}

/// At least `changes` changes of regisseur within `months`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegisseurChurn {
    pub changes: i64,
    pub months: i64,
    pub weight: i64,
}
impl Default for RegisseurChurn {
    fn default() -> Self {
        RegisseurChurn { changes: 3, months: 12, weight: 2 }
    }
}

/// The escalation ladder (DESIGN §5): how long each level has to respond, in working days, when a stuck reason
/// raises level 1 by itself, and who holds doorzettingsmacht.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationRules {
    /// The owning team's teamleider.
    pub level1_working_days: i64,
    /// A procescoördinator.
    pub level2_working_days: i64,
    /// Doorzettingsmacht.
    pub level3_working_days: i64,
    /// A stuck reason that has held this many working days raises level 1 automatically.
    pub auto_raise_after_working_days: i64,
    /// The named official or role holding doorzettingsmacht, shown in the ladder.
    pub doorzettingsmacht: String,
    /// When it names an eenplan user (their email), level 3 notifies them; else the procescoördinatoren.
    pub doorzettingsmacht_user_email: String,
}

impl Default for EscalationRules {
    fn default() -> Self {
        EscalationRules {
            level1_working_days: 5,
            level2_working_days: 10,
            level3_working_days: 10,
            auto_raise_after_working_days: 10,
            doorzettingsmacht: "Gemeentesecretaris".into(),
            doorzettingsmacht_user_email: String::new(),
        }
    }
}

impl EscalationRules {
    fn check(&self) -> Result<(), String> {
        let positive = [
            ("level1_working_days", self.level1_working_days),
            ("level2_working_days", self.level2_working_days),
            ("level3_working_days", self.level3_working_days),
            ("auto_raise_after_working_days", self.auto_raise_after_working_days),
        ];
        for (name, value) in positive {
            if !(1..=250).contains(&value) {
                return Err(format!("escalation.{name} must be 1 to 250"));
            }
        }
        let holder = self.doorzettingsmacht.trim();
        if holder.is_empty() || holder.chars().count() > 200 {
            return Err("escalation.doorzettingsmacht must be 1 to 200 characters".into());
        }
        Ok(())
    }
}

/// The privacy officer's suspicious-access findings (docs/privacy.md) and log reviews: the thresholds of each rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyRules {
    /// Office hours on working days, local time: from this hour (inclusive) to that one (exclusive).
    pub office_hours_from: u32,
    pub office_hours_until: u32,
    /// More distinct households than this by one user in a day is a finding.
    pub households_per_day: i64,
    /// So is more than this many times the user's own median of the 30 days before (on the days they worked).
    pub median_factor: i64,
    /// Refused requests by one user within any hour, from this many on.
    pub denials_per_hour: i64,
    /// A search by BSN or name that found someone, with no work on the person found within these hours.
    pub search_follow_up_hours: i64,
    /// Break-glass not judged within these working days.
    pub break_glass_review_working_days: i64,
    /// The workbench warns when no log review was recorded within these days.
    pub review_every_days: i64,
}

impl Default for PrivacyRules {
    fn default() -> Self {
        PrivacyRules {
            office_hours_from: 7,
            office_hours_until: 19,
            households_per_day: 30,
            median_factor: 3,
            denials_per_hour: 10,
            search_follow_up_hours: 24,
            break_glass_review_working_days: 5,
            review_every_days: 30,
        }
    }
}

impl PrivacyRules {
    fn check(&self) -> Result<(), String> {
        if self.office_hours_from >= self.office_hours_until || self.office_hours_until > 24 {
            return Err("privacy.office_hours_from must be before privacy.office_hours_until (0 to 24)".into());
        }
        let positive = [
            ("households_per_day", self.households_per_day),
            ("median_factor", self.median_factor),
            ("denials_per_hour", self.denials_per_hour),
            ("search_follow_up_hours", self.search_follow_up_hours),
            ("break_glass_review_working_days", self.break_glass_review_working_days),
            ("review_every_days", self.review_every_days),
        ];
        for (name, value) in positive {
            if !(1..=1000).contains(&value) {
                return Err(format!("privacy.{name} must be 1 to 1000"));
            }
        }
        Ok(())
    }
}

/// Retention (docs/privacy.md): a closed case is erased this many years after it closed, by the longest term of the
/// laws it fell under; audit events are pruned after `audit_years` (never fewer than five).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionRules {
    pub jeugdwet_years: u32,
    pub wmo_years: u32,
    pub participatiewet_years: u32,
    pub audit_years: u32,
}

impl Default for RetentionRules {
    fn default() -> Self {
        RetentionRules { jeugdwet_years: 20, wmo_years: 15, participatiewet_years: 10, audit_years: 5 }
    }
}

/// The audit log is kept at least this long, whatever a municipality configures (and the database enforces it).
pub const MIN_AUDIT_YEARS: u32 = 5;

impl RetentionRules {
    fn check(&self) -> Result<(), String> {
        let terms = [
            ("jeugdwet_years", self.jeugdwet_years),
            ("wmo_years", self.wmo_years),
            ("participatiewet_years", self.participatiewet_years),
        ];
        for (name, years) in terms {
            if !(1..=100).contains(&years) {
                return Err(format!("retention.{name} must be 1 to 100"));
            }
        }
        if !(MIN_AUDIT_YEARS..=100).contains(&self.audit_years) {
            return Err(format!("retention.audit_years must be {MIN_AUDIT_YEARS} to 100"));
        }
        Ok(())
    }
}

/// The hand-off at 18 (18-/18+): a young person in an open case who turns 18 within `flag_months` is flagged on the
/// case and in the regisseur's work; in the last `agree_months` before the birthday a plan for the household is
/// agreed only with its section on how care continues after 18.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransitionRules {
    pub flag_months: u32,
    pub agree_months: u32,
}

impl Default for TransitionRules {
    fn default() -> Self {
        TransitionRules { flag_months: 6, agree_months: 3 }
    }
}

impl TransitionRules {
    fn check(&self) -> Result<(), String> {
        if !(1..=24).contains(&self.flag_months) {
            return Err("transition.flag_months must be 1 to 24".into());
        }
        if !(1..=self.flag_months).contains(&self.agree_months) {
            return Err("transition.agree_months must be 1 to flag_months".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_states_the_defaults() {
        // policies/rules.toml documents every default; it must say exactly what the code assumes.
        assert_eq!(Rules::load(None).unwrap(), Rules::default());
    }

    #[test]
    fn a_file_names_only_what_it_changes_and_nothing_unknown() {
        let rules = Rules::parse("[stuck.no_regisseur]\nworking_days = 8\n").unwrap();
        assert_eq!(rules.stuck.no_regisseur, NoRegisseur { working_days: 8, weight: 3 });
        assert_eq!(rules.stuck.many_hands, ManyHands::default());
        assert!(Rules::parse("[stuck.no_regisseur]\nworkdays = 8\n").is_err(), "a misspelt name is an error");
        assert!(Rules::parse("[stuck.complexity]\nmax_score = 7\n").is_err());
        assert!(Rules::parse("[stuck.many_hands]\norganisations = 0\n").is_err());
        assert!(Rules::parse("[stuck.many_hands]\nweight = -1\n").is_err());
        let rules = Rules::parse("[escalation]\nlevel1_working_days = 3\n").unwrap();
        assert_eq!(rules.escalation.level1_working_days, 3);
        assert_eq!(rules.escalation.doorzettingsmacht, "Gemeentesecretaris");
        assert!(Rules::parse("[escalation]\nlevel2_working_days = 0\n").is_err());
        assert!(Rules::parse("[escalation]\ndoorzettingsmacht = \" \"\n").is_err());
    }
}
