//! Plan use cases: versions, drafts, agreement, differences, action progress — access, transaction, audit.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{diff, ActionStatus, Agreement, OwnerKind, PlanContent, PlanDiff, References};
use super::store::{self, ProgressRow, VersionRow};
use crate::access::scope::PlanView;
use crate::access::{Action, CasePlan, Category, Resource};
use crate::cases::store::CaseRow;
use crate::db::{new_id, now, DbConn};
use crate::error::{check_version, conflict_on_unique, stale, AppError, AppResult, FieldError, Validator};
use crate::state::{Ctx, Effect};

/// Progress of one action of the current plan.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionProgress {
    pub action_id: String,
    pub status: ActionStatus,
    pub done_on: Option<NaiveDate>,
    /// Not done or cancelled, and past its due date.
    pub overdue: bool,
    /// Send as `If-Match` to change it.
    pub revision: i64,
}

/// One plan version as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanVersion {
    pub number: i32,
    /// draft, agreed (the current plan), superseded or discarded
    pub status: String,
    /// `full`, or `own_actions` for a provider professional.
    pub view: &'static str,
    pub revision: i64,
    pub based_on: Option<i32>,
    pub members_may_edit: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub agreed_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    pub content: PlanContent,
    /// Progress of the actions shown (agreed and superseded versions).
    pub progress: Vec<ActionProgress>,
}

/// A version in the list of versions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionSummary {
    pub number: i32,
    pub status: String,
    pub revision: i64,
    pub based_on: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub agreed_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

fn content_of(row: &VersionRow) -> AppResult<PlanContent> {
    serde_json::from_str(&row.content).map_err(AppError::internal)
}

/// The one projection of plan content: everything for those who see the whole plan; for a provider their own
/// actions and the goals those serve, of the persons (or the household) a consent covers for their organisation.
pub(crate) fn project(ctx: &Ctx, plan: &CasePlan<CaseRow>, full: PlanContent) -> PlanContent {
    match plan.view {
        PlanView::OwnActions => full.for_provider(&ctx.principal.user_id, |person| plan.shows(person, Category::Plan)),
        _ => full,
    }
}

fn view(ctx: &Ctx, plan: &CasePlan<CaseRow>, row: VersionRow, progress: &[ProgressRow]) -> AppResult<PlanVersion> {
    let content = project(ctx, plan, content_of(&row)?);
    let today = now().date();
    let progress = if row.status == "draft" {
        Vec::new()
    } else {
        content
            .actions
            .iter()
            .filter_map(|a| {
                let p = progress.iter().find(|p| p.action_id == a.id)?;
                let status = ActionStatus::parse(&p.status)?;
                Some(ActionProgress {
                    action_id: a.id.clone(),
                    overdue: matches!(status, ActionStatus::Planned | ActionStatus::InProgress)
                        && a.due_date.is_some_and(|d| d < today),
                    status,
                    done_on: p.done_on,
                    revision: p.revision,
                })
            })
            .collect()
    };
    // The family's answer is part of the whole plan, not of a provider's view.
    let agreement = if plan.view.reads_all() {
        row.agreement.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?
    } else {
        None
    };
    Ok(PlanVersion {
        number: row.number,
        view: match plan.view {
            PlanView::OwnActions => "own_actions",
            PlanView::ReadOnly => "emergency_read",
            _ => "full",
        },
        revision: row.revision,
        based_on: row.based_on,
        members_may_edit: row.members_may_edit,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        agreed_at: row.agreed_at.map(|t| t.and_utc()),
        superseded_at: row.superseded_at.map(|t| t.and_utc()),
        status: row.status,
        agreement,
        content,
        progress,
    })
}

/// Names in the audit event the persons a version shows: its goals' persons, member owners, who answered.
fn audit_persons(ctx: &Ctx, v: &PlanVersion) {
    let answered = v.agreement.iter().flat_map(|a| a.member_ids.iter().cloned());
    ctx.audit.persons(v.content.persons().into_iter().chain(answered));
}

/// The role step for an act on a case's plan; the case is the request's resource.
pub(crate) fn decide(ctx: &Ctx, action: Action, case_id: &str) -> AppResult<()> {
    ctx.state.access.decide(&ctx.principal, Resource::Plan, action, &ctx.audit)?;
    ctx.audit.resource(case_id);
    Ok(())
}

/// Loads the case and decides the caller's view of its plan (404 out of scope).
pub(crate) fn plan_of(ctx: &Ctx, c: &mut DbConn, case_id: &str) -> AppResult<CasePlan<CaseRow>> {
    crate::cases::service::plan_view(&ctx.state, c, &ctx.principal, case_id, &ctx.audit)
}

