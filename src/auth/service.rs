//! Login, refresh, logout and TOTP enrolment: throttling, sessions, token families and their audit events.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{
    self, after_failure, locked_for, sha256_hex, FailureEffect, Throttle, SCOPE_FULL, SCOPE_TOTP_ENROLMENT,
};
use super::store;
use crate::audit::{Actor, AuditRecord, Outcome};
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::identity::store as identity_store;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    pub email: Option<String>,
    pub password: Option<String>,
    /// The current 6-digit code, for accounts with a second factor.
    pub totp: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    pub access_token: String,
    /// Absent when the token only allows enrolling a second factor.
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub token_type: &'static str,
    /// `full`, or `totp-enrolment` when a second factor must be enrolled first.
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotpEnrolment {
    /// Base32 secret for an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotpConfirmRequest {
    pub code: Option<String>,
}

const BAD_CREDENTIALS: AppError = AppError::Unauthorized("The email address or password is wrong");

fn account_key(email: &str) -> String {
    format!("account:{}", sha256_hex(email))
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// One login attempt admitted against its keys (the account, the address): counted as a failure before the
/// password is checked, so that however many attempts arrive at once, no more passwords are checked than the
/// limit allows. A success gives the count back.
struct Attempt {
    keys: Vec<(String, Throttle, FailureEffect)>,
}

fn admit(state: &AppState, conn: &mut DbConn, keys: &[(String, i64)]) -> AppResult<Attempt> {
    let cfg = &state.config.auth.throttle;
    let t = now();
    write_tx(conn, |c| {
        let mut counted = Vec::new();
        let mut wait = None;
        for (key, threshold) in keys {
            let current = store::lock_throttle(c, key, t)?;
            wait = wait.max(locked_for(Some(&current), t));
            let (next, effect) = after_failure(Some(current), t, *threshold, cfg);
            counted.push((key.clone(), next, effect));
        }
        if let Some(secs) = wait {
            return Err(AppError::TooManyRequests { retry_after_secs: secs as u64 });
        }
        for (key, next, _) in &counted {
            store::save_throttle(c, key, next)?;
        }
        Ok(Attempt { keys: counted })
    })
}

/// The attempt was not a failure (a success, or a correct password still waiting for its code): the account's
/// counter is cleared on success, the others get their count back (and any lock this attempt set).
fn give_back(conn: &mut DbConn, attempt: &Attempt, clear_account: bool) -> AppResult<()> {
    let t = now();
    write_tx(conn, |c| {
        for (i, (key, counted, effect)) in attempt.keys.iter().enumerate() {
            if i == 0 && clear_account {
                store::clear_throttle(c, key)?;
                continue;
            }
            let mut current = store::lock_throttle(c, key, t)?;
            current.failures = (current.failures - 1).max(0);
            if effect.locked_now && current.locked_until == counted.locked_until {
                current.locked_until = None;
            }
            store::save_throttle(c, key, &current)?;
        }
        Ok::<_, AppError>(())
    })
}

/// The attempt failed: its count stands. Audits the first failure of a window and every lockout; the attempts
/// between are counted, not logged one by one.
fn audit_failure(attempt: &Attempt, user_id: Option<&str>, audit: &AuditRecord) {
    let locked_now = attempt.keys.iter().any(|(_, _, e)| e.locked_now);
    let first_in_window = attempt.keys.iter().any(|(_, _, e)| e.first_in_window);
    let failures = attempt.keys.iter().map(|(_, n, _)| n.failures).max().unwrap_or(0);
    if locked_now {
        audit.action("auth.login_locked", "session");
    } else if first_in_window {
        audit.action("auth.login_failed", "session");
    } else {
        audit.suppress();
        return;
    }
    audit.require();
    crate::access::refuse_sign_in(audit, user_id, failures);
}

pub fn login(
    state: &AppState,
    conn: &mut DbConn,
    input: LoginRequest,
    client_address: Option<String>,
    audit: &AuditRecord,
) -> AppResult<TokenResponse> {
    let mut v = Validator::new();
    v.required(&input.email, "email");
    v.required(&input.password, "password");
    v.finish()?;
    let email = model::normalise_email(input.email.as_deref().unwrap_or_default());
    let password = input.password.unwrap_or_default();
    let cfg = &state.config.auth.throttle;
    let mut keys = vec![(account_key(&email), cfg.account_failures)];
    if let Some(addr) = &client_address {
        keys.push((address_key(addr), cfg.address_failures));
    }

    let t = now();
    let attempt = match admit(state, conn, &keys) {
        Ok(a) => a,
        Err(e) => {
            // The lockout itself was audited; refused attempts during it are not logged one by one.
            audit.suppress();
            return Err(e);
        }
    };

    let user = identity_store::user_row_by_email(conn, &email)?;
    let password_ok = match &user {
        Some(u) => state.passwords.verify(&password, &u.password_hash),
        None => {
            state.passwords.verify_dummy(&password);
            false
        }
    };
    let user = match user {
        Some(u) if password_ok && u.active => u,
        other => {
            audit_failure(&attempt, other.as_ref().map(|u| u.id.as_str()), audit);
            return Err(BAD_CREDENTIALS);
        }
    };

    let roles = identity_store::roles_of(conn, &user.id)?;
    let totp_required = roles.iter().any(|g| g.role.requires_totp());
    let scope = match &user.totp_secret {
        Some(secret) => {
            let Some(code) = input.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
                give_back(conn, &attempt, false)?;
                audit.suppress();
                return Err(AppError::TotpRequired);
            };
            let step = model::totp_verify(secret, code, t.and_utc().timestamp(), user.totp_last_step);
            match step {
                Some(step) if store::claim_totp_step(conn, &user.id, step)? => SCOPE_FULL,
                _ => {
                    audit_failure(&attempt, Some(&user.id), audit);
                    return Err(BAD_CREDENTIALS);
                }
            }
        }
        None if totp_required => SCOPE_TOTP_ENROLMENT,
        None => SCOPE_FULL,
    };

    let second_factor = user.totp_secret.is_some();
    audit.set_actor(Actor {
        user_id: user.id.clone(),
        user_name: user.display_name.clone(),
        organisation_id: Some(user.organisation_id.clone()),
    });
    audit.action("auth.login", "session");
    let session_ttl = Duration::from_std(state.config.auth.session_ttl).unwrap_or(Duration::hours(12));
    let session_id = crate::db::new_id();
    let refresh = (scope == SCOPE_FULL).then(model::random_token);
    give_back(conn, &attempt, true)?;
    state.audit.write_with(conn, |c| {
        store::create_session(c, &session_id, &user.id, t, t + session_ttl, second_factor)?;
        if let Some(r) = &refresh {
            store::insert_refresh_token(c, &sha256_hex(r), &session_id, t)?;
        }
        audit.resource(&session_id);
        Ok(((), audit.event(Outcome::Allowed, 200, "auth.login")))
    })?;
    audit.mark_recorded();
    Ok(TokenResponse {
        access_token: state.tokens.issue(&user.id, &session_id, scope),
        refresh_token: refresh,
        expires_in: state.tokens.ttl_secs(),
        token_type: "Bearer",
        scope: scope.to_string(),
    })
}

