//! Procescoördinatie as use cases: keeping every open case's stuck reasons current, the queue of stuck cases across
//! all teams, and a case's own reasons for those who see it.
//!
//! Every audited change to a case marks it (`db::mark_case_changed`, in the change's transaction); `settle`
//! computes the marked cases again. Readers of stuck reasons settle first, so a change shows at once (a case whose
//! regisseur is accepted leaves the queue with the next read); the daily scan computes every open case again for
//! the rules that start by the passing of time. Computing is idempotent, so nodes may do it at the same time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{self, Reason, ReasonCode};
use super::store::{self, QueueFilter, StuckRow};
use crate::calendar::WorkCalendar;
use crate::db::{now, write_tx, DbConn};
use crate::error::Validator;
use crate::error::{AppError, AppResult};
use crate::rules::StuckRules;
use crate::state::{db, AppState, Ctx};

/// Cases computed per transaction.
const BATCH: i64 = 500;
/// Most rows one queue answer shows.
pub const QUEUE_LIMIT: i64 = 200;

/// Computes these cases again and stores what holds. One transaction that holds the stuck cases' lock while it
/// reads the facts, so whoever computes later reads later facts and no older result overwrites a newer one.
pub fn recompute(
    conn: &mut DbConn,
    ids: &[String],
    rules: &StuckRules,
    cal: &WorkCalendar,
    at: NaiveDateTime,
) -> AppResult<usize> {
    let overdue_from =
        |joined: NaiveDate| cal.add_working_days(joined, crate::signals::model::CONFIRM_WORKING_DAYS + 1);
    write_tx(conn, |c| {
        store::lock_stuck_cases(c)?;
        let cases = store::open_cases(c, ids, at, overdue_from)?;
        let today = at.date();
        let found: Vec<(&store::OpenCase, Vec<Reason>)> = cases
            .iter()
            .map(|case| (case, model::reasons(&case.facts, rules, cal, today)))
            .filter(|(_, r)| !r.is_empty())
            .collect();
        let rows: Vec<StuckRow> = found
            .iter()
            .map(|(case, reasons)| {
                let (organisations, professionals) = case.facts.involved_counts();
                StuckRow { case, reasons, score: model::score(reasons), organisations, professionals }
            })
            .collect();
        store::save(c, ids, &rows, at)?;
        Ok::<_, AppError>(rows.len())
    })
}

/// Computes every marked case again. Returns how many were settled.
pub fn settle(conn: &mut DbConn, rules: &StuckRules, cal: &WorkCalendar) -> AppResult<usize> {
    let mut settled = 0;
    loop {
        let marks = store::marked(conn, BATCH)?;
        if marks.is_empty() {
            return Ok(settled);
        }
        let ids: Vec<String> = marks.iter().map(|(id, _)| id.clone()).collect();
        recompute(conn, &ids, rules, cal, now())?;
        write_tx(conn, |c| Ok::<_, AppError>(store::clear_marks(c, &marks)?))?;
        settled += marks.len();
        if (marks.len() as i64) < BATCH {
            return Ok(settled);
        }
    }
}

/// What one run of the scan did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// False when another node (or an earlier run) scanned today already.
    pub ran: bool,
    pub cases: usize,
    pub stuck: usize,
}

/// Computes every open case again, once a day on one node (the others find today claimed).
pub fn scan_once_a_day(conn: &mut DbConn, rules: &StuckRules, cal: &WorkCalendar) -> AppResult<ScanReport> {
    if !write_tx(conn, |c| Ok::<_, AppError>(store::claim_daily(c, "stuck_scan", now().date())?))? {
        return Ok(ScanReport::default());
    }
    let mut report = scan(conn, rules, cal)?;
    report.ran = true;
    Ok(report)
}

/// Computes every open case again, in batches.
pub fn scan(conn: &mut DbConn, rules: &StuckRules, cal: &WorkCalendar) -> AppResult<ScanReport> {
    let mut report = ScanReport { ran: true, ..ScanReport::default() };
    let mut after = String::new();
    loop {
        let ids = store::open_case_ids(conn, &after, BATCH)?;
        let Some(last) = ids.last().cloned() else { break };
        report.stuck += recompute(conn, &ids, rules, cal, now())?;
        report.cases += ids.len();
        after = last;
    }
    Ok(report)
}

/// Settles the marks and runs the daily scan when it is due: the scheduler's step.
pub async fn keep_current(state: &actix_web::web::Data<AppState>) -> AppResult<ScanReport> {
    let st = state.clone();
    db(state, move |c| {
        settle(c, &st.rules.stuck, &st.rules.calendar)?;
        scan_once_a_day(c, &st.rules.stuck, &st.rules.calendar)
    })
    .await
}

/// A reason as the API shows it: the code, since when, its weight, its figure and what it means in Dutch.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StuckReason {
    pub code: ReasonCode,
    pub since: NaiveDate,
    pub weight: i64,
    pub figure: i64,
}

