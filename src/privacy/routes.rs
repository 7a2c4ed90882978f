//! HTTP for /api/v1/audit: the access log, for privacy officers.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, AuditEventPage};
use crate::error::{AppResult, Problem};
use crate::http::Query;
use crate::input::Id;
use crate::state::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit/events").route(web::get().to(list_events)));
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
    pub action: Option<String>,
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
    responses((status = 200, body = AuditEventPage), (status = 403, body = Problem)))]
pub async fn list_events(ctx: Ctx, q: Query<EventQuery>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_events(&ctx, q.into_inner()).await?))
}
