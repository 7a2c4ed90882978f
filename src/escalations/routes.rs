//! HTTP for /api/v1/escalations and a case's stuck reasons.

use actix_web::{web, HttpResponse};

use super::service::{self, CaseStuck, Queue, QueueQuery};
use crate::error::{AppResult, Problem};
use crate::http::Query;
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/escalations/queue").route(web::get().to(queue)))
        .service(web::resource("/cases/{id}/stuck").route(web::get().to(case_stuck)));
}

/// The stuck cases across all teams, for procescoördinatoren: reasons, since when, score, team, wijk and how many
/// organisations and professionals are involved. No names, no BSN, no address beyond the wijk, no plan content.
#[utoipa::path(get, path = "/api/v1/escalations/queue", tag = "escalations", security(("bearer" = [])),
    params(QueueQuery), responses((status = 200, body = Queue), (status = 403, body = Problem)))]
pub async fn queue(ctx: Ctx, q: Query<QueueQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::queue(&ctx, q.into_inner()).await?))
}

/// Why this case is stuck ("waarom zit dit vast?"), for everyone who sees the case; no reasons when it is not.
#[utoipa::path(get, path = "/api/v1/cases/{id}/stuck", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = CaseStuck), (status = 404, body = Problem)))]
pub async fn case_stuck(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::case_stuck(&ctx, id.into_inner().into()).await?))
}
