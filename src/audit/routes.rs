//! HTTP for /api/v1/audit: the access log, for privacy officers.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{EventFilter, Row};
use crate::access::Principal;
use crate::access::{Action, Resource};
use crate::audit::AuditRecord;
use crate::error::{AppError, AppResult, Problem};
use crate::http::Query;
use crate::input::Id;
use crate::state::{db, AppState};

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

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventView {
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub role: Option<String>,
    pub organisation_id: Option<String>,
    pub on_behalf_of: Option<String>,
    pub client_address: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub case_id: Option<String>,
    pub household_id: Option<String>,
    pub person_ids: Vec<String>,
    pub basis: Option<String>,
    pub basis_id: Option<String>,
    pub flagged: bool,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub reason: Option<String>,
    pub chain_id: String,
    pub chain_seq: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventPage {
    pub items: Vec<AuditEventView>,
    pub next: Option<String>,
}

impl From<Row> for AuditEventView {
    fn from(r: Row) -> Self {
        let s = r.into_stored();
        AuditEventView {
            event_id: s.data.event_id,
            occurred_at: s.data.occurred_at.and_utc(),
            user_id: s.data.user_id,
            user_name: s.data.user_name,
            role: s.data.role,
            organisation_id: s.data.organisation_id,
            on_behalf_of: s.data.on_behalf_of,
            client_address: s.data.client_address,
            request_id: s.data.request_id,
            action: s.data.action,
            resource_type: s.data.resource_type,
            resource_id: s.data.resource_id,
            case_id: s.data.case_id,
            household_id: s.data.household_id,
            person_ids: s.data.person_ids,
            basis: s.data.basis,
            basis_id: s.data.basis_id,
            flagged: s.data.flagged,
            outcome: s.data.outcome,
            http_status: s.data.http_status,
            reason: s.data.reason,
            chain_id: s.link.chain_id,
            chain_seq: s.link.chain_seq,
        }
    }
}

/// Read the access log, newest first (privacy officer). Reading it is itself audited.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", security(("bearer" = [])), params(EventQuery),
    responses((status = 200, body = AuditEventPage), (status = 403, body = Problem)))]
pub async fn list_events(
    state: web::Data<AppState>,
    p: Principal,
    audit: AuditRecord,
    q: Query<EventQuery>,
) -> AppResult<HttpResponse> {
    state.access.decide(&p, Resource::AuditEvent, Action::List, &audit)?;
    let q = q.into_inner();
    let before_id = match &q.after {
        None => None,
        Some(a) => Some(a.parse::<i64>().map_err(|_| AppError::field("after", "is not a cursor from this list"))?),
    };
    {
        // What the privacy officer looked for is part of their own audit event.
        let mut a = audit.lock();
        a.case_id = q.case_id.clone().map(Id::into_string);
        a.person_ids = q.person_id.iter().cloned().map(Id::into_string).collect();
        a.resource_id = q.user_id.clone().map(Id::into_string);
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let filter = EventFilter {
        user_id: q.user_id.map(Id::into_string),
        person_id: q.person_id.map(Id::into_string),
        case_id: q.case_id.map(Id::into_string),
        action: q.action,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_id,
        limit: limit + 1,
    };
    let mut rows = db(&state, move |c| Ok(super::service::list(c, &filter)?)).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let page = AuditEventPage { items: rows.into_iter().map(Into::into).collect(), next };
    Ok(HttpResponse::Ok().json(page))
}
