//! HTTP for /api/v1/consents.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, Consent, NewConsent, Withdraw};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/consents").route(web::post().to(record)).route(web::get().to(history)))
        .service(web::resource("/consents/{id}/withdraw").route(web::post().to(withdraw)));
}

/// Record a consent (with the givers its person's age requires on the start date) or a statutory basis.
#[utoipa::path(post, path = "/api/v1/consents", tag = "consents", security(("bearer" = [])), request_body = NewConsent,
    responses((status = 201, body = Consent), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn record(ctx: Ctx, body: Json<NewConsent>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::record(&ctx, body.into_inner()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    #[param(value_type = String)]
    pub case_id: Id,
}

/// The consent history of a case (those involved, and privacy officers), withdrawn and expired ones included.
#[utoipa::path(get, path = "/api/v1/consents", tag = "consents", security(("bearer" = [])), params(HistoryQuery),
    responses((status = 200, body = Vec<Consent>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn history(ctx: Ctx, q: Query<HistoryQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::history(&ctx, q.into_inner().case_id.into()).await?))
}

/// Withdraw a consent; it stops covering at once.
#[utoipa::path(post, path = "/api/v1/consents/{id}/withdraw", tag = "consents", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Withdraw,
    responses((status = 200, body = Consent), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn withdraw(ctx: Ctx, id: web::Path<Id>, body: Json<Withdraw>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::withdraw(&ctx, id.into_inner().into(), body.into_inner()).await?))
}
