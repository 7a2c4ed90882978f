//! HTTP for /api/v1/auth.

use actix_web::{web, HttpRequest, HttpResponse};

use super::principal::EnrollingPrincipal;
use super::service::{
    self, LoginRequest, RefreshRequest, SignInEvent, TokenResponse, TotpConfirmRequest, TotpEnrolment,
};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::identity::model::User;
use crate::paging::{Page, PageQuery};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/login").route(web::post().to(login)))
        .service(web::resource("/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/me").route(web::get().to(me)))
        .service(web::resource("/auth/me/sign-ins").route(web::get().to(my_sign_ins)))
        .service(web::resource("/auth/totp/enrol").route(web::post().to(enrol_totp)))
        .service(web::resource("/auth/totp/confirm").route(web::post().to(confirm_totp)));
}

/// Log in with email and password (and a TOTP code where a second factor is enrolled).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 401, description = "Wrong credentials, or a TOTP code is required", body = Problem),
        (status = 422, description = "Missing fields", body = Problem),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem),
    ))]
pub async fn login(ctx: Ctx<()>, req: HttpRequest, body: Json<LoginRequest>) -> AppResult<HttpResponse> {
    let client = req.peer_addr().map(|a| a.ip().to_string());
    let tokens = service::login(&ctx, body.into_inner(), client).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for new tokens; the old refresh token is used up.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Invalid, expired or reused refresh token", body = Problem),
    ))]
pub async fn refresh(ctx: Ctx<()>, body: Json<RefreshRequest>) -> AppResult<HttpResponse> {
    let tokens = service::refresh(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// End the session: its access and refresh tokens stop working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = 401, description = "Not logged in", body = Problem)))]
pub async fn logout(ctx: Ctx) -> AppResult<HttpResponse> {
    service::logout(&ctx).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "Own account", body = User), (status = 401, description = "Not logged in", body = Problem)))]
pub async fn me(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(crate::identity::service::own_account(&ctx).await?))
}

/// The caller's own sign-in history from the audit log (signing in, refused attempts, lockouts, signing out),
/// newest first; never anyone else's.
#[utoipa::path(get, path = "/api/v1/auth/me/sign-ins", tag = "auth", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "Own sign-in history", body = Page<SignInEvent>),
        (status = 401, description = "Not logged in", body = Problem),
        (status = 422, description = "Not a cursor of this list", body = Problem),
    ))]
pub async fn my_sign_ins(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::own_sign_ins(&ctx, q.into_inner()).await?))
}

/// Start enrolling a TOTP second factor: returns the secret for an authenticator app.
#[utoipa::path(post, path = "/api/v1/auth/totp/enrol", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "Secret to confirm", body = TotpEnrolment),
        (status = 409, description = "Already enrolled", body = Problem),
    ))]
pub async fn enrol_totp(ctx: Ctx<EnrollingPrincipal>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::enrol_totp(&ctx).await?))
}

/// Confirm enrolment with a code from the authenticator app; from then on login asks for a code.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = TotpConfirmRequest,
    responses(
        (status = 204, description = "Second factor enrolled"),
        (status = 409, description = "No enrolment was started, or a factor is already active", body = Problem),
        (status = 422, description = "Wrong code", body = Problem),
    ))]
pub async fn confirm_totp(ctx: Ctx<EnrollingPrincipal>, body: Json<TotpConfirmRequest>) -> AppResult<HttpResponse> {
    service::confirm_totp(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
