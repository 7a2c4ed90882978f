//! Case use cases: open, read, list — access, transaction, audit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{CaseState, CloseReason, Law, TransitionError};
use super::store::{self, CaseRow, NewInvolvement};
use crate::access::scope::{self, CaseRead, CaseView};
use crate::access::{Action, CasePlan, Category, Principal, Resource};
use crate::audit::AuditRecord;
use crate::db::{new_id, now, DbConn};
use crate::error::{check_version, conflict_on_unique, stale, AppError, AppResult, Validator};
use crate::paging::{Page, PageQuery};
use crate::state::{AppState, Ctx, Effect};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenCase {
    pub household_id: Option<String>,
    /// The laws support is given under.
    pub laws: Option<Vec<Law>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StateEntered {
    pub state: CaseState,
    pub entered_at: DateTime<Utc>,
}

/// A case as the caller may see it: the summary for a teamleider, with the content for those involved. A provider
/// professional with a consent (view `consent`) sees the case's state and which categories their organisation's
/// consents cover; the laws are left out, and the counts of those involved are shown only when `basic` is covered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub id: String,
    pub team_id: String,
    pub state: CaseState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laws: Option<Vec<Law>>,
    pub opened_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub involved_professionals: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub involved_organisations: Option<i64>,
    pub version: i64,
    /// `content`, `summary`, `emergency_read` or `consent`.
    pub view: &'static str,
    /// View `consent`: the data categories the caller's organisation may see of this case today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covered_categories: Option<Vec<Category>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_history: Option<Vec<StateEntered>>,
    /// The closed case this one continues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_case_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<String>,
}

fn law_name(l: Law) -> &'static str {
    match l {
        Law::Wmo => "Wmo",
        Law::Jeugdwet => "Jeugdwet",
        Law::Participatiewet => "Participatiewet",
    }
}

fn project(c: &mut DbConn, row: CaseRow, view: CaseView) -> AppResult<Case> {
    let counts = store::involved_counts(c, &row.id, now())?;
    project_with(c, row, &CaseRead::View(view), counts)
}

/// The case as `read` shows it, with the numbers of professionals and organisations involved now.
pub(crate) fn project_with(
    c: &mut DbConn,
    row: CaseRow,
    read: &CaseRead,
    (professionals, organisations): (i64, i64),
) -> AppResult<Case> {
    let history = match read {
        CaseRead::View(CaseView::Content | CaseView::EmergencyRead) => Some(
            store::state_history(c, &row.id)?
                .into_iter()
                .filter_map(|(s, at)| {
                    CaseState::parse(&s).map(|state| StateEntered { state, entered_at: at.and_utc() })
                })
                .collect(),
        ),
        CaseRead::View(CaseView::Summary) | CaseRead::Consent(_) => None,
    };
    let (covered, counts_shown) = match read {
        CaseRead::Consent(cats) => (Some(cats.clone()), cats.contains(&Category::Basic)),
        CaseRead::View(_) => (None, true),
    };
    let with_content = matches!(read, CaseRead::View(CaseView::Content | CaseView::EmergencyRead));
    Ok(Case {
        state: CaseState::parse(&row.state).ok_or_else(|| AppError::internal("unknown case state"))?,
        laws: covered.is_none().then(|| super::model::parse_laws(&row.laws)),
        opened_at: row.created_at.and_utc(),
        involved_professionals: counts_shown.then_some(professionals),
        involved_organisations: counts_shown.then_some(organisations),
        version: row.version,
        view: match read {
            CaseRead::View(CaseView::Content) => "content",
            CaseRead::View(CaseView::Summary) => "summary",
            CaseRead::View(CaseView::EmergencyRead) => "emergency_read",
            CaseRead::Consent(_) => "consent",
        },
        covered_categories: covered,
        household_id: with_content.then_some(row.household_id),
        previous_case_id: row.previous_case_id,
        close_reason: row.close_reason,
        state_history: history,
        team_id: row.team_id,
        id: row.id,
    })
}

pub(super) fn law_list(laws: Vec<Law>) -> String {
    let mut names: Vec<&str> = laws.into_iter().map(law_name).collect();
    names.sort();
    names.dedup();
    names.join(",")
}

