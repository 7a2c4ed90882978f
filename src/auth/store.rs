//! Diesel queries for sessions, refresh tokens, login throttling and TOTP state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Throttle;
use crate::db::schema::{login_throttle, refresh_tokens, sessions, users, web_sessions};
use crate::db::DbConn;

pub fn create_session(
    conn: &mut DbConn,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
    second_factor: bool,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
            sessions::second_factor.eq(second_factor),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_refresh_token(
    conn: &mut DbConn,
    token_hash: &str,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn refresh_token_session(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(String, Option<NaiveDateTime>)>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((refresh_tokens::session_id, refresh_tokens::used_at))
        .first(conn)
        .optional()
}

/// Marks a refresh token used. False when it was already used: only one caller can win.
pub fn use_refresh_token(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub struct SessionRow {
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The second factor was confirmed when the session began.
    pub second_factor: bool,
}

pub fn session(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .filter(sessions::id.eq(id))
        .select((sessions::user_id, sessions::expires_at, sessions::revoked_at, sessions::second_factor))
        .first::<(String, NaiveDateTime, Option<NaiveDateTime>, bool)>(conn)
        .optional()
        .map(|r| {
            r.map(|(user_id, expires_at, revoked_at, second_factor)| SessionRow {
                user_id,
                expires_at,
                revoked_at,
                second_factor,
            })
        })
}

pub fn insert_web_session(
    conn: &mut DbConn,
    token_hash: &str,
    session_id: &str,
    scope: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash),
            web_sessions::session_id.eq(session_id),
            web_sessions::scope.eq(scope),
            web_sessions::created_at.eq(now),
            web_sessions::last_seen_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A web session's cookie, found by its hash: the session it names, its scope and when it was last used.
pub struct WebSessionRow {
    pub session_id: String,
    pub scope: String,
    pub last_seen_at: NaiveDateTime,
}

/// A web session with the session behind it, in one statement.
pub fn web_session_with_session(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(WebSessionRow, SessionRow)>> {
    type Row = (String, String, NaiveDateTime, String, NaiveDateTime, Option<NaiveDateTime>, bool);
    web_sessions::table
        .inner_join(sessions::table)
        .filter(web_sessions::token_hash.eq(token_hash))
        .select((
            web_sessions::session_id,
            web_sessions::scope,
            web_sessions::last_seen_at,
            sessions::user_id,
            sessions::expires_at,
            sessions::revoked_at,
            sessions::second_factor,
        ))
        .first::<Row>(conn)
        .optional()
        .map(|r| {
            r.map(|(session_id, scope, last_seen_at, user_id, expires_at, revoked_at, second_factor)| {
                (
                    WebSessionRow { session_id, scope, last_seen_at },
                    SessionRow { user_id, expires_at, revoked_at, second_factor },
                )
            })
        })
}

pub fn touch_web_session(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(web_sessions::table.filter(web_sessions::token_hash.eq(token_hash)))
        .set(web_sessions::last_seen_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

pub fn revoke_session(conn: &mut DbConn, id: &str, reason: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.filter(sessions::id.eq(id)).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(now), sessions::revoked_reason.eq(reason)))
        .execute(conn)
}

pub fn throttle(conn: &mut DbConn, key: &str) -> QueryResult<Option<Throttle>> {
    login_throttle::table
        .filter(login_throttle::key.eq(key))
        .select((login_throttle::failures, login_throttle::window_started_at, login_throttle::locked_until))
        .first::<(i64, NaiveDateTime, Option<NaiveDateTime>)>(conn)
        .optional()
        .map(|r| {
            r.map(|(failures, window_started_at, locked_until)| Throttle { failures, window_started_at, locked_until })
        })
}

pub fn save_throttle(conn: &mut DbConn, key: &str, t: &Throttle) -> QueryResult<()> {
    let values = (
        login_throttle::key.eq(key),
        login_throttle::failures.eq(t.failures),
        login_throttle::window_started_at.eq(t.window_started_at),
        login_throttle::locked_until.eq(t.locked_until),
    );
    crate::db_run!(conn, |c| diesel::insert_into(login_throttle::table)
        .values(values)
        .on_conflict(login_throttle::key)
        .do_update()
        .set((
            login_throttle::failures.eq(t.failures),
            login_throttle::window_started_at.eq(t.window_started_at),
            login_throttle::locked_until.eq(t.locked_until),
        ))
        .execute(c))?;
    Ok(())
}

/// Takes the counter row of a key for this transaction (creating it at zero when missing), so that concurrent
/// attempts on one key count one after the other, on one node or many.
pub fn lock_throttle(conn: &mut DbConn, key: &str, now: NaiveDateTime) -> QueryResult<Throttle> {
    let values = (
        login_throttle::key.eq(key),
        login_throttle::failures.eq(0i64),
        login_throttle::window_started_at.eq(now),
        login_throttle::locked_until.eq(None::<NaiveDateTime>),
    );
    crate::db_run!(conn, |c| diesel::insert_into(login_throttle::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    // A no-op update takes the row lock on PostgreSQL; SQLite's write transaction already holds the database.
    diesel::update(login_throttle::table.filter(login_throttle::key.eq(key)))
        .set(login_throttle::failures.eq(login_throttle::failures))
        .execute(conn)?;
    throttle(conn, key)?.ok_or(diesel::result::Error::NotFound)
}

pub fn clear_throttle(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.filter(login_throttle::key.eq(key))).execute(conn).map(|_| ())
}

pub fn set_totp_pending(conn: &mut DbConn, user_id: &str, secret: &str) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set(users::totp_pending_secret.eq(secret))
        .execute(conn)
        .map(|_| ())
}

pub fn confirm_totp(conn: &mut DbConn, user_id: &str, secret: &str, step: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set((
            users::totp_secret.eq(secret),
            users::totp_pending_secret.eq(None::<String>),
            users::totp_last_step.eq(step),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records the step a code was used for; false when another login used it (or a later one) first.
pub fn claim_totp_step(conn: &mut DbConn, user_id: &str, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// One sign-in event of an account, from the audit log.
#[derive(Queryable)]
pub struct SignInRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub action: String,
    pub outcome: String,
    pub client_address: Option<String>,
}

/// The audit actions that are an account's sign-in history: signing in, a refused attempt or a lockout (named by
/// the account, as the attempt had no actor), signing out (by the account's own session).
pub const SIGN_IN_ACTIONS: [&str; 4] = ["auth.login", "auth.login_failed", "auth.login_locked", "auth.logout"];

/// The sign-in history of one account, newest first: the events it caused (signing in, out) and the refused attempts
/// that named it; `before`: a keyset cursor (the row id of the last event of the previous page).
pub fn sign_in_events(
    conn: &mut DbConn,
    user_id: &str,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<SignInRow>> {
    use crate::db::schema::audit_events as a;
    let mine = a::user_id.eq(user_id).and(a::action.eq_any(["auth.login", "auth.logout"]));
    let naming_me = a::resource_type
        .eq("user")
        .and(a::resource_id.eq(user_id))
        .and(a::action.eq_any(["auth.login_failed", "auth.login_locked"]));
    let mut q = a::table.filter(mine.or(naming_me)).into_boxed();
    if let Some(before) = before {
        q = q.filter(a::id.lt(before));
    }
    q.order(a::id.desc())
        .limit(limit)
        .select((a::id, a::occurred_at, a::action, a::outcome, a::client_address))
        .load(conn)
}
