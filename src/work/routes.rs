//! HTTP for /api/v1/work: the start page's data as JSON.

use actix_web::{web, HttpResponse};

use super::service::{self, FoundPersons, MyAction, MyWork};
use crate::error::{AppResult, Problem};
use crate::paging::{Page, PageQuery};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/work").route(web::get().to(my_work)))
        .service(web::resource("/work/person-search").route(web::post().to(find_persons)))
        .service(web::resource("/work/actions").route(web::get().to(my_actions)));
}

/// What needs the caller's attention: the households they work with (as the cases list shows them), plan actions,
/// evaluations and ZRM re-measurements that are overdue, due today or within 14 days (in cases they are involved
/// in), regisseur proposals waiting for their answer, and consents that end within 30 days.
#[utoipa::path(get, path = "/api/v1/work", tag = "work", security(("bearer" = [])),
    responses((status = 200, body = MyWork), (status = 403, body = Problem)))]
pub async fn my_work(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::my_work(&ctx).await?))
}

/// As `POST /api/v1/persons/search` (same rules, same audit event), with each person's open case where the caller
/// may see it: what the search page links to.
#[utoipa::path(post, path = "/api/v1/work/person-search", tag = "work", security(("bearer" = [])),
    request_body = crate::households::persons::PersonSearch,
    responses((status = 200, body = FoundPersons), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn find_persons(
    ctx: Ctx,
    body: crate::http::Json<crate::households::persons::PersonSearch>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::find_persons(&ctx, body.into_inner()).await?))
}

/// "Mijn acties": the actions of current plans that the caller carries out themselves, in the open cases they are
/// involved in, each as far as the caller's view of that plan shows it (`GET /api/v1/cases/{id}/plans/current`): a
/// provider professional sees the goal only where a consent covers it, and nothing of a case whose consent is
/// missing or withdrawn. Still to do first, by due date (the overdue ones lead), then what is done or cancelled.
#[utoipa::path(get, path = "/api/v1/work/actions", tag = "work", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<MyAction>), (status = 403, body = Problem)))]
pub async fn my_actions(ctx: Ctx, q: crate::http::Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::my_actions(&ctx, q.into_inner()).await?))
}
