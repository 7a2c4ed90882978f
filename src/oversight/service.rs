//! Privacy supervision's use cases: scanning the log for suspicious access (on request for a period, and every day
//! by the jobs), the findings' workflow, and the log reviews. Privacy officers only; every request audited.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, DayContext, Judgement, Kind, Status, Step};
use super::store::{self, Change, FindingRow, ReviewRow};
use crate::access::{Action, Resource};
use crate::calendar::{start_of_day, WorkCalendar};
use crate::db::{new_id, now, write_tx, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::input::Id;
use crate::privacy::service::AuditEventView;
use crate::rules::PrivacyRules;
use crate::state::{AppState, Ctx, Effect};

/// Days one scan on request covers at most.
pub const MAX_SCAN_DAYS: i64 = 31;

#[derive(Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    pub days: i64,
    /// Findings the scan found (also those found before).
    pub found: usize,
    /// Of those, the ones not recorded before.
    pub new: usize,
}

/// The findings of these Dutch days, recorded once each. The search rule of a day waits until its follow-up hours
/// have passed (a later scan finds it then).
pub fn scan_days(
    conn: &mut DbConn,
    rules: &PrivacyRules,
    cal: &WorkCalendar,
    days: impl IntoIterator<Item = NaiveDate>,
    at: NaiveDateTime,
) -> AppResult<ScanReport> {
    let mut report = ScanReport::default();
    let follow = Duration::hours(rules.search_follow_up_hours);
    for day in days {
        let (from, to) = (start_of_day(day).naive_utc(), start_of_day(day + Duration::days(1)).naive_utc());
        let events = store::events_between(conn, from, to)?;
        let after = if to + follow <= at { Some(store::events_between(conn, to, to + follow)?) } else { None };
        let found_persons: Vec<String> = events
            .iter()
            .filter(|e| e.is_search())
            .flat_map(|e| e.person_ids.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (mut watch, watched_persons) = registers_on(conn, &events, from, to)?;
        let persons: Vec<String> =
            found_persons.into_iter().chain(watched_persons).collect::<BTreeSet<_>>().into_iter().collect();
        let households_of = store::households_of(conn, &persons)?;
        if !watch.own.is_empty() {
            // The households the linked users touched through the persons their events name.
            let mut touched: BTreeSet<String> = watch.facts.keys().cloned().collect();
            touched.extend(households_of.values().flatten().cloned());
            let missing: Vec<String> = touched.into_iter().filter(|h| !watch.facts.contains_key(h)).collect();
            watch.facts.extend(store::household_facts(conn, &missing)?);
        }
        let history = history(conn, &events, day, rules)?;
        let cx =
            DayContext { history: &history, after: after.as_deref(), households_of: &households_of, watch: &watch };
        let found = model::find_in_day(day, &events, &cx, rules, cal);
        report.found += found.len();
        report.new += write_tx(conn, |c| Ok::<_, AppError>(store::record(c, &found, at)?))?;
        report.days += 1;
    }
    let today = model::dutch_day(at);
    let mut late = Vec::new();
    for (id, user, started, expires) in store::unreviewed_break_glass(conn)? {
        let started_day = model::dutch_day(started);
        if cal.add_working_days(started_day, rules.break_glass_review_working_days) < today {
            let events = store::break_glass_events(conn, &id, started, expires)?;
            late.extend(model::break_glass_unreviewed(&id, &user, started_day, today, events, rules, cal));
        }
    }
    report.found += late.len();
    report.new += write_tx(conn, |c| Ok::<_, AppError>(store::record(c, &late, at)?))?;
    Ok(report)
}

/// The registers as they were on the day (own-household links and protected persons in force at some moment of
/// it), with what the rules need to apply them: for the users with a link, the households their events touched by
/// household and by case, and the persons they named (whose households the caller adds); for the protected
/// persons, their households and those households' cases.
fn registers_on(
    conn: &mut DbConn,
    events: &[model::Event],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<(model::Watch, Vec<String>)> {
    let mut w = model::Watch { own: store::own_links_in(conn, from, to)?, ..Default::default() };
    let mut named = Vec::new();
    if !w.own.is_empty() {
        let theirs: Vec<&model::Event> = events.iter().filter(|e| w.own.contains_key(&e.user_id)).collect();
        let cases: Vec<String> =
            theirs.iter().filter_map(|e| e.case_id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        w.case_households = store::case_households(conn, &cases)?;
        let homes: BTreeSet<String> =
            theirs.iter().filter_map(|e| e.household_id.clone()).chain(w.case_households.values().cloned()).collect();
        w.facts = store::household_facts(conn, &homes.into_iter().collect::<Vec<_>>())?;
        named = theirs.iter().flat_map(|e| e.person_ids.iter().cloned()).collect();
    }
    let protected = store::protected_in(conn, from, to)?;
    if !protected.is_empty() {
        let homes: BTreeSet<String> = store::households_of(conn, &protected)?.into_values().flatten().collect();
        let homes: Vec<String> = homes.into_iter().collect();
        w.protected_cases = store::cases_of(conn, &homes)?.into_iter().collect();
        w.protected_households = homes.into_iter().collect();
        w.protected_persons = protected.into_iter().collect();
    }
    Ok((w, named))
}

/// The distinct households per worked day in the 30 days before `day`, for the users who touched more households
/// that day than the smallest threshold their own median could give (the others cannot be found by it).
fn history(
    conn: &mut DbConn,
    events: &[model::Event],
    day: NaiveDate,
    rules: &PrivacyRules,
) -> AppResult<HashMap<String, Vec<i64>>> {
    let mut per_user: HashMap<&str, Vec<&model::Event>> = HashMap::new();
    for e in events {
        per_user.entry(e.user_id.as_str()).or_default().push(e);
    }
    let busy: Vec<&str> = per_user
        .iter()
        .filter(|(_, evs)| model::distinct_households(evs.iter().copied()) > rules.median_factor)
        .map(|(u, _)| *u)
        .collect();
    if busy.is_empty() {
        return Ok(HashMap::new());
    }
    let from = start_of_day(day - Duration::days(30)).naive_utc();
    let before = store::events_between(conn, from, start_of_day(day).naive_utc())?;
    let mut days: HashMap<(String, NaiveDate), Vec<model::Event>> = HashMap::new();
    for e in before.into_iter().filter(|e| busy.contains(&e.user_id.as_str())) {
        days.entry((e.user_id.clone(), model::dutch_day(e.at))).or_default().push(e);
    }
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for ((user, _), evs) in days {
        let n = model::distinct_households(evs.iter());
        if n > 0 {
            out.entry(user).or_default().push(n);
        }
    }
    Ok(out)
}

/// The jobs' daily scan, once a day on one node (the others find today claimed): yesterday, and the day before
/// (whose searches' follow-up hours have passed by now). `None` when it ran today already.
pub async fn scan_daily(state: &actix_web::web::Data<AppState>) -> AppResult<Option<ScanReport>> {
    let st = state.clone();
    crate::state::db(state, move |c| {
        let at = now();
        let today = model::dutch_day(at);
        let claimed =
            write_tx(c, |c| Ok::<_, AppError>(crate::escalations::store::claim_daily(c, "privacy_scan", today)?))?;
        if !claimed {
            return Ok(None);
        }
        let days = [today - Duration::days(2), today - Duration::days(1)];
        scan_days(c, &st.rules.privacy, &st.rules.calendar, days, at).map(Some)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanRequest {
    /// Dutch calendar days, both inclusive; at most 31.
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// Scans the days of the period now (privacy officer), as the daily job does.
pub async fn scan(ctx: &Ctx, input: ScanRequest) -> AppResult<ScanReport> {
    ctx.state.access.decide(&ctx.principal, Resource::AccessFinding, Action::Create, &ctx.audit)?;
    let mut errors = Vec::new();
    let today = model::dutch_day(now());
    match (input.from, input.to) {
        (Some(from), Some(to)) => {
            if to < from {
                errors.push(FieldError::new("to", "must not be before from"));
            } else if (to - from).num_days() >= MAX_SCAN_DAYS {
                errors.push(FieldError::new("to", "at most 31 days"));
            }
            if to > today {
                errors.push(FieldError::new("to", "must not be in the future"));
            }
        }
        (from, to) => {
            if from.is_none() {
                errors.push(FieldError::new("from", "is required"));
            }
            if to.is_none() {
                errors.push(FieldError::new("to", "is required"));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (from, to) = (input.from.unwrap_or(today), input.to.unwrap_or(today));
    let st = ctx.state.clone();
    // Not under the audit writer's lock: the scan reads a day of the log at a time and records what it found in a
    // short transaction per day, as the daily job does; the findings are derived from the log, and the request's own
    // event (what was scanned) is written before the answer, as for a read.
    ctx.read(move |c| {
        let days = (0..=(to - from).num_days()).map(|i| from + Duration::days(i));
        scan_days(c, &st.rules.privacy, &st.rules.calendar, days, now())
    })
    .await
}

/// A finding as the API shows it: what was found, about whom (the employee), the figure against its threshold, its
/// workflow; never a client's data (the events say whose data by id).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub id: String,
    /// `no_basis`, `off_hours`, `many_households`, `denials`, `unfollowed_search`, `break_glass_unreviewed`,
    /// `own_household`, `protected_person`.
    pub kind: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    /// The Dutch day it happened (for break-glass: the day the use began).
    pub day: NaiveDate,
    pub figure: i64,
    pub threshold: i64,
    pub status: String,
    pub assigned_to: Option<String>,
    pub assigned_to_name: Option<String>,
    pub judgement: Option<String>,
    pub judgement_note: Option<String>,
    pub judged_by: Option<String>,
    pub judged_at: Option<chrono::DateTime<Utc>>,
    pub closed_at: Option<chrono::DateTime<Utc>>,
    pub found_at: chrono::DateTime<Utc>,
    pub event_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: Finding,
    /// The events the finding is about, oldest first.
    pub events: Vec<AuditEventView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingList {
    pub items: Vec<Finding>,
}

fn views(c: &mut DbConn, rows: Vec<FindingRow>) -> AppResult<Vec<Finding>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = store::event_counts(c, &ids)?;
    let people: Vec<String> = rows.iter().flat_map(|r| [r.user_id.clone(), r.assigned_to.clone()]).flatten().collect();
    let names = store::user_names(c, &people)?;
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    Ok(rows
        .into_iter()
        .map(|r| Finding {
            event_count: counts.get(&r.id).copied().unwrap_or(0),
            user_name: name(&r.user_id),
            assigned_to_name: name(&r.assigned_to),
            id: r.id,
            kind: r.kind,
            user_id: r.user_id,
            day: r.day,
            figure: r.figure,
            threshold: r.threshold,
            status: r.status,
            assigned_to: r.assigned_to,
            judgement: r.judgement,
            judgement_note: r.judgement_note,
            judged_by: r.judged_by,
            judged_at: r.judged_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            found_at: r.found_at.and_utc(),
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    /// `open`, `assigned`, `judged` or `closed`.
    pub status: Option<String>,
    pub kind: Option<String>,
}

/// The findings, newest day first (at most 1,000).
pub async fn list(ctx: &Ctx, q: FindingQuery) -> AppResult<FindingList> {
    ctx.state.access.decide(&ctx.principal, Resource::AccessFinding, Action::List, &ctx.audit)?;
    let mut errors = Vec::new();
    if q.status.as_deref().is_some_and(|s| Status::parse(s).is_none()) {
        errors.push(FieldError::new("status", "must be open, assigned, judged or closed"));
    }
    if q.kind.as_deref().is_some_and(|k| Kind::parse(k).is_none()) {
        errors.push(FieldError::new("kind", "is not a kind of finding"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    ctx.read(move |c| {
        let rows = store::findings(c, q.status.as_deref(), q.kind.as_deref())?;
        Ok(FindingList { items: views(c, rows)? })
    })
    .await
}

/// One finding with its events.
pub async fn get(ctx: &Ctx, id: Id) -> AppResult<FindingDetail> {
    ctx.state.access.decide(&ctx.principal, Resource::AccessFinding, Action::Read, &ctx.audit)?;
    ctx.audit.resource(id.as_str());
    let audit = ctx.audit.clone();
    ctx.read(move |c| detail(c, &id, &audit)).await
}

/// A finding with its events. The persons the events name are what the privacy officer sees (by id): the request's
/// event names them.
fn detail(c: &mut DbConn, id: &Id, audit: &crate::audit::AuditRecord) -> AppResult<FindingDetail> {
    let row = store::finding(c, id.as_str())?.ok_or(AppError::NotFound)?;
    let events: Vec<AuditEventView> = store::finding_events(c, id.as_str())?.into_iter().map(Into::into).collect();
    audit.persons(events.iter().flat_map(|e| e.event.person_ids.iter().cloned()));
    let finding = views(c, vec![row])?.pop().ok_or(AppError::NotFound)?;
    Ok(FindingDetail { finding, events })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepInput {
    /// For `assign`: the privacy officer who takes it on.
    pub assignee_id: Option<String>,
    /// For `judge`: `justified`, `not_justified` or `needs_follow_up`.
    pub judgement: Option<String>,
    /// For `judge`: why; required unless justified. At most 2,000 characters.
    pub note: Option<String>,
}

/// A step of the workflow. A step the finding's status does not allow, or one another officer's step overtook, is
/// 409 and changes nothing.
pub async fn step(ctx: &Ctx, id: Id, step: Step, input: StepInput) -> AppResult<FindingDetail> {
    ctx.state.access.decide(&ctx.principal, Resource::AccessFinding, Action::Update, &ctx.audit)?;
    ctx.audit.resource(id.as_str());
    let mut errors = Vec::new();
    let note = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        errors.push(FieldError::new("note", "must be at most 2000 characters"));
    }
    if let Some(n) = &note {
        if crate::input::has_forbidden_char(n) {
            errors.push(FieldError::new("note", crate::input::FORBIDDEN_CHAR));
        }
    }
    let judgement = match step {
        Step::Judge => match input.judgement.as_deref().map(Judgement::parse) {
            Some(Some(j)) => {
                if j != Judgement::Justified && note.is_none() {
                    errors.push(FieldError::new("note", "say why"));
                }
                Some(j)
            }
            Some(None) => {
                errors.push(FieldError::new("judgement", "must be justified, not_justified or needs_follow_up"));
                None
            }
            None => {
                errors.push(FieldError::new("judgement", "is required"));
                None
            }
        },
        _ => None,
    };
    let assignee = match step {
        Step::Assign => match input.assignee_id.as_deref().map(Id::parse) {
            Some(Some(a)) => Some(a),
            Some(None) => {
                errors.push(FieldError::new("assigneeId", crate::input::NOT_AN_ID));
                None
            }
            None => {
                errors.push(FieldError::new("assigneeId", "is required"));
                None
            }
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let me = ctx.principal.user_id.clone();
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let row = store::finding(c, id.as_str())?.ok_or(AppError::NotFound)?;
        let from = Status::parse(&row.status).unwrap_or(Status::Closed);
        let to = model::next(from, step)
            .ok_or_else(|| AppError::Conflict(format!("A finding that is {} cannot take this step", from.as_str())))?;
        if let Some(a) = &assignee {
            if !store::is_active_privacy_officer(c, a.as_str())? {
                return Err(AppError::field("assigneeId", "is not an active privacy officer"));
            }
        }
        let at = now();
        let change = Change {
            from_status: from.as_str(),
            status: to.as_str(),
            assigned_to: assignee.as_ref().map(|a| a.as_str()),
            judgement: judgement.map(|j| (j.as_str(), note.as_deref(), me.as_str(), at)),
            closed: (step == Step::Close).then_some((me.as_str(), at)),
        };
        if !store::change(c, id.as_str(), &change)? {
            return Err(AppError::Conflict("Someone else changed this finding; reload it".into()));
        }
        detail(c, &id, &cx.audit)
    })
    .await
}

// Log reviews

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewReview {
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::input::date::opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// How the log was reviewed (the findings scan, a sample of users, …).
    pub method: Option<String>,
    /// What was looked at.
    pub sample: Option<String>,
    pub findings: Option<String>,
    pub follow_up: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: String,
    pub reviewer_id: String,
    pub reviewer_name: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub method: String,
    pub sample: String,
    pub findings: String,
    pub follow_up: String,
    pub recorded_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewList {
    pub items: Vec<Review>,
    /// When the last review was recorded.
    pub last_recorded_at: Option<chrono::DateTime<Utc>>,
    /// No review recorded within `reviewEveryDays`: the workbench warns.
    pub overdue: bool,
    pub review_every_days: i64,
}

fn review_views(c: &mut DbConn, rows: Vec<ReviewRow>) -> AppResult<Vec<Review>> {
    let ids: Vec<String> = rows.iter().map(|r| r.reviewer_id.clone()).collect();
    let names = store::user_names(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Review {
            reviewer_name: names.get(&r.reviewer_id).cloned(),
            id: r.id,
            reviewer_id: r.reviewer_id,
            from: r.period_from,
            to: r.period_to,
            method: r.method,
            sample: r.sample,
            findings: r.findings,
            follow_up: r.follow_up,
            recorded_at: r.recorded_at.and_utc(),
        })
        .collect())
}

pub async fn reviews(ctx: &Ctx) -> AppResult<ReviewList> {
    ctx.state.access.decide(&ctx.principal, Resource::LogReview, Action::List, &ctx.audit)?;
    let every = ctx.state.rules.privacy.review_every_days;
    ctx.read(move |c| {
        let rows = store::reviews(c)?;
        let items = review_views(c, rows)?;
        let last = items.first().map(|r| r.recorded_at);
        let today = model::dutch_day(now());
        let overdue = model::review_due(last.map(|t| model::dutch_day(t.naive_utc())), today, every);
        Ok(ReviewList { items, last_recorded_at: last, overdue, review_every_days: every })
    })
    .await
}

/// Records a log review: every field required, the period not in the future and not backwards.
pub async fn record_review(ctx: &Ctx, input: NewReview) -> AppResult<Review> {
    ctx.state.access.decide(&ctx.principal, Resource::LogReview, Action::Create, &ctx.audit)?;
    let mut errors = Vec::new();
    let today = model::dutch_day(now());
    for (field, value) in [("from", input.from), ("to", input.to)] {
        match value {
            None => errors.push(FieldError::new(field, "is required")),
            Some(d) if d > today => errors.push(FieldError::new(field, "must not be in the future")),
            Some(_) => {}
        }
    }
    if let (Some(f), Some(t)) = (input.from, input.to) {
        if t < f {
            errors.push(FieldError::new("to", "must not be before from"));
        }
    }
    let mut text = |field: &str, v: &Option<String>| -> String {
        let t = v.as_deref().map(str::trim).unwrap_or_default().to_string();
        if t.is_empty() {
            errors.push(FieldError::new(field, "is required"));
        } else if t.chars().count() > 4000 {
            errors.push(FieldError::new(field, "must be at most 4000 characters"));
        } else if crate::input::has_forbidden_char(&t) {
            errors.push(FieldError::new(field, crate::input::FORBIDDEN_CHAR));
        }
        t
    };
    let method = text("method", &input.method);
    let sample = text("sample", &input.sample);
    let findings = text("findings", &input.findings);
    let follow_up = text("followUp", &input.follow_up);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let row = ReviewRow {
        id: new_id(),
        reviewer_id: ctx.principal.user_id.clone(),
        period_from: input.from.unwrap_or(today),
        period_to: input.to.unwrap_or(today),
        method,
        sample,
        findings,
        follow_up,
        recorded_at: now(),
    };
    ctx.audit.resource(&row.id);
    ctx.write(Effect::Created, move |c| {
        store::insert_review(c, &row)?;
        review_views(c, vec![row])?.pop().ok_or(AppError::NotFound)
    })
    .await
}

// The registers the scan reads: an employee's own household (administrator) and persons needing extra protection
// (privacy officer). Ending an entry keeps it, with who ended it and when.

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOwnHousehold {
    /// The employee's address (postcode and house number together), a surname, or both.
    pub postcode: Option<String>,
    pub house_number: Option<i32>,
    pub house_number_addition: Option<String>,
    /// A surname of the employee's household ("de Boer"): households with a member of that surname are matched.
    pub surname: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnHousehold {
    pub id: String,
    pub user_id: String,
    pub postcode: Option<String>,
    pub house_number: Option<i32>,
    pub house_number_addition: Option<String>,
    pub surname: Option<String>,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<Utc>,
    pub ended_at: Option<chrono::DateTime<Utc>>,
}

impl From<store::OwnHouseholdRow> for OwnHousehold {
    fn from(r: store::OwnHouseholdRow) -> Self {
        OwnHousehold {
            id: r.id,
            user_id: r.user_id,
            postcode: r.postcode,
            house_number: r.house_number,
            house_number_addition: r.house_number_addition,
            surname: r.surname,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at.and_utc(),
            ended_at: r.ended_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnHouseholdList {
    pub items: Vec<OwnHousehold>,
}

fn user_exists(c: &mut DbConn, user: &str) -> AppResult<()> {
    store::user_names(c, &[user.to_string()])?.get(user).map(|_| ()).ok_or(AppError::NotFound)
}

/// A user's own-household links, those in force first (administrator; privacy officer to judge a finding).
pub async fn own_households(ctx: &Ctx, user: Id) -> AppResult<OwnHouseholdList> {
    ctx.state.access.decide(&ctx.principal, Resource::OwnHousehold, Action::List, &ctx.audit)?;
    ctx.audit.resource(user.as_str());
    ctx.read(move |c| {
        user_exists(c, user.as_str())?;
        Ok(OwnHouseholdList {
            items: store::own_households_of(c, user.as_str())?.into_iter().map(OwnHousehold::from).collect(),
        })
    })
    .await
}

/// Registers a household of the employee's own (at their request): an address, a surname, or both.
pub async fn add_own_household(ctx: &Ctx, user: Id, input: NewOwnHousehold) -> AppResult<OwnHousehold> {
    ctx.state.access.decide(&ctx.principal, Resource::OwnHousehold, Action::Create, &ctx.audit)?;
    ctx.audit.resource(user.as_str());
    let mut v = crate::error::Validator::new();
    let postcode = v.text(&input.postcode, "postcode", 10);
    let postcode = postcode.and_then(|p| {
        let normal = crate::households::service::normalise_postcode(&p);
        v.check(normal.is_some(), "postcode", "must be a Dutch postcode like 2711AB");
        normal
    });
    if let Some(n) = input.house_number {
        v.check((1..=99_999).contains(&n), "houseNumber", "must be between 1 and 99999");
    }
    let addition = v.text(&input.house_number_addition, "houseNumberAddition", 10);
    let surname = v.text(&input.surname, "surname", 100);
    match (input.postcode.as_deref().map(str::trim).filter(|p| !p.is_empty()), input.house_number) {
        (Some(_), None) => v.add("houseNumber", "is required with a postcode"),
        (None, Some(_)) => v.add("postcode", "is required with a house number"),
        (None, None) if surname.is_none() => {
            v.add("postcode", "an address or a surname is required");
            v.add("surname", "an address or a surname is required");
        }
        _ => {}
    }
    if addition.is_some() && input.house_number.is_none() {
        v.add("houseNumberAddition", "is only possible with a house number");
    }
    v.finish()?;
    let row = store::OwnHouseholdRow {
        id: new_id(),
        user_id: user.as_str().to_string(),
        postcode,
        house_number: input.house_number,
        house_number_addition: addition,
        surname,
        recorded_by: ctx.principal.user_id.clone(),
        recorded_at: now(),
        ended_by: None,
        ended_at: None,
    };
    ctx.write(Effect::Created, move |c| {
        user_exists(c, &row.user_id)?;
        store::insert_own_household(c, &row)?;
        Ok(OwnHousehold::from(row))
    })
    .await
}

/// Ends a link in force; a link of another user is 404, one ended already 409.
pub async fn end_own_household(ctx: &Ctx, user: Id, link: Id) -> AppResult<OwnHousehold> {
    ctx.state.access.decide(&ctx.principal, Resource::OwnHousehold, Action::Update, &ctx.audit)?;
    ctx.audit.resource(user.as_str());
    let me = ctx.principal.user_id.clone();
    ctx.write(Effect::Changed, move |c| {
        let row = store::own_household(c, link.as_str())?.filter(|r| r.user_id == user.as_str());
        row.ok_or(AppError::NotFound)?;
        if !store::end_own_household(c, link.as_str(), &me, now())? {
            return Err(AppError::Conflict("This link has ended already".into()));
        }
        store::own_household(c, link.as_str())?.map(OwnHousehold::from).ok_or(AppError::NotFound)
    })
    .await
}

/// Why a person needs extra protection.
pub const PROTECTION_REASONS: [&str; 3] = ["well_known", "colleague", "other"];

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProtection {
    /// The person, as the person search (`POST /api/v1/audit/persons/search`) found them.
    pub person_id: Option<String>,
    /// `well_known`, `colleague` or `other`.
    pub reason: Option<String>,
    /// At most 1,000 characters; required when the reason is `other`.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Protection {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub reason: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<Utc>,
    pub ended_at: Option<chrono::DateTime<Utc>>,
}

fn protection_view(r: store::ProtectionRow, person_name: String) -> Protection {
    Protection {
        id: r.id,
        person_id: r.person_id,
        person_name,
        reason: r.reason,
        note: r.note,
        recorded_by: r.recorded_by,
        recorded_at: r.recorded_at.and_utc(),
        ended_at: r.ended_at.map(|t| t.and_utc()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProtectionList {
    pub items: Vec<Protection>,
}

fn person_name(c: &mut DbConn, person: &str) -> AppResult<String> {
    crate::privacy::store::person_name(c, person)?.ok_or(AppError::NotFound)
}

/// The persons under extra protection now, newest first.
pub async fn protections(ctx: &Ctx) -> AppResult<ProtectionList> {
    ctx.state.access.decide(&ctx.principal, Resource::ProtectedPerson, Action::List, &ctx.audit)?;
    let audit = ctx.audit.clone();
    ctx.read(move |c| {
        let rows = store::protections_in_force(c)?;
        for (r, _) in &rows {
            audit.person(&r.person_id);
        }
        Ok(ProtectionList { items: rows.into_iter().map(|(r, name)| protection_view(r, name)).collect() })
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonProtections {
    pub person_id: String,
    pub person_name: String,
    /// The protection in force first, then those ended, newest first.
    pub items: Vec<Protection>,
}

/// One person's protections, the one in force first.
pub async fn protections_of(ctx: &Ctx, person: Id) -> AppResult<PersonProtections> {
    ctx.state.access.decide(&ctx.principal, Resource::ProtectedPerson, Action::List, &ctx.audit)?;
    ctx.audit.person(person.as_str());
    ctx.read(move |c| {
        let name = person_name(c, person.as_str())?;
        let rows = store::protections_of(c, person.as_str())?;
        let items = rows.into_iter().map(|r| protection_view(r, name.clone())).collect();
        Ok(PersonProtections { person_id: person.into_string(), person_name: name, items })
    })
    .await
}

/// Places a person under extra protection; one already under it is 409, an unknown person 404.
pub async fn protect(ctx: &Ctx, input: NewProtection) -> AppResult<Protection> {
    ctx.state.access.decide(&ctx.principal, Resource::ProtectedPerson, Action::Create, &ctx.audit)?;
    let mut v = crate::error::Validator::new();
    let person = v.id(&input.person_id, "personId");
    let reason = v.required(&input.reason, "reason").cloned();
    if let Some(r) = &reason {
        v.check(PROTECTION_REASONS.contains(&r.as_str()), "reason", "must be well_known, colleague or other");
    }
    let note = v.text(&input.note, "note", 1000);
    if reason.as_deref() == Some("other") && note.is_none() {
        v.add("note", "is required when the reason is other");
    }
    v.finish()?;
    let (Some(person), Some(reason)) = (person, reason) else { return Err(AppError::internal("validated")) };
    ctx.audit.person(person.as_str());
    let row = store::ProtectionRow {
        id: new_id(),
        person_id: person.as_str().to_string(),
        reason,
        note,
        recorded_by: ctx.principal.user_id.clone(),
        recorded_at: now(),
        ended_by: None,
        ended_at: None,
    };
    ctx.audit.resource(&row.id);
    ctx.write(Effect::Created, move |c| {
        let name = person_name(c, &row.person_id)?;
        if store::protections_of(c, &row.person_id)?.iter().any(|p| p.ended_at.is_none()) {
            return Err(AppError::Conflict("This person is under extra protection already".into()));
        }
        store::insert_protection(c, &row)?;
        Ok(protection_view(row, name))
    })
    .await
}

/// Ends a protection in force; one ended already is 409.
pub async fn end_protection(ctx: &Ctx, id: Id) -> AppResult<Protection> {
    ctx.state.access.decide(&ctx.principal, Resource::ProtectedPerson, Action::Update, &ctx.audit)?;
    ctx.audit.resource(id.as_str());
    let me = ctx.principal.user_id.clone();
    let audit = ctx.audit.clone();
    ctx.write(Effect::Changed, move |c| {
        let row = store::protection(c, id.as_str())?.ok_or(AppError::NotFound)?;
        audit.person(&row.person_id);
        if !store::end_protection(c, id.as_str(), &me, now())? {
            return Err(AppError::Conflict("This protection has ended already".into()));
        }
        let name = person_name(c, &row.person_id)?;
        store::protection(c, id.as_str())?.map(|r| protection_view(r, name)).ok_or(AppError::NotFound)
    })
    .await
}
