//! HTTP for /api/v1/break-glass.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, BreakGlass, OpenBreakGlass, Review};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/break-glass").route(web::post().to(open)).route(web::get().to(list)))
        .service(web::resource("/break-glass/mine").route(web::get().to(mine)))
        .service(web::resource("/break-glass/{id}").route(web::get().to(get)))
        .service(web::resource("/break-glass/{id}/review").route(web::post().to(review)));
}

/// Open a case outside your scope in an acute situation (wijkteam only): read-only, for a limited window, flagged,
/// and reported to every privacy officer at once.
#[utoipa::path(post, path = "/api/v1/break-glass", tag = "break-glass", security(("bearer" = [])),
    request_body = OpenBreakGlass,
    responses((status = 201, body = BreakGlass), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(ctx: Ctx, body: Json<OpenBreakGlass>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::open(&ctx, body.into_inner()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `false`: the review list.
    pub reviewed: Option<bool>,
}

/// Break-glass uses, for privacy officers.
#[utoipa::path(get, path = "/api/v1/break-glass", tag = "break-glass", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<BreakGlass>), (status = 403, body = Problem)))]
pub async fn list(ctx: Ctx, q: Query<ListQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&ctx, q.reviewed).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// Only the window on this case.
    #[param(value_type = Option<String>)]
    pub case_id: Option<Id>,
}

/// The caller's own break-glass windows open now (on one case when `caseId` is given), the latest ending first.
#[utoipa::path(get, path = "/api/v1/break-glass/mine", tag = "break-glass", security(("bearer" = [])), params(MineQuery),
    responses((status = 200, body = Vec<BreakGlass>), (status = 401, body = Problem)))]
pub async fn mine(ctx: Ctx, q: Query<MineQuery>) -> AppResult<HttpResponse> {
    let case_id = q.into_inner().case_id.map(Into::into);
    Ok(HttpResponse::Ok().json(service::my_open(&ctx, case_id).await?))
}

/// One use, for privacy officers.
#[utoipa::path(get, path = "/api/v1/break-glass/{id}", tag = "break-glass", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BreakGlass), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&ctx, id.into_inner().into()).await?))
}

/// Judge a use: justified, or not (with a note).
#[utoipa::path(post, path = "/api/v1/break-glass/{id}/review", tag = "break-glass", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Review,
    responses((status = 200, body = BreakGlass), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review(ctx: Ctx, id: web::Path<Id>, body: Json<Review>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::review(&ctx, id.into_inner().into(), body.into_inner()).await?))
}
