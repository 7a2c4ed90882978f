//! HTTP for /api/v1/organisations, /api/v1/teams and /api/v1/users.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::model::*;
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::{IfMatch, Json, Query};
use crate::input::Id;
use crate::paging::{etag, PageQuery};
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organisations")
            .route(web::post().to(create_organisation))
            .route(web::get().to(list_organisations)),
    )
    .service(
        web::resource("/organisations/{id}")
            .route(web::get().to(get_organisation))
            .route(web::patch().to(update_organisation)),
    )
    .service(web::resource("/teams").route(web::post().to(create_team)).route(web::get().to(list_teams)))
    .service(web::resource("/teams/{id}").route(web::get().to(get_team)).route(web::patch().to(update_team)))
    .service(web::resource("/users").route(web::post().to(create_user)).route(web::get().to(list_users)))
    .service(web::resource("/users/{id}").route(web::get().to(get_user)).route(web::patch().to(update_user)))
    .service(web::resource("/users/{id}/deactivate").route(web::post().to(deactivate_user)));
}

fn with_etag<T: serde::Serialize>(mut res: actix_web::HttpResponseBuilder, version: i64, body: &T) -> HttpResponse {
    res.insert_header((header::ETAG, etag(version))).json(body)
}

/// Create an organisation (admin).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "identity", security(("bearer" = [])), request_body = CreateOrganisation,
    responses((status = 201, body = Organisation), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_organisation(ctx: Ctx, body: Json<CreateOrganisation>) -> AppResult<HttpResponse> {
    let org = service::create_organisation(&ctx, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Created(), org.version, &org))
}

/// List organisations (admin), oldest first.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "identity", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Organisation>), (status = 403, body = Problem)))]
pub async fn list_organisations(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_organisations(&ctx, q.into_inner()).await?))
}

/// Read an organisation (admin).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "identity", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = Problem)))]
pub async fn get_organisation(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let org = service::get_organisation(&ctx, id.into_inner().into()).await?;
    Ok(with_etag(HttpResponse::Ok(), org.version, &org))
}

/// Update an organisation (admin); requires `If-Match` with its ETag. Set `active: false` to deactivate.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)), request_body = UpdateOrganisation,
    responses((status = 200, body = Organisation), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn update_organisation(
    ctx: Ctx,
    id: web::Path<Id>,
    version: IfMatch,
    body: Json<UpdateOrganisation>,
) -> AppResult<HttpResponse> {
    let org = service::update_organisation(&ctx, id.into_inner().into(), version.0, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), org.version, &org))
}

/// Create a team (admin).
#[utoipa::path(post, path = "/api/v1/teams", tag = "identity", security(("bearer" = [])), request_body = CreateTeam,
    responses((status = 201, body = Team), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_team(ctx: Ctx, body: Json<CreateTeam>) -> AppResult<HttpResponse> {
    let team = service::create_team(&ctx, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Created(), team.version, &team))
}

/// List teams (admin).
#[utoipa::path(get, path = "/api/v1/teams", tag = "identity", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Team>), (status = 403, body = Problem)))]
pub async fn list_teams(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_teams(&ctx, q.into_inner()).await?))
}

/// Read a team (admin).
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "identity", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Team), (status = 404, body = Problem)))]
pub async fn get_team(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let team = service::get_team(&ctx, id.into_inner().into()).await?;
    Ok(with_etag(HttpResponse::Ok(), team.version, &team))
}

/// Update a team (admin); requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)), request_body = UpdateTeam,
    responses((status = 200, body = Team), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn update_team(
    ctx: Ctx,
    id: web::Path<Id>,
    version: IfMatch,
    body: Json<UpdateTeam>,
) -> AppResult<HttpResponse> {
    let team = service::update_team(&ctx, id.into_inner().into(), version.0, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), team.version, &team))
}

/// Create a user with roles (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "identity", security(("bearer" = [])), request_body = CreateUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(ctx: Ctx, body: Json<CreateUser>) -> AppResult<HttpResponse> {
    let user = service::create_user(&ctx, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Created(), user.version, &user))
}

/// List users (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "identity", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem)))]
pub async fn list_users(ctx: Ctx, q: Query<PageQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_users(&ctx, q.into_inner()).await?))
}

/// Read a user (admin).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "identity", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let user = service::get_user(&ctx, id.into_inner().into()).await?;
    Ok(with_etag(HttpResponse::Ok(), user.version, &user))
}

/// Update a user's email, name, roles or password (admin); requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)), request_body = UpdateUser,
    responses((status = 200, body = User), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn update_user(
    ctx: Ctx,
    id: web::Path<Id>,
    version: IfMatch,
    body: Json<UpdateUser>,
) -> AppResult<HttpResponse> {
    let user = service::update_user(&ctx, id.into_inner().into(), version.0, body.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), user.version, &user))
}

/// Deactivate a user (admin): their tokens stop working at once. Users are never deleted.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "identity", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn deactivate_user(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let user = service::deactivate_user(&ctx, id.into_inner().into()).await?;
    Ok(with_etag(HttpResponse::Ok(), user.version, &user))
}
