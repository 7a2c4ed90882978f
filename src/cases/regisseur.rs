//! The one regisseur: proposal by the teamleider (or the current regisseur handing over), acceptance or
//! refusal by the proposed professional. On acceptance the previous assignment ends at the same instant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::store::AssignmentRow;
use super::store::{self, NewInvolvement, NewProposal};
use crate::access::{Action, Resource, Role};
use crate::db::{new_id, now};
use crate::error::{conflict_on_unique, AppError, AppResult, Validator};
use crate::state::{Ctx, Effect};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposeRegisseur {
    pub user_id: Option<String>,
    /// The family chose this professional.
    pub family_choice: Option<bool>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    #[serde(flatten)]
    pub row: AssignmentRow,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub active_from: Option<DateTime<Utc>>,
    pub active_until: Option<DateTime<Utc>>,
}

impl From<AssignmentRow> for Assignment {
    fn from(row: AssignmentRow) -> Self {
        Assignment {
            proposed_at: row.proposed_at.and_utc(),
            decided_at: row.decided_at.map(|t| t.and_utc()),
            active_from: row.active_from.map(|t| t.and_utc()),
            active_until: row.active_until.map(|t| t.and_utc()),
            row,
        }
    }
}

/// Proposes a professional. Allowed for the teamleider of the case's team and for the current regisseur.
pub async fn propose(ctx: &Ctx, case_id: String, input: ProposeRegisseur) -> AppResult<Assignment> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let mut v = Validator::new();
    v.required(&input.user_id, "userId");
    if let Some(r) = &input.reason {
        v.check(r.chars().count() <= 500, "reason", "must be at most 500 characters");
    }
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (p, audit) = (&cx.principal, &cx.audit);
        // Those who do not see the case get 404; those who see it but may not propose, 403.
        let case = store::case(c, &case_id)?;
        let (case, proposer) = cx.state.access.decide_propose_regisseur(c, p, case, audit)?;
        if case.state == "closed" {
            return Err(AppError::Conflict("A closed case has no regisseur to propose".into()));
        }
        proposer.allow(audit);
        let candidate_id = input.user_id.unwrap_or_default();
        let candidate = crate::identity::store::user_row(c, &candidate_id)?;
        let roles = crate::identity::store::roles_of(c, &candidate_id)?;
        let team_allows_providers =
            crate::identity::store::team(c, &case.team_id)?.is_some_and(|t| t.provider_may_direct);
        let may_direct = roles.iter().any(|g| g.role == Role::Wijkteam)
            || (team_allows_providers && roles.iter().any(|g| g.role == Role::Provider));
        match candidate {
            Some(u) if u.active && may_direct => {}
            Some(u) if !u.active => return Err(AppError::field("userId", "is deactivated")),
            _ => return Err(AppError::field("userId", "is not a professional who may direct cases")),
        }
        let t = now();
        let id = new_id();
        store::replace_proposal(
            c,
            &NewProposal {
                id: &id,
                case_id: &case.id,
                user_id: &candidate_id,
                proposed_by: &p.user_id,
                family_choice: input.family_choice.unwrap_or(false),
                reason: input.reason.as_deref(),
            },
            t,
        )?;
        // The candidate hears of it by email (a link to the case, nothing else), unless they proposed themselves.
        if candidate_id != p.user_id {
            crate::notify::store::enqueue(
                c,
                &candidate_id,
                crate::notify::model::Template::RegisseurProposed,
                serde_json::json!({"caseId": case.id}),
                t,
            )?;
        }
        proposer.proposed(audit, &id);
        Ok(store::assignment_with_status(c, &case.id, "proposed")?.ok_or(AppError::NotFound)?.into())
    })
    .await
}

/// The proposed professional accepts: the previous regisseur's assignment ends at the same instant.
/// Two acceptances racing: one wins, the other answers 409 (and the database allows one active anyway).
pub async fn accept(ctx: &Ctx, case_id: String) -> AppResult<Assignment> {
    answer(ctx, case_id, true).await
}

pub async fn decline(ctx: &Ctx, case_id: String) -> AppResult<Assignment> {
    answer(ctx, case_id, false).await
}

async fn answer(ctx: &Ctx, case_id: String, accept: bool) -> AppResult<Assignment> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Update, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let (p, audit) = (&cx.principal, &cx.audit);
        audit.case(&case_id);
        let mine: Vec<AssignmentRow> =
            store::assignments(c, &case_id)?.into_iter().filter(|a| a.user_id == p.user_id).collect();
        let open_to_other =
            store::assignment_with_status(c, &case_id, "proposed")?.is_some_and(|a| a.user_id != p.user_id);
        let proposal = mine.iter().find(|a| a.status == "proposed").cloned();
        if proposal.is_none() && !mine.is_empty() && !open_to_other {
            return Err(AppError::Conflict("This proposal was already answered".into()));
        }
        // Only the proposed professional sees the proposal; for anyone else the case does not exist.
        let case = store::case(c, &case_id)?;
        let open = proposal.as_ref().map(|a| a.id.as_str());
        cx.state.access.decide_answer_proposal(c, p, case.as_ref(), open, audit)?;
        let proposal = proposal.ok_or(AppError::NotFound)?; // refused above
        let t = now();
        if accept {
            if let Some(previous) = store::assignment_with_status(c, &case_id, "active")? {
                store::end_assignment(c, &previous, t)?;
            }
        }
        let won = store::answer_proposal(c, &proposal.id, accept, t)
            .map_err(conflict_on_unique("Another acceptance came first"))?;
        if !won {
            return Err(AppError::Conflict("This proposal was already answered".into()));
        }
        if accept {
            store::insert_involvement(
                c,
                &NewInvolvement {
                    id: &new_id(),
                    case_id: &case_id,
                    user_id: &p.user_id,
                    organisation_id: &p.organisation_id,
                    kind: "regisseur",
                    role_in_case: "regisseur",
                    created_by: Some(&proposal.proposed_by),
                },
                t,
            )?;
        }
        Ok(store::assignment(c, &proposal.id)?.into())
    })
    .await
}

/// The open proposal on the case addressed to the caller, for the page that lets them answer it before they see
/// the case (a wijkteam member the teamleider proposed who is not involved yet); 404 for anyone else.
pub async fn proposal_to_me(ctx: &Ctx, case_id: String) -> AppResult<Assignment> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        cx.audit.case(&case_id);
        let open =
            store::assignment_with_status(c, &case_id, "proposed")?.filter(|a| a.user_id == cx.principal.user_id);
        cx.state.access.decide_own_proposal(open.as_ref().map(|a| a.id.as_str()), &cx.audit)?;
        Ok(open.ok_or(AppError::NotFound)?.into()) // refused above
    })
    .await
}

/// Assignment history, for those who may see the case.
pub async fn history(ctx: &Ctx, case_id: String) -> AppResult<Vec<Assignment>> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| history_in(c, &cx, &case_id)).await
}

/// `history` on a connection the caller holds, after the role decision.
pub(crate) fn history_in(c: &mut crate::db::DbConn, cx: &Ctx, case_id: &str) -> AppResult<Vec<Assignment>> {
    let case = store::case(c, case_id)?.ok_or(AppError::NotFound)?;
    cx.state.access.decide_case(c, &cx.principal, &case.id, &case.team_id, &cx.audit)?;
    assignments_of(c, &case.id)
}

/// The regisseur's history of a case whose read is decided.
pub(crate) fn assignments_of(c: &mut crate::db::DbConn, case_id: &str) -> AppResult<Vec<Assignment>> {
    Ok(store::assignments(c, case_id)?.into_iter().map(Into::into).collect())
}
