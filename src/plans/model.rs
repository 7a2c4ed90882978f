//! The gezinsplan's content and its rules: structure, what agreement needs, differences between versions, and
//! what a provider professional may see. No I/O.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Validator;

/// ZRM 2017: thirteen life domains of one person. Codes only; the licensed criteria texts are not kept.
pub const ZRM_PERSON_DOMAINS: [&str; 13] = [
    "financien",
    "werk_opleiding",
    "tijdsbesteding",
    "huisvesting",
    "huiselijke_relaties",
    "geestelijke_gezondheid",
    "lichamelijke_gezondheid",
    "middelengebruik",
    "basale_adl",
    "instrumentele_adl",
    "sociaal_netwerk",
    "maatschappelijke_participatie",
    "justitie",
];

/// ZRM-Huishoudens: five domains of the household as a whole.
pub const ZRM_HOUSEHOLD_DOMAINS: [&str; 5] =
    ["hh_financien", "hh_huisvesting", "hh_organisatie_huishouden", "hh_relaties_in_huis", "hh_sociale_omgeving"];

pub fn is_domain(code: &str) -> bool {
    ZRM_PERSON_DOMAINS.contains(&code) || ZRM_HOUSEHOLD_DOMAINS.contains(&code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Concern {
    pub description: String,
    pub priority: Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    Open,
    Achieved,
    PartlyAchieved,
    NotAchieved,
    Dropped,
}

/// A goal. Its `id` stays the same from version to version, so versions can be compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Goal {
    pub id: String,
    /// A ZRM domain code.
    pub domain: Option<String>,
    /// The household member it concerns; the whole household when absent.
    pub person_id: Option<String>,
    pub description: String,
    /// The measurable target, in plain words ("elke maand de huur op tijd betaald").
    pub target: Option<String>,
    /// Optionally the ZRM score aimed for on the goal's domain (1–5).
    pub target_score: Option<u8>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub due_date: Option<NaiveDate>,
    pub status: GoalStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// An involved professional (`userId`); their organisation is shown with them.
    Professional,
    /// A household member (`personId`).
    Member,
    /// Someone from the family's network (`name`).
    Network,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Owner {
    pub kind: OwnerKind,
    pub user_id: Option<String>,
    /// A professional's organisation; filled in by eenplan from the involvement when the draft is saved.
    #[serde(default)]
    pub organisation_id: Option<String>,
    pub person_id: Option<String>,
    pub name: Option<String>,
}

/// Who does what by when, for a goal. Its progress (status, done on) is kept apart: doing an action does not
/// change the agreed plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub goal_id: String,
    pub description: String,
    pub owner: Option<Owner>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub due_date: Option<NaiveDate>,
}

/// How care goes on after a young person's 18th birthday ("na het 18e jaar"), when youth care under the Jeugdwet
/// ends: which support under which law, who takes over, from when. A draft may hold it half filled in; agreeing a
/// plan in the last months before the birthday needs it whole (`missing_for_transition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Continuation {
    pub person_id: String,
    /// Which support goes on, or that none is needed and why.
    pub support: Option<String>,
    /// `Wmo`, `Participatiewet`, `Zvw` (health insurance), `Wlz` (long-term care) or `none`.
    pub law: Option<String>,
    /// Who takes over: an organisation or a professional.
    pub taken_over_by: Option<String>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub from: Option<NaiveDate>,
}

/// The laws care after 18 can go on under.
pub const ADULT_LAWS: [&str; 5] = ["Wmo", "Participatiewet", "Zvw", "Wlz", "none"];

/// Everything a plan version says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanContent {
    /// What goes well.
    #[serde(default)]
    pub strengths: Vec<String>,
    #[serde(default)]
    pub concerns: Vec<Concern>,
    /// What the family and its network do themselves.
    #[serde(default)]
    pub own_efforts: Vec<String>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub next_evaluation_date: Option<NaiveDate>,
    /// Care after 18, per young person who turns 18 soon.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_eighteen: Vec<Continuation>,
}

