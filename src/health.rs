//! Liveness and readiness probes. Public, unaudited, and they reveal nothing but status.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::Ctx;

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    pub status: &'static str,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live)).route("/health/ready", web::get().to(ready));
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, body = HealthStatus), (status = 503, body = crate::error::Problem)))]
pub async fn ready(ctx: Ctx<()>) -> Result<HttpResponse, AppError> {
    let pending = ctx
        .read(|c| c.migrations_pending().map_err(AppError::Unavailable))
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    if pending {
        return Err(AppError::Unavailable("migrations pending".into()));
    }
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ready" }))
}
