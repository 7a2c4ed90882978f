//! Diesel queries for organisations, teams, users and role grants.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Organisation, RoleGrant, Team, User};
use crate::db::schema::{organisations, sessions, teams, user_roles, users};
use crate::db::DbConn;
use crate::paging::PageQuery;
use crate::roles::Role;

#[derive(Queryable, Selectable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: String,
    name: String,
    kind: String,
    active: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<OrganisationRow> for Organisation {
    fn from(r: OrganisationRow) -> Self {
        Organisation {
            id: r.id,
            name: r.name,
            kind: r.kind,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

pub fn insert_organisation(conn: &mut DbConn, id: &str, name: &str, kind: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(id),
            organisations::name.eq(name),
            organisations::kind.eq(kind),
            organisations::active.eq(true),
            organisations::version.eq(1i64),
            organisations::created_at.eq(now),
            organisations::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn organisation(conn: &mut DbConn, id: &str) -> QueryResult<Option<Organisation>> {
    organisations::table.find(id).select(OrganisationRow::as_select()).first(conn).optional().map(|r| r.map(Into::into))
}

/// The organisation with this id or name (`eenplan user add` takes either).
pub fn organisation_by_id_or_name(conn: &mut DbConn, key: &str) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::id.eq(key).or(organisations::name.eq(key)))
        .order(organisations::id.asc())
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(Into::into))
}

/// The organisation, when there is exactly one.
pub fn only_organisation(conn: &mut DbConn) -> QueryResult<Option<Organisation>> {
    let mut rows: Vec<OrganisationRow> =
        organisations::table.order(organisations::id.asc()).limit(2).select(OrganisationRow::as_select()).load(conn)?;
    Ok(if rows.len() == 1 { rows.pop().map(Into::into) } else { None })
}

/// A page of organisations in id order (`PageQuery::fetch` rows: one more than the page holds).
pub fn list_organisations(conn: &mut DbConn, page: &PageQuery) -> QueryResult<Vec<Organisation>> {
    let mut q = organisations::table.into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(organisations::id.gt(after.clone()));
    }
    q.order(organisations::id.asc())
        .limit(page.fetch())
        .select(OrganisationRow::as_select())
        .load(conn)
        .map(|rows| rows.into_iter().map(Into::into).collect())
}

