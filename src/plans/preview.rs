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
    /// The organisation whose view is shown: one with a provider professional involved in the case today. Absent:
    /// only the organisations that may be chosen.
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

/// An organisation that may be chosen: one with a provider professional involved in the case today.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationChoice {
    pub id: String,
    pub name: String,
}

/// A household member by name, for reading the preview (the caller sees the whole case).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberName {
    pub person_id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationPreview {
    pub case_id: String,
    /// The organisations that may be chosen.
    pub organisations: Vec<OrganisationChoice>,
    /// The household's members today.
    pub members: Vec<MemberName>,
    /// The organisation shown; absent when none was asked for.
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    /// Per provider professional of the organisation involved in the case: what they get.
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
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.action("consent.preview", Resource::Consent.as_str());
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    let (case_key, chosen) = (case_id.clone(), input.organisation_id.clone());
    let (organisations, members, principals) = ctx
        .read(move |c| {
            let ctx = &cx;
            let plan = plan_of(ctx, c, &case_key)?;
            ctx.state.access.decide_consent_preview(&plan, &ctx.audit)?;
            let case = &plan.case;
            let ids = store::members_on(c, &case.household_id, now().date())?;
            let mut members: Vec<MemberName> = store::person_names(c, &ids)?
                .into_iter()
                .map(|(person_id, name)| MemberName { person_id, name })
                .collect();
            members.sort_by_key(|m| ids.iter().position(|i| *i == m.person_id));
            let mut users: Vec<(String, String)> = store::professionals(c, &case.id, now())?;
            users.sort();
            users.dedup();
            // The provider professionals involved today, as the API would know them at their next request.
            let mut organisations: Vec<OrganisationChoice> = Vec::new();
            let mut principals = Vec::new();
            for (user, org) in users {
                let Some(row) = crate::identity::store::user_row(c, &user)? else { continue };
                let grants = crate::identity::store::roles_of(c, &row.id)?;
                if !row.active || !grants.iter().any(|g| g.role == crate::access::Role::Provider) {
                    continue;
                }
                if !organisations.iter().any(|o| o.id == org) {
                    let name = crate::identity::store::organisation(c, &org)?.map(|o| o.name).unwrap_or_default();
                    organisations.push(OrganisationChoice { id: org.clone(), name });
                }
                if chosen.as_deref() == Some(org.as_str()) {
                    principals.push(Principal {
                        grants,
                        in_break_glass: crate::access::scope::active_window(c, &row.id, now())?,
                        user_id: row.id,
                        display_name: row.display_name,
                        email: row.email,
                        organisation_id: row.organisation_id,
                        session_id: None,
                    });
                }
            }
            if chosen.is_some() && principals.is_empty() {
                return Err(AppError::field("organisationId", "is not an organisation involved in the case"));
            }
            Ok((organisations, members, principals))
        })
        .await?;
    let mut professionals = Vec::new();
    let mut persons: Vec<String> = members.iter().map(|m| m.person_id.clone()).collect();
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
        persons.extend(preview.plan.iter().flat_map(|p| p.content.persons()));
        persons.extend(preview.assessments.iter().flatten().filter_map(|a| a.person_id.clone()));
        professionals.push(preview);
    }
    persons.sort();
    persons.dedup();
    ctx.audit.persons(persons);
    let organisation_name =
        input.organisation_id.as_ref().and_then(|o| organisations.iter().find(|x| x.id == *o)).map(|o| o.name.clone());
    Ok(OrganisationPreview {
        case_id,
        organisations,
        members,
        organisation_id: input.organisation_id,
        organisation_name,
        professionals,
    })
}
