//! HTTP for /api/v1/households and /api/v1/persons.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::persons::{self, AddParent, PersonDetail, PersonSearch, SearchResult};
use super::service::{self, AddMember, CreateHousehold, EndMember, Household, Member};
use crate::error::{AppResult, Problem};
use crate::http::{etag, Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/households").route(web::post().to(create_household)))
        .service(web::resource("/households/{id}").route(web::get().to(get_household)))
        .service(
            web::resource("/households/{id}/members")
                .route(web::get().to(household_members))
                .route(web::post().to(add_member)),
        )
        .service(web::resource("/households/{id}/members/{member}/end").route(web::post().to(end_member)))
        .service(web::resource("/persons/search").route(web::post().to(search_persons)))
        .service(web::resource("/persons/{id}").route(web::get().to(get_person)))
        .service(web::resource("/persons/{id}/parents").route(web::post().to(add_parent)));
}

/// Register a household of one of the caller's teams (wijkteam, teamleider).
#[utoipa::path(post, path = "/api/v1/households", tag = "households", security(("bearer" = [])), request_body = CreateHousehold,
    responses((status = 201, body = Household), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_household(ctx: Ctx, body: Json<CreateHousehold>) -> AppResult<HttpResponse> {
    let h = service::create_household(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(h.version))).json(h))
}

/// A household with its members today: for those involved in its case, for the owning team before a case exists
/// (BSNs masked), and as a summary for the teamleider. 404 for everyone else.
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Household), (status = 404, body = Problem)))]
pub async fn get_household(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let h = service::get_household(&ctx, id.into_inner().into()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(h.version))).json(h))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// The composition on this date (`YYYY-MM-DD`); without it, every membership period.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    pub on: Option<NaiveDate>,
}

/// Who belonged to the household: every period, or the members on one date.
#[utoipa::path(get, path = "/api/v1/households/{id}/members", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path), MembersQuery),
    responses((status = 200, body = Vec<Member>), (status = 404, body = Problem)))]
pub async fn household_members(ctx: Ctx, id: web::Path<Id>, q: Query<MembersQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::members(&ctx, id.into_inner().into(), q.on).await?))
}

/// A person joins the household; a person known by the same BSN moves here (their other membership ends on `from`).
#[utoipa::path(post, path = "/api/v1/households/{id}/members", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AddMember,
    responses((status = 201, body = Member), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(ctx: Ctx, id: web::Path<Id>, body: Json<AddMember>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::add_member(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// A member leaves the household; `until` is the first day they no longer belong.
#[utoipa::path(post, path = "/api/v1/households/{id}/members/{member}/end", tag = "households", security(("bearer" = [])),
    params(("id" = String, Path), ("member" = String, Path)), request_body = EndMember,
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end_member(ctx: Ctx, path: web::Path<(Id, Id)>, body: Json<EndMember>) -> AppResult<HttpResponse> {
    let (household, member) = path.into_inner();
    Ok(HttpResponse::Ok().json(service::end_member(&ctx, household.into(), member.into(), body.into_inner()).await?))
}

/// Find a person by BSN, or by name and birth date. Only persons the caller may see are found; audited as a search.
#[utoipa::path(post, path = "/api/v1/persons/search", tag = "persons", security(("bearer" = [])), request_body = PersonSearch,
    responses((status = 200, body = SearchResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search_persons(ctx: Ctx, body: Json<PersonSearch>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(persons::search(&ctx, body.into_inner()).await?))
}

/// One person, with the parents and children the caller may see.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PersonDetail), (status = 404, body = Problem)))]
pub async fn get_person(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(persons::get_person(&ctx, id.into_inner().into()).await?))
}

/// Record a parent of the person (kept for matching signals on the same parent).
#[utoipa::path(post, path = "/api/v1/persons/{id}/parents", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AddParent,
    responses((status = 201, body = PersonDetail), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_parent(ctx: Ctx, id: web::Path<Id>, body: Json<AddParent>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(persons::add_parent(&ctx, id.into_inner().into(), body.into_inner()).await?))
}
