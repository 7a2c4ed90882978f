//! HTTP for /api/v1/escalations and a case's stuck reasons.

use actix_web::{web, HttpResponse};

use super::service::{
    self, CaseStuck, CloseEscalation, Escalation, EscalationDecision, EscalationQuery, EscalationText, Queue,
    QueueQuery, RaiseEscalation,
};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/escalations/queue").route(web::get().to(queue)))
        .service(web::resource("/escalations").route(web::get().to(list)))
        .service(web::resource("/escalations/{id}").route(web::get().to(get)))
        .service(web::resource("/escalations/{id}/respond").route(web::post().to(respond)))
        .service(web::resource("/escalations/{id}/adopt").route(web::post().to(adopt)))
        .service(web::resource("/escalations/{id}/convene").route(web::post().to(convene)))
        .service(web::resource("/escalations/{id}/agreements").route(web::post().to(agreement)))
        .service(web::resource("/escalations/{id}/decisions").route(web::post().to(decision)))
        .service(web::resource("/escalations/{id}/raise").route(web::post().to(raise_level)))
        .service(web::resource("/escalations/{id}/close").route(web::post().to(close)))
        .service(web::resource("/cases/{id}/escalations").route(web::post().to(raise)))
        .service(web::resource("/cases/{id}/stuck").route(web::get().to(case_stuck)));
}

/// The stuck cases across all teams, for procescoördinatoren: reasons, since when, score, team, wijk, how many
/// organisations and professionals are involved and the level of an open escalation. No names, no BSN, no address
/// beyond the wijk, no plan content.
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

/// Raises an escalation by hand, with a reason: an involved professional or the teamleider of the owning team at
/// level 1, a procescoördinator at level 2. 409 when one is open.
#[utoipa::path(post, path = "/api/v1/cases/{id}/escalations", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RaiseEscalation,
    responses((status = 201, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn raise(ctx: Ctx, id: web::Path<Id>, body: Json<RaiseEscalation>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::raise(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// The escalations the caller may see: procescoördinatoren all, a teamleider their teams', involved professionals
/// their cases'.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "escalations", security(("bearer" = [])),
    params(EscalationQuery), responses((status = 200, body = Vec<Escalation>), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(ctx: Ctx, q: Query<EscalationQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&ctx, q.into_inner()).await?))
}

/// One escalation with its steps and its ladder (each level, whom it addresses, its respond-by date).
#[utoipa::path(get, path = "/api/v1/escalations/{id}", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Escalation), (status = 404, body = Problem)))]
pub async fn get(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&ctx, id.into_inner().into()).await?))
}

/// Answers the current level (stops its clock): level 1 the teamleider, level 2 a procescoördinator.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/respond", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EscalationText,
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn respond(ctx: Ctx, id: web::Path<Id>, body: Json<EscalationText>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::respond(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// A procescoördinator adopts the case: content access until the escalation closes, audited with the escalation
/// as its basis.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/adopt", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn adopt(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::adopt(&ctx, id.into_inner().into()).await?))
}

/// The adopter convenes the involved professionals: one email each, without case content.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/convene", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn convene(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::convene(&ctx, id.into_inner().into()).await?))
}

/// The adopter records an agreement.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/agreements", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EscalationText,
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn agreement(ctx: Ctx, id: web::Path<Id>, body: Json<EscalationText>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::agreement(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// The adopter records a doorzettingsmacht decision (level 3): who holds it and what was decided.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/decisions", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EscalationDecision,
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decision(ctx: Ctx, id: web::Path<Id>, body: Json<EscalationDecision>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::decision(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// The adopter raises the escalation one level (to doorzettingsmacht).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/raise", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn raise_level(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::raise_level(&ctx, id.into_inner().into()).await?))
}

/// Closes the escalation with its outcome (perspective regained, a note); the counts at adoption and at closing
/// are computed. The adoption's access ends at once.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/close", tag = "escalations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CloseEscalation,
    responses((status = 200, body = Escalation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close(ctx: Ctx, id: web::Path<Id>, body: Json<CloseEscalation>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::close(&ctx, id.into_inner().into(), body.into_inner()).await?))
}
