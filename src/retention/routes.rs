//! HTTP for /api/v1/retention: the dry run and the runs, legal holds, erasure requests (privacy officers).

use actix_web::{web, HttpResponse};

use super::service::{
    self, DecideErasure, Erasure, ErasureList, Hold, HoldList, LiftHold, NewErasure, NewHold, RetentionPlan, RunList,
    RunReport,
};
use crate::error::{AppResult, Problem};
use crate::http::Json;
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/retention/plan").route(web::get().to(dry_run)))
        .service(web::resource("/retention/runs").route(web::get().to(runs)).route(web::post().to(run)))
        .service(web::resource("/retention/holds").route(web::get().to(holds)).route(web::post().to(place_hold)))
        .service(web::resource("/retention/holds/{id}/lift").route(web::post().to(lift_hold)))
        .service(
            web::resource("/retention/erasure-requests")
                .route(web::get().to(erasures))
                .route(web::post().to(record_erasure)),
        )
        .service(web::resource("/retention/erasure-requests/{id}/decide").route(web::post().to(decide_erasure)));
}

/// The dry run: the closed cases past their term (and those kept for a hold), the households and persons that go
/// with them, and the audit events a run would prune today. Changes nothing.
#[utoipa::path(get, path = "/api/v1/retention/plan", tag = "retention", security(("bearer" = [])),
    responses((status = 200, body = RetentionPlan), (status = 403, body = Problem)))]
pub async fn dry_run(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::dry_run(&ctx).await?))
}

/// The retention runs, newest first, with their counts.
#[utoipa::path(get, path = "/api/v1/retention/runs", tag = "retention", security(("bearer" = [])),
    responses((status = 200, body = RunList), (status = 403, body = Problem)))]
pub async fn runs(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::runs(&ctx).await?))
}

/// Run retention now: erases what the dry run lists at this moment and prunes the audit log behind checkpoints, in
/// one transaction with its audit event (the counts and the checkpoints' digest).
#[utoipa::path(post, path = "/api/v1/retention/runs", tag = "retention", security(("bearer" = [])),
    responses((status = 201, body = RunReport), (status = 403, body = Problem)))]
pub async fn run(ctx: Ctx) -> AppResult<HttpResponse> {
    let by = Some(ctx.principal.user_id.clone());
    Ok(HttpResponse::Created().json(service::run(&ctx, by).await?))
}

/// Legal holds, those in force first.
#[utoipa::path(get, path = "/api/v1/retention/holds", tag = "retention", security(("bearer" = [])),
    responses((status = 200, body = HoldList), (status = 403, body = Problem)))]
pub async fn holds(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::holds(&ctx).await?))
}

/// Place a legal hold on a case (`caseId`, `reason`): retention keeps it past its term until the hold is lifted.
#[utoipa::path(post, path = "/api/v1/retention/holds", tag = "retention", security(("bearer" = [])),
    request_body = NewHold,
    responses((status = 201, body = Hold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn place_hold(ctx: Ctx, body: Json<NewHold>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::place_hold(&ctx, body.into_inner()).await?))
}

/// Lift a legal hold, with the reason.
#[utoipa::path(post, path = "/api/v1/retention/holds/{id}/lift", tag = "retention", security(("bearer" = [])),
    params(("id" = String, Path, description = "The hold's id")), request_body = LiftHold,
    responses((status = 200, body = Hold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn lift_hold(ctx: Ctx, id: web::Path<Id>, body: Json<LiftHold>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::lift_hold(&ctx, id.into_inner(), body.into_inner()).await?))
}

/// Erasure requests (AVG art. 17), newest first; a received one lists the grounds that stand in its way now.
#[utoipa::path(get, path = "/api/v1/retention/erasure-requests", tag = "retention", security(("bearer" = [])),
    responses((status = 200, body = ErasureList), (status = 403, body = Problem)))]
pub async fn erasures(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::erasures(&ctx).await?))
}

/// Record an erasure request (`personId`, `receivedOn`, `requestedBy`).
#[utoipa::path(post, path = "/api/v1/retention/erasure-requests", tag = "retention", security(("bearer" = [])),
    request_body = NewErasure,
    responses((status = 201, body = Erasure), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn record_erasure(ctx: Ctx, body: Json<NewErasure>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::record_erasure(&ctx, body.into_inner()).await?))
}

/// Decide an erasure request: `carry_out` (409 with the art. 17(3) grounds when one stands in the way) or `refuse`
/// with a reason.
#[utoipa::path(post, path = "/api/v1/retention/erasure-requests/{id}/decide", tag = "retention",
    security(("bearer" = [])), params(("id" = String, Path, description = "The request's id")),
    request_body = DecideErasure,
    responses((status = 200, body = Erasure), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_erasure(ctx: Ctx, id: web::Path<Id>, body: Json<DecideErasure>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::decide_erasure(&ctx, id.into_inner(), body.into_inner()).await?))
}