/// Inserts a new case in `registered` with the caller involved as team member (inside the caller's transaction).
pub(super) fn insert_new_case(
    c: &mut DbConn,
    p: &Principal,
    household_id: &str,
    team_id: &str,
    laws: String,
    previous_case_id: Option<String>,
    audit: &AuditRecord,
) -> AppResult<Case> {
    if store::open_case_of_household(c, household_id)?.is_some() {
        return Err(AppError::Conflict("This household already has an open case".into()));
    }
    // A household's new case always continues its last closed one.
    let previous_case_id = match previous_case_id {
        Some(id) => Some(id),
        None => store::last_closed_case(c, household_id)?,
    };
    let t = now();
    let row = CaseRow {
        id: new_id(),
        household_id: household_id.to_string(),
        team_id: team_id.to_string(),
        state: CaseState::Registered.as_str().into(),
        laws,
        close_reason: None,
        previous_case_id,
        version: 1,
        created_at: t,
        updated_at: t,
        closed_at: None,
    };
    store::insert_case(c, &row).map_err(conflict_on_unique("This household already has an open case"))?;
    store::insert_state(c, &row.id, CaseState::Registered.as_str(), Some(&p.user_id), t)?;
    let involvement_id = new_id();
    store::insert_involvement(
        c,
        &NewInvolvement {
            id: &involvement_id,
            case_id: &row.id,
            user_id: &p.user_id,
            organisation_id: &p.organisation_id,
            kind: "team_member",
            role_in_case: "wijkteam",
            created_by: Some(&p.user_id),
        },
        t,
    )?;
    audit.case(&row.id);
    audit.resource(&row.id);
    project(c, row, CaseView::Content)
}

/// Opens a case for a household of the caller's team. The caller becomes involved as team member.
/// A household has at most one open case: 409 otherwise (checked here, and by a unique index).
pub async fn open_case(ctx: &Ctx, input: OpenCase) -> AppResult<Case> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Create, &ctx.audit)?;
    let mut v = Validator::new();
    v.required(&input.household_id, "householdId");
    if let Some(laws) = v.required(&input.laws, "laws") {
        v.check(!laws.is_empty(), "laws", "must name at least one law");
    }
    v.finish()?;
    let household_id = input.household_id.unwrap_or_default();
    let laws = law_list(input.laws.unwrap_or_default());
    ctx.audit.household(&household_id);
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (p, audit) = (&cx.principal, &cx.audit);
        let household = crate::households::store::household(c, &household_id)?;
        // A household outside the caller's teams does not exist for them.
        cx.state.access.decide_open_case(p, household.as_ref().map(|h| h.team_id.as_str()), audit)?;
        let household = household.ok_or(AppError::NotFound)?; // refused above
        insert_new_case(c, p, &household.id, &household.team_id, laws, None, audit)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReopenCase {
    /// The laws of the new case; those of the closed case when absent.
    pub laws: Option<Vec<Law>>,
}

/// A closed case is never reopened in place: a new case for the same household links to it. Allowed for those
/// involved in the closed case and for members of its team; 409 when the case is not closed or the household has
/// an open case.
pub async fn reopen_case(ctx: &Ctx, id: String, input: ReopenCase) -> AppResult<Case> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Create, &ctx.audit)?;
    ctx.audit.resource(&id);
    let mut v = Validator::new();
    if let Some(laws) = &input.laws {
        v.check(!laws.is_empty(), "laws", "must name at least one law");
    }
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (p, audit) = (&cx.principal, &cx.audit);
        let old = store::case(c, &id)?;
        let old = cx.state.access.decide_reopen_case(c, p, old, audit)?;
        if old.state != CaseState::Closed.as_str() {
            return Err(AppError::Conflict("Only a closed case can be reopened".into()));
        }
        let laws = match input.laws {
            Some(l) => law_list(l),
            None => old.laws.clone(),
        };
        audit.household(&old.household_id);
        insert_new_case(c, p, &old.household_id, &old.team_id, laws, Some(old.id.clone()), audit)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeState {
    pub state: Option<CaseState>,
    /// Required when closing, refused otherwise.
    pub close_reason: Option<CloseReason>,
}

