//! HTTP for /api/v1/cases/{id}/plans.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::assessment::{self, Assessment, NewAssessment, Progress};
use super::evaluation::{self, Evaluation, Evaluations, NewEvaluation};
use super::model::PlanDiff;
use super::service::{self, ActionProgress, AgreePlan, PlanVersion, UpdateDraft, UpdateProgress, VersionSummary};
use super::zrm::HouseholdSummary;
use crate::error::{AppResult, Problem};
use crate::http::{etag, IfMatch, Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/cases/{id}/plans").route(web::get().to(list_versions)).route(web::post().to(start_draft)),
    )
    .service(web::resource("/cases/{id}/plans/compare").route(web::get().to(compare)))
    .service(web::resource("/cases/{id}/plans/actions/{action}/progress").route(web::put().to(update_progress)))
    .service(
        web::resource("/cases/{id}/plans/{version}")
            .route(web::get().to(get_version))
            .route(web::put().to(update_draft)),
    )
    .service(web::resource("/cases/{id}/plans/{version}/agree").route(web::post().to(agree)))
    .service(web::resource("/cases/{id}/plans/{version}/document").route(web::get().to(plan_document)))
    .service(
        web::resource("/cases/{id}/assessments")
            .route(web::get().to(list_assessments))
            .route(web::post().to(record_assessment)),
    )
    .service(web::resource("/cases/{id}/assessments/progress").route(web::get().to(assessment_progress)))
    .service(web::resource("/cases/{id}/assessments/summary").route(web::get().to(assessment_summary)))
    .service(web::resource("/cases/{id}/consent-preview").route(web::get().to(consent_preview)))
    .service(
        web::resource("/cases/{id}/evaluations")
            .route(web::get().to(list_evaluations))
            .route(web::post().to(record_evaluation)),
    );
}

fn versioned(status: actix_web::http::StatusCode, v: PlanVersion) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(v.revision))).json(v)
}

/// The plan's versions (a provider professional: the current one only).
#[utoipa::path(get, path = "/api/v1/cases/{id}/plans", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionSummary>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_versions(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_versions(&ctx, id.into_inner().into()).await?))
}

/// Start a draft from the current plan (the regisseur; one draft at a time).
#[utoipa::path(post, path = "/api/v1/cases/{id}/plans", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = PlanVersion), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn start_draft(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    let v = service::start_draft(&ctx, id.into_inner().into()).await?;
    Ok(versioned(actix_web::http::StatusCode::CREATED, v))
}

/// One version by number, or `current` for the agreed plan. A provider professional sees the current plan's
/// actions they own and the goals those serve.
#[utoipa::path(get, path = "/api/v1/cases/{id}/plans/{version}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = String, Path, description = "a version number, or `current`")),
    responses((status = 200, body = PlanVersion), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_version(ctx: Ctx, path: web::Path<(Id, String)>) -> AppResult<HttpResponse> {
    let (case, version) = path.into_inner();
    let v = service::get_version(&ctx, case.into(), version).await?;
    Ok(versioned(actix_web::http::StatusCode::OK, v))
}

/// Replace a draft's content; `If-Match` with the draft's ETag (412 when someone else saved first).
#[utoipa::path(put, path = "/api/v1/cases/{id}/plans/{version}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = i32, Path), ("If-Match" = String, Header)), request_body = UpdateDraft,
    responses((status = 200, body = PlanVersion), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)))]
pub async fn update_draft(
    ctx: Ctx,
    path: web::Path<(Id, i32)>,
    revision: IfMatch,
    body: Json<UpdateDraft>,
) -> AppResult<HttpResponse> {
    let (case, number) = path.into_inner();
    let v = service::update_draft(&ctx, case.into(), number, revision.0, body.into_inner()).await?;
    Ok(versioned(actix_web::http::StatusCode::OK, v))
}

/// Agree a draft with the family: it becomes the current plan, the previous one is superseded. 422 lists every
/// missing piece.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plans/{version}/agree", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = i32, Path), ("If-Match" = String, Header)), request_body = AgreePlan,
    responses((status = 200, body = PlanVersion), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)))]
