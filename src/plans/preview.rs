//! "Bekijk als…": what an organisation involved in a case sees of it today, under the consents of today — for the
//! family's question "wat ziet de jeugdhulpaanbieder van ons?". Built by running, for each of the organisation's
//! professionals involved in the case, the very same use cases (and so the same access decisions and projections)
//! the JSON API runs for them: the case, its contact sheet and involvements, the current plan, the ZRM assessments,
//! the evaluations and the consents. Nothing is assumed: what they would get a 404 or 403 for is absent here.
//! (It lives in `plans/`, the feature above cases and consent, so that it can call them all without a cycle.)

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::assessment::{self, Assessment};
use super::evaluation::{self, Evaluations};
use super::service::{self as plans, plan_of, PlanVersion};
use super::store;
use crate::access::{Action, Principal, Resource};
use crate::audit::AuditRecord;
use crate::cases::contacts::{self, Contacts};
use crate::cases::involvement::{self, Involvement};
use crate::cases::service::{self as cases, Case};
use crate::consent::service::{self as consent, Consent};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::Ctx;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewQuery {
    /// The organisation whose view is shown: one with a professional involved in the case today.
    pub organisation_id: Option<String>,
}

/// What one professional of the organisation gets from the API now; an absent part is one the API refuses them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfessionalPreview {
    pub user_id: String,
    pub name: String,
    /// `GET /cases/{id}`.
    pub case: Option<Case>,
    /// `GET /cases/{id}/contacts`: the address, the members and the professionals.
    pub contacts: Option<Contacts>,
    /// `GET /cases/{id}/involvements`.
    pub involvements: Option<Vec<Involvement>>,
    /// `GET /cases/{id}/plans/current`.
    pub plan: Option<PlanVersion>,
    /// `GET /cases/{id}/assessments`.
    pub assessments: Option<Vec<Assessment>>,
    /// `GET /cases/{id}/evaluations`.
    pub evaluations: Option<Evaluations>,
    /// `GET /consents?caseId=`.
    pub consents: Option<Vec<Consent>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationPreview {
    pub case_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub professionals: Vec<ProfessionalPreview>,
}

/// A refusal (404, 403) means the part is not shown to them; anything else is an error of the preview itself.
fn seen<T>(r: AppResult<T>) -> AppResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound | AppError::Forbidden | AppError::ForbiddenBecause(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The organisation's view of the case, for those who see the whole case themselves (see
/// `Access::decide_consent_preview`). Audited as a read of the case by the caller, with their basis and the persons
/// the preview shows; the professionals' own reads are not theirs and are not logged as such.
pub async fn preview_for_organisation(
    ctx: &Ctx,
    case_id: String,
    input: PreviewQuery,
) -> AppResult<OrganisationPreview> {
    ctx.state.access.decide(&ctx.principal, Resource::Consent, Action::List, &ctx.audit)?;
    ctx.audit.action("consent.preview", Resource::Consent.as_str());
    ctx.audit.resource(&case_id);
    let organisation_id = input.organisation_id.ok_or_else(|| AppError::field("organisationId", "is required"))?;
    let cx = ctx.clone();
    let (case_key, org) = (case_id.clone(), organisation_id.clone());
    let (name, principals) = ctx
        .read(move |c| {
            let ctx = &cx;
            let plan = plan_of(ctx, c, &case_key)?;
            ctx.state.access.decide_consent_preview(&plan, &ctx.audit)?;
            let mut users: Vec<String> = store::professionals(c, &plan.case.id, now())?
                .into_iter()
                .filter(|(_, o)| *o == org)
                .map(|(u, _)| u)
                .collect();
            users.sort();
            users.dedup();
            if users.is_empty() {
                return Err(AppError::field("organisationId", "is not an organisation involved in the case"));
            }
            let name = crate::identity::store::organisation(c, &org)?.map(|o| o.name).unwrap_or_default();
            let mut principals = Vec::new();
            for user in users {
                let Some(row) = crate::identity::store::user_row(c, &user)? else { continue };
                if !row.active {
                    continue;
                }
                principals.push(Principal {
                    grants: crate::identity::store::roles_of(c, &row.id)?,
                    in_break_glass: crate::access::scope::active_window(c, &row.id, now())?,
                    user_id: row.id,
                    display_name: row.display_name,
                    email: row.email,
                    organisation_id: row.organisation_id,
                    session_id: None,
                });
            }
            Ok((name, principals))
        })
        .await?;
    let mut professionals = Vec::new();
    let mut persons: Vec<String> = Vec::new();
    for principal in principals {
        // Their own context: their decisions go to a record of their own that is never written.
        let as_them = Ctx::new(ctx.state.clone(), principal.clone(), AuditRecord::default());
        let id = || case_id.clone();
        let preview = ProfessionalPreview {
            user_id: principal.user_id.clone(),
            name: principal.display_name.clone(),
            case: seen(cases::get_case(&as_them, id()).await)?,
            contacts: seen(contacts::contacts(&as_them, id()).await)?,
            involvements: seen(involvement::list(&as_them, id()).await)?,
            plan: seen(plans::get_version(&as_them, id(), "current".into()).await)?,
            assessments: seen(assessment::list(&as_them, id()).await)?,
            evaluations: seen(evaluation::list(&as_them, id()).await)?,
            consents: seen(consent::history(&as_them, id()).await)?,
        };
        persons.extend(preview.contacts.iter().flat_map(|c| c.members.iter().map(|m| m.person_id.clone())));
        persons.extend(preview.plan.iter().flat_map(|p| p.content.persons()));
        persons.extend(preview.assessments.iter().flatten().filter_map(|a| a.person_id.clone()));
        persons.extend(preview.consents.iter().flatten().map(|c| c.person_id.clone()));
        professionals.push(preview);
    }
    persons.sort();
    persons.dedup();
    ctx.audit.persons(persons);
    Ok(OrganisationPreview { case_id, organisation_id, organisation_name: name, professionals })
}
