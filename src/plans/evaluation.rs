//! Evaluations of the current plan with the family: progress per goal and a decision. Continue and escalate
//! set the next evaluation date; adjust also opens a new draft from the current plan; close closes the case.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Goal, GoalStatus, Owner, OwnerKind, PlanContent};
use super::service::{decide, next_number, plan_of, references};
use super::store::{self, AgreementRow, EvaluationRow, VersionRow};
use crate::access::{Action, CasePlan, Category};
use crate::cases::model::{CaseState, CloseReason};
use crate::cases::store::CaseRow;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Continue,
    /// Opens a new draft from the current plan (with the goals' new statuses).
    Adjust,
    Escalate,
    /// Closes the case.
    Close,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Continue => "continue",
            Decision::Adjust => "adjust",
            Decision::Escalate => "escalate",
            Decision::Close => "close",
        }
    }

    fn parse(s: &str) -> Decision {
        match s {
            "adjust" => Decision::Adjust,
            "escalate" => Decision::Escalate,
            "close" => Decision::Close,
            _ => Decision::Continue,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GoalProgress {
    pub goal_id: String,
    pub status: GoalStatus,
    /// How it went, in plain words.
    pub note: Option<String>,
}

/// What one participant will do after the evaluation ("wat ieder gaat doen"). Several per participant may be given.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvaluationAgreement {
    /// One of the evaluation's participants, named as in `participants`.
    pub who: Owner,
    /// What they will do, in plain words: 1 to 500 characters.
    pub what: String,
}

/// At most this many agreements in one evaluation.
pub const MAX_AGREEMENTS: usize = 50;
/// At most this many characters in one agreement's `what`.
pub const MAX_WHAT: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEvaluation {
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub held_on: Option<NaiveDate>,
    /// Who took part: household members, professionals, people from the network.
    pub participants: Option<Vec<Owner>>,
    /// One entry for every goal of the current plan.
    pub goal_progress: Option<Vec<GoalProgress>>,
    pub decision: Option<Decision>,
    /// Required unless the decision is to close.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub next_evaluation_date: Option<NaiveDate>,
    /// Required when the decision is to close.
    pub close_reason: Option<CloseReason>,
    /// What each participant will do after this evaluation, in order (at most 50).
    #[serde(default)]
    pub agreements: Option<Vec<EvaluationAgreement>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub id: String,
    pub plan_number: i32,
    pub held_on: NaiveDate,
    pub participants: Vec<Owner>,
    pub goal_progress: Vec<GoalProgress>,
    pub decision: Decision,
    pub next_evaluation_date: Option<NaiveDate>,
    pub close_reason: Option<String>,
    /// What each participant will do after this evaluation, in the order agreed.
    pub agreements: Vec<EvaluationAgreement>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The draft an `adjust` decision opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_draft: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evaluations {
    pub items: Vec<Evaluation>,
    /// The next evaluation: set by the latest evaluation, or by the current plan before the first one.
    pub next_evaluation_date: Option<NaiveDate>,
}

impl Evaluation {
    fn from_row(r: EvaluationRow) -> AppResult<Evaluation> {
        Ok(Evaluation {
            id: r.id,
            plan_number: r.plan_number,
            held_on: r.held_on,
            participants: serde_json::from_str(&r.participants).map_err(AppError::internal)?,
            goal_progress: serde_json::from_str(&r.goal_progress).map_err(AppError::internal)?,
            decision: Decision::parse(&r.decision),
            next_evaluation_date: r.next_evaluation_date,
            close_reason: r.close_reason,
            agreements: Vec::new(),
            created_by: r.created_by,
            created_at: r.created_at.and_utc(),
            new_draft: None,
        })
    }
}

impl EvaluationAgreement {
    fn from_row(r: AgreementRow) -> EvaluationAgreement {
        let kind = match r.who_kind.as_str() {
            "member" => OwnerKind::Member,
            "professional" => OwnerKind::Professional,
            _ => OwnerKind::Network,
        };
        let who = Owner {
            kind,
            user_id: r.who_user_id,
            organisation_id: r.who_organisation_id,
            person_id: r.who_person_id,
            name: r.who_name,
        };
        EvaluationAgreement { who, what: r.what }
    }

    fn to_row(&self, evaluation_id: &str, position: usize) -> AgreementRow {
        let kind = match self.who.kind {
            OwnerKind::Member => "member",
            OwnerKind::Professional => "professional",
            OwnerKind::Network => "network",
        };
        AgreementRow {
            evaluation_id: evaluation_id.to_string(),
            position: position as i32,
            who_kind: kind.to_string(),
            who_person_id: self.who.person_id.clone(),
            who_user_id: self.who.user_id.clone(),
            who_organisation_id: self.who.organisation_id.clone(),
            who_name: self.who.name.as_deref().map(|n| n.trim().to_string()),
            what: self.what.trim().to_string(),
        }
    }
}

/// Whether two owners name the same participant: the same person, user, or network name.
pub fn same_participant(a: &Owner, b: &Owner) -> bool {
    let same = |x: &Option<String>, y: &Option<String>| {
        let (x, y) = (x.as_deref().map(str::trim), y.as_deref().map(str::trim));
        x.is_some_and(|x| !x.is_empty()) && x == y
    };
    a.kind == b.kind
        && match a.kind {
            OwnerKind::Member => same(&a.person_id, &b.person_id),
            OwnerKind::Professional => same(&a.user_id, &b.user_id),
            OwnerKind::Network => same(&a.name, &b.name),
        }
}

fn load(c: &mut DbConn, case_id: &str) -> AppResult<Vec<Evaluation>> {
    let mut items =
        store::evaluations(c, case_id)?.into_iter().map(Evaluation::from_row).collect::<AppResult<Vec<_>>>()?;
    // Ordered by evaluation, then position: each evaluation's agreements come out in the order they were given.
    for row in store::agreements(c, case_id)? {
        if let Some(e) = items.iter_mut().find(|e| e.id == row.evaluation_id) {
            e.agreements.push(EvaluationAgreement::from_row(row));
        }
    }
    Ok(items)
}

/// The goals of each plan version the evaluations evaluated, by version number.
fn goals_of(c: &mut DbConn, case_id: &str, items: &[Evaluation]) -> AppResult<HashMap<i32, Vec<Goal>>> {
    let mut out = HashMap::new();
    for e in items {
        if out.contains_key(&e.plan_number) {
            continue;
        }
        let goals = match store::version(c, case_id, e.plan_number)? {
            Some(v) => serde_json::from_str::<PlanContent>(&v.content).map_err(AppError::internal)?.goals,
            None => Vec::new(),
        };
        out.insert(e.plan_number, goals);
    }
    Ok(out)
}

/// The evaluations as far as the caller may see them: all for those who see the whole plan; for a provider progress
/// on goals of the persons a consent covers (household goals with any), and of the family only the covered members
/// among the participants.
fn visible(items: Vec<Evaluation>, goals: &HashMap<i32, Vec<Goal>>, plan: &CasePlan<CaseRow>) -> Vec<Evaluation> {
    if plan.view.reads_all() {
        return items;
    }
    let covered = |person: Option<&str>| plan.shows(person, Category::Evaluations);
    let mut out = Vec::new();
    for mut e in items {
        let goals = goals.get(&e.plan_number).map(Vec::as_slice).unwrap_or_default();
        e.goal_progress.retain(|gp| goals.iter().any(|g| g.id == gp.goal_id && covered(g.person_id.as_deref())));
        e.participants.retain(|p| p.kind != OwnerKind::Member || covered(p.person_id.as_deref()));
        // What a member will do is theirs: shown where the member is shown.
        e.agreements.retain(|a| a.who.kind != OwnerKind::Member || covered(a.who.person_id.as_deref()));
        out.push(e);
    }
    out
}

/// The persons whose data evaluations show: the family members who took part (an agreement's member is always one
/// of them) and the persons of the goals whose progress is given.
fn persons_in(items: &[Evaluation], goals: &HashMap<i32, Vec<Goal>>) -> Vec<String> {
    let mut out = Vec::new();
    for e in items {
        let members = e.participants.iter().filter(|p| p.kind == OwnerKind::Member).filter_map(|p| p.person_id.clone());
        let plan_goals = goals.get(&e.plan_number).map(Vec::as_slice).unwrap_or_default();
        let of_goals = e
            .goal_progress
            .iter()
            .filter_map(|gp| plan_goals.iter().find(|g| g.id == gp.goal_id))
            .filter_map(|g| g.person_id.clone());
        out.extend(members.chain(of_goals));
    }
    out
}

pub async fn list(ctx: &Ctx, case_id: String) -> AppResult<Evaluations> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let plan = plan_of(ctx, c, &case_id)?;
        ctx.state.access.require_plan_read(&plan, Category::Evaluations, &ctx.audit)?;
        let case = &plan.case;
        let items = load(c, &case.id)?;
        let goals = goals_of(c, &case.id, &items)?;
        let items = visible(items, &goals, &plan);
        ctx.audit.persons(persons_in(&items, &goals));
        let from_plan = match store::with_status(c, &case.id, "agreed")? {
            Some(row) => {
                serde_json::from_str::<PlanContent>(&row.content).map_err(AppError::internal)?.next_evaluation_date
            }
            None => None,
        };
        let next = match items.last() {
            Some(last) => last.next_evaluation_date,
            None => from_plan,
        };
        Ok(Evaluations { items, next_evaluation_date: next })
    })
    .await
}

