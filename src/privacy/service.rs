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
    /// The processing activity of the register the event belongs to (`GET /api/v1/audit/register`).
    pub processing_activity: &'static str,
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
        let processing_activity = crate::audit::model::processing_activity(&s.data);
        AuditEventView { event: s.data, chain_id: s.link.chain_id, chain_seq: s.link.chain_seq, processing_activity }
    }
}

/// The filter of a query, checked (all field errors at once) and recorded in the reader's own audit event: what the
/// privacy officer looked for.
fn event_filter(ctx: &Ctx, q: EventQuery, limit: i64) -> AppResult<EventFilter> {
    let mut errors = Vec::new();
    let before_id = match &q.after {
        None => None,
        Some(a) => match a.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("after", "is not a cursor from this list"));
                None
            }
        },
    };
    if q.outcome.as_deref().is_some_and(|o| o != "allowed" && o != "denied") {
        errors.push(FieldError::new("outcome", "must be allowed or denied"));
    }
    if q.action.as_deref().is_some_and(|a| a.is_empty() || a.len() > 100) {
        errors.push(FieldError::new("action", "must be 1 to 100 characters"));
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            errors.push(FieldError::new("to", "must be after from"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if let Some(case) = &q.case_id {
        ctx.audit.case(case.as_str());
    }
    if let Some(household) = &q.household_id {
        ctx.audit.household(household.as_str());
    }
    ctx.audit.persons(q.person_id.iter().map(|p| p.as_str().to_string()));
    if let Some(user) = &q.user_id {
        ctx.audit.resource(user.as_str());
    }
    Ok(EventFilter {
        user_id: q.user_id.map(Id::into_string),
        person_id: q.person_id.map(Id::into_string),
        case_id: q.case_id.map(Id::into_string),
        household_id: q.household_id.map(Id::into_string),
        action: q.action,
        outcome: q.outcome,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        before_id,
        limit,
    })
}

/// The events matching the query, newest first. The cursor is the row id (the log's own order).
pub async fn list_events(ctx: &Ctx, q: EventQuery) -> AppResult<AuditEventPage> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::List, &ctx.audit)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let filter = event_filter(ctx, q, limit + 1)?;
    let rows = ctx.read(move |c| Ok(crate::audit::store::list(c, &filter)?)).await?;
    let page = crate::paging::page(rows, limit, |r| r.id.to_string());
    Ok(AuditEventPage { items: page.items.into_iter().map(Into::into).collect(), next: page.next })
}

/// Most events one CSV export holds.
pub const EXPORT_LIMIT: i64 = 50_000;

const EXPORT_HEADER: [&str; 18] = [
    "occurredAt",
    "eventId",
    "userId",
    "userName",
    "role",
    "organisationId",
    "action",
    "resourceType",
    "resourceId",
    "caseId",
    "householdId",
    "basis",
    "basisId",
    "emergency",
    "outcome",
    "httpStatus",
    "processingActivity",
    "reason",
];

/// The events matching the query as CSV (NEN 7513's export), newest first; more than `EXPORT_LIMIT` is refused with
/// the period to shorten. The person ids an event names are not in it (the export is by employee, case or day);
/// audited as `audit_event.export`.
pub async fn export_events(ctx: &Ctx, mut q: EventQuery) -> AppResult<String> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::List, &ctx.audit)?;
    ctx.audit.action("audit_event.export", Resource::AuditEvent.as_str());
    q.after = None;
    let filter = event_filter(ctx, q, EXPORT_LIMIT + 1)?;
    let rows = ctx.read(move |c| Ok(crate::audit::store::list(c, &filter)?)).await?;
    if rows.len() as i64 > EXPORT_LIMIT {
        return Err(AppError::field("from", "more than 50,000 events: choose a shorter period"));
    }
    let lines = rows.into_iter().map(|r| {
        let v = AuditEventView::from(r);
        let e = v.event;
        let (basis, basis_id) = match &e.basis {
            Some(b) => (b.kind(), b.id().unwrap_or_default().to_string()),
            None => (String::new(), String::new()),
        };
        vec![
            e.occurred_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            e.event_id,
            e.user_id.unwrap_or_default(),
            e.user_name.unwrap_or_default(),
            e.role.unwrap_or_default(),
            e.organisation_id.unwrap_or_default(),
            e.action,
            e.resource_type,
            e.resource_id.unwrap_or_default(),
            e.case_id.unwrap_or_default(),
            e.household_id.unwrap_or_default(),
            basis,
            basis_id,
            e.flagged.to_string(),
            e.outcome,
            e.http_status.map(|s| s.to_string()).unwrap_or_default(),
            v.processing_activity.to_string(),
            e.reason.unwrap_or_default(),
        ]
    });
    Ok(model::csv(&EXPORT_HEADER, lines.collect::<Vec<_>>()))
}

const REGISTER: &str = include_str!("../../policies/processing_register.toml");

/// The register of processing activities (AVG art. 30), from `policies/processing_register.toml`; privacy officers.
pub fn register(ctx: &Ctx) -> AppResult<Vec<model::ProcessingActivity>> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::Read, &ctx.audit)?;
    ctx.audit.action("processing_register.read", Resource::AuditEvent.as_str());
    model::parse_register(REGISTER).map_err(AppError::internal)
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

/// A user the log can be read by (NEN 7513's view per employee).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub organisation: String,
}

/// Every user, active or not, to choose whose accesses to read; privacy officers.
pub async fn employees(ctx: &Ctx) -> AppResult<Vec<Employee>> {
    ctx.state.access.decide(&ctx.principal, Resource::AuditEvent, Action::List, &ctx.audit)?;
    ctx.audit.action("audit_event.employees", Resource::AuditEvent.as_str());
    let rows = ctx.read(|c| Ok(store::employees(c)?)).await?;
    Ok(rows.into_iter().map(|(id, name, organisation)| Employee { id, name, organisation }).collect())
}
