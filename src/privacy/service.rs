//! Reading the access log: the privacy officer's use cases (the event list, who saw a person's data). Reading it is
//! itself audited, with what was looked for.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, OverviewLine};
use super::routes::EventQuery;
use super::store::{self, Period};
use crate::access::{Action, Resource};
use crate::audit::model::EventData;
use crate::audit::store::{EventFilter, Row};
use crate::crypto::bsn::{Bsn, RawBsn};
use crate::error::{AppError, AppResult, FieldError};
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

/// Who saw a person's data: every allowed access that names them or reached their household or its cases while
/// they belonged to it, merged per organisation and day (`model::merge`). Employees' names only on request with a
/// reason, which the overview's own audit event keeps.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonOverview {
    pub person_id: String,
    /// The person's name, so that the overview reaches the right person; never their BSN.
    pub name: String,
    /// How many accesses the lines count.
    pub accesses: i64,
    pub lines: Vec<OverviewLineView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverviewLineView {
    #[serde(flatten)]
    pub line: OverviewLine,
    /// The organisation's name.
    pub organisation: Option<String>,
}

pub struct OverviewRequest {
    pub period: Period,
    /// Employees' names asked for, with this reason (cleaned as `X-Audit-Reason` is); `Some("")` is refused.
    pub names_reason: Option<String>,
}

pub async fn person_overview(ctx: &Ctx, person_id: &Id, req: OverviewRequest) -> AppResult<PersonOverview> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::Read, &ctx.audit)?;
    let mut errors = Vec::new();
    if let (Some(from), Some(to)) = (req.period.from, req.period.to) {
        if from >= to {
            errors.push(FieldError::new("to", "must be after from"));
        }
    }
    let reason = match &req.names_reason {
        None => None,
        Some(raw) => match crate::audit::clean_reason(raw) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new("reason", "is required to show employees' names"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    ctx.audit.resource(person_id.as_str());
    ctx.audit.person(person_id.as_str());
    if let Some(r) = &reason {
        ctx.audit.reason(r);
    }
    let person = person_id.as_str().to_string();
    let period = req.period;
    let (name, accesses, names) = ctx
        .read(move |c| {
            let Some(name) = store::person_name(c, &person)? else {
                return Err(AppError::NotFound);
            };
            let memberships = store::memberships(c, &person)?;
            let households: Vec<String> = memberships.iter().map(|m| m.household_id.clone()).collect();
            let cases = store::cases_of(c, &households)?;
            let case_ids: Vec<String> = cases.keys().cloned().collect();
            let mut accesses = store::accesses(c, &person, &households, &case_ids, period)?;
            accesses.retain(|a| model::concerns(a, &memberships, &cases));
            let mut orgs: Vec<String> = accesses.iter().filter_map(|a| a.organisation_id.clone()).collect();
            orgs.sort();
            orgs.dedup();
            Ok((name, accesses, store::organisation_names(c, &orgs)?))
        })
        .await?;
    let lines = model::merge(&accesses, reason.is_some());
    Ok(PersonOverview {
        person_id: person_id.as_str().to_string(),
        name,
        accesses: accesses.len() as i64,
        lines: lines
            .into_iter()
            .map(|line| OverviewLineView {
                organisation: line.organisation_id.as_ref().and_then(|o| names.get(o).cloned()),
                line,
            })
            .collect(),
    })
}

/// A BSN to find the person by: the privacy officer's way to the person whose overview they make, when the person
/// (or their parent) asks with their BSN.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonLookup {
    #[schema(value_type = Option<String>, example = "999990019")]
    pub bsn: Option<RawBsn>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonFound {
    pub person_id: String,
}

/// Whether the caller may look persons up for their overview (to offer the form; nothing is decided or recorded).
pub fn may_find_persons(ctx: &Ctx) -> bool {
    ctx.state.access.may_search_audit(&ctx.principal)
}

/// The person with this BSN, by id only: through the one BSN lookup (its keyed hash), audited with the person
/// found and never the BSN. 404 when eenplan knows no one by it.
pub async fn find_person(ctx: &Ctx, input: PersonLookup) -> AppResult<PersonFound> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::Search, &ctx.audit)?;
    let bsn = match &input.bsn {
        None => return Err(AppError::Validation(vec![FieldError::new("bsn", "is required")])),
        Some(raw) => Bsn::parse(&raw.0).map_err(|e| AppError::field("bsn", e.message()))?,
    };
    let st = ctx.state.clone();
    let found = ctx.read(move |c| Ok(crate::households::store::person_by_bsn(c, &st.bsn, &bsn)?)).await?;
    let person = found.ok_or(AppError::NotFound)?;
    ctx.audit.resource(&person.id);
    ctx.audit.person(&person.id);
    Ok(PersonFound { person_id: person.id })
}
