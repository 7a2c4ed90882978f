//! HTTP for /api/v1/audit: the access log, for privacy officers.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::ProcessingActivity;
use super::service::{self, AuditEventPage, Employee, OverviewRequest, PersonFound, PersonLookup, PersonOverview};
use super::store::Period;
use crate::error::{AppResult, Problem};
use crate::http::{Json, Query};
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit/events").route(web::get().to(list_events)))
        .service(web::resource("/audit/events.csv").route(web::get().to(export_events)))
        .service(web::resource("/audit/register").route(web::get().to(register)))
        .service(web::resource("/audit/employees").route(web::get().to(employees)))
        .service(web::resource("/audit/persons/search").route(web::post().to(find_person)))
        .service(web::resource("/audit/persons/{id}/overview").route(web::get().to(person_overview)));
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    #[param(value_type = Option<String>)]
    pub user_id: Option<Id>,
    #[param(value_type = Option<String>)]
    pub person_id: Option<Id>,
    #[param(value_type = Option<String>)]
    pub case_id: Option<Id>,
    #[param(value_type = Option<String>)]
    pub household_id: Option<Id>,
    pub action: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: Option<String>,
    /// From this instant (inclusive), RFC 3339.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive), RFC 3339.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub to: Option<DateTime<Utc>>,
    /// 1–500, default 100.
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
}

/// Read the access log, newest first (privacy officer). Reading it is itself audited.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", security(("bearer" = [])), params(EventQuery),
    responses((status = 200, body = AuditEventPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_events(ctx: Ctx, q: Query<EventQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_events(&ctx, q.into_inner()).await?))
}

/// The events matching the query as CSV (NEN 7513 export), newest first, at most 50,000 (a longer list is 422: choose
/// a shorter period). `limit` and `after` do not apply. Audited as `audit_event.export`, with what was looked for.
#[utoipa::path(get, path = "/api/v1/audit/events.csv", tag = "audit", security(("bearer" = [])), params(EventQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn export_events(ctx: Ctx, q: Query<EventQuery>) -> AppResult<HttpResponse> {
    let csv = service::export_events(&ctx, q.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"eenplan-logboek.csv\""))
        .body(csv))
}

/// The register of processing activities (AVG art. 30) that the audit events name (privacy officer).
#[utoipa::path(get, path = "/api/v1/audit/register", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProcessingActivity>), (status = 403, body = Problem)))]
pub async fn register(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::register(&ctx)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// From this instant (inclusive), RFC 3339.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive), RFC 3339.
    #[serde(default, deserialize_with = "crate::input::date::instant_opt")]
    pub to: Option<DateTime<Utc>>,
    /// Show the employees' names: needs a reason in `X-Audit-Reason`, which the overview's audit event keeps.
    #[serde(default)]
    pub employee_names: bool,
}

/// Who saw this person's data (AVG art. 15): every access to data about them — naming them, or their household or
/// its cases while they belonged to it — in time order, similar accesses by one organisation on one day merged
/// into one line with a count. No employee names unless asked for with a reason. Producing it is audited.
#[utoipa::path(get, path = "/api/v1/audit/persons/{id}/overview", tag = "audit", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id"), OverviewQuery),
    responses((status = 200, body = PersonOverview), (status = 403, body = Problem), (status = 422, body = Problem),
        (status = 404, body = Problem)))]
pub async fn person_overview(
    ctx: Ctx,
    req: HttpRequest,
    id: web::Path<Id>,
    q: Query<OverviewQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let names_reason = q.employee_names.then(|| {
        // UTF-8, not only ASCII: a Dutch reason has its accents ("cliënt").
        let header = req.headers().get("x-audit-reason");
        header.and_then(|v| std::str::from_utf8(v.as_bytes()).ok()).unwrap_or_default().to_string()
    });
    let period = Period { from: q.from.map(|t| t.naive_utc()), to: q.to.map(|t| t.naive_utc()) };
    let overview = service::person_overview(&ctx, &id, OverviewRequest { period, names_reason }).await?;
    Ok(HttpResponse::Ok().json(overview))
}

/// Find the person an overview is for by their BSN (privacy officer): their id only, through the one BSN lookup.
/// A POST, so that the BSN is in no URL; audited with the person found, never the BSN.
#[utoipa::path(post, path = "/api/v1/audit/persons/search", tag = "audit", security(("bearer" = [])),
    request_body = PersonLookup,
    responses((status = 200, body = PersonFound), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn find_person(ctx: Ctx, body: Json<PersonLookup>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::find_person(&ctx, body.into_inner()).await?))
}

/// Every user, active or not, with their organisation: whose accesses the log can be read by (privacy officer).
#[utoipa::path(get, path = "/api/v1/audit/employees", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<Employee>), (status = 403, body = Problem)))]
pub async fn employees(ctx: Ctx) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::employees(&ctx).await?))
}
