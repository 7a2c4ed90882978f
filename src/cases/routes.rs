//! HTTP for /api/v1/cases and /api/v1/registrations.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::caseload::{self, Caseload};
use super::contacts::{self, Contacts};
use super::involvement::{self, AddInvolvement, Involvement, ProviderProfessional};
use super::regisseur::{self, Assignment, ProposeRegisseur};
use super::registration::{self, Registered, Registration};
use super::service::{self, Case, ChangeState, OpenCase, ReopenCase};
use crate::error::{AppResult, Problem};
use crate::http::{IfMatch, Json, Query};
use crate::input::Id;
use crate::paging::{etag, Page, PageQuery};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/cases").route(web::post().to(open_case)).route(web::get().to(list_cases)))
        .service(web::resource("/registrations").route(web::post().to(register)))
        .service(web::resource("/cases/{id}").route(web::get().to(get_case)))
        .service(web::resource("/cases/{id}/state").route(web::post().to(change_state)))
        .service(web::resource("/cases/{id}/reopen").route(web::post().to(reopen_case)))
        .service(
            web::resource("/cases/{id}/regisseur")
                .route(web::put().to(propose_regisseur))
                .route(web::get().to(regisseur_history)),
        )
        .service(web::resource("/cases/{id}/regisseur/accept").route(web::post().to(accept_regisseur)))
        .service(web::resource("/cases/{id}/regisseur/decline").route(web::post().to(decline_regisseur)))
        .service(web::resource("/cases/{id}/regisseur/proposal").route(web::get().to(my_proposal)))
        .service(
            web::resource("/cases/{id}/involvements")
                .route(web::get().to(list_involvements))
                .route(web::post().to(add_involvement)),
        )
        .service(web::resource("/cases/{id}/involvements/providers").route(web::get().to(involvable_providers)))
        .service(web::resource("/cases/{id}/involvements/{involvement}/end").route(web::post().to(end_involvement)))
        .service(web::resource("/cases/{id}/contacts").route(web::get().to(case_contacts)))
        .service(web::resource("/caseload").route(web::get().to(caseload)));
}

/// Open a case for a household of the caller's team; the caller becomes involved. 409 if one is open.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = OpenCase,
    responses((status = 201, body = Case), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_case(ctx: Ctx, body: Json<OpenCase>) -> AppResult<HttpResponse> {
    let case = service::open_case(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(case.version))).json(case))
}

/// Register a household of the caller's team with its members and open its case, in one transaction: all of it
/// is stored or none of it. Every field error at once (`household.…`, `laws`, `members[i].…`).
#[utoipa::path(post, path = "/api/v1/registrations", tag = "cases", security(("bearer" = [])), request_body = Registration,
    responses((status = 201, body = Registered), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(ctx: Ctx, body: Json<Registration>) -> AppResult<HttpResponse> {
    let registered = registration::register(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(registered.case.version))).json(registered))
}

/// The cases the caller may see (involved, or teamleider of the case's team), as summaries.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Case>), (status = 403, body = Problem)))]
pub async fn list_cases(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_cases(&ctx, q.into_inner()).await?))
}

/// One case: content for those involved, the summary for the teamleider; 404 for everyone else.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Case), (status = 404, body = Problem)))]
pub async fn get_case(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let case = service::get_case(&ctx, id.into_inner().into()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(case.version))).json(case))
}

/// Move a case to its next state (those involved); `If-Match` with the case's ETag. Closing needs a reason;
/// a step the current state does not allow answers 409 with the allowed ones.
#[utoipa::path(post, path = "/api/v1/cases/{id}/state", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ChangeState,
    responses((status = 200, body = Case), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn change_state(
    ctx: Ctx,
    id: web::Path<Id>,
    version: IfMatch,
    body: Json<ChangeState>,
) -> AppResult<HttpResponse> {
    let case = service::change_state(&ctx, id.into_inner().into(), version.0, body.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(case.version))).json(case))
}