/// Updates when the version still matches; returns whether it did.
pub fn update_organisation(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    name: &str,
    kind: &str,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(organisations::table.filter(organisations::id.eq(id)).filter(organisations::version.eq(version)))
        .set((
            organisations::name.eq(name),
            organisations::kind.eq(kind),
            organisations::active.eq(active),
            organisations::version.eq(version + 1),
            organisations::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = teams)]
struct TeamRow {
    id: String,
    organisation_id: String,
    name: String,
    kind: String,
    wijk: Option<String>,
    provider_may_direct: bool,
    active: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Self {
        Team {
            id: r.id,
            organisation_id: r.organisation_id,
            name: r.name,
            kind: r.kind,
            wijk: r.wijk,
            provider_may_direct: r.provider_may_direct,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

pub struct NewTeam<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub wijk: Option<&'a str>,
    pub provider_may_direct: bool,
}

pub fn insert_team(conn: &mut DbConn, t: &NewTeam, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(teams::table)
        .values((
            teams::id.eq(t.id),
            teams::organisation_id.eq(t.organisation_id),
            teams::name.eq(t.name),
            teams::kind.eq(t.kind),
            teams::wijk.eq(t.wijk),
            teams::provider_may_direct.eq(t.provider_may_direct),
            teams::active.eq(true),
            teams::version.eq(1i64),
            teams::created_at.eq(now),
            teams::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn team(conn: &mut DbConn, id: &str) -> QueryResult<Option<Team>> {
    teams::table.find(id).select(TeamRow::as_select()).first(conn).optional().map(|r| r.map(Into::into))
}

/// The team with this id or name (`eenplan user add` takes either).
pub fn team_by_id_or_name(conn: &mut DbConn, key: &str) -> QueryResult<Option<Team>> {
    teams::table
        .filter(teams::id.eq(key).or(teams::name.eq(key)))
        .order(teams::id.asc())
        .select(TeamRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(Into::into))
}

/// A page of teams in id order (`PageQuery::fetch` rows).
pub fn list_teams(conn: &mut DbConn, page: &PageQuery) -> QueryResult<Vec<Team>> {
    let mut q = teams::table.into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(teams::id.gt(after.clone()));
    }
    q.order(teams::id.asc())
        .limit(page.fetch())
        .select(TeamRow::as_select())
        .load(conn)
        .map(|rows| rows.into_iter().map(Into::into).collect())
}

pub fn update_team(conn: &mut DbConn, t: &Team, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(teams::table.filter(teams::id.eq(&t.id)).filter(teams::version.eq(t.version)))
        .set((
            teams::name.eq(&t.name),
            teams::wijk.eq(&t.wijk),
            teams::provider_may_direct.eq(t.provider_may_direct),
            teams::active.eq(t.active),
            teams::version.eq(t.version + 1),
            teams::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub organisation_id: String,
    pub password_hash: String,
    pub active: bool,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deactivated_at: Option<NaiveDateTime>,
}

impl UserRow {
    pub fn into_user(self, roles: Vec<RoleGrant>) -> User {
        User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            organisation_id: self.organisation_id,
            roles,
            active: self.active,
            totp_enrolled: self.totp_secret.is_some(),
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            deactivated_at: self.deactivated_at.map(|t| t.and_utc()),
        }
    }
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub organisation_id: &'a str,
    pub password_hash: &'a str,
    pub totp_secret: Option<&'a str>,
}

pub fn insert_user(conn: &mut DbConn, u: &NewUser, roles: &[RoleGrant], now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(u.id),
            users::email.eq(u.email),
            users::display_name.eq(u.display_name),
            users::organisation_id.eq(u.organisation_id),
            users::password_hash.eq(u.password_hash),
            users::active.eq(true),
            users::totp_secret.eq(u.totp_secret),
            users::version.eq(1i64),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    replace_roles(conn, u.id, roles)
}

pub fn replace_roles(conn: &mut DbConn, user_id: &str, roles: &[RoleGrant]) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    for grant in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::id.eq(crate::db::new_id()),
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(grant.role.as_str()),
                user_roles::team_id.eq(grant.team_id.as_deref()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn user_row(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn user_row_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()
}

pub fn roles_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<RoleGrant>> {
    let rows: Vec<(String, Option<String>)> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .order((user_roles::role.asc(), user_roles::team_id.asc()))
        .select((user_roles::role, user_roles::team_id))
        .load(conn)?;
    // The CHECK constraint keeps unknown roles out; skip rather than fail if one slips in.
    Ok(rows
        .into_iter()
        .filter_map(|(role, team_id)| Role::parse(&role).map(|role| RoleGrant { role, team_id }))
        .collect())
}

pub fn user(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    match user_row(conn, id)? {
        None => Ok(None),
        Some(row) => {
            let roles = roles_of(conn, id)?;
            Ok(Some(row.into_user(roles)))
        }
    }
}

/// A page of users with their roles, in id order (`PageQuery::fetch` rows).
pub fn list_users(conn: &mut DbConn, page: &PageQuery) -> QueryResult<Vec<User>> {
    let mut q = users::table.into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(users::id.gt(after.clone()));
    }
    let rows: Vec<UserRow> = q.order(users::id.asc()).limit(page.fetch()).select(UserRow::as_select()).load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let grants: Vec<(String, String, Option<String>)> = user_roles::table
        .filter(user_roles::user_id.eq_any(&ids))
        .order((user_roles::role.asc(), user_roles::team_id.asc()))
        .select((user_roles::user_id, user_roles::role, user_roles::team_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let roles = grants
                .iter()
                .filter(|(uid, _, _)| *uid == row.id)
                .filter_map(|(_, role, team_id)| {
                    Role::parse(role).map(|role| RoleGrant { role, team_id: team_id.clone() })
                })
                .collect();
            row.into_user(roles)
        })
        .collect())
}

pub fn update_user(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    email: &str,
    display_name: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(users::table.filter(users::id.eq(id)).filter(users::version.eq(version)))
        .set((
            users::email.eq(email),
            users::display_name.eq(display_name),
            users::password_hash.eq(password_hash),
            users::version.eq(version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn deactivate_user(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(users::table.filter(users::id.eq(id)).filter(users::active.eq(true)))
        .set((
            users::active.eq(false),
            users::deactivated_at.eq(now),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Ends every open session of a user (deactivated, a new password, other roles), in the transaction of that change.
/// Here rather than in auth/, which sits above identity: administering a user includes ending their sessions.
pub fn end_sessions(conn: &mut DbConn, user_id: &str, reason: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(now), sessions::revoked_reason.eq(reason)))
        .execute(conn)
}

pub fn count_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// Ids among `ids` that name no team.
pub fn unknown_teams(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    let found: Vec<String> = teams::table.filter(teams::id.eq_any(ids)).select(teams::id).load(conn)?;
    Ok(ids.iter().filter(|id| !found.contains(id)).cloned().collect())
}
