//! HTTP for /api/v1/signals and /api/v1/matches.

use actix_web::{web, HttpResponse};

use super::service::{self, Match, MatchQuery, NewSignal, Reminder, RemoveSignal, Signal};
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::paging::{Page, PageQuery};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/signals").route(web::post().to(register)).route(web::get().to(list_signals)))
        .service(web::resource("/signals/{id}/remove").route(web::post().to(remove)))
        .service(web::resource("/matches").route(web::get().to(list_matches)))
        .service(web::resource("/matches/{id}/contact").route(web::post().to(confirm_contact)))
        .service(web::resource("/matches/{id}/remind").route(web::post().to(remind)));
}

/// Signal that you are involved with a young person: the subject (BSN and birth date; a name if eenplan does not
/// know them) and how to reach you. Nothing else is accepted. Matched at once; 409 if your organisation has an
/// active signal on this person already.
#[utoipa::path(post, path = "/api/v1/signals", tag = "signals", security(("bearer" = [])), request_body = NewSignal,
    responses((status = 201, body = Signal), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(ctx: Ctx, body: Json<NewSignal>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::register(&ctx, body.into_inner()).await?))
}

/// Your own signals, newest first.
#[utoipa::path(get, path = "/api/v1/signals", tag = "signals", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Signal>), (status = 403, body = Problem)))]
pub async fn list_signals(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_own(&ctx, q.into_inner()).await?))
}

/// Remove your own signal: `unjustified` deletes it, `risk_gone` archives it. Someone else's: 404.
#[utoipa::path(post, path = "/api/v1/signals/{id}/remove", tag = "signals", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RemoveSignal,
    responses((status = 200), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn remove(ctx: Ctx, id: web::Path<Id>, body: Json<RemoveSignal>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::remove(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// Matches: a signaller's own (with the others' contact details); every match for the matchregisseur (who has
/// confirmed contact and since when — nothing about the person).
#[utoipa::path(get, path = "/api/v1/matches", tag = "signals", security(("bearer" = [])), params(MatchQuery),
    responses((status = 200, body = Page<Match>), (status = 403, body = Problem)))]
pub async fn list_matches(ctx: Ctx, q: Query<MatchQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_matches(&ctx, q.into_inner()).await?))
}

/// Confirm that you made contact with the other signallers in the match. Not your match: 404.
#[utoipa::path(post, path = "/api/v1/matches/{id}/contact", tag = "signals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Match), (status = 404, body = Problem)))]
pub async fn confirm_contact(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::confirm_contact(&ctx, id.into_inner().into()).await?))
}

/// The matchregisseur reminds the signallers of a match who have not confirmed contact: one email each is queued
/// (it links to the match and names no one). At most one reminder per match a day: 409 otherwise, and 409 when
/// everyone has confirmed. No such match: 404.
#[utoipa::path(post, path = "/api/v1/matches/{id}/remind", tag = "signals", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Reminder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remind(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::remind(&ctx, id.into_inner().into()).await?))
}