/// Continue a closed case as a new case for the same household, linked to it (those involved, or the teamleider).
#[utoipa::path(post, path = "/api/v1/cases/{id}/reopen", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReopenCase,
    responses((status = 201, body = Case), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reopen_case(ctx: Ctx, id: web::Path<Id>, body: Json<ReopenCase>) -> AppResult<HttpResponse> {
    let case = service::reopen_case(&ctx, id.into_inner().into(), body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(case.version))).json(case))
}

/// Propose a regisseur (teamleider of the case's team, or the current regisseur handing over).
#[utoipa::path(put, path = "/api/v1/cases/{id}/regisseur", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ProposeRegisseur,
    responses((status = 201, body = Assignment), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_regisseur(ctx: Ctx, id: web::Path<Id>, body: Json<ProposeRegisseur>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(regisseur::propose(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// Accept a proposal addressed to the caller; the previous regisseur's assignment ends at the same instant.
#[utoipa::path(post, path = "/api/v1/cases/{id}/regisseur/accept", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Assignment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept_regisseur(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(regisseur::accept(&ctx, id.into_inner().into()).await?))
}

/// Decline a proposal addressed to the caller.
#[utoipa::path(post, path = "/api/v1/cases/{id}/regisseur/decline", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Assignment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn decline_regisseur(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(regisseur::decline(&ctx, id.into_inner().into()).await?))
}

/// Assignment history (who, from, until, proposed by, reason), for those who may see the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/regisseur", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Assignment>), (status = 404, body = Problem)))]
pub async fn regisseur_history(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(regisseur::history(&ctx, id.into_inner().into()).await?))
}

/// The professionals involved in the case, past and present (those who see the case).
#[utoipa::path(get, path = "/api/v1/cases/{id}/involvements", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Involvement>), (status = 404, body = Problem)))]
pub async fn list_involvements(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(involvement::list(&ctx, id.into_inner().into()).await?))
}

/// The provider professionals the regisseur or the teamleider may involve (name and organisation).
#[utoipa::path(get, path = "/api/v1/cases/{id}/involvements/providers", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ProviderProfessional>), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn involvable_providers(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(involvement::providers_for(&ctx, id.into_inner().into()).await?))
}

/// Involve a professional (the regisseur or the teamleider).
#[utoipa::path(post, path = "/api/v1/cases/{id}/involvements", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AddInvolvement,
    responses((status = 201, body = Involvement), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_involvement(ctx: Ctx, id: web::Path<Id>, body: Json<AddInvolvement>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(involvement::add(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// End a professional's involvement (the regisseur or the teamleider); they lose access at once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/involvements/{involvement}/end", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path), ("involvement" = String, Path)),
    responses((status = 200, body = Involvement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn end_involvement(ctx: Ctx, path: web::Path<(Id, Id)>) -> AppResult<HttpResponse> {
    let (case_id, involvement_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(involvement::end(&ctx, case_id.into(), involvement_id.into()).await?))
}

/// The contact sheet (data category `basic`): address, who lives there today, the professionals involved today.
/// Those who see the whole plan and break-glass readers see all; an involved provider with a consent covering basic
/// details sees the covered persons; the teamleider 403; others 404.
#[utoipa::path(get, path = "/api/v1/cases/{id}/contacts", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Contacts), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn case_contacts(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(contacts::contacts(&ctx, id.into_inner().into()).await?))
}

/// The teamleider's caseload: the open cases of the teams the caller leads, as summaries, with the household's
/// wijk, the regisseur and the proposal waiting for an answer, cases without a regisseur first; and the teams'
/// members by name. 403 for anyone who leads no team.
#[utoipa::path(get, path = "/api/v1/caseload", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Caseload), (status = 403, body = Problem)))]
pub async fn caseload(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(caseload::caseload(&ctx).await?))
}

/// The open regisseur proposal on the case addressed to the caller, before they see the case (to answer it);
/// 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/cases/{id}/regisseur/proposal", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Assignment), (status = 404, body = Problem)))]
pub async fn my_proposal(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(regisseur::proposal_to_me(&ctx, id.into_inner().into()).await?))
}