pub async fn agree(
    ctx: Ctx,
    path: web::Path<(Id, i32)>,
    revision: IfMatch,
    body: Json<AgreePlan>,
) -> AppResult<HttpResponse> {
    let (case, number) = path.into_inner();
    let v = service::agree(&ctx, case.into(), number, revision.0, body.into_inner()).await?;
    Ok(versioned(actix_web::http::StatusCode::OK, v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    pub from: i32,
    pub to: i32,
}

/// Goals and actions added, changed and removed between two versions.
#[utoipa::path(get, path = "/api/v1/cases/{id}/plans/compare", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), CompareQuery),
    responses((status = 200, body = PlanDiff), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn compare(ctx: Ctx, id: web::Path<Id>, q: Query<CompareQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::compare(&ctx, id.into_inner().into(), q.from, q.to).await?))
}

/// Record progress on an action of the current plan; `If-Match` with the action's progress revision.
#[utoipa::path(put, path = "/api/v1/cases/{id}/plans/actions/{action}/progress", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ("action" = String, Path), ("If-Match" = String, Header)), request_body = UpdateProgress,
    responses((status = 200, body = ActionProgress), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_progress(
    ctx: Ctx,
    path: web::Path<(Id, String)>,
    revision: IfMatch,
    body: Json<UpdateProgress>,
) -> AppResult<HttpResponse> {
    let (case, action) = path.into_inner();
    let progress = service::update_progress(&ctx, case.into(), action, revision.0, body.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(progress.revision))).json(progress))
}

/// Record a ZRM assessment of a household member (ZRM 2017) or of the household (ZRM-Huishoudens).
#[utoipa::path(post, path = "/api/v1/cases/{id}/assessments", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewAssessment,
    responses((status = 201, body = Assessment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn record_assessment(ctx: Ctx, id: web::Path<Id>, body: Json<NewAssessment>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(assessment::record(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// The case's ZRM assessments, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/assessments", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Assessment>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_assessments(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(assessment::list(&ctx, id.into_inner().into()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Assessment id.
    #[param(value_type = String)]
    pub from: Id,
    /// Assessment id of the same person (or the household).
    #[param(value_type = String)]
    pub to: Id,
}

/// Change per domain between two assessments.
#[utoipa::path(get, path = "/api/v1/cases/{id}/assessments/progress", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ProgressQuery),
    responses((status = 200, body = Progress), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn assessment_progress(ctx: Ctx, id: web::Path<Id>, q: Query<ProgressQuery>) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    Ok(HttpResponse::Ok().json(assessment::progress(&ctx, id.into_inner().into(), q.from.into(), q.to.into()).await?))
}

/// Domains at 1 or 2 (acute or not self-reliant) on the latest assessments, and for how many members.
#[utoipa::path(get, path = "/api/v1/cases/{id}/assessments/summary", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = HouseholdSummary), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn assessment_summary(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(assessment::summary(&ctx, id.into_inner().into()).await?))
}

/// Record an evaluation of the current plan (the regisseur). `adjust` opens a new draft; `close` closes the case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evaluations", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewEvaluation,
    responses((status = 201, body = Evaluation), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_evaluation(ctx: Ctx, id: web::Path<Id>, body: Json<NewEvaluation>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(evaluation::record(&ctx, id.into_inner().into(), body.into_inner()).await?))
}

/// The case's evaluations and the next evaluation date.
#[utoipa::path(get, path = "/api/v1/cases/{id}/evaluations", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Evaluations), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_evaluations(ctx: Ctx, id: web::Path<Id>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(evaluation::list(&ctx, id.into_inner().into()).await?))
}

/// The plan as a printable page in plain Dutch for the family (HTML). Audited as an export.
#[utoipa::path(get, path = "/api/v1/cases/{id}/plans/{version}/document", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path), ("version" = String, Path, description = "a version number, or `current`")),
    responses((status = 200, content_type = "text/html"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn plan_document(ctx: Ctx, path: web::Path<(Id, String)>) -> AppResult<HttpResponse> {
    let (case, version) = path.into_inner();
    let html = super::document::document(&ctx, case.into(), version).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"gezinsplan.html\""))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .body(html))
}

/// "Bekijk als…": what an organisation involved in the case sees of it today under the current consents — per
/// professional of it, exactly what the API gives them (an absent part is one refused to them). For the regisseur
/// and involved wijkteam members; audited as their read of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/consent-preview", tag = "consents", security(("bearer" = [])),
    params(("id" = String, Path), ("organisationId" = Option<String>, Query)),
    responses((status = 200, body = super::preview::OrganisationPreview), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn consent_preview(
    ctx: Ctx,
    id: web::Path<Id>,
    q: Query<super::preview::PreviewQuery>,
) -> AppResult<HttpResponse> {
    let preview = super::preview::preview_for_organisation(&ctx, id.into_inner().into(), q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(preview))
}