impl NewEvaluation {
    /// The checks that need no database: the web client runs them before it shows the summary to confirm.
    pub fn validate(&self) -> AppResult<()> {
        let mut v = Validator::new();
        if let Some(d) = v.required(&self.held_on, "heldOn") {
            v.check(*d <= now().date(), "heldOn", "must not be in the future");
        }
        if let Some(p) = v.required(&self.participants, "participants") {
            v.check(!p.is_empty(), "participants", "name who took part");
        }
        v.required(&self.goal_progress, "goalProgress");
        if let Some(g) = &self.goal_progress {
            for (i, gp) in g.iter().enumerate() {
                if let Some(n) = &gp.note {
                    v.check(
                        n.chars().count() <= 2_000,
                        &format!("goalProgress[{i}].note"),
                        "must be at most 2000 characters",
                    );
                }
            }
        }
        if let Some(agreements) = &self.agreements {
            v.check(agreements.len() <= MAX_AGREEMENTS, "agreements", "must be at most 50 agreements");
            let participants = self.participants.as_deref().unwrap_or_default();
            for (i, a) in agreements.iter().enumerate() {
                v.check(
                    participants.iter().any(|p| same_participant(p, &a.who)),
                    &format!("agreements[{i}].who"),
                    "must be one of the participants",
                );
                let field = format!("agreements[{i}].what");
                let what = a.what.trim();
                if what.is_empty() {
                    v.add(field, "is required");
                } else if what.chars().count() > MAX_WHAT {
                    v.add(field, "must be at most 500 characters");
                } else if crate::input::has_forbidden_char(what) {
                    v.add(field, crate::input::FORBIDDEN_CHAR);
                }
            }
        }
        match v.required(&self.decision, "decision") {
            Some(Decision::Close) => {
                v.check(self.close_reason.is_some(), "closeReason", "is required when the case is closed");
                v.check(
                    self.next_evaluation_date.is_none(),
                    "nextEvaluationDate",
                    "a closed case has no next evaluation",
                );
            }
            Some(_) => {
                v.check(self.close_reason.is_none(), "closeReason", "is only given when the case is closed");
                match (&self.next_evaluation_date, &self.held_on) {
                    (None, _) => v.add("nextEvaluationDate", "is required unless the case is closed"),
                    (Some(next), Some(held)) => v.check(next > held, "nextEvaluationDate", "must be after heldOn"),
                    _ => {}
                }
            }
            None => {}
        }
        v.finish()
    }
}