/// What the case's world offers for checking references: its members and its involved professionals.
pub struct References<'a> {
    pub members: &'a HashSet<String>,
    pub professionals: &'a HashSet<String>,
}

const MAX_TEXT: usize = 2_000;
const MAX_ITEMS: usize = 100;

fn text(v: &mut Validator, value: &str, field: &str) {
    v.check(!value.trim().is_empty() && value.chars().count() <= MAX_TEXT, field, "must be 1 to 2000 characters");
}

impl PlanContent {
    /// Structure a draft must always have (completeness is checked only when agreeing): valid codes, unique ids,
    /// actions that belong to a goal of this version, owners and persons that belong to this case.
    pub fn validate(&self, refs: &References, v: &mut Validator) {
        for (name, len) in [
            ("strengths", self.strengths.len()),
            ("concerns", self.concerns.len()),
            ("ownEfforts", self.own_efforts.len()),
            ("goals", self.goals.len()),
            ("actions", self.actions.len()),
        ] {
            v.check(len <= MAX_ITEMS, name, "must hold at most 100 items");
        }
        for (i, s) in self.strengths.iter().enumerate() {
            text(v, s, &format!("strengths[{i}]"));
        }
        for (i, c) in self.concerns.iter().enumerate() {
            text(v, &c.description, &format!("concerns[{i}].description"));
        }
        for (i, s) in self.own_efforts.iter().enumerate() {
            text(v, s, &format!("ownEfforts[{i}]"));
        }
        let mut ids = HashSet::new();
        for (i, g) in self.goals.iter().enumerate() {
            let f = |name: &str| format!("goals[{i}].{name}");
            v.check(valid_id(&g.id) && ids.insert(g.id.clone()), &f("id"), "must be a unique id of 1 to 64 characters");
            text(v, &g.description, &f("description"));
            if let Some(d) = &g.domain {
                v.check(is_domain(d), &f("domain"), "must be a ZRM domain code");
                if g.person_id.is_some() {
                    v.check(
                        !ZRM_HOUSEHOLD_DOMAINS.contains(&d.as_str()),
                        &f("domain"),
                        "is a household domain; a goal for one person takes a person domain",
                    );
                }
            }
            if let Some(t) = &g.target {
                text(v, t, &f("target"));
            }
            if let Some(s) = g.target_score {
                v.check((1..=5).contains(&s), &f("targetScore"), "must be 1 to 5");
            }
            if let Some(p) = &g.person_id {
                v.check(refs.members.contains(p), &f("personId"), "must be a member of the household");
            }
        }
        v.check(self.after_eighteen.len() <= MAX_ITEMS, "afterEighteen", "must hold at most 100 items");
        let mut young = HashSet::new();
        for (i, c) in self.after_eighteen.iter().enumerate() {
            let f = |name: &str| format!("afterEighteen[{i}].{name}");
            v.check(refs.members.contains(&c.person_id), &f("personId"), "must be a member of the household");
            v.check(young.insert(c.person_id.clone()), &f("personId"), "has a section already");
            for (name, value) in [("support", &c.support), ("takenOverBy", &c.taken_over_by)] {
                if let Some(t) = value {
                    text(v, t, &f(name));
                }
            }
            if let Some(l) = &c.law {
                v.check(ADULT_LAWS.contains(&l.as_str()), &f("law"), "must be Wmo, Participatiewet, Zvw, Wlz or none");
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            let f = |name: &str| format!("actions[{i}].{name}");
            v.check(valid_id(&a.id) && ids.insert(a.id.clone()), &f("id"), "must be a unique id of 1 to 64 characters");
            v.check(self.goals.iter().any(|g| g.id == a.goal_id), &f("goalId"), "must be a goal of this plan");
            text(v, &a.description, &f("description"));
            if let Some(o) = &a.owner {
                match o.kind {
                    OwnerKind::Professional => v.check(
                        o.user_id.as_ref().is_some_and(|u| refs.professionals.contains(u)),
                        &f("owner.userId"),
                        "must be a professional involved in the case",
                    ),
                    OwnerKind::Member => v.check(
                        o.person_id.as_ref().is_some_and(|p| refs.members.contains(p)),
                        &f("owner.personId"),
                        "must be a member of the household",
                    ),
                    OwnerKind::Network => v.check(
                        o.name.as_ref().is_some_and(|n| !n.trim().is_empty() && n.chars().count() <= 200),
                        &f("owner.name"),
                        "must name the person from the network",
                    ),
                }
            }
        }
    }

    /// Whether each young person who turns 18 in the agreement window has a whole section on care after 18: each
    /// gap named at once. `turning` is who (person, birthday), as `cases::model::turning_eighteen` finds them.
    pub fn missing_for_transition(&self, turning: &[(String, NaiveDate)], v: &mut Validator) {
        for (person, _) in turning {
            match self.after_eighteen.iter().position(|c| &c.person_id == person) {
                None => {
                    v.add("afterEighteen", "is required for a young person who turns 18 within the agreement window")
                }
                Some(i) => {
                    let c = &self.after_eighteen[i];
                    let f = |name: &str| format!("afterEighteen[{i}].{name}");
                    for (name, filled) in [
                        ("support", c.support.is_some()),
                        ("law", c.law.is_some()),
                        ("takenOverBy", c.taken_over_by.is_some()),
                        ("from", c.from.is_some()),
                    ] {
                        v.check(filled, &f(name), "is required to agree the plan");
                    }
                }
            }
        }
    }

    /// What agreeing needs beyond a valid structure: every goal with a domain, a target and a due date; every
    /// action with an owner and a due date; the next evaluation date. All gaps at once.
    pub fn missing_for_agreement(&self, v: &mut Validator) {
        v.check(!self.goals.is_empty(), "goals", "a plan needs at least one goal");
        for (i, g) in self.goals.iter().enumerate() {
            v.check(g.domain.is_some(), &format!("goals[{i}].domain"), "is required to agree the plan");
            v.check(
                g.target.is_some() || g.target_score.is_some(),
                &format!("goals[{i}].target"),
                "a measurable target is required to agree the plan",
            );
            v.check(g.due_date.is_some(), &format!("goals[{i}].dueDate"), "is required to agree the plan");
        }
        for (i, a) in self.actions.iter().enumerate() {
            v.check(a.owner.is_some(), &format!("actions[{i}].owner"), "is required to agree the plan");
            v.check(a.due_date.is_some(), &format!("actions[{i}].dueDate"), "is required to agree the plan");
        }
        v.check(self.next_evaluation_date.is_some(), "nextEvaluationDate", "is required to agree the plan");
    }

    /// The household members it names — the persons of its goals and the members who own actions — each once, for
    /// the audit event of whoever is shown it.
    pub fn persons(&self) -> Vec<String> {
        let goals = self.goals.iter().filter_map(|g| g.person_id.as_ref());
        let owners = self
            .actions
            .iter()
            .filter_map(|a| a.owner.as_ref())
            .filter(|o| o.kind == OwnerKind::Member)
            .filter_map(|o| o.person_id.as_ref());
        let young = self.after_eighteen.iter().map(|c| &c.person_id);
        let mut out: Vec<String> = Vec::new();
        for p in goals.chain(owners).chain(young) {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }

    /// What a provider professional sees: their own actions and the goals those serve, nothing else — and of those
    /// only goals concerning a person (or, for `None`, the household) that `consented` allows.
    pub fn for_provider(&self, user_id: &str, consented: impl Fn(Option<&str>) -> bool) -> PlanContent {
        let goals: Vec<Goal> = self.goals.iter().filter(|g| consented(g.person_id.as_deref())).cloned().collect();
        let actions: Vec<Action> = self
            .actions
            .iter()
            .filter(|a| {
                a.owner
                    .as_ref()
                    .is_some_and(|o| o.kind == OwnerKind::Professional && o.user_id.as_deref() == Some(user_id))
            })
            .filter(|a| goals.iter().any(|g| g.id == a.goal_id))
            .cloned()
            .collect();
        let goals = goals.into_iter().filter(|g| actions.iter().any(|a| a.goal_id == g.id)).collect();
        PlanContent { goals, actions, ..PlanContent::default() }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementMethod {
    /// Signed on paper.
    Paper,
    /// Agreed in the conversation.
    Conversation,
    /// Agreed digitally.
    Digital,
}

/// The family's answer to a plan version: who agreed and how, or that they refused, in their own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Agreement {
    /// Household members who agreed (or, when refused, who refused).
    #[serde(default)]
    pub member_ids: Vec<String>,
    pub method: Option<AgreementMethod>,
    /// The family does not agree; the plan is recorded with their refusal.
    #[serde(default)]
    pub refused: bool,
    /// The family's own words, kept exactly as given.
    pub statement: Option<String>,
}

impl Agreement {
    pub fn validate(&self, members: &HashSet<String>, v: &mut Validator) {
        v.check(!self.member_ids.is_empty(), "agreement.memberIds", "name the household members who answered");
        for (i, m) in self.member_ids.iter().enumerate() {
            v.check(members.contains(m), &format!("agreement.memberIds[{i}]"), "must be a member of the household");
        }
        v.check(self.method.is_some(), "agreement.method", "is required: paper, conversation or digital");
        match &self.statement {
            Some(s) => v.check(s.chars().count() <= 10_000, "agreement.statement", "must be at most 10000 characters"),
            None => {
                v.check(!self.refused, "agreement.statement", "a refusal is recorded with the family's own statement")
            }
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// The difference between two versions: goals and actions added, changed and removed (by id).
#[derive(Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanDiff {
    pub goals: Changes,
    pub actions: Changes,
    /// Strengths, concerns, own efforts or the evaluation date differ.
    pub other_changed: bool,
}

fn changes<T: PartialEq>(from: &[T], to: &[T], id: impl Fn(&T) -> &str) -> Changes {
    let old: BTreeMap<&str, &T> = from.iter().map(|x| (id(x), x)).collect();
    let new: BTreeMap<&str, &T> = to.iter().map(|x| (id(x), x)).collect();
    Changes {
        added: new.keys().filter(|k| !old.contains_key(*k)).map(|k| k.to_string()).collect(),
        changed: new.iter().filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v)).map(|(k, _)| k.to_string()).collect(),
        removed: old.keys().filter(|k| !new.contains_key(*k)).map(|k| k.to_string()).collect(),
    }
}

pub fn diff(from: &PlanContent, to: &PlanContent) -> PlanDiff {
    PlanDiff {
        goals: changes(&from.goals, &to.goals, |g| &g.id),
        actions: changes(&from.actions, &to.actions, |a| &a.id),
        other_changed: from.strengths != to.strengths
            || from.concerns != to.concerns
            || from.own_efforts != to.own_efforts
            || from.next_evaluation_date != to.next_evaluation_date,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        [ActionStatus::Planned, ActionStatus::InProgress, ActionStatus::Done, ActionStatus::Cancelled]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn goal(id: &str) -> Goal {
        Goal {
            id: id.into(),
            domain: Some("financien".into()),
            person_id: None,
            description: "Grip op geld".into(),
            target: Some("Huur elke maand op tijd".into()),
            target_score: Some(4),
            due_date: Some(d("2027-06-01")),
            status: GoalStatus::Open,
        }
    }

    fn action(id: &str, goal: &str, user: &str) -> Action {
        Action {
            id: id.into(),
            goal_id: goal.into(),
            description: "Budgetplan maken".into(),
            owner: Some(Owner {
                kind: OwnerKind::Professional,
                user_id: Some(user.into()),
                organisation_id: None,
                person_id: None,
                name: None,
            }),
            due_date: Some(d("2027-01-15")),
        }
    }

    fn complete() -> PlanContent {
        PlanContent {
            strengths: vec!["Moeder zoekt zelf hulp".into()],
            concerns: vec![Concern { description: "Schulden".into(), priority: Priority::High }],
            own_efforts: vec!["Oma past op".into()],
            goals: vec![goal("g1"), goal("g2")],
            actions: vec![action("a1", "g1", "u1"), action("a2", "g2", "u2")],
            next_evaluation_date: Some(d("2027-03-01")),
            after_eighteen: vec![],
        }
    }

    fn fields(v: Validator) -> Vec<String> {
        match v.finish() {
            Ok(()) => vec![],
            Err(crate::error::AppError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn agreement_names_every_missing_piece() {
        let mut p = complete();
        let mut v = Validator::new();
        p.missing_for_agreement(&mut v);
        assert!(fields(v).is_empty());
        p.goals[0].domain = None;
        p.goals[1].target = None;
        p.goals[1].target_score = None;
        p.goals[1].due_date = None;
        p.actions[0].owner = None;
        p.actions[1].due_date = None;
        p.next_evaluation_date = None;
        let mut v = Validator::new();
        p.missing_for_agreement(&mut v);
        assert_eq!(
            fields(v),
            [
                "goals[0].domain",
                "goals[1].target",
                "goals[1].dueDate",
                "actions[0].owner",
                "actions[1].dueDate",
                "nextEvaluationDate"
            ]
        );
        let mut v = Validator::new();
        PlanContent::default().missing_for_agreement(&mut v);
        assert_eq!(fields(v), ["goals", "nextEvaluationDate"]);
    }

    #[test]
    fn structure_checks_references() {
        let members: HashSet<String> = ["p1".to_string()].into();
        let professionals: HashSet<String> = ["u1".to_string()].into();
        let refs = References { members: &members, professionals: &professionals };
        let mut p = complete();
        p.goals[0].person_id = Some("p1".into());
        p.goals[1].domain = Some("geluk".into());
        p.actions[1].goal_id = "g9".into();
        p.actions.push(action("a1", "g1", "u1"));
        let mut v = Validator::new();
        p.validate(&refs, &mut v);
        assert_eq!(fields(v), ["goals[1].domain", "actions[1].goalId", "actions[1].owner.userId", "actions[2].id"]);
    }

    #[test]
    fn agreement_record_and_refusal() {
        let members: HashSet<String> = ["p1".to_string()].into();
        let ok = Agreement {
            member_ids: vec!["p1".into()],
            method: Some(AgreementMethod::Paper),
            refused: false,
            statement: None,
        };
        let mut v = Validator::new();
        ok.validate(&members, &mut v);
        assert!(fields(v).is_empty());
        let refusal = Agreement { member_ids: vec!["px".into()], method: None, refused: true, statement: None };
        let mut v = Validator::new();
        refusal.validate(&members, &mut v);
        assert_eq!(fields(v), ["agreement.memberIds[0]", "agreement.method", "agreement.statement"]);
    }

    #[test]
    fn a_provider_sees_only_their_actions_and_the_goals_they_serve() {
        let mut p = complete();
        let seen = p.for_provider("u2", |_| true);
        assert_eq!(seen.actions.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a2"]);
        assert_eq!(seen.goals.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), ["g2"]);
        assert!(seen.strengths.is_empty() && seen.concerns.is_empty() && seen.own_efforts.is_empty());
        assert_eq!(seen.next_evaluation_date, None);
        assert!(p.for_provider("nobody", |_| true).goals.is_empty());
        // Without consent for the person a goal concerns, neither the goal nor the action on it is shown.
        p.goals[1].person_id = Some("child".into());
        let none = p.for_provider("u2", |person| person != Some("child"));
        assert!(none.goals.is_empty() && none.actions.is_empty());
    }

    #[test]
    fn differences_between_versions() {
        let from = complete();
        let mut to = complete();
        to.goals[1].description = "Anders".into();
        to.goals.push(goal("g3"));
        to.actions.remove(0);
        let d = diff(&from, &to);
        assert_eq!(d.goals, Changes { added: vec!["g3".into()], changed: vec!["g2".into()], removed: vec![] });
        assert_eq!(d.actions, Changes { added: vec![], changed: vec![], removed: vec!["a1".into()] });
        assert!(!d.other_changed);
        assert_eq!(diff(&from, &from), PlanDiff::default());
    }
}
