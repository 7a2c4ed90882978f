//! The case's contact sheet — the `basic` data category: where the household lives, who lives there today, and
//! which professionals work in it. No BSNs, no history: what a professional needs to reach the family and each other.

use actix_web::web;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::scope::PlanView;
use crate::access::Principal;
use crate::access::{forbidden, Action, Resource};
use crate::audit::AuditRecord;
use crate::consent::model::Category;
use crate::db::now;
use crate::db::schema::{household_members, involvements, organisations, persons, users};
use crate::error::{AppError, AppResult};
use crate::households::service::Address;
use crate::state::{db, AppState};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contacts {
    pub case_id: String,
    pub address: Address,
    /// Who lives in the household today. A provider sees only the persons whose consent covers basic details.
    pub members: Vec<MemberContact>,
    /// The professionals involved today.
    pub professionals: Vec<ProfessionalContact>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberContact {
    pub person_id: String,
    pub name: String,
    pub birth_date: NaiveDate,
    /// parent, child, partner, … as registered.
    pub relation: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfessionalContact {
    pub user_id: String,
    pub name: String,
    pub organisation: String,
    pub email: String,
    /// regisseur, team_member, provider or procescoordinator
    pub kind: String,
    pub role_in_case: String,
}

/// Those who see the whole plan, and break-glass readers, see everyone; an involved provider needs a consent
/// covering basic details and sees only the covered persons; the teamleider gets 403, everyone else 404.
pub async fn contacts(
    state: &web::Data<AppState>,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
) -> AppResult<Contacts> {
    state.access.decide(p, Resource::Case, Action::Read, audit)?;
    audit.action("case.contacts", "case");
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let plan = crate::cases::service::plan_view(&st, c, &principal, &case_id, &audit)?;
        let coverage = match plan.view {
            PlanView::Full { .. } | PlanView::ReadOnly => None,
            PlanView::OwnActions => Some(st.access.require_category(&plan, Category::Basic, &audit)?),
            PlanView::None => return Err(forbidden(&audit)),
        };
        let case = &plan.case;
        let household = crate::households::store::household(c, &case.household_id)?.ok_or(AppError::NotFound)?;
        let today = now().date();
        let rows: Vec<(String, String, NaiveDate, String)> = household_members::table
            .inner_join(persons::table)
            .filter(household_members::household_id.eq(&case.household_id))
            .filter(household_members::from_date.le(today))
            .filter(household_members::until_date.is_null().or(household_members::until_date.gt(today)))
            .order((persons::birth_date.asc(), persons::id.asc()))
            .select((persons::id, persons::name, persons::birth_date, household_members::relation))
            .load(c)?;
        let members: Vec<MemberContact> = rows
            .into_iter()
            .filter(|(id, ..)| coverage.as_ref().is_none_or(|cov| cov.of(id, Category::Basic).is_some()))
            .map(|(person_id, name, birth_date, relation)| MemberContact { person_id, name, birth_date, relation })
            .collect();
        audit.persons(members.iter().map(|m| m.person_id.clone()));
        let t = now();
        let rows = involvements::table
            .inner_join(users::table.on(users::id.eq(involvements::user_id)))
            .inner_join(organisations::table.on(organisations::id.eq(involvements::organisation_id)))
            .filter(involvements::case_id.eq(&case.id))
            .filter(crate::db::involvement_active(t))
            .order((involvements::valid_from.asc(), involvements::id.asc()))
            .select((
                users::id,
                users::display_name,
                organisations::name,
                users::email,
                involvements::kind,
                involvements::role_in_case,
            ))
            .load::<(String, String, String, String, String, String)>(c)?;
        // One line per professional: the regisseur involvement wins over their team-member one.
        let mut professionals: Vec<ProfessionalContact> = Vec::new();
        for (user_id, name, organisation, email, kind, role_in_case) in rows {
            match professionals.iter_mut().find(|p| p.user_id == user_id) {
                Some(known) if kind == "regisseur" => (known.kind, known.role_in_case) = (kind, role_in_case),
                Some(_) => {}
                None => {
                    professionals.push(ProfessionalContact { user_id, name, organisation, email, kind, role_in_case })
                }
            }
        }
        Ok(Contacts {
            case_id: case.id.clone(),
            address: Address {
                postcode: household.postcode,
                house_number: household.house_number,
                house_number_addition: household.house_number_addition,
                institutional: household.institutional_address,
            },
            members,
            professionals,
        })
    })
    .await
}
