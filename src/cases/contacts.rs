//! The case's contact sheet — the `basic` data category: where the household lives, who lives there today, and
//! which professionals work in it. No BSNs, no history: what a professional needs to reach the family and each other.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{self, CaseRow};
use crate::access::coverage::Coverage;
use crate::access::{Action, Category, Resource};
use crate::audit::AuditRecord;
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::households::service::Address;
use crate::state::Ctx;

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
pub async fn contacts(ctx: &Ctx, case_id: String) -> AppResult<Contacts> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.action("case.contacts", "case");
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| contacts_in(c, &cx, &case_id)).await
}

/// `contacts` on a connection the caller holds, after the role decision.
pub(crate) fn contacts_in(c: &mut DbConn, cx: &Ctx, case_id: &str) -> AppResult<Contacts> {
    let (st, audit) = (&cx.state, &cx.audit);
    let plan = super::service::plan_view(st, c, &cx.principal, case_id, audit)?;
    let coverage = st.access.decide_contacts(&plan, audit)?;
    sheet(c, audit, &plan.case, coverage, true)
}

/// The contact sheet of a case whose read is decided; `coverage` filters the members for a provider. Without
/// `with_members` the sheet leaves out who lives there today (a case page that shows the whole composition).
pub(crate) fn sheet(
    c: &mut DbConn,
    audit: &AuditRecord,
    case: &CaseRow,
    coverage: Option<&Coverage>,
    with_members: bool,
) -> AppResult<Contacts> {
    let household = crate::households::store::household(c, &case.household_id)?.ok_or(AppError::NotFound)?;
    let today = if with_members { store::members_on(c, &case.household_id, now().date())? } else { Vec::new() };
    let members: Vec<MemberContact> = today
        .into_iter()
        .filter(|(id, ..)| coverage.is_none_or(|cov| cov.of(id, Category::Basic).is_some()))
        .map(|(person_id, name, birth_date, relation)| MemberContact { person_id, name, birth_date, relation })
        .collect();
    audit.persons(members.iter().map(|m| m.person_id.clone()));
    // One line per professional: the regisseur involvement wins over their team-member one.
    let mut professionals: Vec<ProfessionalContact> = Vec::new();
    for (user_id, name, organisation, email, kind, role_in_case) in store::professionals_at(c, &case.id, now())? {
        match professionals.iter_mut().find(|p| p.user_id == user_id) {
            Some(known) if kind == "regisseur" => (known.kind, known.role_in_case) = (kind, role_in_case),
            Some(_) => {}
            None => professionals.push(ProfessionalContact { user_id, name, organisation, email, kind, role_in_case }),
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
}
