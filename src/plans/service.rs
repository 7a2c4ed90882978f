//! Plan use cases: versions, drafts, agreement, differences, action progress — access, transaction, audit.

use std::collections::HashSet;

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{diff, ActionStatus, Agreement, OwnerKind, PlanContent, PlanDiff, References};
use super::store::{self, ProgressRow, VersionRow};
use crate::access::scope::PlanView;
use crate::access::Principal;
use crate::access::{forbidden, Action, CasePlan, Resource};
use crate::audit::AuditRecord;
use crate::cases::store::CaseRow;
use crate::consent::model::Category;
use crate::consent::service::Coverage;
use crate::db::schema::{household_members, involvements};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

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
pub(crate) fn project(
    p: &Principal,
    plan_view: PlanView,
    coverage: Option<&Coverage>,
    full: PlanContent,
) -> AppResult<PlanContent> {
    match plan_view {
        PlanView::OwnActions => {
            let cov = coverage.ok_or(AppError::NotFound)?;
            Ok(full.for_provider(&p.user_id, |person| match person {
                Some(x) => cov.of(x, Category::Plan).is_some(),
                None => cov.any(Category::Plan).is_some(),
            }))
        }
        _ => Ok(full),
    }
}

fn view(
    row: VersionRow,
    plan_view: PlanView,
    coverage: Option<&Coverage>,
    p: &Principal,
    progress: &[ProgressRow],
) -> AppResult<PlanVersion> {
    let content = project(p, plan_view, coverage, content_of(&row)?)?;
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
    let agreement = match plan_view {
        PlanView::Full { .. } | PlanView::ReadOnly => {
            row.agreement.as_deref().map(serde_json::from_str).transpose().map_err(AppError::internal)?
        }
        _ => None,
    };
    Ok(PlanVersion {
        number: row.number,
        view: match plan_view {
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
fn audit_persons(audit: &AuditRecord, v: &PlanVersion) {
    let answered = v.agreement.iter().flat_map(|a| a.member_ids.iter().cloned());
    audit.persons(v.content.persons().into_iter().chain(answered));
}

/// Loads the case and decides the caller's view of its plan: 404 out of scope, 403 for the teamleider's summary.
fn scoped(
    st: &AppState,
    c: &mut DbConn,
    p: &Principal,
    case_id: &str,
    audit: &AuditRecord,
) -> AppResult<CasePlan<CaseRow>> {
    let plan = crate::cases::service::plan_view(st, c, p, case_id, audit)?;
    if plan.view == PlanView::None {
        return Err(forbidden(audit));
    }
    if plan.view == PlanView::OwnActions {
        st.access.require_category(&plan, Category::Plan, audit)?;
    }
    Ok(plan)
}

pub async fn list_versions(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
) -> AppResult<Vec<VersionSummary>> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let CasePlan { case, view: plan_view, .. } = scoped(&st, c, &principal, &case_id, &audit)?;
        Ok(store::versions(c, &case.id)?
            .into_iter()
            // A provider works from the current plan only.
            .filter(|v| plan_view != PlanView::OwnActions || v.status == "agreed")
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
pub async fn get_version(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    which: String,
) -> AppResult<PlanVersion> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let CasePlan { case, view: plan_view, coverage } = scoped(&st, c, &principal, &case_id, &audit)?;
        let row = find(c, &case.id, &which)?;
        if plan_view == PlanView::OwnActions && row.status != "agreed" {
            return Err(AppError::NotFound);
        }
        let progress = store::progress(c, &case.id)?;
        let version = view(row, plan_view, coverage.as_ref(), &principal, &progress)?;
        audit_persons(&audit, &version);
        Ok(version)
    })
    .await
}

fn find(c: &mut DbConn, case_id: &str, which: &str) -> AppResult<VersionRow> {
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
    use diesel::prelude::*;
    let today = now().date();
    let members: HashSet<String> = household_members::table
        .filter(household_members::household_id.eq(&case.household_id))
        .filter(household_members::from_date.le(today))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(today)))
        .select(household_members::person_id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    let t = now();
    let professionals: HashSet<String> = involvements::table
        .filter(involvements::case_id.eq(&case.id))
        .filter(crate::db::involvement_active(t))
        .select(involvements::user_id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    Ok((members, professionals))
}

/// The organisation each professional involved in the case works for.
fn professional_organisations(c: &mut DbConn, case_id: &str) -> AppResult<std::collections::HashMap<String, String>> {
    use diesel::prelude::*;
    let t = now();
    Ok(involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(crate::db::involvement_active(t))
        .select((involvements::user_id, involvements::organisation_id))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

/// Starts a draft from the current plan (or empty). The regisseur only; one draft at a time (409).
pub async fn start_draft(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<PlanVersion> {
    state.access.decide(p, Resource::Plan, Action::Create, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
        let CasePlan { case, view: plan_view, coverage } = scoped(&st, c, &principal, &case_id, &audit2)?;
        if plan_view != (PlanView::Full { regisseur: true }) {
            return Err(forbidden(&audit2));
        }
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
        let number = store::versions(c, &case.id)?.iter().map(|v| v.number).max().unwrap_or(0) + 1;
        let t = now();
        let row = VersionRow {
            id: new_id(),
            case_id: case.id.clone(),
            number,
            status: "draft".into(),
            content,
            based_on: current.map(|r| r.number),
            members_may_edit: false,
            revision: 1,
            created_by: principal.user_id.clone(),
            created_at: t,
            updated_by: principal.user_id.clone(),
            updated_at: t,
            agreed_by: None,
            agreed_at: None,
            agreement: None,
            superseded_at: None,
        };
        store::insert(c, &row).map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Conflict("Another draft was started at the same moment".into())
            }
            other => other.into(),
        })?;
        let version = view(row, plan_view, coverage.as_ref(), &principal, &[])?;
        audit_persons(&audit2, &version);
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
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    number: i32,
    revision: i64,
    input: UpdateDraft,
) -> AppResult<PlanVersion> {
    state.access.decide(p, Resource::Plan, Action::Update, audit)?;
    audit.resource(&case_id);
    let mut v = Validator::new();
    v.required(&input.content, "content");
    v.finish()?;
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let CasePlan { case, view: plan_view, coverage } = scoped(&st, c, &principal, &case_id, &audit2)?;
        let row = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let is_regisseur = plan_view == PlanView::Full { regisseur: true };
        let may_edit = is_regisseur || (matches!(plan_view, PlanView::Full { .. }) && row.members_may_edit);
        if !may_edit || (input.members_may_edit.is_some_and(|m| m != row.members_may_edit) && !is_regisseur) {
            return Err(forbidden(&audit2));
        }
        if row.status != "draft" {
            return Err(AppError::Conflict(format!("Version {number} is {} and cannot be changed", row.status)));
        }
        if row.revision != revision {
            return Err(AppError::PreconditionFailed { current_version: row.revision });
        }
        let mut content = input.content.unwrap_or_default();
        let (members, professionals) = references(c, &case)?;
        let mut v = Validator::new();
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
        let t = now();
        let members_may_edit = input.members_may_edit.unwrap_or(row.members_may_edit);
        if !store::update_draft(c, &row.id, revision, &json, members_may_edit, &principal.user_id, t)? {
            let current = store::version(c, &case.id, number)?.map(|r| r.revision).unwrap_or(revision + 1);
            return Err(AppError::PreconditionFailed { current_version: current });
        }
        let updated = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let version = view(updated, plan_view, coverage.as_ref(), &principal, &[])?;
        audit_persons(&audit2, &version);
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
pub async fn agree(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    number: i32,
    revision: i64,
    input: AgreePlan,
) -> AppResult<PlanVersion> {
    state.access.decide(p, Resource::Plan, Action::Update, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let CasePlan { case, view: plan_view, coverage } = scoped(&st, c, &principal, &case_id, &audit2)?;
        if plan_view != (PlanView::Full { regisseur: true }) {
            return Err(forbidden(&audit2));
        }
        let row = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        if row.status != "draft" {
            return Err(AppError::Conflict(format!("Version {number} is {}, not a draft", row.status)));
        }
        if row.revision != revision {
            return Err(AppError::PreconditionFailed { current_version: row.revision });
        }
        let content = content_of(&row)?;
        let (members, professionals) = references(c, &case)?;
        let mut v = Validator::new();
        content.validate(&References { members: &members, professionals: &professionals }, &mut v);
        content.missing_for_agreement(&mut v);
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
        let won = store::mark_agreed(c, &row.id, revision, &agreement, &principal.user_id, t).map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Conflict("Another version was agreed at the same moment".into())
            }
            other => other.into(),
        })?;
        if !won {
            return Err(AppError::Conflict("This draft was changed or agreed at the same moment".into()));
        }
        for a in &content.actions {
            store::track_action(c, &case.id, &a.id, &principal.user_id, t)?;
        }
        let agreed = store::version(c, &case.id, number)?.ok_or(AppError::NotFound)?;
        let progress = store::progress(c, &case.id)?;
        let version = view(agreed, plan_view, coverage.as_ref(), &principal, &progress)?;
        audit_persons(&audit2, &version);
        Ok(version)
    })
    .await
}

