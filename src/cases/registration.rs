//! Registering a household with its members and its case: one use case, one transaction, one audit event. Either
//! all of it is stored or nothing is (a member refused late leaves no household without a case behind).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Law;
use super::service::{insert_new_case, law_list, Case};
use crate::error::{AppError, AppResult, FieldError};
use crate::households::bsn::Bsn;
use crate::households::service::{
    add_member_in, insert_household_in, new_household_row, AddMember, CreateHousehold, Household, Member,
};
use crate::state::{Ctx, Effect};

/// A member's BSN is known in a household the caller cannot change.
pub const KNOWN_ELSEWHERE: &str = "belongs to a household you cannot change";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    /// The household's address, wijk and owning team (as `POST /households`).
    pub household: Option<CreateHousehold>,
    /// At least one member (each as `POST /households/{id}/members`).
    pub members: Option<Vec<AddMember>>,
    /// The laws the case's support is given under.
    pub laws: Option<Vec<Law>>,
}

/// What a registration stored: the household, its members and its case (the caller is involved in it).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    pub household: Household,
    pub members: Vec<Member>,
    pub case: Case,
}

impl Registration {
    /// Every error at once, in the order of the form: the household's fields (`household.…`), the laws, then
    /// each member's (`members[i].…`). Returns the members' parsed BSNs.
    pub fn validate(&self, teams: &crate::access::households::OwningTeams) -> AppResult<Vec<Option<Bsn>>> {
        let mut errors: Vec<FieldError> = Vec::new();
        // The parts' own checks give only field errors.
        let mut collect = |prefix: &str, result: AppResult<()>| {
            if let Err(AppError::Validation(e)) = result {
                errors.extend(e.into_iter().map(|x| FieldError::new(format!("{prefix}{}", x.field), x.message)))
            }
        };
        match &self.household {
            Some(h) => collect("household.", h.validate(teams)),
            None => collect("", Err(AppError::field("household", "is required"))),
        }
        if self.laws.as_ref().is_none_or(|l| l.is_empty()) {
            collect("", Err(AppError::field("laws", "must name at least one law")));
        }
        let members = self.members.as_deref().unwrap_or_default();
        if members.is_empty() {
            collect("", Err(AppError::field("members", "name at least one member")));
        }
        let mut bsns = Vec::new();
        let mut seen = HashSet::new();
        for (i, m) in members.iter().enumerate() {
            let prefix = format!("members[{i}].");
            match m.validate() {
                Ok(bsn) => {
                    if let Some(b) = &bsn {
                        if !seen.insert(b.expose().to_string()) {
                            collect(&prefix, Err(AppError::field("person.bsn", "is given for another member too")));
                        }
                    }
                    bsns.push(bsn);
                }
                Err(e) => {
                    collect(&prefix, Err(e));
                    bsns.push(None);
                }
            }
        }
        if errors.is_empty() {
            Ok(bsns)
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// Decides and checks a registration without storing anything: a form reports every error before it changes
/// anything, its own beside these.
pub async fn check(ctx: &Ctx, input: &Registration) -> AppResult<()> {
    let teams = ctx.state.access.decide_registration(&ctx.principal, &ctx.audit)?;
    input.validate(&teams).map(|_| ())
}

/// Registers a household of one of the caller's teams with its members and opens its case, the caller involved.
pub async fn register(ctx: &Ctx, input: Registration) -> AppResult<Registered> {
    let teams = ctx.state.access.decide_registration(&ctx.principal, &ctx.audit)?;
    let bsns = input.validate(&teams)?;
    let row = new_household_row(input.household.expect("validated"));
    ctx.audit.household(&row.id);
    let laws = law_list(input.laws.unwrap_or_default());
    let members = input.members.unwrap_or_default();
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (team_id, household_id) = (row.team_id.clone(), row.id.clone());
        let household = insert_household_in(c, &cx, row)?;
        let mut added = Vec::new();
        for (i, (member, bsn)) in members.into_iter().zip(bsns).enumerate() {
            // A refusal names the member it is about, as validation does. A person known by this BSN in a
            // household the caller cannot change (404 when added one by one) is refused on the BSN field: it
            // tells the caller no more than the 404 would, and the access layer has recorded the denial.
            let member = add_member_in(c, &cx, &household_id, member, bsn).map_err(|e| {
                let at = |field: &str, message: &str| {
                    AppError::Validation(vec![FieldError::new(format!("members[{i}].{field}"), message)])
                };
                match e {
                    AppError::Validation(errs) => AppError::Validation(
                        errs.into_iter()
                            .map(|x| FieldError::new(format!("members[{i}].{}", x.field), x.message))
                            .collect(),
                    ),
                    AppError::NotFound => at("person.bsn", KNOWN_ELSEWHERE),
                    AppError::Conflict(_) => at("person.bsn", "belongs to another household in that period"),
                    other => other,
                }
            })?;
            added.push(member);
        }
        cx.state.access.decide_open_case(&cx.principal, Some(&team_id), &cx.audit)?;
        let case = insert_new_case(c, &cx.principal, &household_id, &team_id, laws, None, &cx.audit)?;
        Ok(Registered { household, members: added, case })
    })
    .await
}
