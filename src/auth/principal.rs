//! `Principal`: the authenticated caller. A handler that takes one cannot run without a valid token
//! of an active user; roles are read fresh on every request, so changes take effect at once.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::jwt::VerifiedToken;
use super::model::{session_scope, SCOPE_FULL, SCOPE_TOTP_ENROLMENT};
use super::store::{self, SessionRow};
use crate::access::Principal;
use crate::audit::{Actor, AuditRecord};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::identity::model::normalise_email;
use crate::identity::store as identity_store;
use crate::state::AppState;

/// A principal whose token may be limited to enrolling a second factor.
pub struct EnrollingPrincipal(pub Principal);

/// `known`: the token's session row when the caller has read it already (a web session's).
fn resolve(conn: &mut DbConn, token: VerifiedToken, known: Option<SessionRow>) -> AppResult<(Principal, String)> {
    let rejected = AppError::Unauthorized("The access token is invalid or has expired");
    let (row, session, scope) = match token {
        VerifiedToken::Local { user_id, session_id, scope } => {
            let session = match known {
                Some(s) => s,
                None => store::session(conn, &session_id)?.ok_or(AppError::Unauthorized("The session has ended"))?,
            };
            if session.user_id != user_id || session.revoked_at.is_some() || session.expires_at <= crate::db::now() {
                return Err(AppError::Unauthorized("The session has ended"));
            }
            let row = identity_store::user_row(conn, &user_id)?.ok_or(rejected)?;
            (row, Some((session_id, session.second_factor)), scope)
        }
        VerifiedToken::External { email, subject } => {
            let key = normalise_email(email.as_deref().unwrap_or(&subject));
            let row = identity_store::user_row_by_email(conn, &key)?
                .ok_or(AppError::Unauthorized("No eenplan account matches this identity"))?;
            (row, None, SCOPE_FULL.to_string())
        }
    };
    if !row.active {
        return Err(AppError::Unauthorized("The account is deactivated"));
    }
    let grants = identity_store::roles_of(conn, &row.id)?;
    // Today's roles decide, not those at sign-in (external identity providers carry their own factor).
    let (session_id, scope) = match session {
        Some((id, session_factor)) => {
            let needs_factor = grants.iter().any(|g| g.role.requires_totp());
            let scope = session_scope(&scope, needs_factor, session_factor, row.totp_secret.is_some())
                .ok_or(AppError::Unauthorized("Sign in again with your second factor"))?;
            (Some(id), scope.to_string())
        }
        None => (None, scope),
    };
    let in_break_glass = crate::access::scope::active_window(conn, &row.id, crate::db::now())?;
    let principal = Principal {
        user_id: row.id,
        display_name: row.display_name,
        email: row.email,
        organisation_id: row.organisation_id,
        grants,
        session_id,
        in_break_glass,
    };
    Ok((principal, scope))
}

async fn extract(req: &HttpRequest) -> AppResult<(Principal, String)> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application state missing"))?;
    let audit = req.extensions().get::<AuditRecord>().cloned().unwrap_or_default();
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .ok_or(AppError::Unauthorized("A bearer token is required"))?;
    let verified =
        state.tokens.verify(&token).ok_or(AppError::Unauthorized("The access token is invalid or has expired"))?;
    if let VerifiedToken::Local { user_id, .. } = &verified {
        // Known before the checks below, so a refused token still names whose it was.
        audit.set_actor(Actor { user_id: user_id.clone(), ..Default::default() });
    }
    let (principal, scope) = crate::state::db(&state, move |c| resolve(c, verified, None)).await?;
    audit.set_actor(principal.actor());
    if principal.in_break_glass {
        audit.flag();
    }
    Ok((principal, scope))
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (principal, scope) = extract(&req).await?;
            if scope != SCOPE_FULL {
                return Err(AppError::Unauthorized("Enrol a second factor (TOTP) before using eenplan"));
            }
            Ok(principal)
        })
    }
}

impl FromRequest for EnrollingPrincipal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (principal, scope) = extract(&req).await?;
            if scope != SCOPE_FULL && scope != SCOPE_TOTP_ENROLMENT {
                return Err(AppError::Unauthorized("The access token is invalid or has expired"));
            }
            Ok(EnrollingPrincipal(principal))
        })
    }
}

/// The signed-in user of a web page: the principal behind the session cookie (the same rules as a token: active
/// account, roles read fresh, the factor today's roles need), and the session's CSRF token for its forms.
pub struct WebPrincipal {
    pub principal: Principal,
    pub csrf: String,
}

