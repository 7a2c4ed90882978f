//! Login, refresh, logout and TOTP enrolment: throttling, sessions and token families. Each use case asks
//! `access/` its question and writes its change with the request's audit event.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{
    self, after_failure, locked_for, sha256_hex, FailureEffect, Throttle, SCOPE_FULL, SCOPE_TOTP_ENROLMENT,
};
use super::principal::EnrollingPrincipal;
use super::store;
use crate::access::identity::REFRESH_INVALID;
use crate::access::identity::{decide_refresh, decide_sign_in, decide_sign_out, FailureCount, Refresh, SignIn};
use crate::access::Action;
use crate::audit::Actor;
use crate::config::ThrottleConfig;
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, AppResult, Validator};
use crate::identity::model::normalise_email;
use crate::identity::store as identity_store;
use crate::identity::store::UserRow;
use crate::paging::{Page, PageQuery};
use crate::roles::RoleGrant;
use crate::state::{Ctx, Effect};

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

impl Attempt {
    /// What this attempt did to the throttle, should it turn out a failure.
    fn count(&self) -> FailureCount {
        FailureCount {
            failures: self.keys.iter().map(|(_, n, _)| n.failures).max().unwrap_or(0),
            first_in_window: self.keys.iter().any(|(_, _, e)| e.first_in_window),
            locked_now: self.keys.iter().any(|(_, _, e)| e.locked_now),
        }
    }
}

