//! Administration of organisations, teams and users: access, transaction, audit.

use actix_web::web;

use super::model::*;
use super::store;
use crate::access::Principal;
use crate::access::{Action, Resource, Role};
use crate::audit::AuditRecord;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{page, PageQuery};
use crate::state::{db, write, AppState};

type State = web::Data<AppState>;

fn decide(state: &State, p: &Principal, r: Resource, a: Action, audit: &AuditRecord) -> AppResult<()> {
    state.access.decide(p, r, a, audit).map(|_| ())
}

/// Reads one object for an update: gone means 404, a different version means 412.
fn check_version(current: i64, expected: i64) -> AppResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed { current_version: current })
    }
}

pub async fn create_organisation(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    input: CreateOrganisation,
) -> AppResult<Organisation> {
    decide(state, p, Resource::Organisation, Action::Create, audit)?;
    input.validate()?;
    let audit2 = audit.clone();
    write(state, audit, 201, move |c| {
        let name = input.name.unwrap_or_default().trim().to_string();
        if store::organisation_by_name(c, &name)?.is_some() {
            return Err(AppError::Conflict("An organisation with this name exists".into()));
        }
        let id = new_id();
        store::insert_organisation(c, &id, &name, input.kind.as_deref().unwrap_or_default(), now())?;
        audit2.resource(&id);
        store::organisation(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_organisation(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
) -> AppResult<Organisation> {
    decide(state, p, Resource::Organisation, Action::Read, audit)?;
    audit.resource(&id);
    db(state, move |c| store::organisation(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_organisations(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    q: PageQuery,
) -> AppResult<Page<Organisation>> {
    decide(state, p, Resource::Organisation, Action::List, audit)?;
    let limit = q.limit();
    let items = db(state, move |c| Ok(store::list_organisations(c, q.after.as_deref(), limit + 1)?)).await?;
    Ok(page(items, limit, |o| o.id.clone()))
}

pub async fn update_organisation(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
    version: i64,
    input: UpdateOrganisation,
) -> AppResult<Organisation> {
    decide(state, p, Resource::Organisation, Action::Update, audit)?;
    audit.resource(&id);
    input.validate()?;
    write(state, audit, 200, move |c| {
        let current = store::organisation(c, &id)?.ok_or(AppError::NotFound)?;
        check_version(current.version, version)?;
        let name = input.name.map(|n| n.trim().to_string()).unwrap_or(current.name);
        if let Some(other) = store::organisation_by_name(c, &name)? {
            if other.id != id {
                return Err(AppError::Conflict("An organisation with this name exists".into()));
            }
        }
        let kind = input.kind.unwrap_or(current.kind);
        let active = input.active.unwrap_or(current.active);
        if !store::update_organisation(c, &id, version, &name, &kind, active, now())? {
            return Err(AppError::PreconditionFailed { current_version: current.version + 1 });
        }
        store::organisation(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn create_team(state: &State, p: &Principal, audit: &AuditRecord, input: CreateTeam) -> AppResult<Team> {
    decide(state, p, Resource::Team, Action::Create, audit)?;
    input.validate()?;
    let audit2 = audit.clone();
    write(state, audit, 201, move |c| {
        let organisation_id = input.organisation_id.unwrap_or_default();
        if store::organisation(c, &organisation_id)?.is_none() {
            return Err(AppError::field("organisationId", "no such organisation"));
        }
        let id = new_id();
        let kind = input.kind.unwrap_or_default();
        let wijk = if kind == "wijk" { input.wijk.map(|w| w.trim().to_string()) } else { input.wijk };
        let new = store::NewTeam {
            id: &id,
            organisation_id: &organisation_id,
            name: input.name.as_deref().unwrap_or_default().trim(),
            kind: &kind,
            wijk: wijk.as_deref(),
            provider_may_direct: input.provider_may_direct.unwrap_or(false),
        };
        store::insert_team(c, &new, now())
            .map_err(|e| unique_to_conflict(e, "A team with this name exists in the organisation"))?;
        audit2.resource(&id);
        store::team(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_team(state: &State, p: &Principal, audit: &AuditRecord, id: String) -> AppResult<Team> {
    decide(state, p, Resource::Team, Action::Read, audit)?;
    audit.resource(&id);
    db(state, move |c| store::team(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_teams(state: &State, p: &Principal, audit: &AuditRecord, q: PageQuery) -> AppResult<Page<Team>> {
    decide(state, p, Resource::Team, Action::List, audit)?;
    let limit = q.limit();
    let items = db(state, move |c| Ok(store::list_teams(c, q.after.as_deref(), limit + 1)?)).await?;
    Ok(page(items, limit, |t| t.id.clone()))
}

pub async fn update_team(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
    version: i64,
    input: UpdateTeam,
) -> AppResult<Team> {
    decide(state, p, Resource::Team, Action::Update, audit)?;
    audit.resource(&id);
    input.validate()?;
    write(state, audit, 200, move |c| {
        let mut team = store::team(c, &id)?.ok_or(AppError::NotFound)?;
        check_version(team.version, version)?;
        if let Some(name) = input.name {
            team.name = name.trim().to_string();
        }
        if let Some(wijk) = input.wijk {
            team.wijk = Some(wijk.trim().to_string());
        }
        if let Some(v) = input.provider_may_direct {
            team.provider_may_direct = v;
        }
        if let Some(v) = input.active {
            team.active = v;
        }
        if !store::update_team(c, &team, now())
            .map_err(|e| unique_to_conflict(e, "A team with this name exists in the organisation"))?
        {
            return Err(AppError::PreconditionFailed { current_version: team.version + 1 });
        }
        store::team(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

fn unique_to_conflict(e: diesel::result::Error, message: &str) -> AppError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            AppError::Conflict(message.into())
        }
        other => other.into(),
    }
}

/// Checks references that need the database; all problems at once.
fn check_user_refs(c: &mut DbConn, organisation_id: Option<&str>, roles: Option<&[RoleGrant]>) -> AppResult<()> {
    let mut errors = Vec::new();
    if let Some(org) = organisation_id {
        if store::organisation(c, org)?.is_none() {
            errors.push(FieldError::new("organisationId", "no such organisation"));
        }
    }
    if let Some(roles) = roles {
        let team_ids: Vec<String> = roles.iter().filter_map(|g| g.team_id.clone()).collect();
        let unknown = store::unknown_teams(c, &team_ids)?;
        for (i, g) in roles.iter().enumerate() {
            if g.team_id.as_ref().is_some_and(|t| unknown.contains(t)) {
                errors.push(FieldError::new(format!("roles[{i}].teamId"), "no such team"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub async fn create_user(state: &State, p: &Principal, audit: &AuditRecord, input: CreateUser) -> AppResult<User> {
    decide(state, p, Resource::User, Action::Create, audit)?;
    input.validate()?;
    // Hash outside the transaction: argon2 is deliberately slow.
    let st = state.clone();
    let password = input.password.clone().unwrap_or_default();
    let password_hash = web::block(move || st.passwords.hash(&password)).await?;
    let granted: Vec<Role> = input.roles.iter().flatten().map(|g| g.role).collect();
    crate::access::decide_role_change(p, "", &granted, audit)?;
    let audit2 = audit.clone();
    write(state, audit, 201, move |c| {
        let roles = input.roles.unwrap_or_default();
        let organisation_id = input.organisation_id.unwrap_or_default();
        check_user_refs(c, Some(&organisation_id), Some(&roles))?;
        let email = crate::auth::model::normalise_email(input.email.as_deref().unwrap_or_default());
        if store::user_row_by_email(c, &email)?.is_some() {
            return Err(AppError::Conflict("A user with this email address exists".into()));
        }
        let id = new_id();
        let new = store::NewUser {
            id: &id,
            email: &email,
            display_name: input.display_name.as_deref().unwrap_or_default().trim(),
            organisation_id: &organisation_id,
            password_hash: &password_hash,
            totp_secret: None,
        };
        store::insert_user(c, &new, &roles, now())?;
        audit2.resource(&id);
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_user(state: &State, p: &Principal, audit: &AuditRecord, id: String) -> AppResult<User> {
    decide(state, p, Resource::User, Action::Read, audit)?;
    audit.resource(&id);
    db(state, move |c| store::user(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_users(state: &State, p: &Principal, audit: &AuditRecord, q: PageQuery) -> AppResult<Page<User>> {
    decide(state, p, Resource::User, Action::List, audit)?;
    let limit = q.limit();
    let items = db(state, move |c| Ok(store::list_users(c, q.after.as_deref(), limit + 1)?)).await?;
    Ok(page(items, limit, |u| u.id.clone()))
}

pub async fn update_user(
    state: &State,
    p: &Principal,
    audit: &AuditRecord,
    id: String,
    version: i64,
    input: UpdateUser,
) -> AppResult<User> {
    decide(state, p, Resource::User, Action::Update, audit)?;
    audit.resource(&id);
    input.validate()?;
    let new_hash = match input.password.clone() {
        Some(pw) => {
            let st = state.clone();
            Some(web::block(move || st.passwords.hash(&pw)).await?)
        }
        None => None,
    };
    let (principal, audit2) = (p.clone(), audit.clone());
    write(state, audit, 200, move |c| {
        let current = store::user_row(c, &id)?.ok_or(AppError::NotFound)?;
        check_version(current.version, version)?;
        let roles_before = store::roles_of(c, &id)?;
        let roles_changed = match &input.roles {
            Some(after) => changed_roles(&roles_before, after),
            None => Vec::new(),
        };
        crate::access::decide_role_change(&principal, &id, &roles_changed, &audit2)?;
        check_user_refs(c, None, input.roles.as_deref())?;
        let email = input.email.as_deref().map(crate::auth::model::normalise_email).unwrap_or(current.email.clone());
        if let Some(other) = store::user_row_by_email(c, &email)? {
            if other.id != id {
                return Err(AppError::Conflict("A user with this email address exists".into()));
            }
        }
        let name = input.display_name.map(|n| n.trim().to_string()).unwrap_or(current.display_name.clone());
        let hash = new_hash.unwrap_or(current.password_hash.clone());
        if !store::update_user(c, &id, version, &email, &name, &hash, now())? {
            return Err(AppError::PreconditionFailed { current_version: current.version + 1 });
        }
        if let Some(roles) = &input.roles {
            store::replace_roles(c, &id, roles)?;
        }
        if input.password.is_some() {
            // A new password ends every session started with the old one.
            crate::auth::store::revoke_user_sessions(c, &id, "password changed", now())?;
        }
        if !roles_changed.is_empty() {
            // A session was opened under other roles (perhaps without the factor a new role needs): it ends.
            crate::auth::store::revoke_user_sessions(c, &id, "roles changed", now())?;
        }
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// The roles granted or withdrawn between two sets of grants (a team change counts for its role).
fn changed_roles(before: &[RoleGrant], after: &[RoleGrant]) -> Vec<Role> {
    let mut changed: Vec<Role> = before
        .iter()
        .filter(|g| !after.contains(g))
        .chain(after.iter().filter(|g| !before.contains(g)))
        .map(|g| g.role)
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

/// Deactivates a user: their sessions are revoked in the same transaction, and every token they hold
/// stops working on the next request. Users are never deleted.
pub async fn deactivate_user(state: &State, p: &Principal, audit: &AuditRecord, id: String) -> AppResult<User> {
    decide(state, p, Resource::User, Action::Deactivate, audit)?;
    audit.resource(&id);
    if id == p.user_id {
        return Err(AppError::Conflict("You cannot deactivate your own account".into()));
    }
    write(state, audit, 200, move |c| {
        store::user_row(c, &id)?.ok_or(AppError::NotFound)?;
        let t = now();
        store::deactivate_user(c, &id, t)?;
        crate::auth::store::revoke_user_sessions(c, &id, "user deactivated", t)?;
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}