/// Moves a case along its lifecycle. Only those involved (content view) may; the version must match.
pub async fn change_state(ctx: &Ctx, id: String, version: i64, input: ChangeState) -> AppResult<Case> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&id);
    let mut v = Validator::new();
    v.required(&input.state, "state");
    v.finish()?;
    let to = input.state.expect("checked above");
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let (p, audit) = (&cx.principal, &cx.audit);
        let row = store::case(c, &id)?;
        let row = cx.state.access.decide_case_state_change(c, p, row, audit)?;
        check_version(row.version, version)?;
        let from = CaseState::parse(&row.state).ok_or_else(|| AppError::internal("unknown case state"))?;
        from.transition(to, input.close_reason).map_err(|e| match e {
            TransitionError::NotAllowed { from, to, allowed } => AppError::IllegalTransition {
                from: from.as_str().into(),
                to: to.as_str().into(),
                allowed: allowed.into_iter().map(|s| s.as_str().to_string()).collect(),
            },
            TransitionError::ReasonRequired => AppError::field("closeReason", "is required when closing a case"),
            TransitionError::ReasonNotExpected => AppError::field("closeReason", "is only given when closing a case"),
        })?;
        let t = now();
        let reason = input.close_reason.map(CloseReason::as_str);
        if !store::update_state(c, &row.id, version, to.as_str(), reason, t)? {
            return Err(stale(row.version + 1));
        }
        store::insert_state(c, &row.id, to.as_str(), Some(&p.user_id), t)?;
        audit.household(&row.household_id);
        let updated = store::case(c, &row.id)?.ok_or(AppError::NotFound)?;
        project(c, updated, CaseView::Content)
    })
    .await
}

pub async fn get_case(ctx: &Ctx, id: String) -> AppResult<Case> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| get_case_in(c, &cx, &id)).await
}

/// `get_case` on a connection the caller holds, after the role decision.
pub(crate) fn get_case_in(c: &mut DbConn, cx: &Ctx, id: &str) -> AppResult<Case> {
    let (row, read) = decide_case_in(c, cx, id)?;
    let counts = store::involved_counts(c, &row.id, now())?;
    project_with(c, row, &read, counts)
}

/// The case's row and how the caller reads it (404 when out of scope), recorded in the audit event: `get_case`'s
/// decision, for the use cases that read more of the case on the same connection.
pub(crate) fn decide_case_in(c: &mut DbConn, cx: &Ctx, id: &str) -> AppResult<(CaseRow, CaseRead)> {
    let (p, audit) = (&cx.principal, &cx.audit);
    let row = store::case(c, id)?;
    let coverage = match &row {
        Some(row) => crate::consent::service::coverage_for(c, p, &row.id)?,
        None => None,
    };
    let (row, read) = cx.state.access.decide_read_case(c, p, row, coverage, audit)?;
    if read != CaseRead::View(CaseView::Summary) {
        audit.household(&row.household_id);
    }
    Ok((row, read))
}

/// The cases the caller may see, filtered in SQL by the same rule as `get_case`; each batch of candidates is
/// re-checked by `scope::case_reads`, and those it refuses are skipped (the next batch fills the page).
pub async fn list_cases(ctx: &Ctx, q: PageQuery) -> AppResult<Page<Case>> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::List, &ctx.audit)?;
    let limit = q.limit();
    let p = ctx.principal.clone();
    let items = ctx
        .read(move |c| {
            let t = now();
            let mut out = Vec::new();
            let mut after = q.after.clone();
            loop {
                let ids = scope::visible_cases(c, &p, t, after.as_deref(), q.fetch())?;
                let exhausted = (ids.len() as i64) < q.fetch();
                after = ids.last().cloned();
                let rows = store::cases_by_ids(c, &ids)?;
                let mut coverages = std::collections::HashMap::new();
                for row in &rows {
                    if let Some(coverage) = crate::consent::service::coverage_for(c, &p, &row.id)? {
                        coverages.insert(row.id.clone(), coverage);
                    }
                }
                let mut counts = store::involved_counts_of(c, &ids, t)?;
                for (row, read) in scope::case_reads(c, &p, rows, &coverages, t)? {
                    let n = counts.remove(&row.id).unwrap_or((0, 0));
                    out.push(project_with(c, row, &read, n)?);
                    if out.len() as i64 > limit {
                        return Ok(out);
                    }
                }
                if exhausted {
                    return Ok(out);
                }
            }
        })
        .await?;
    Ok(crate::paging::page(items, limit, |c| c.id.clone()))
}

/// Loads a case and decides the caller's view of its plan (see `Access::case_plan_view`), with the coverage
/// `consent/` computes for a provider: the one way plans, contacts and evaluations reach a case.
pub fn plan_view(
    st: &AppState,
    c: &mut DbConn,
    p: &Principal,
    case_id: &str,
    audit: &AuditRecord,
) -> AppResult<CasePlan<CaseRow>> {
    let case = store::case(c, case_id)?;
    let coverage = match &case {
        Some(row) => crate::consent::service::coverage_for(c, p, &row.id)?,
        None => None,
    };
    st.access.case_plan_view(c, p, case, coverage, audit)
}