enum Rotation {
    Rotated { user_id: String, session_id: String, refresh: String },
    Refused,
}

/// Rotates a refresh token. A token presented twice revokes its whole family (the session):
/// whoever holds a stolen copy and the rightful holder both lose it.
pub fn refresh(
    state: &AppState,
    conn: &mut DbConn,
    input: RefreshRequest,
    audit: &AuditRecord,
) -> AppResult<TokenResponse> {
    let mut v = Validator::new();
    v.required(&input.refresh_token, "refreshToken");
    v.finish()?;
    let hash = sha256_hex(input.refresh_token.as_deref().unwrap_or_default());
    let invalid = AppError::Unauthorized("The refresh token is invalid or has expired");
    let Some((session_id, _)) = store::refresh_token_session(conn, &hash)? else {
        return Err(invalid);
    };
    let Some(session) = store::session(conn, &session_id)? else { return Err(invalid) };
    audit.set_actor(Actor { user_id: session.user_id.clone(), ..Default::default() });
    audit.require();
    audit.resource(&session_id);
    let t = now();
    let rotation = state.audit.write_with(conn, |c| {
        let user_active = identity_store::user_row(c, &session.user_id)?.is_some_and(|u| u.active);
        if !store::use_refresh_token(c, &hash, t)? {
            store::revoke_session(c, &session_id, "refresh token reused", t)?;
            audit.action("auth.refresh_reused", "session");
            audit.denied();
            return Ok((Rotation::Refused, audit.event(Outcome::Denied, 401, "")));
        }
        // Today's roles decide: a role added since sign-in that needs a factor the session lacks ends it.
        let needs_factor = identity_store::roles_of(c, &session.user_id)?.iter().any(|g| g.role.requires_totp());
        if session.revoked_at.is_some()
            || session.expires_at <= t
            || !user_active
            || (needs_factor && !session.second_factor)
        {
            audit.action("auth.refresh", "session");
            audit.denied();
            return Ok((Rotation::Refused, audit.event(Outcome::Denied, 401, "")));
        }
        let next = model::random_token();
        store::insert_refresh_token(c, &sha256_hex(&next), &session_id, t)?;
        audit.action("auth.refresh", "session");
        let rotated =
            Rotation::Rotated { user_id: session.user_id.clone(), session_id: session_id.clone(), refresh: next };
        Ok((rotated, audit.event(Outcome::Allowed, 200, "")))
    })?;
    audit.mark_recorded();
    match rotation {
        Rotation::Rotated { user_id, session_id, refresh } => Ok(TokenResponse {
            access_token: state.tokens.issue(&user_id, &session_id, SCOPE_FULL),
            refresh_token: Some(refresh),
            expires_in: state.tokens.ttl_secs(),
            token_type: "Bearer",
            scope: SCOPE_FULL.to_string(),
        }),
        Rotation::Refused => Err(invalid),
    }
}