fn admit(cfg: &ThrottleConfig, conn: &mut DbConn, keys: &[(String, i64)]) -> AppResult<Attempt> {
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

/// An active account whose credentials were right, with its roles today.
struct Right {
    user: UserRow,
    roles: Vec<RoleGrant>,
}

/// What checking an attempt's credentials found.
enum Checked {
    Right(Box<Right>),
    /// The password is right, the account has a factor, and no code came with it.
    CodeMissing,
    /// Wrong (`Some`: the account the email address names).
    Wrong(Option<String>),
}

/// Checks the password (against a dummy hash for an unknown address, so timing tells nothing), then the code
/// where the account has a factor; a code's step is used up as it is checked.
fn check_credentials(
    c: &mut DbConn,
    passwords: &model::Passwords,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> AppResult<Checked> {
    let user = identity_store::user_row_by_email(c, email)?;
    let password_ok = match &user {
        Some(u) => passwords.verify(password, &u.password_hash),
        None => {
            passwords.verify_dummy(password);
            false
        }
    };
    let user = match user {
        Some(u) if password_ok && u.active => u,
        other => return Ok(Checked::Wrong(other.map(|u| u.id))),
    };
    let roles = identity_store::roles_of(c, &user.id)?;
    let Some(secret) = &user.totp_secret else {
        return Ok(Checked::Right(Box::new(Right { user, roles })));
    };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else { return Ok(Checked::CodeMissing) };
    let step = model::totp_verify(secret, code, now().and_utc().timestamp(), user.totp_last_step);
    match step {
        Some(step) if store::claim_totp_step(c, &user.id, step)? => Ok(Checked::Right(Box::new(Right { user, roles }))),
        _ => Ok(Checked::Wrong(Some(user.id))),
    }
}

/// How a new session is carried to its holder.
enum Carrier {
    /// The API's access token, and a refresh token where the scope is full.
    Tokens,
    /// The web client's cookie (its hash is stored); the session ends at the absolute timeout.
    Cookie,
}

/// A session just begun, and what carries it.
struct SignedIn {
    user_id: String,
    session_id: String,
    scope: &'static str,
    /// The refresh token (API) or the cookie's token (web).
    secret: Option<String>,
}

/// Signs in with an email address, a password and (for an account with a second factor) a code. Failed attempts
/// are throttled per account and per client address.
pub async fn login(ctx: &Ctx<()>, input: LoginRequest, client_address: Option<String>) -> AppResult<TokenResponse> {
    let signed_in = sign_in(ctx, input, client_address, Carrier::Tokens).await?;
    Ok(TokenResponse {
        access_token: ctx.state.tokens.issue(&signed_in.user_id, &signed_in.session_id, signed_in.scope),
        refresh_token: signed_in.secret,
        expires_in: ctx.state.tokens.ttl_secs(),
        token_type: "Bearer",
        scope: signed_in.scope.to_string(),
    })
}

/// A web session just begun: the cookie's value, and whether it may do more than enrol a second factor.
pub struct WebSignIn {
    pub cookie_token: String,
    pub scope: &'static str,
}

/// Signs in to the web client: the same checks, throttle and audit event as `login`; the session is carried by a
/// cookie and lasts at most the configured absolute timeout.
pub async fn web_sign_in(ctx: &Ctx<()>, input: LoginRequest, client_address: Option<String>) -> AppResult<WebSignIn> {
    let signed_in = sign_in(ctx, input, client_address, Carrier::Cookie).await?;
    let cookie_token = signed_in.secret.ok_or_else(|| AppError::internal("web session without a cookie"))?;
    Ok(WebSignIn { cookie_token, scope: signed_in.scope })
}

async fn sign_in(
    ctx: &Ctx<()>,
    input: LoginRequest,
    client_address: Option<String>,
    carrier: Carrier,
) -> AppResult<SignedIn> {
    let mut v = Validator::new();
    v.required(&input.email, "email");
    v.required(&input.password, "password");
    v.finish()?;
    let email = normalise_email(input.email.as_deref().unwrap_or_default());
    let password = input.password.unwrap_or_default();
    let cfg = ctx.state.config.auth.throttle.clone();
    let mut keys = vec![(account_key(&email), cfg.account_failures)];
    if let Some(addr) = &client_address {
        keys.push((address_key(addr), cfg.address_failures));
    }

    // The throttle's counters are bookkeeping, not a change the audit event records: they run outside `write`.
    let attempt = match ctx.read(move |c| admit(&cfg, c, &keys)).await {
        Ok(a) => a,
        Err(e) => {
            // The lockout itself was audited; refused attempts during it are not logged one by one.
            ctx.audit.suppress();
            return Err(e);
        }
    };
    let st = ctx.state.clone();
    let checked =
        ctx.read(move |c| check_credentials(c, &st.passwords, &email, &password, input.totp.as_deref())).await?;
    let check = match checked {
        Checked::Right(right) => SignIn::Accepted(*right),
        Checked::Wrong(account) => SignIn::Refused { account, count: attempt.count() },
        Checked::CodeMissing => {
            ctx.read(move |c| give_back(c, &attempt, false)).await?;
            ctx.audit.suppress();
            return Err(AppError::TotpRequired);
        }
    };
    let Right { user, roles } = decide_sign_in(check, &ctx.audit)?;
    ctx.audit.set_actor(Actor {
        user_id: user.id.clone(),
        user_name: user.display_name.clone(),
        organisation_id: Some(user.organisation_id.clone()),
    });
    // With a factor the code was checked; without one, a role that needs one may only enrol it.
    let second_factor = user.totp_secret.is_some();
    let scope =
        if !second_factor && roles.iter().any(|g| g.role.requires_totp()) { SCOPE_TOTP_ENROLMENT } else { SCOPE_FULL };
    let session_ttl = match carrier {
        Carrier::Tokens => ctx.state.config.auth.session_ttl,
        Carrier::Cookie => ctx.state.config.web.absolute_timeout,
    };
    let session_ttl = Duration::from_std(session_ttl).unwrap_or(Duration::hours(10));
    let session_id = crate::db::new_id();
    let secret = match carrier {
        Carrier::Tokens => (scope == SCOPE_FULL).then(model::random_token),
        Carrier::Cookie => Some(model::random_token()),
    };
    ctx.read(move |c| give_back(c, &attempt, true)).await?;
    ctx.audit.resource(&session_id);
    let (sid, user_id, token) = (session_id.clone(), user.id.clone(), secret.clone());
    ctx.write(Effect::Changed, move |c| {
        let t = now();
        store::create_session(c, &sid, &user_id, t, t + session_ttl, second_factor)?;
        match (&carrier, &token) {
            (Carrier::Tokens, Some(r)) => store::insert_refresh_token(c, &sha256_hex(r), &sid, t)?,
            (Carrier::Cookie, Some(cookie)) => store::insert_web_session(c, &sha256_hex(cookie), &sid, scope, t)?,
            (_, None) => {}
        }
        Ok(())
    })
    .await?;
    Ok(SignedIn { user_id: user.id, session_id, scope, secret })
}

/// Rotates a refresh token. A token presented twice revokes its whole family (the session):
/// whoever holds a stolen copy and the rightful holder both lose it.
pub async fn refresh(ctx: &Ctx<()>, input: RefreshRequest) -> AppResult<TokenResponse> {
    let mut v = Validator::new();
    v.required(&input.refresh_token, "refreshToken");
    v.finish()?;
    let hash = sha256_hex(input.refresh_token.as_deref().unwrap_or_default());
    let lookup = hash.clone();
    let found = ctx
        .read(move |c| match store::refresh_token_session(c, &lookup)? {
            Some((session_id, _)) => Ok(store::session(c, &session_id)?.map(|s| (session_id, s))),
            None => Ok(None),
        })
        .await?;
    let Some((session_id, session)) = found else { return Err(REFRESH_INVALID) };
    ctx.audit.set_actor(Actor { user_id: session.user_id.clone(), ..Default::default() });
    ctx.audit.require();
    ctx.audit.resource(&session_id);
    let audit = ctx.audit.clone();
    let user_id = session.user_id.clone();
    let sid = session_id.clone();
    let rotated = ctx
        .write_as(move |c| {
            let t = now();
            let account_active = identity_store::user_row(c, &session.user_id)?.is_some_and(|u| u.active);
            let reused = !store::use_refresh_token(c, &hash, t)?;
            if reused {
                store::revoke_session(c, &sid, "refresh token reused", t)?;
            }
            // Today's roles decide: a role added since sign-in that needs a factor the session lacks ends it.
            let needs_factor =
                !reused && identity_store::roles_of(c, &session.user_id)?.iter().any(|g| g.role.requires_totp());
            let facts = Refresh {
                reused,
                session_ended: session.revoked_at.is_some() || session.expires_at <= t,
                account_active,
                factor_missing: needs_factor && !session.second_factor,
            };
            if let Err(refused) = decide_refresh(facts, &audit) {
                return Ok((Err(refused), Effect::Refused));
            }
            let next = model::random_token();
            store::insert_refresh_token(c, &sha256_hex(&next), &sid, t)?;
            Ok((Ok(next), Effect::Changed))
        })
        .await?;
    let refresh = rotated?;
    Ok(TokenResponse {
        access_token: ctx.state.tokens.issue(&user_id, &session_id, SCOPE_FULL),
        refresh_token: Some(refresh),
        expires_in: ctx.state.tokens.ttl_secs(),
        token_type: "Bearer",
        scope: SCOPE_FULL.to_string(),
    })
}

/// Ends the caller's session: its access and refresh tokens stop working.
pub async fn logout(ctx: &Ctx) -> AppResult<()> {
    decide_sign_out(&ctx.principal, &ctx.audit);
    let session_id = ctx.principal.session_id.clone();
    ctx.write(Effect::Done, move |c| {
        if let Some(sid) = &session_id {
            store::revoke_session(c, sid, "logout", now())?;
        }
        Ok(())
    })
    .await
}

/// Starts enrolling a second factor: a new secret, pending until a code from it confirms it.
pub async fn enrol_totp(ctx: &Ctx<EnrollingPrincipal>) -> AppResult<TotpEnrolment> {
    let principal = &ctx.principal.0;
    ctx.state.access.decide_own_account(principal, Action::EnrolTotp, &ctx.audit)?;
    let user_id = principal.user_id.clone();
    ctx.write(Effect::Changed, move |c| {
        let user = identity_store::user_row(c, &user_id)?.ok_or(AppError::NotFound)?;
        if user.totp_secret.is_some() {
            return Err(AppError::Conflict("A second factor is already enrolled".into()));
        }
        let secret = model::new_totp_secret();
        store::set_totp_pending(c, &user_id, &secret)?;
        Ok(TotpEnrolment { otpauth_uri: model::otpauth_uri(&user.email, &secret), secret })
    })
    .await
}

/// Confirms the pending second factor with a code from it; from then on signing in asks for a code.
pub async fn confirm_totp(ctx: &Ctx<EnrollingPrincipal>, input: TotpConfirmRequest) -> AppResult<()> {
    let principal = &ctx.principal.0;
    ctx.state.access.decide_own_account(principal, Action::EnrolTotp, &ctx.audit)?;
    let mut v = Validator::new();
    v.required(&input.code, "code");
    v.finish()?;
    let user_id = principal.user_id.clone();
    ctx.write(Effect::Done, move |c| {
        let user = identity_store::user_row(c, &user_id)?.ok_or(AppError::NotFound)?;
        let Some(pending) = user.totp_pending_secret else {
            return Err(AppError::Conflict("Start enrolment first".into()));
        };
        let t = now();
        let code = input.code.as_deref().unwrap_or_default();
        let step = model::totp_verify(&pending, code, t.and_utc().timestamp(), None)
            .ok_or_else(|| AppError::field("code", "does not match; check the time on your device"))?;
        store::confirm_totp(c, &user_id, &pending, step, t)?;
        Ok(())
    })
    .await
}

/// One event of the caller's sign-in history: when, what, from where (as far as the audit log keeps it), the result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `signed_in`, `failed` (a wrong password or code), `locked` (too many failures) or `signed_out`.
    pub kind: String,
    /// The client address the audit log recorded, if any.
    pub client_address: Option<String>,
    /// `allowed` or `denied`, as the audit log has it.
    pub outcome: String,
}

fn sign_in_kind(action: &str) -> &'static str {
    match action {
        "auth.login" => "signed_in",
        "auth.login_failed" => "failed",
        "auth.login_locked" => "locked",
        _ => "signed_out",
    }
}

