//! The one regisseur: proposal by the teamleider (or the current regisseur handing over), acceptance or
//! refusal by the proposed professional. On acceptance the previous assignment ends at the same instant.

use actix_web::web;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, NewInvolvement};
use crate::access::scope::lead_teams;
use crate::access::Principal;
use crate::access::{Action, Basis, Resource, Role};
use crate::audit::AuditRecord;
use crate::db::schema::{involvements, regisseur_assignments as ra};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposeRegisseur {
    pub user_id: Option<String>,
    /// The family chose this professional.
    pub family_choice: Option<bool>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = ra)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRow {
    pub id: String,
    pub case_id: String,
    pub user_id: String,
    /// proposed, declined, withdrawn, active or ended
    pub status: String,
    pub proposed_by: String,
    pub family_choice: bool,
    pub reason: Option<String>,
    #[serde(skip)]
    pub proposed_at: NaiveDateTime,
    #[serde(skip)]
    pub decided_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub active_from: Option<NaiveDateTime>,
    #[serde(skip)]
    pub active_until: Option<NaiveDateTime>,
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

fn assignments(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<AssignmentRow>> {
    ra::table.filter(ra::case_id.eq(case_id)).order(ra::proposed_at.asc()).select(AssignmentRow::as_select()).load(c)
}

fn with_status(c: &mut DbConn, case_id: &str, status: &str) -> QueryResult<Option<AssignmentRow>> {
    ra::table
        .filter(ra::case_id.eq(case_id))
        .filter(ra::status.eq(status))
        .select(AssignmentRow::as_select())
        .first(c)
        .optional()
}

/// Proposes a professional. Allowed for the teamleider of the case's team and for the current regisseur.
pub async fn propose(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    input: ProposeRegisseur,
) -> AppResult<Assignment> {
    state.access.decide(p, Resource::Case, Action::Update, audit)?;
    audit.resource(&case_id);
    let mut v = Validator::new();
    v.required(&input.user_id, "userId");
    if let Some(r) = &input.reason {
        v.check(r.chars().count() <= 500, "reason", "must be at most 500 characters");
    }
    v.finish()?;
    let principal = p.clone();
    let audit2 = audit.clone();
    let st = state.clone();
    write(state, audit, 201, move |c| {
        let Some(case) = store::case(c, &case_id)? else {
            audit2.denied();
            return Err(AppError::NotFound);
        };
        // Those who do not see the case get 404; those who see it but may not propose, 403.
        st.access.decide_case(c, &principal, &case.id, &case.team_id, &audit2)?;
        let current = with_status(c, &case.id, "active")?;
        let is_lead = lead_teams(&principal).contains(&case.team_id);
        let is_regisseur = current.as_ref().is_some_and(|a| a.user_id == principal.user_id);
        if !is_lead && !is_regisseur {
            audit2.denied();
            return Err(AppError::Forbidden);
        }
        if case.state == "closed" {
            return Err(AppError::Conflict("A closed case has no regisseur to propose".into()));
        }
        let basis = if is_lead { Basis::TeamLead(case.team_id.clone()) } else { Basis::Regisseur(None) };
        crate::access::allow(&audit2, basis.clone());
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
        // A new proposal replaces an open one.
        diesel::update(ra::table.filter(ra::case_id.eq(&case.id)).filter(ra::status.eq("proposed")))
            .set((ra::status.eq("withdrawn"), ra::decided_at.eq(t)))
            .execute(c)?;
        let id = new_id();
        diesel::insert_into(ra::table)
            .values((
                ra::id.eq(&id),
                ra::case_id.eq(&case.id),
                ra::user_id.eq(&candidate_id),
                ra::status.eq("proposed"),
                ra::proposed_by.eq(&principal.user_id),
                ra::family_choice.eq(input.family_choice.unwrap_or(false)),
                ra::reason.eq(input.reason.as_deref()),
                ra::proposed_at.eq(t),
            ))
            .execute(c)?;
        // The candidate hears of it by email (a link to the case, nothing else), unless they proposed themselves.
        if candidate_id != principal.user_id {
            crate::notify::store::enqueue(
                c,
                &candidate_id,
                crate::notify::model::Template::RegisseurProposed,
                serde_json::json!({"caseId": case.id}),
                t,
            )?;
        }
        // The event names the proposal the act made.
        crate::access::allow(
            &audit2,
            match basis {
                Basis::TeamLead(_) => Basis::TeamLead(id.clone()),
                _ => Basis::Regisseur(Some(id.clone())),
            },
        );
        Ok(with_status(c, &case.id, "proposed")?.ok_or(AppError::NotFound)?.into())
    })
    .await
}

/// The proposed professional accepts: the previous regisseur's assignment ends at the same instant.
/// Two acceptances racing: one wins, the other answers 409 (and the database allows one active anyway).
pub async fn accept(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<Assignment> {
    decide_answer(state, p, audit, case_id, true).await
}

pub async fn decline(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<Assignment> {
    decide_answer(state, p, audit, case_id, false).await
}

async fn decide_answer(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    accept: bool,
) -> AppResult<Assignment> {
    state.access.decide(p, Resource::Case, Action::Update, audit)?;
    audit.resource(&case_id);
    let principal = p.clone();
    let audit2 = audit.clone();
    let st = state.clone();
    write(state, audit, 200, move |c| {
        audit2.case(&case_id.clone());
        // Only the proposed professional sees the proposal; for anyone else the case does not exist.
        let mine: Vec<AssignmentRow> =
            assignments(c, &case_id)?.into_iter().filter(|a| a.user_id == principal.user_id).collect();
        let open_to_other = with_status(c, &case_id, "proposed")?.is_some_and(|a| a.user_id != principal.user_id);
        let Some(proposal) = mine.iter().find(|a| a.status == "proposed").cloned() else {
            if mine.is_empty() || open_to_other {
                // Not addressed to the caller: 403 for those who see the case, 404 for everyone else.
                let case = store::case(c, &case_id)?.ok_or_else(|| {
                    audit2.denied();
                    AppError::NotFound
                })?;
                st.access.decide_case(c, &principal, &case.id, &case.team_id, &audit2)?;
                audit2.denied();
                return Err(AppError::Forbidden);
            }
            return Err(AppError::Conflict("This proposal was already answered".into()));
        };
        crate::access::allow(&audit2, Basis::Proposal(proposal.id.clone()));
        let t = now();
        let new_status = if accept { "active" } else { "declined" };
        if accept {
            if let Some(previous) = with_status(c, &case_id, "active")? {
                diesel::update(ra::table.filter(ra::id.eq(&previous.id)).filter(ra::status.eq("active")))
                    .set((ra::status.eq("ended"), ra::active_until.eq(t)))
                    .execute(c)?;
                diesel::update(
                    involvements::table
                        .filter(involvements::case_id.eq(&case_id))
                        .filter(involvements::user_id.eq(&previous.user_id))
                        .filter(involvements::kind.eq("regisseur"))
                        .filter(involvements::valid_until.is_null()),
                )
                .set(involvements::valid_until.eq(t))
                .execute(c)?;
            }
        }
        let won = diesel::update(ra::table.filter(ra::id.eq(&proposal.id)).filter(ra::status.eq("proposed")))
            .set((
                ra::status.eq(new_status),
                ra::decided_at.eq(t),
                ra::active_from.eq(if accept { Some(t) } else { None }),
            ))
            .execute(c)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    AppError::Conflict("Another acceptance came first".into())
                }
                other => other.into(),
            })?;
        if won != 1 {
            return Err(AppError::Conflict("This proposal was already answered".into()));
        }
        if accept {
            store::insert_involvement(
                c,
                &NewInvolvement {
                    id: &new_id(),
                    case_id: &case_id,
                    user_id: &principal.user_id,
                    organisation_id: &principal.organisation_id,
                    kind: "regisseur",
                    role_in_case: "regisseur",
                    created_by: Some(&proposal.proposed_by),
                },
                t,
            )?;
        }
        let row = ra::table.find(&proposal.id).select(AssignmentRow::as_select()).first(c)?;
        Ok(row.into())
    })
    .await
}

/// Assignment history, for those who may see the case.
pub async fn history(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<Vec<Assignment>> {
    state.access.decide(p, Resource::Case, Action::Read, audit)?;
    audit.resource(&case_id);
    let st = state.clone();
    let principal = p.clone();
    let audit = audit.clone();
    db(state, move |c| {
        let case = store::case(c, &case_id)?.ok_or(AppError::NotFound)?;
        st.access.decide_case(c, &principal, &case.id, &case.team_id, &audit)?;
        Ok(assignments(c, &case.id)?.into_iter().map(Into::into).collect())
    })
    .await
}
