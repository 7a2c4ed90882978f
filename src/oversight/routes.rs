//! HTTP for /api/v1/audit/findings and /api/v1/audit/reviews: privacy supervision, for privacy officers.

use actix_web::{web, HttpResponse};

use super::model::Step;
use super::service::{
    self, FindingDetail, FindingList, FindingQuery, NewOwnHousehold, NewProtection, NewReview, OwnHousehold,
    OwnHouseholdList, PersonProtections, Protection, ProtectionList, Review, ReviewList, ScanReport, ScanRequest,
    StepInput,
};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit/findings").route(web::get().to(list)))
        .service(web::resource("/audit/findings/scan").route(web::post().to(scan)))
        .service(web::resource("/audit/findings/{id}").route(web::get().to(get)))
        .service(web::resource("/audit/findings/{id}/assign").route(web::post().to(assign)))
        .service(web::resource("/audit/findings/{id}/judge").route(web::post().to(judge)))
        .service(web::resource("/audit/findings/{id}/close").route(web::post().to(close)))
        .service(web::resource("/audit/reviews").route(web::get().to(reviews)).route(web::post().to(record_review)))
        .service(
            web::resource("/audit/protected-persons").route(web::get().to(protections)).route(web::post().to(protect)),
        )
        .service(web::resource("/audit/protected-persons/{id}/end").route(web::post().to(end_protection)))
        .service(web::resource("/audit/persons/{id}/protections").route(web::get().to(protections_of)))
        .service(
            web::resource("/users/{id}/own-households")
                .route(web::get().to(own_households))
                .route(web::post().to(add_own_household)),
        )
        .service(web::resource("/users/{id}/own-households/{link}/end").route(web::post().to(end_own_household)));
}

/// Suspicious-access findings, newest day first, by status and kind (privacy officer).
#[utoipa::path(get, path = "/api/v1/audit/findings", tag = "audit", security(("bearer" = [])), params(FindingQuery),
    responses((status = 200, body = FindingList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(ctx: Ctx, q: Query<FindingQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&ctx, q.into_inner()).await?))
}

/// Scan the log of a period (Dutch days, at most 31) for suspicious access now, as the daily job does; a finding
/// found before is not recorded twice.
#[utoipa::path(post, path = "/api/v1/audit/findings/scan", tag = "audit", security(("bearer" = [])),
    request_body = ScanRequest,
    responses((status = 200, body = ScanReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn scan(ctx: Ctx, body: Json<ScanRequest>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::scan(&ctx, body.into_inner()).await?))
}

/// One finding with the events it is about.
#[utoipa::path(get, path = "/api/v1/audit/findings/{id}", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "The finding's id")),
    responses((status = 200, body = FindingDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&ctx, id.into_inner()).await?))
}

async fn do_step(ctx: Ctx, id: Id, step: Step, body: Option<Json<StepInput>>) -> AppResult<HttpResponse> {
    let input = body.map(Json::into_inner).unwrap_or_default();
    Ok(HttpResponse::Ok().json(service::step(&ctx, id, step, input).await?))
}

/// Assign the finding to a privacy officer (`assigneeId`), while it is open or assigned.
#[utoipa::path(post, path = "/api/v1/audit/findings/{id}/assign", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "The finding's id")), request_body = StepInput,
    responses((status = 200, body = FindingDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(ctx: Ctx, id: web::Path<Id>, body: Json<StepInput>) -> AppResult<HttpResponse> {
    do_step(ctx, id.into_inner(), Step::Assign, Some(body)).await
}

/// Judge the finding (`judgement`, and a `note` unless justified), until it is closed.
#[utoipa::path(post, path = "/api/v1/audit/findings/{id}/judge", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "The finding's id")), request_body = StepInput,
    responses((status = 200, body = FindingDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn judge(ctx: Ctx, id: web::Path<Id>, body: Json<StepInput>) -> AppResult<HttpResponse> {
    do_step(ctx, id.into_inner(), Step::Judge, Some(body)).await
}

/// Close a judged finding; the judgement stays.
#[utoipa::path(post, path = "/api/v1/audit/findings/{id}/close", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "The finding's id")),
    responses((status = 200, body = FindingDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn close(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    do_step(ctx, id.into_inner(), Step::Close, None).await
}

/// The log reviews, newest first, with whether one is due.
#[utoipa::path(get, path = "/api/v1/audit/reviews", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ReviewList), (status = 403, body = Problem)))]
pub async fn reviews(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::reviews(&ctx).await?))
}

/// Record a log review: period, method, sample, findings and follow-up, all required.
#[utoipa::path(post, path = "/api/v1/audit/reviews", tag = "audit", security(("bearer" = [])), request_body = NewReview,
    responses((status = 201, body = Review), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_review(ctx: Ctx, body: Json<NewReview>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::record_review(&ctx, body.into_inner()).await?))
}

/// The persons under extra protection now (privacy officer): every access to their data is a finding.
#[utoipa::path(get, path = "/api/v1/audit/protected-persons", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ProtectionList), (status = 403, body = Problem)))]
pub async fn protections(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::protections(&ctx).await?))
}

/// Place a person under extra protection (a well-known person, a colleague); 409 when they are already.
#[utoipa::path(post, path = "/api/v1/audit/protected-persons", tag = "audit", security(("bearer" = [])),
    request_body = NewProtection,
    responses((status = 201, body = Protection), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn protect(ctx: Ctx, body: Json<NewProtection>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::protect(&ctx, body.into_inner()).await?))
}

/// End a protection in force; 409 when it has ended already.
#[utoipa::path(post, path = "/api/v1/audit/protected-persons/{id}/end", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Protection), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn end_protection(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::end_protection(&ctx, id.into_inner()).await?))
}

/// One person's protections, the one in force first.
#[utoipa::path(get, path = "/api/v1/audit/persons/{id}/protections", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PersonProtections), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn protections_of(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::protections_of(&ctx, id.into_inner()).await?))
}

/// An employee's own-household links (administrator; privacy officer to judge a finding).
#[utoipa::path(get, path = "/api/v1/users/{id}/own-households", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OwnHouseholdList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn own_households(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::own_households(&ctx, id.into_inner()).await?))
}

/// Register a household of the employee's own (at their request): an address, a surname, or both. Access by the
/// employee to a household at that address or with a member of that surname is then a finding.
#[utoipa::path(post, path = "/api/v1/users/{id}/own-households", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewOwnHousehold,
    responses((status = 201, body = OwnHousehold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_own_household(ctx: Ctx, id: web::Path<Id>, body: Json<NewOwnHousehold>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::add_own_household(&ctx, id.into_inner(), body.into_inner()).await?))
}

/// End an own-household link; 409 when it has ended already.
#[utoipa::path(post, path = "/api/v1/users/{id}/own-households/{link}/end", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path), ("link" = String, Path)),
    responses((status = 200, body = OwnHousehold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn end_own_household(ctx: Ctx, path: web::Path<(Id, Id)>) -> AppResult<HttpResponse> {
    let (user, link) = path.into_inner();
    Ok(HttpResponse::Ok().json(service::end_own_household(&ctx, user, link).await?))
}
