//! Who works in the household: the regisseur (and teamleider) add and end involvements.

use actix_web::web;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, NewInvolvement};
use crate::access::scope::lead_teams;
use crate::access::Principal;
use crate::access::{Action, Resource};
use crate::audit::AuditRecord;
use crate::db::schema::{involvements as inv, regisseur_assignments as ra};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddInvolvement {
    pub user_id: Option<String>,
    /// What they do in this household, in plain words (e.g. "schuldhulpverlener").
    pub role_in_case: Option<String>,
    /// When the involvement starts: now when absent; never in the past.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub valid_from: Option<DateTime<Utc>>,
    /// When it ends by itself (exclusive); open-ended when absent.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub valid_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Involvement {
    pub id: String,
    pub user_id: String,
    pub organisation_id: String,
    /// regisseur, team_member, provider or procescoordinator
    pub kind: String,
    pub role_in_case: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// For professionals outside the case's team (providers): `consent` while a consent or statutory basis names
    /// their organisation today, `none` when it does not — they then see nothing of the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_basis: Option<&'static str>,
}

type Row = (String, String, String, String, String, NaiveDateTime, Option<NaiveDateTime>);

fn to_view(r: Row) -> Involvement {
    Involvement {
        id: r.0,
        user_id: r.1,
        organisation_id: r.2,
        kind: r.3,
        role_in_case: r.4,
        valid_from: r.5.and_utc(),
        valid_until: r.6.map(|t| t.and_utc()),
        sharing_basis: None,
    }
}

fn rows(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<Involvement>> {
    let r: Vec<Row> = inv::table
        .filter(inv::case_id.eq(case_id))
        .order(inv::valid_from.asc())
        .select((
            inv::id,
            inv::user_id,
            inv::organisation_id,
            inv::kind,
            inv::role_in_case,
            inv::valid_from,
            inv::valid_until,
        ))
        .load(c)?;
    let mut out: Vec<Involvement> = r.into_iter().map(to_view).collect();
    let mut by_organisation = std::collections::HashMap::new();
    for i in out.iter_mut().filter(|i| i.kind == "provider") {
        if !by_organisation.contains_key(&i.organisation_id) {
            let covered = crate::consent::service::coverage(c, case_id, &i.organisation_id)
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?
                .0
                .values()
                .any(|categories| !categories.is_empty());
            by_organisation.insert(i.organisation_id.clone(), covered);
        }
        i.sharing_basis = Some(if by_organisation[&i.organisation_id] { "consent" } else { "none" });
    }
    Ok(out)
}

/// The regisseur of the case or the teamleider of its team may manage involvements. Others who see the case
/// get 403; those who do not, 404.
fn may_manage(
    state: &AppState,
    c: &mut DbConn,
    p: &Principal,
    case_id: &str,
    audit: &AuditRecord,
) -> AppResult<super::store::CaseRow> {
    let case = store::case(c, case_id)?.ok_or_else(|| {
        audit.denied();
        AppError::NotFound
    })?;
    state.access.decide_case(c, p, &case.id, &case.team_id, audit)?;
    let is_regisseur = ra::table
        .filter(ra::case_id.eq(&case.id))
        .filter(ra::status.eq("active"))
        .filter(ra::user_id.eq(&p.user_id))
        .count()
        .get_result::<i64>(c)?
        == 1;
    if !is_regisseur && !lead_teams(p).contains(&case.team_id) {
        audit.denied();
        return Err(AppError::Forbidden);
    }
    Ok(case)
}

pub async fn list(state: &State, p: &Principal, audit: &AuditRecord, case_id: String) -> AppResult<Vec<Involvement>> {
    state.access.decide(p, Resource::Case, Action::Read, audit)?;
    audit.resource(&case_id);
    let (st, principal, audit) = (state.clone(), p.clone(), audit.clone());
    db(state, move |c| {
        let case = store::case(c, &case_id)?.ok_or(AppError::NotFound)?;
        st.access.decide_case(c, &principal, &case.id, &case.team_id, &audit)?;
        Ok(rows(c, &case.id)?)
    })
    .await
}

pub async fn add(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    input: AddInvolvement,
) -> AppResult<Involvement> {
    state.access.decide(p, Resource::Case, Action::Update, audit)?;
    audit.resource(&case_id);
    let mut v = Validator::new();
    v.required(&input.user_id, "userId");
    if let Some(r) = v.required(&input.role_in_case, "roleInCase") {
        v.check(!r.trim().is_empty() && r.chars().count() <= 100, "roleInCase", "must be 1 to 100 characters");
    }
    let t = now();
    // Whole microseconds, as the database keeps them.
    let from = input.valid_from.map(|f| crate::db::truncate_micros(f.naive_utc())).unwrap_or(t);
    let until = input.valid_until.map(|u| crate::db::truncate_micros(u.naive_utc()));
    // A minute's grace for clocks that differ; access is never granted backwards in time.
    v.check(from >= t - chrono::Duration::minutes(1), "validFrom", "must not be in the past");
    if let Some(u) = until {
        v.check(u > from, "validUntil", "must be after validFrom");
    }
    v.finish()?;
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 201, move |c| {
        let case = may_manage(&st, c, &principal, &case_id, &audit2)?;
        let user_id = input.user_id.unwrap_or_default();
        let user = crate::identity::store::user_row(c, &user_id)?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::field("userId", "is not an active user"))?;
        let roles = crate::identity::store::roles_of(c, &user_id)?;
        let kind =
            if roles.iter().any(|g| g.role == crate::access::Role::Wijkteam) { "team_member" } else { "provider" };
        if store::overlapping_involvement(c, &user_id, &case.id, from, until)? {
            return Err(AppError::Conflict("This professional is already involved in that period".into()));
        }
        let id = new_id();
        store::insert_involvement_period(
            c,
            &NewInvolvement {
                id: &id,
                case_id: &case.id,
                user_id: &user.id,
                organisation_id: &user.organisation_id,
                kind,
                role_in_case: input.role_in_case.as_deref().unwrap_or_default().trim(),
                created_by: Some(&principal.user_id),
            },
            now(),
            from,
            until,
        )?;
        rows(c, &case.id)?.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)
    })
    .await
}

pub async fn end(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    case_id: String,
    involvement_id: String,
) -> AppResult<Involvement> {
    state.access.decide(p, Resource::Case, Action::Update, audit)?;
    audit.resource(&involvement_id);
    let (st, principal, audit2) = (state.clone(), p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let case = may_manage(&st, c, &principal, &case_id, &audit2)?;
        let t = now();
        let current = rows(c, &case.id)?
            .into_iter()
            .find(|i| i.id == involvement_id && i.valid_until.is_none_or(|u| u > t.and_utc()))
            .ok_or(AppError::NotFound)?;
        if current.kind == "regisseur" {
            return Err(AppError::Conflict("The regisseur's involvement ends by handing over, not here".into()));
        }
        // Ending one that has not started yet cancels it: it ends where it would have begun.
        let ends_at = t.max(current.valid_from.naive_utc());
        diesel::update(inv::table.filter(inv::id.eq(&current.id))).set(inv::valid_until.eq(ends_at)).execute(c)?;
        rows(c, &case.id)?.into_iter().find(|i| i.id == current.id).ok_or(AppError::NotFound)
    })
    .await
}
