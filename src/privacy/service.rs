//! Reading the access log: the privacy officer's use cases. Reading it is itself audited, with what was looked for.

use serde::Serialize;
use utoipa::ToSchema;

use super::routes::EventQuery;
use crate::access::{Action, Resource};
use crate::audit::model::EventData;
use crate::audit::store::{EventFilter, Row};
use crate::error::{AppError, AppResult};
use crate::input::Id;
use crate::state::Ctx;

/// One stored event as the API shows it: the event's own fields and its place in its chain.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventView {
    #[serde(flatten)]
    pub event: EventData,
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
        AuditEventView { event: s.data, chain_id: s.link.chain_id, chain_seq: s.link.chain_seq }
    }
}

/// The events matching the query, newest first. The cursor is the row id (the log's own order).
pub async fn list_events(ctx: &Ctx, q: EventQuery) -> AppResult<AuditEventPage> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::List, &ctx.audit)?;
    let before_id = match &q.after {
        None => None,
        Some(a) => Some(a.parse::<i64>().map_err(|_| AppError::field("after", "is not a cursor from this list"))?),
    };
    // What the privacy officer looked for is part of their own audit event.
    if let Some(case) = &q.case_id {
        ctx.audit.case(case.as_str());
    }
    ctx.audit.persons(q.person_id.iter().map(|p| p.as_str().to_string()));
    if let Some(user) = &q.user_id {
        ctx.audit.resource(user.as_str());
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
    let rows = ctx.read(move |c| Ok(crate::audit::store::list(c, &filter)?)).await?;
    let page = crate::paging::page(rows, limit, |r| r.id.to_string());
    Ok(AuditEventPage { items: page.items.into_iter().map(Into::into).collect(), next: page.next })
}