pub fn logout(state: &AppState, conn: &mut DbConn, session_id: Option<String>, audit: &AuditRecord) -> AppResult<()> {
    audit.action("auth.logout", "session");
    if let Some(sid) = &session_id {
        audit.resource(sid);
    }
    state.audit.write_with(conn, |c| {
        if let Some(sid) = &session_id {
            store::revoke_session(c, sid, "logout", now())?;
        }
        Ok(((), audit.event(Outcome::Allowed, 204, "")))
    })?;
    audit.mark_recorded();
    Ok(())
}

pub fn enrol_totp(state: &AppState, conn: &mut DbConn, user_id: &str, audit: &AuditRecord) -> AppResult<TotpEnrolment> {
    let user = identity_store::user_row(conn, user_id)?.ok_or(AppError::NotFound)?;
    if user.totp_secret.is_some() {
        return Err(AppError::Conflict("A second factor is already enrolled".into()));
    }
    let secret = model::new_totp_secret();
    state.audit.write_with(conn, |c| {
        store::set_totp_pending(c, user_id, &secret)?;
        Ok(((), audit.event(Outcome::Allowed, 200, "")))
    })?;
    audit.mark_recorded();
    Ok(TotpEnrolment { otpauth_uri: model::otpauth_uri(&user.email, &secret), secret })
}

pub fn confirm_totp(
    state: &AppState,
    conn: &mut DbConn,
    user_id: &str,
    input: TotpConfirmRequest,
    audit: &AuditRecord,
) -> AppResult<()> {
    let mut v = Validator::new();
    v.required(&input.code, "code");
    v.finish()?;
    let user = identity_store::user_row(conn, user_id)?.ok_or(AppError::NotFound)?;
    let Some(pending) = user.totp_pending_secret else {
        return Err(AppError::Conflict("Start enrolment first".into()));
    };
    let t = now();
    let step = model::totp_verify(&pending, input.code.as_deref().unwrap_or_default(), t.and_utc().timestamp(), None)
        .ok_or_else(|| AppError::field("code", "does not match; check the time on your device"))?;
    state.audit.write_with(conn, |c| {
        store::confirm_totp(c, user_id, &pending, step, t)?;
        Ok(((), audit.event(Outcome::Allowed, 204, "")))
    })?;
    audit.mark_recorded();
    Ok(())
}