/// The caller's own sign-in history from the audit log, newest first and paged (`after`: the previous page's
/// `next`). Only the caller's own account: the decision names it. The read is itself audited (`own_account.read`).
pub async fn own_sign_ins(ctx: &Ctx, q: PageQuery) -> AppResult<Page<SignInEvent>> {
    let account = ctx.state.access.decide_own_sign_ins(&ctx.principal, &ctx.audit)?;
    let before = match q.after.as_deref() {
        None => None,
        Some(a) => Some(a.parse::<i64>().map_err(|_| AppError::field("after", "is not a cursor of this list"))?),
    };
    let limit = q.limit();
    let rows = ctx.read(move |c| Ok(store::sign_in_events(c, &account.user_id, before, limit + 1)?)).await?;
    let page = crate::paging::page(rows, limit, |r| r.id.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| SignInEvent {
                at: r.occurred_at.and_utc(),
                kind: sign_in_kind(&r.action).to_string(),
                client_address: r.client_address,
                outcome: r.outcome,
            })
            .collect(),
        next: page.next,
    })
}

/// Where the caller's second factor stands.
pub enum TotpStatus {
    /// A second factor is active: signing in asks for a code.
    Enrolled,
    /// Enrolment was started and waits for a first code: the secret to scan or type again.
    Pending(TotpEnrolment),
    /// No second factor, and none started.
    None,
}

/// The caller's second factor: enrolled, pending (with its secret, shown to the caller only) or none.
pub async fn totp_status(ctx: &Ctx<EnrollingPrincipal>) -> AppResult<TotpStatus> {
    let principal = &ctx.principal.0;
    ctx.state.access.decide_own_account(principal, Action::EnrolTotp, &ctx.audit)?;
    let user_id = principal.user_id.clone();
    ctx.read(move |c| {
        let user = identity_store::user_row(c, &user_id)?.ok_or(AppError::NotFound)?;
        Ok(match (&user.totp_secret, user.totp_pending_secret) {
            (Some(_), _) => TotpStatus::Enrolled,
            (None, Some(secret)) => {
                TotpStatus::Pending(TotpEnrolment { otpauth_uri: model::otpauth_uri(&user.email, &secret), secret })
            }
            (None, None) => TotpStatus::None,
        })
    })
    .await
}
