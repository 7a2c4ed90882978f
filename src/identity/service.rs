//! Administration of organisations, teams and users, and one's own account: each use case asks `access/` its
//! question, runs its change in a transaction with the request's audit event, and returns the result.

use actix_web::web;

use super::model::*;
use super::store;
use crate::access::identity::{decide_role_change, decide_roles_granted, Grants, Operator};
use crate::access::{Action, Resource, Role};
use crate::db::{new_id, now, DbConn};
use crate::error::{check_version, conflict_on_unique, stale, AppError, AppResult, FieldError};
use crate::paging::{page, Page, PageQuery};
use crate::state::{AppState, Ctx, Effect};

const ORGANISATION_EXISTS: &str = "An organisation with this name exists";
const TEAM_EXISTS: &str = "A team with this name exists in the organisation";
const USER_EXISTS: &str = "A user with this email address exists";

/// Decides an act of administration on the object `id` (if any).
fn decide(ctx: &Ctx, resource: Resource, action: Action, id: Option<&str>) -> AppResult<()> {
    ctx.state.access.decide_administration(&ctx.principal, resource, action, id, &ctx.audit).map(|_| ())
}

/// Hashes on the blocking pool: argon2 is deliberately slow, and runs outside any transaction.
async fn hash_password(state: &web::Data<AppState>, password: String) -> AppResult<String> {
    let st = state.clone();
    Ok(web::block(move || st.passwords.hash(&password)).await?)
}