/// Checks the evaluation against the current plan and the case's people: every goal once, known participants.
fn check_against(
    input: &NewEvaluation,
    plan: &PlanContent,
    members: &HashSet<String>,
    professionals: &HashSet<String>,
) -> AppResult<()> {
    let mut v = Validator::new();
    let given = input.goal_progress.as_deref().unwrap_or_default();
    for (i, gp) in given.iter().enumerate() {
        let known = plan.goals.iter().any(|g| g.id == gp.goal_id);
        let first = given.iter().position(|x| x.goal_id == gp.goal_id) == Some(i);
        v.check(known && first, &format!("goalProgress[{i}].goalId"), "must be a goal of the current plan, once");
    }
    for g in &plan.goals {
        v.check(given.iter().any(|gp| gp.goal_id == g.id), "goalProgress", &format!("goal {} is missing", g.id));
    }
    for (i, p) in input.participants.as_deref().unwrap_or_default().iter().enumerate() {
        let ok = match p.kind {
            OwnerKind::Member => p.person_id.as_ref().is_some_and(|x| members.contains(x)),
            OwnerKind::Professional => p.user_id.as_ref().is_some_and(|x| professionals.contains(x)),
            OwnerKind::Network => p.name.as_ref().is_some_and(|n| !n.trim().is_empty() && n.chars().count() <= 200),
        };
        v.check(
            ok,
            &format!("participants[{i}]"),
            "must be a household member, an involved professional, or a named person",
        );
    }
    v.finish()
}