/// Why a page without a session cookie is refused (a page then asks to sign in, not that a session ended).
pub const NOT_SIGNED_IN: &str = "Sign in first";

/// How often a busy web session records that it was used (the idle timeout is measured from it).
const WEB_TOUCH_SECS: i64 = 30;

fn resolve_web(conn: &mut DbConn, token_hash: &str, idle: chrono::Duration) -> AppResult<(Principal, String)> {
    let ended = || AppError::Unauthorized("The session has ended");
    let (web, session) = store::web_session_with_session(conn, token_hash)?.ok_or_else(ended)?;
    let t = crate::db::now();
    if super::model::web_session_idle(web.last_seen_at, idle, t) {
        return Err(ended());
    }
    if (t - web.last_seen_at).num_seconds() >= WEB_TOUCH_SECS {
        store::touch_web_session(conn, token_hash, t)?;
    }
    let token = VerifiedToken::Local { user_id: session.user_id.clone(), session_id: web.session_id, scope: web.scope };
    resolve(conn, token, Some(session))
}

/// The web session cookie's secret, if the request carries one.
pub fn web_cookie(req: &HttpRequest) -> Option<String> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let name = super::model::web_cookie_name(state.config.web.secure_cookie);
    req.cookie(name).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// Why a session limited to enrolling a second factor is refused elsewhere (the page then goes to the enrolment).
pub const ENROL_FIRST: &str = "Enrol a second factor (TOTP) before using eenplan";

/// The principal behind a web session cookie, and whether the session may only enrol a second factor.
async fn web_principal(req: &HttpRequest) -> AppResult<(WebPrincipal, bool)> {
    let state = context_state(req)?;
    let audit = context_audit(req);
    let cookie = web_cookie(req).ok_or(AppError::Unauthorized(NOT_SIGNED_IN))?;
    let hash = super::model::sha256_hex(&cookie);
    let idle = chrono::Duration::from_std(state.config.web.idle_timeout).unwrap_or(chrono::Duration::minutes(15));
    let (principal, scope) = crate::state::db(&state, move |c| resolve_web(c, &hash, idle)).await?;
    let enrolment_only = match scope.as_str() {
        SCOPE_FULL => false,
        SCOPE_TOTP_ENROLMENT => true,
        _ => return Err(AppError::Unauthorized("The session has ended")),
    };
    audit.set_actor(principal.actor());
    if principal.in_break_glass {
        audit.flag();
    }
    Ok((WebPrincipal { principal, csrf: super::model::csrf_token(&cookie) }, enrolment_only))
}

impl FromRequest for WebPrincipal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match web_principal(&req).await? {
                (web, false) => Ok(web),
                (_, true) => Err(AppError::Unauthorized(ENROL_FIRST)),
            }
        })
    }
}

/// The signed-in user of the pages that enrol a second factor: a full session, or one limited to that enrolment
/// (a role that needs a factor, signed in without one); `.1` says which.
pub struct WebEnrolling(pub WebPrincipal, pub bool);

impl FromRequest for WebEnrolling {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (web, enrolment_only) = web_principal(&req).await?;
            Ok(WebEnrolling(web, enrolment_only))
        })
    }
}

/// A use case's context for a signed-in caller: state, principal and audit record in one extractor.
impl FromRequest for crate::state::Ctx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let principal = Principal::from_request(&req, payload);
        Box::pin(async move {
            let principal = principal.await?;
            Ok(crate::state::Ctx::new(context_state(&req)?, principal, context_audit(&req)))
        })
    }
}

/// A use case's context for a caller whose token may be limited to enrolling a second factor.
impl FromRequest for crate::state::Ctx<EnrollingPrincipal> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let principal = EnrollingPrincipal::from_request(&req, payload);
        Box::pin(async move {
            let principal = principal.await?;
            Ok(crate::state::Ctx::new(context_state(&req)?, principal, context_audit(&req)))
        })
    }
}

/// The context of a request before sign-in (login, refresh): no principal.
impl FromRequest for crate::state::Ctx<()> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(context_state(req).map(|state| crate::state::Ctx::new(state, (), context_audit(req))))
    }
}

fn context_state(req: &HttpRequest) -> AppResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::internal("application state missing"))
}

fn context_audit(req: &HttpRequest) -> AuditRecord {
    req.extensions().get::<AuditRecord>().cloned().unwrap_or_default()
}
