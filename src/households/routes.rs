//! HTTP for /api/v1/households.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::service::{self, CreateHousehold, Household};
use crate::audit::AuditScope;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::http::etag;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/households").route(web::post().to(create_household)));
}

/// Register a household of one of the caller's teams (wijkteam, teamleider).
#[utoipa::path(post, path = "/api/v1/households", tag = "households", security(("bearer" = [])), request_body = CreateHousehold,
    responses((status = 201, body = Household), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_household(
    state: web::Data<AppState>,
    p: Principal,
    audit: AuditScope,
    body: web::Json<CreateHousehold>,
) -> AppResult<HttpResponse> {
    let h = service::create_household(&state, &p, &audit, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(h.version))).json(h))
}