impl From<Reason> for StuckReason {
    fn from(r: Reason) -> Self {
        StuckReason { code: r.code, since: r.since, weight: r.weight, figure: r.figure }
    }
}

/// A stuck case in the queue: no names, no address beyond the wijk, no content.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueCase {
    pub case_id: String,
    pub team_id: String,
    pub team_name: String,
    pub wijk: String,
    pub score: i64,
    /// The day the first of its reasons began to hold.
    pub since: NaiveDate,
    pub organisations: i64,
    pub professionals: i64,
    pub reasons: Vec<StuckReason>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCount {
    pub code: ReasonCode,
    pub cases: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Queue {
    /// Highest score first, then the longest stuck; at most 200.
    pub cases: Vec<QueueCase>,
    /// All stuck cases, whatever the filter.
    pub total: i64,
    /// Stuck cases per reason, whatever the filter.
    pub per_reason: Vec<ReasonCount>,
    pub generated_at: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this team's cases.
    pub team: Option<String>,
    /// Only cases in this wijk.
    pub wijk: Option<String>,
    /// Only cases with this reason (a reason code).
    pub reason: Option<String>,
}

/// The stuck cases across all teams, for procescoördinatoren. Every read audited (as a list of escalations).
pub async fn queue(ctx: &Ctx, query: QueueQuery) -> AppResult<Queue> {
    ctx.state.access.decide_escalation_queue(&ctx.principal, &ctx.audit)?;
    let mut v = Validator::new();
    if let Some(reason) = &query.reason {
        v.check(ReasonCode::parse(reason).is_some(), "reason", "is not a reason code");
    }
    for (field, value) in [("team", &query.team), ("wijk", &query.wijk)] {
        if let Some(value) = value {
            v.check(!value.trim().is_empty() && value.chars().count() <= 100, field, "must be 1 to 100 characters");
        }
    }
    v.finish()?;
    let st = ctx.state.clone();
    ctx.read(move |c| {
        settle(c, &st.rules.stuck, &st.rules.calendar)?;
        let filter = QueueFilter {
            team_id: query.team.as_deref(),
            wijk: query.wijk.as_deref(),
            reason: query.reason.as_deref(),
            cases: None,
        };
        let rows = store::queue(c, &filter, QUEUE_LIMIT)?;
        let (per_reason, total) = store::counts(c)?;
        let mut per_reason: Vec<ReasonCount> = per_reason
            .into_iter()
            .filter_map(|(code, cases)| ReasonCode::parse(&code).map(|code| ReasonCount { code, cases }))
            .collect();
        per_reason.sort_by_key(|r| r.code);
        let cases = rows
            .into_iter()
            .map(|r| QueueCase {
                reasons: stored_reasons(&r.reasons),
                case_id: r.case_id,
                team_id: r.team_id,
                team_name: r.team_name,
                wijk: r.wijk,
                score: r.score,
                since: r.since,
                organisations: r.organisations,
                professionals: r.professionals,
            })
            .collect();
        Ok(Queue { cases, total, per_reason, generated_at: Utc::now() })
    })
    .await
}

fn stored_reasons(json: &str) -> Vec<StuckReason> {
    #[derive(Deserialize)]
    struct Stored {
        code: String,
        since: NaiveDate,
        weight: i64,
        figure: i64,
    }
    serde_json::from_str::<Vec<Stored>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| {
            ReasonCode::parse(&s.code).map(|code| StuckReason {
                code,
                since: s.since,
                weight: s.weight,
                figure: s.figure,
            })
        })
        .collect()
}

/// Why one case is stuck ("waarom zit dit vast?"): for everyone who sees the case (its summary is enough), by
/// the case read's own decision; 404 otherwise. Empty when it is not stuck.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseStuck {
    pub case_id: String,
    pub score: i64,
    pub reasons: Vec<StuckReason>,
}

pub async fn case_stuck(ctx: &Ctx, case_id: String) -> AppResult<CaseStuck> {
    use crate::access::{Action, Resource};
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&case_id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        crate::cases::service::decide_case_in(c, &cx, &case_id)?;
        settle(c, &cx.state.rules.stuck, &cx.state.rules.calendar)?;
        let reasons = store::case_reasons(c, &case_id)?.map(|j| stored_reasons(&j)).unwrap_or_default();
        Ok(CaseStuck { score: reasons.iter().map(|r| r.weight).sum(), reasons, case_id })
    })
    .await
}

/// A case's stored reasons after settling the marks, on a connection whose caller has decided the case read
/// already (the case page's one use case: whoever sees the case may see why it is stuck). Empty when not stuck.
pub fn stuck_reasons_in(
    c: &mut DbConn,
    rules: &StuckRules,
    cal: &WorkCalendar,
    case_id: &str,
) -> AppResult<Vec<StuckReason>> {
    settle(c, rules, cal)?;
    Ok(store::case_reasons(c, case_id)?.map(|j| stored_reasons(&j)).unwrap_or_default())
}
