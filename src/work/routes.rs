//! HTTP for /api/v1/work: the start page's data as JSON.

use actix_web::{web, HttpResponse};

use super::service::{self, MyWork};
use crate::error::{AppResult, Problem};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/work").route(web::get().to(my_work)));
}

/// What needs the caller's attention: the households they work with (as the cases list shows them), plan actions,
/// evaluations and ZRM re-measurements that are overdue, due today or within 14 days (in cases they are involved
/// in), regisseur proposals waiting for their answer, and consents that end within 30 days.
#[utoipa::path(get, path = "/api/v1/work", tag = "work", security(("bearer" = [])),
    responses((status = 200, body = MyWork), (status = 403, body = Problem)))]
pub async fn my_work(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::my_work(&ctx).await?))
}