/// Records an evaluation of the current plan (the regisseur) and carries out its decision in the same transaction.
pub async fn record(ctx: &Ctx, case_id: String, input: NewEvaluation) -> AppResult<Evaluation> {
    decide(ctx, Action::Update, &case_id)?;
    input.validate()?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let ctx = &ctx2;
        let plan = plan_of(ctx, c, &case_id)?;
        ctx.state.access.require_regisseur(&plan, &ctx.audit)?;
        let case = &plan.case;
        let state_now = CaseState::parse(&case.state).ok_or_else(|| AppError::internal("unknown case state"))?;
        if state_now == CaseState::Closed {
            return Err(AppError::Conflict("The case is closed".into()));
        }
        let current = store::with_status(c, &case.id, "agreed")?
            .ok_or_else(|| AppError::Conflict("There is no agreed plan to evaluate".into()))?;
        let content: PlanContent = serde_json::from_str(&current.content).map_err(AppError::internal)?;
        let (members, professionals) = references(c, case)?;
        check_against(&input, &content, &members, &professionals)?;
        let decision = input.decision.unwrap_or(Decision::Continue);
        let t = now();
        let id = new_id();
        store::insert_evaluation(
            c,
            &EvaluationRow {
                id: id.clone(),
                case_id: case.id.clone(),
                plan_number: current.number,
                held_on: input.held_on.unwrap_or_default(),
                participants: serde_json::to_string(&input.participants).map_err(AppError::internal)?,
                goal_progress: serde_json::to_string(&input.goal_progress).map_err(AppError::internal)?,
                decision: decision.as_str().to_string(),
                next_evaluation_date: input.next_evaluation_date,
                close_reason: input.close_reason.map(|r| r.as_str().to_string()),
                created_by: ctx.principal.user_id.clone(),
                created_at: t,
            },
        )?;
        let agreements = input.agreements.as_deref().unwrap_or_default();
        let rows: Vec<AgreementRow> = agreements.iter().enumerate().map(|(i, a)| a.to_row(&id, i)).collect();
        store::insert_agreements(c, &rows)?;
        // The case's state follows: closing closes it; otherwise an evaluation round ends in `active`.
        let to = match decision {
            Decision::Close => Some(CaseState::Closed),
            _ if state_now == CaseState::Evaluating => Some(CaseState::Active),
            _ => None,
        };
        if let Some(to) = to {
            state_now.transition(to, input.close_reason).map_err(|_| {
                AppError::Conflict(format!("A case in {} cannot move to {}", state_now.as_str(), to.as_str()))
            })?;
            if !crate::cases::store::update_state(
                c,
                &case.id,
                case.version,
                to.as_str(),
                input.close_reason.map(CloseReason::as_str),
                t,
            )? {
                return Err(AppError::Conflict("The case changed at the same moment; try again".into()));
            }
            crate::cases::store::insert_state(c, &case.id, to.as_str(), Some(&ctx.principal.user_id), t)?;
        }
        let mut new_draft = None;
        if decision == Decision::Adjust {
            new_draft = Some(open_adjusted_draft(c, &case.id, &current, &content, &input, &ctx.principal.user_id, t)?);
        }
        let mut evaluation = load(c, &case.id)?.into_iter().find(|e| e.id == id).ok_or(AppError::NotFound)?;
        evaluation.new_draft = new_draft;
        let goals = HashMap::from([(current.number, content.goals.clone())]);
        ctx.audit.persons(persons_in(std::slice::from_ref(&evaluation), &goals));
        Ok(evaluation)
    })
    .await
}