/// Goals and actions added, changed and removed between two versions (those who see the whole plan).
pub async fn compare(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    from: i32,
    to: i32,
) -> AppResult<PlanDiff> {
    state.access.decide(p, Resource::Plan, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let CasePlan { case, view: plan_view, .. } = scoped(&st, c, &principal, &case_id, &audit)?;
        if !plan_view.reads_all() {
            return Err(forbidden(&audit));
        }
        let a = store::version(c, &case.id, from)?.ok_or(AppError::NotFound)?;
        let b = store::version(c, &case.id, to)?.ok_or(AppError::NotFound)?;
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
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    action_id: String,
    revision: i64,
    input: UpdateProgress,
) -> AppResult<ActionProgress> {
    state.access.decide(p, Resource::Plan, Action::Update, audit)?;
    // The case, not the action: an action's key is chosen by the plan's author, and only ids reach the log.
    audit.resource(&case_id);
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
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let CasePlan { case, view: plan_view, coverage } = scoped(&st, c, &principal, &case_id, &audit2)?;
        if plan_view == PlanView::ReadOnly {
            return Err(forbidden(&audit2));
        }
        let current = store::with_status(c, &case.id, "agreed")?.ok_or(AppError::NotFound)?;
        let content = content_of(&current)?;
        let visible = project(&principal, plan_view, coverage.as_ref(), content)?;
        let action = visible.actions.iter().find(|a| a.id == action_id).ok_or(AppError::NotFound)?;
        // The goal it serves, and its owner when a family member: whose plan this progress is about.
        let goal = visible.goals.iter().filter(|g| g.id == action.goal_id).filter_map(|g| g.person_id.clone());
        let owner = action.owner.iter().filter(|o| o.kind == OwnerKind::Member).filter_map(|o| o.person_id.clone());
        audit2.persons(goal.chain(owner));
        let progress = store::progress(c, &case.id)?;
        let row = progress.iter().find(|p| p.action_id == action.id).ok_or(AppError::NotFound)?;
        if row.revision != revision {
            return Err(AppError::PreconditionFailed { current_version: row.revision });
        }
        let status = input.status.unwrap_or(ActionStatus::Planned);
        if !store::set_progress(
            c,
            &case.id,
            &action.id,
            revision,
            (status.as_str(), input.done_on),
            &principal.user_id,
            now(),
        )? {
            return Err(AppError::PreconditionFailed { current_version: revision + 1 });
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