/// The case's plan as far as the caller may read its goals and actions: 404 out of scope, 403 for the teamleider's
/// summary.
fn scoped(ctx: &Ctx, c: &mut DbConn, case_id: &str) -> AppResult<CasePlan<CaseRow>> {
    let plan = plan_of(ctx, c, case_id)?;
    ctx.state.access.require_plan_read(&plan, Category::Plan, &ctx.audit)?;
    Ok(plan)
}

pub async fn list_versions(ctx: &Ctx, case_id: String) -> AppResult<Vec<VersionSummary>> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        Ok(store::versions(c, &plan.case.id)?
            .into_iter()
            .filter(|v| plan.view.sees_version(&v.status))
            .map(|v| VersionSummary {
                number: v.number,
                status: v.status,
                revision: v.revision,
                based_on: v.based_on,
                created_at: v.created_at.and_utc(),
                agreed_at: v.agreed_at.map(|t| t.and_utc()),
                superseded_at: v.superseded_at.map(|t| t.and_utc()),
            })
            .collect())
    })
    .await
}

/// `number`, or `current` for the agreed version.
pub async fn get_version(ctx: &Ctx, case_id: String, which: String) -> AppResult<PlanVersion> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        let row = find(c, &plan.case.id, &which)?;
        ctx.state.access.require_version(&plan, &row.status, &ctx.audit)?;
        let progress = store::progress(c, &plan.case.id)?;
        let version = view(ctx, &plan, row, &progress)?;
        audit_persons(ctx, &version);
        Ok(version)
    })
    .await
}

/// A version by `number`, or `current` for the agreed one.
pub(crate) fn find(c: &mut DbConn, case_id: &str, which: &str) -> AppResult<VersionRow> {
    let row = if which == "current" {
        store::with_status(c, case_id, "agreed")?
    } else {
        match which.parse::<i32>() {
            Ok(n) => store::version(c, case_id, n)?,
            Err(_) => None,
        }
    };
    row.ok_or(AppError::NotFound)
}

/// The case's household members today and its involved professionals: what a plan may refer to.
pub(crate) fn references(c: &mut DbConn, case: &CaseRow) -> AppResult<(HashSet<String>, HashSet<String>)> {
    let members = store::members_on(c, &case.household_id, now().date())?.into_iter().collect();
    let professionals = store::professionals(c, &case.id, now())?.into_iter().map(|(user, _)| user).collect();
    Ok((members, professionals))
}

/// The organisation each professional involved in the case works for.
fn professional_organisations(c: &mut DbConn, case_id: &str) -> AppResult<HashMap<String, String>> {
    Ok(store::professionals(c, case_id, now())?.into_iter().collect())
}

/// The number the next version of the case's plan gets.
pub(crate) fn next_number(c: &mut DbConn, case_id: &str) -> AppResult<i32> {
    Ok(store::versions(c, case_id)?.iter().map(|v| v.number).max().unwrap_or(0) + 1)
}