/// The draft an `adjust` decision opens: the current plan with the goals' statuses from the evaluation and the new
/// evaluation date. An existing draft is kept as it is (409), so nobody's work is overwritten.
fn open_adjusted_draft(
    c: &mut DbConn,
    case_id: &str,
    current: &VersionRow,
    plan: &PlanContent,
    input: &NewEvaluation,
    by: &str,
    t: chrono::NaiveDateTime,
) -> AppResult<i32> {
    if store::with_status(c, case_id, "draft")?.is_some() {
        return Err(AppError::Conflict("This case already has a draft; finish it before adjusting again".into()));
    }
    let mut content = plan.clone();
    for g in &mut content.goals {
        if let Some(gp) = input.goal_progress.as_deref().unwrap_or_default().iter().find(|gp| gp.goal_id == g.id) {
            g.status = gp.status;
        }
    }
    content.next_evaluation_date = input.next_evaluation_date;
    let number = next_number(c, case_id)?;
    store::insert(
        c,
        &VersionRow {
            id: new_id(),
            case_id: case_id.to_string(),
            number,
            status: "draft".into(),
            content: serde_json::to_string(&content).map_err(AppError::internal)?,
            based_on: Some(current.number),
            members_may_edit: false,
            revision: 1,
            created_by: by.to_string(),
            created_at: t,
            updated_by: by.to_string(),
            updated_at: t,
            agreed_by: None,
            agreed_at: None,
            agreement: None,
            superseded_at: None,
        },
    )?;
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(kind: OwnerKind, key: &str) -> Owner {
        let mut o = Owner { kind, user_id: None, organisation_id: None, person_id: None, name: None };
        match kind {
            OwnerKind::Member => o.person_id = Some(key.into()),
            OwnerKind::Professional => o.user_id = Some(key.into()),
            OwnerKind::Network => o.name = Some(key.into()),
        }
        o
    }

    fn evaluation(agreements: Vec<EvaluationAgreement>) -> NewEvaluation {
        NewEvaluation {
            held_on: NaiveDate::from_ymd_opt(2026, 11, 1),
            participants: Some(vec![owner(OwnerKind::Member, "p1"), owner(OwnerKind::Network, "Oma")]),
            goal_progress: Some(Vec::new()),
            decision: Some(Decision::Continue),
            next_evaluation_date: NaiveDate::from_ymd_opt(2027, 2, 1),
            close_reason: None,
            agreements: Some(agreements),
        }
    }

    fn fields(input: &NewEvaluation) -> Vec<String> {
        match input.validate() {
            Err(AppError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_participant_is_the_same_person_user_or_network_name() {
        assert!(same_participant(&owner(OwnerKind::Member, "p1"), &owner(OwnerKind::Member, "p1")));
        assert!(same_participant(&owner(OwnerKind::Network, " Oma "), &owner(OwnerKind::Network, "Oma")));
        assert!(!same_participant(&owner(OwnerKind::Member, "p1"), &owner(OwnerKind::Professional, "p1")));
        assert!(!same_participant(&owner(OwnerKind::Member, "p1"), &owner(OwnerKind::Member, "p2")));
        assert!(!same_participant(&owner(OwnerKind::Network, " "), &owner(OwnerKind::Network, " ")));
    }

    #[test]
    fn agreements_are_checked_all_at_once() {
        let a = |who: Owner, what: &str| EvaluationAgreement { who, what: what.into() };
        let ok = evaluation(vec![
            a(owner(OwnerKind::Member, "p1"), "Belt de school"),
            a(owner(OwnerKind::Member, "p1"), &"é".repeat(500)),
            a(owner(OwnerKind::Network, "Oma"), "Haalt op"),
        ]);
        assert!(ok.validate().is_ok());
        let bad = evaluation(vec![
            a(owner(OwnerKind::Member, "p2"), "Belt de school"),
            a(owner(OwnerKind::Network, "Oma"), " \n "),
            a(owner(OwnerKind::Network, "Oma"), &"x".repeat(501)),
            a(owner(OwnerKind::Member, "p1"), "Belt\u{1b} op"),
        ]);
        assert_eq!(
            fields(&bad),
            ["agreements[0].who", "agreements[1].what", "agreements[2].what", "agreements[3].what"]
        );
        let many = evaluation((0..51).map(|_| a(owner(OwnerKind::Member, "p1"), "Iets")).collect());
        assert_eq!(fields(&many), ["agreements"]);
    }
}