pub async fn create_organisation(ctx: &Ctx, input: CreateOrganisation) -> AppResult<Organisation> {
    decide(ctx, Resource::Organisation, Action::Create, None)?;
    input.validate()?;
    let audit = ctx.audit.clone();
    ctx.write(Effect::Created, move |c| {
        let name = input.name.unwrap_or_default().trim().to_string();
        let id = new_id();
        store::insert_organisation(c, &id, &name, input.kind.as_deref().unwrap_or_default(), now())
            .map_err(conflict_on_unique(ORGANISATION_EXISTS))?;
        audit.resource(&id);
        store::organisation(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_organisation(ctx: &Ctx, id: String) -> AppResult<Organisation> {
    decide(ctx, Resource::Organisation, Action::Read, Some(&id))?;
    ctx.read(move |c| store::organisation(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_organisations(ctx: &Ctx, q: PageQuery) -> AppResult<Page<Organisation>> {
    decide(ctx, Resource::Organisation, Action::List, None)?;
    let limit = q.limit();
    let items = ctx.read(move |c| Ok(store::list_organisations(c, &q)?)).await?;
    Ok(page(items, limit, |o| o.id.clone()))
}

pub async fn update_organisation(
    ctx: &Ctx,
    id: String,
    version: i64,
    input: UpdateOrganisation,
) -> AppResult<Organisation> {
    decide(ctx, Resource::Organisation, Action::Update, Some(&id))?;
    input.validate()?;
    ctx.write(Effect::Changed, move |c| {
        let current = store::organisation(c, &id)?.ok_or(AppError::NotFound)?;
        check_version(current.version, version)?;
        let name = input.name.map(|n| n.trim().to_string()).unwrap_or(current.name);
        let kind = input.kind.unwrap_or(current.kind);
        let active = input.active.unwrap_or(current.active);
        if !store::update_organisation(c, &id, version, &name, &kind, active, now())
            .map_err(conflict_on_unique(ORGANISATION_EXISTS))?
        {
            return Err(stale(current.version + 1));
        }
        store::organisation(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn create_team(ctx: &Ctx, input: CreateTeam) -> AppResult<Team> {
    decide(ctx, Resource::Team, Action::Create, None)?;
    input.validate()?;
    let audit = ctx.audit.clone();
    ctx.write(Effect::Created, move |c| {
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
        store::insert_team(c, &new, now()).map_err(conflict_on_unique(TEAM_EXISTS))?;
        audit.resource(&id);
        store::team(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_team(ctx: &Ctx, id: String) -> AppResult<Team> {
    decide(ctx, Resource::Team, Action::Read, Some(&id))?;
    ctx.read(move |c| store::team(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_teams(ctx: &Ctx, q: PageQuery) -> AppResult<Page<Team>> {
    decide(ctx, Resource::Team, Action::List, None)?;
    let limit = q.limit();
    let items = ctx.read(move |c| Ok(store::list_teams(c, &q)?)).await?;
    Ok(page(items, limit, |t| t.id.clone()))
}

pub async fn update_team(ctx: &Ctx, id: String, version: i64, input: UpdateTeam) -> AppResult<Team> {
    decide(ctx, Resource::Team, Action::Update, Some(&id))?;
    input.validate()?;
    ctx.write(Effect::Changed, move |c| {
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
        if !store::update_team(c, &team, now()).map_err(conflict_on_unique(TEAM_EXISTS))? {
            return Err(stale(team.version + 1));
        }
        store::team(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
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

/// Creates a user through the API: an administrator, who grants neither admin nor privacy_officer.
pub async fn create_user(ctx: &Ctx, input: CreateUser) -> AppResult<User> {
    add_user(ctx, input, None).await
}

/// Creates a user with `eenplan user add` on the server, the one way to grant admin and privacy_officer. The team
/// and organisation may be named by id or name.
pub async fn create_user_on_server(ctx: &Ctx<Operator>, input: ServerUser) -> AppResult<User> {
    let ServerUser { email, display_name, role, team, organisation, password, totp_secret } = input;
    let (organisation_id, team_id) = ctx
        .read(move |c| {
            let org = match &organisation {
                Some(o) => store::organisation_by_id_or_name(c, o)?
                    .ok_or_else(|| AppError::BadRequest(format!("no organisation '{o}'")))?,
                None => store::only_organisation(c)?.ok_or_else(|| {
                    AppError::BadRequest("--organisation is required when there is not exactly one organisation".into())
                })?,
            };
            let team_id = match &team {
                Some(t) => Some(
                    store::team_by_id_or_name(c, t)?.ok_or_else(|| AppError::BadRequest(format!("no team '{t}'")))?.id,
                ),
                None => None,
            };
            Ok((org.id, team_id))
        })
        .await?;
    let input = CreateUser {
        email: Some(email),
        display_name: Some(display_name),
        organisation_id: Some(organisation_id),
        roles: Some(vec![RoleGrant { role, team_id }]),
        password: Some(password),
    };
    add_user(ctx, input, totp_secret).await
}

/// The one implementation of making a user, for the API and the server alike: the creation allowed, the input
/// valid (with the separation of duties of `check_roles`), the roles the grantor may grant, the references found and
/// the email address not taken.
async fn add_user<P: Grants>(ctx: &Ctx<P>, input: CreateUser, totp_secret: Option<String>) -> AppResult<User> {
    let access = &ctx.state.access;
    access.decide_user_creation(ctx.principal.grantor(), &ctx.audit)?;
    input.validate()?;
    let granted: Vec<Role> = input.roles.iter().flatten().map(|g| g.role).collect();
    decide_roles_granted(ctx.principal.grantor(), &granted, &ctx.audit)?;
    let password_hash = hash_password(&ctx.state, input.password.clone().unwrap_or_default()).await?;
    let audit = ctx.audit.clone();
    ctx.write(Effect::Created, move |c| {
        let roles = input.roles.unwrap_or_default();
        let organisation_id = input.organisation_id.unwrap_or_default();
        check_user_refs(c, Some(&organisation_id), Some(&roles))?;
        let id = new_id();
        let new = store::NewUser {
            id: &id,
            email: &normalise_email(input.email.as_deref().unwrap_or_default()),
            display_name: input.display_name.as_deref().unwrap_or_default().trim(),
            organisation_id: &organisation_id,
            password_hash: &password_hash,
            totp_secret: totp_secret.as_deref(),
        };
        store::insert_user(c, &new, &roles, now()).map_err(conflict_on_unique(USER_EXISTS))?;
        audit.resource(&id);
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn get_user(ctx: &Ctx, id: String) -> AppResult<User> {
    decide(ctx, Resource::User, Action::Read, Some(&id))?;
    ctx.read(move |c| store::user(c, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn list_users(ctx: &Ctx, q: PageQuery) -> AppResult<Page<User>> {
    decide(ctx, Resource::User, Action::List, None)?;
    let limit = q.limit();
    let items = ctx.read(move |c| Ok(store::list_users(c, &q)?)).await?;
    Ok(page(items, limit, |u| u.id.clone()))
}

/// Changes a user's email address, name, roles or password. A new password or other roles end the user's sessions
/// in the same transaction.
pub async fn update_user(ctx: &Ctx, id: String, version: i64, input: UpdateUser) -> AppResult<User> {
    decide(ctx, Resource::User, Action::Update, Some(&id))?;
    input.validate()?;
    let new_hash = match input.password.clone() {
        Some(pw) => Some(hash_password(&ctx.state, pw).await?),
        None => None,
    };
    let (principal, audit) = (ctx.principal.clone(), ctx.audit.clone());
    ctx.write(Effect::Changed, move |c| {
        let current = store::user_row(c, &id)?.ok_or(AppError::NotFound)?;
        check_version(current.version, version)?;
        let roles_changed = match &input.roles {
            Some(after) => changed_roles(&store::roles_of(c, &id)?, after),
            None => Vec::new(),
        };
        decide_role_change(&principal, &id, &roles_changed, &audit)?;
        check_user_refs(c, None, input.roles.as_deref())?;
        let email = input.email.as_deref().map(normalise_email).unwrap_or(current.email.clone());
        let name = input.display_name.map(|n| n.trim().to_string()).unwrap_or(current.display_name.clone());
        let hash = new_hash.unwrap_or(current.password_hash.clone());
        if !store::update_user(c, &id, version, &email, &name, &hash, now()).map_err(conflict_on_unique(USER_EXISTS))? {
            return Err(stale(current.version + 1));
        }
        if let Some(roles) = &input.roles {
            store::replace_roles(c, &id, roles)?;
        }
        if input.password.is_some() {
            // A new password ends every session started with the old one.
            store::end_sessions(c, &id, "password changed", now())?;
        }
        if !roles_changed.is_empty() {
            // A session was opened under other roles (perhaps without the factor a new role needs): it ends.
            store::end_sessions(c, &id, "roles changed", now())?;
        }
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// Deactivates a user: their sessions end in the same transaction, and every token they hold stops working on the
/// next request. Users are never deleted.
pub async fn deactivate_user(ctx: &Ctx, id: String) -> AppResult<User> {
    ctx.state.access.decide_deactivation(&ctx.principal, &id, &ctx.audit)?;
    ctx.write(Effect::Changed, move |c| {
        store::user_row(c, &id)?.ok_or(AppError::NotFound)?;
        let t = now();
        store::deactivate_user(c, &id, t)?;
        store::end_sessions(c, &id, "user deactivated", t)?;
        store::user(c, &id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// The caller's own account.
pub async fn own_account(ctx: &Ctx) -> AppResult<User> {
    ctx.state.access.decide_own_account(&ctx.principal, Action::Read, &ctx.audit)?;
    let id = ctx.principal.user_id.clone();
    ctx.read(move |c| store::user(c, &id)?.ok_or(AppError::NotFound)).await
}

/// The caller's own account as "mijn account" shows it: the account, its organisation's name and the names of the
/// teams its roles are in.
pub struct AccountSummary {
    pub user: User,
    pub organisation: String,
    /// (team id, team name) for each team a role is in.
    pub teams: Vec<(String, String)>,
}

/// The caller's own account with the names it refers to (`own_account read`, as `own_account`).
pub async fn own_account_summary(ctx: &Ctx) -> AppResult<AccountSummary> {
    ctx.state.access.decide_own_account(&ctx.principal, Action::Read, &ctx.audit)?;
    let id = ctx.principal.user_id.clone();
    ctx.read(move |c| {
        let user = store::user(c, &id)?.ok_or(AppError::NotFound)?;
        let organisation = store::organisation(c, &user.organisation_id)?.map(|o| o.name).unwrap_or_default();
        let mut teams = Vec::new();
        for team_id in user.roles.iter().filter_map(|g| g.team_id.clone()) {
            if let Some(t) = store::team(c, &team_id)? {
                if !teams.iter().any(|(id, _)| *id == t.id) {
                    teams.push((t.id, t.name));
                }
            }
        }
        Ok(AccountSummary { user, organisation, teams })
    })
    .await
}