/// Starts a draft from the current plan (or empty). The regisseur only; one draft at a time (409).
pub async fn start_draft(ctx: &Ctx, case_id: String) -> AppResult<PlanVersion> {
    decide(ctx, Action::Create, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        ctx.state.access.require_regisseur(&plan, &ctx.audit)?;
        let case = &plan.case;
        if case.state == "closed" {
            return Err(AppError::Conflict("A closed case gets no new plan".into()));
        }
        if store::with_status(c, &case.id, "draft")?.is_some() {
            return Err(AppError::Conflict("This case already has a draft; edit that one".into()));
        }
        let current = store::with_status(c, &case.id, "agreed")?;
        let content = match &current {
            Some(row) => row.content.clone(),
            None => serde_json::to_string(&PlanContent::default()).map_err(AppError::internal)?,
        };
        let t = now();
        let row = VersionRow {
            id: new_id(),
            case_id: case.id.clone(),
            number: next_number(c, &case.id)?,
            status: "draft".into(),
            content,
            based_on: current.map(|r| r.number),
            members_may_edit: false,
            revision: 1,
            created_by: ctx.principal.user_id.clone(),
            created_at: t,
            updated_by: ctx.principal.user_id.clone(),
            updated_at: t,
            agreed_by: None,
            agreed_at: None,
            agreement: None,
            superseded_at: None,
        };
        store::insert(c, &row).map_err(conflict_on_unique("Another draft was started at the same moment"))?;
        let version = view(ctx, &plan, row, &[])?;
        audit_persons(ctx, &version);
        Ok(version)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateDraft {
    pub content: Option<PlanContent>,
    /// Only the regisseur changes this: whether involved wijkteam members may edit the draft too.
    pub members_may_edit: Option<bool>,
}

/// Replaces a draft's content. The regisseur, or an involved wijkteam member when the regisseur allows it.
/// `If-Match` carries the draft's revision: a stale one answers 412 with the current revision.
pub async fn update_draft(
    ctx: &Ctx,
    case_id: String,
    number: i32,
    revision: i64,
    input: UpdateDraft,
) -> AppResult<PlanVersion> {
    update_draft_with(ctx, case_id, number, revision, input, Vec::new()).await
}

/// As `update_draft`, for a web form some of whose fields could not be read (a date, a score): `unreadable` holds
/// those errors. The save's own checks run all the same (access, 404 out of scope, the draft's state and revision,
/// the plan's rules), so the refusal is the plan update's and names every error at once; nothing is saved.
pub async fn update_draft_with(
    ctx: &Ctx,
    case_id: String,
    number: i32,
    revision: i64,
    input: UpdateDraft,
    unreadable: Vec<FieldError>,
) -> AppResult<PlanVersion> {
    decide(ctx, Action::Update, &case_id)?;
    let mut v = Validator::new();
    v.required(&input.content, "content");
    v.finish()?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        let case = &plan.case;
        let row = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let changes_setting = input.members_may_edit.is_some_and(|m| m != row.members_may_edit);
        ctx.state.access.require_draft_edit(&plan, row.members_may_edit, changes_setting, &ctx.audit)?;
        if row.status != "draft" {
            return Err(AppError::Conflict(format!("Version {number} is {} and cannot be changed", row.status)));
        }
        check_version(row.revision, revision)?;
        let mut content = input.content.unwrap_or_default();
        let (members, professionals) = references(c, case)?;
        let mut v = Validator::new();
        for e in unreadable {
            v.add(e.field, e.message);
        }
        content.validate(&References { members: &members, professionals: &professionals }, &mut v);
        v.finish()?;
        let organisations = professional_organisations(c, &case.id)?;
        for owner in content.actions.iter_mut().filter_map(|a| a.owner.as_mut()) {
            owner.organisation_id = match owner.kind {
                OwnerKind::Professional => owner.user_id.as_ref().and_then(|u| organisations.get(u)).cloned(),
                _ => None,
            };
        }
        let json = serde_json::to_string(&content).map_err(AppError::internal)?;
        let members_may_edit = input.members_may_edit.unwrap_or(row.members_may_edit);
        if !store::update_draft(c, &row.id, revision, &json, members_may_edit, &ctx.principal.user_id, now())? {
            let current = store::version(c, &case.id, number)?.map(|r| r.revision).unwrap_or(revision + 1);
            return Err(stale(current));
        }
        let updated = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let version = view(ctx, &plan, updated, &[])?;
        audit_persons(ctx, &version);
        Ok(version)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgreePlan {
    pub agreement: Option<Agreement>,
}

/// Agrees a draft: it becomes the current plan and the previous one is superseded, in one transaction. Every
/// missing piece answers 422 at once; two agreements at the same moment leave one current plan (the database's
/// partial unique index) and the other answers 409.
pub async fn agree(ctx: &Ctx, case_id: String, number: i32, revision: i64, input: AgreePlan) -> AppResult<PlanVersion> {
    decide(ctx, Action::Update, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        ctx.state.access.require_regisseur(&plan, &ctx.audit)?;
        let case = &plan.case;
        let row = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        if row.status != "draft" {
            return Err(AppError::Conflict(format!("Version {number} is {}, not a draft", row.status)));
        }
        check_version(row.revision, revision)?;
        let content = content_of(&row)?;
        let (members, professionals) = references(c, case)?;
        let mut v = Validator::new();
        content.validate(&References { members: &members, professionals: &professionals }, &mut v);
        content.missing_for_agreement(&mut v);
        // In the last months before a young member's 18th birthday the plan says how care goes on after it.
        let today = crate::calendar::local(chrono::Utc::now()).date();
        let births = store::member_births_on(c, &case.household_id, today)?;
        let months = ctx.state.rules.transition.agree_months;
        let turning =
            crate::cases::model::turning_eighteen(births.iter().map(|(p, b)| (p.as_str(), *b)), today, months);
        content.missing_for_transition(&turning, &mut v);
        match &input.agreement {
            Some(a) => a.validate(&members, &mut v),
            None => v.add("agreement", "record who in the family agreed, and how, or their refusal"),
        }
        v.finish()?;
        let t = now();
        if let Some(current) = store::with_status(c, &case.id, "agreed")? {
            store::supersede(c, &current.id, t)?;
        }
        let agreement = serde_json::to_string(&input.agreement).map_err(AppError::internal)?;
        let won = store::mark_agreed(c, &row.id, revision, &agreement, &ctx.principal.user_id, t)
            .map_err(conflict_on_unique("Another version was agreed at the same moment"))?;
        if !won {
            return Err(AppError::Conflict("This draft was changed or agreed at the same moment".into()));
        }
        for a in &content.actions {
            store::track_action(c, &case.id, &a.id, &ctx.principal.user_id, t)?;
        }
        let agreed = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let progress = store::progress(c, &case.id)?;
        let version = view(ctx, &plan, agreed, &progress)?;
        audit_persons(ctx, &version);
        Ok(version)
    })
    .await
}

/// Goals and actions added, changed and removed between two versions (those who see the whole plan).
pub async fn compare(ctx: &Ctx, case_id: String, from: i32, to: i32) -> AppResult<PlanDiff> {
    decide(ctx, Action::Read, &case_id)?;
    let ctx2 = ctx.clone();
    ctx.read(move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        ctx.state.access.require_whole_plan(&plan, &ctx.audit)?;
        let a = store::version(c, &plan.case.id, from)?.ok_or(AppError::NotFound)?;
        let b = store::version(c, &plan.case.id, to)?.ok_or(AppError::NotFound)?;
        Ok(diff(&content_of(&a)?, &content_of(&b)?))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProgress {
    pub status: Option<ActionStatus>,
    /// Required with `done` (not in the future); refused otherwise.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub done_on: Option<NaiveDate>,
}

/// Records progress on an action of the current plan: those who see the whole plan, or the provider who owns it.
pub async fn update_progress(
    ctx: &Ctx,
    case_id: String,
    action_id: String,
    revision: i64,
    input: UpdateProgress,
) -> AppResult<ActionProgress> {
    // The case, not the action: an action's key is chosen by the plan's author, and only ids reach the log.
    decide(ctx, Action::Update, &case_id)?;
    let mut v = Validator::new();
    if let Some(status) = v.required(&input.status, "status") {
        match (status, input.done_on) {
            (ActionStatus::Done, None) => v.add("doneOn", "is required when the action is done"),
            (ActionStatus::Done, Some(d)) => v.check(d <= now().date(), "doneOn", "must not be in the future"),
            (_, Some(_)) => v.add("doneOn", "is only given when the action is done"),
            _ => {}
        }
    }
    v.finish()?;
    let ctx2 = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let ctx = &ctx2;
        let plan = scoped(ctx, c, &case_id)?;
        ctx.state.access.require_progress_update(&plan, &ctx.audit)?;
        let case = &plan.case;
        let current = store::with_status(c, &case.id, "agreed")?.ok_or(AppError::NotFound)?;
        let visible = project(ctx, &plan, content_of(&current)?);
        let action = visible.actions.iter().find(|a| a.id == action_id).ok_or(AppError::NotFound)?;
        // The goal it serves, and its owner when a family member: whose plan this progress is about.
        let goal = visible.goals.iter().filter(|g| g.id == action.goal_id).filter_map(|g| g.person_id.clone());
        let owner = action.owner.iter().filter(|o| o.kind == OwnerKind::Member).filter_map(|o| o.person_id.clone());
        ctx.audit.persons(goal.chain(owner));
        let progress = store::progress(c, &case.id)?;
        let row = progress.iter().find(|p| p.action_id == action.id).ok_or(AppError::NotFound)?;
        check_version(row.revision, revision)?;
        let status = input.status.unwrap_or(ActionStatus::Planned);
        if !store::set_progress(
            c,
            &case.id,
            &action.id,
            revision,
            (status.as_str(), input.done_on),
            &ctx.principal.user_id,
            now(),
        )? {
            return Err(stale(revision + 1));
        }
        let today = now().date();
        Ok(ActionProgress {
            action_id: action.id.clone(),
            overdue: matches!(status, ActionStatus::Planned | ActionStatus::InProgress)
                && action.due_date.is_some_and(|d| d < today),
            status,
            done_on: input.done_on,
            revision: revision + 1,
        })
    })
    .await
}

/// Whether the caller sees the case's whole plan (they direct it or work in it), decided by the plan read's own rule
/// (`scope::plan_basis`) and recorded nowhere: a page asks it after its own read made and recorded the decision, to
/// know whether a provider professional directs the case (a team may let them), so that the page reads the contact
/// sheet, which their consent view would refuse. False when there is no such case or it is out of scope.
pub async fn sees_whole_plan(ctx: &Ctx, case_id: String) -> AppResult<bool> {
    let p = ctx.principal.clone();
    ctx.read(move |c| {
        let Some(case) = crate::cases::store::case(c, &case_id)? else { return Ok(false) };
        let coverage = crate::consent::service::coverage_for(c, &p, &case.id)?;
        let basis = crate::access::scope::plan_basis(c, &p, &case.id, &case.team_id, now(), coverage)?;
        Ok(basis.is_some_and(|(_, (view, _))| view.reads_all()))
    })
    .await
}
