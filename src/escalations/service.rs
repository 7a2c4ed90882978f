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
    /// The ladder's run (every time; its raise once a day).
    pub ladder: LadderReport,
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
        let mut report = scan_once_a_day(c, &st.rules.stuck, &st.rules.calendar)?;
        report.ladder = run_ladder(c, &st.rules, now())?;
        if report.ran || report.ladder.raised > 0 {
            store::analyze_stuck_cases(c)?;
        }
        Ok(report)
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
    /// The level of its open escalation; null when none is open.
    pub level: Option<i64>,
    /// Its open escalation; null when none is open.
    pub escalation_id: Option<String>,
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
    /// Only cases whose open escalation is at this level (1 to 3); 0: only those without an open escalation.
    pub level: Option<i64>,
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
    if let Some(level) = query.level {
        v.check((0..=super::ladder::TOP).contains(&level), "level", "must be 0 (none), 1, 2 or 3");
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
            level: query.level,
        };
        let rows = store::queue(c, &filter, QUEUE_LIMIT)?;
        let ids: Vec<String> = rows.iter().map(|r| r.case_id.clone()).collect();
        let open: std::collections::HashMap<String, (i64, String)> =
            ladder_store::open_levels(c, &ids)?.into_iter().map(|(case, level, id)| (case, (level, id))).collect();
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
                level: open.get(&r.case_id).map(|(level, _)| *level),
                escalation_id: open.get(&r.case_id).map(|(_, id)| id.clone()),
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

/// The open escalation of a case (id, level), on a connection whose case read was allowed: those who see the case
/// read its escalation (`decide_read_escalation`), except break-glass readers, whom the page leaves out.
pub fn open_escalation_in(c: &mut DbConn, case_id: &str) -> AppResult<Option<(String, i64)>> {
    Ok(ladder_store::open_for_case(c, case_id)?.map(|e| (e.id, e.level)))
}

// The escalation ladder: raising, reading, answering, adopting, the adopter's acts and closing (API), and the job
// that raises and rises on time.

use super::ladder::{self, Addressee, Rung};
use super::ladder_store::{self, Closing, EscalationRow, ListScope, NewEscalation};
use crate::access::escalations::{EscalationActs, EscalationRef, EscalationScope};
use crate::cases::store::{self as case_store, CaseRow, NewInvolvement};
use crate::error::conflict_on_unique;
use crate::notify::model::Template;
use crate::rules::Rules;
use crate::state::Effect;

/// Longest reason a hand-raiser gives.
pub const MAX_REASON: usize = 500;
/// Longest agreement, decision or closing note.
pub const MAX_TEXT: usize = 2000;
/// Most escalations one list shows.
pub const LIST_LIMIT: i64 = 200;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RaiseEscalation {
    /// Why, in a few words (at most 500 characters).
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationText {
    /// At most 2000 characters.
    pub text: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationDecision {
    /// Who holds doorzettingsmacht and decides (the configured official or role when absent).
    pub holder: Option<String>,
    /// What was decided (at most 2000 characters).
    pub text: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloseEscalation {
    pub perspective_regained: Option<bool>,
    /// A short note on the outcome (at most 2000 characters).
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EscalationStep {
    pub id: String,
    /// raised, risen, responded, adopted, convened, agreement, decision or closed
    pub kind: String,
    pub level: i64,
    pub at: DateTime<Utc>,
    pub by_user: Option<String>,
    /// The professional's name (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
    pub text: Option<String>,
    /// Who holds doorzettingsmacht (a decision).
    pub holder: Option<String>,
}

/// An escalation: where it stands on the ladder, its adoption and its outcome. Ids only, no case content beyond
/// the hand-raiser's reason, agreements and decisions (read by those who see the escalation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Escalation {
    pub id: String,
    pub case_id: String,
    pub level: i64,
    pub addressee: Addressee,
    /// open or closed
    pub status: String,
    /// manual or rule
    pub trigger: String,
    /// The stuck reason that raised it (rule).
    pub trigger_code: Option<String>,
    pub reason: Option<String>,
    pub raised_by: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub level_since: DateTime<Utc>,
    pub respond_by: NaiveDate,
    pub responded_at: Option<DateTime<Utc>>,
    pub adopted_by: Option<String>,
    /// The adopter's name (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted_by_name: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    pub organisations_at_adoption: Option<i64>,
    pub professionals_at_adoption: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub perspective_regained: Option<bool>,
    pub organisations_at_close: Option<i64>,
    pub professionals_at_close: Option<i64>,
    pub outcome_note: Option<String>,
    /// Who holds doorzettingsmacht (policies/rules.toml).
    pub doorzettingsmacht: String,
    pub version: i64,
    /// The whole ladder: every level, whom it addresses and its respond-by date (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ladder: Option<Vec<Rung>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<EscalationStep>>,
    /// The team that owns the case (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_name: Option<String>,
    /// The wijk of the household, the only place named (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wijk: Option<String>,
    /// What the caller may do with it now (one escalation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may: Option<EscalationActs>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn summary(e: EscalationRow, rules: &Rules) -> Escalation {
    Escalation {
        addressee: ladder::addressee(e.level),
        id: e.id,
        case_id: e.case_id,
        level: e.level,
        status: e.status,
        trigger: e.trigger_kind,
        trigger_code: e.trigger_code,
        reason: e.reason,
        raised_by: e.raised_by,
        raised_at: utc(e.raised_at),
        level_since: utc(e.level_since),
        respond_by: e.respond_by,
        responded_at: e.responded_at.map(utc),
        adopted_by: e.adopted_by,
        adopted_by_name: None,
        adopted_at: e.adopted_at.map(utc),
        organisations_at_adoption: e.organisations_at_adoption,
        professionals_at_adoption: e.professionals_at_adoption,
        closed_at: e.closed_at.map(utc),
        perspective_regained: e.perspective_regained,
        organisations_at_close: e.organisations_at_close,
        professionals_at_close: e.professionals_at_close,
        outcome_note: e.outcome_note,
        doorzettingsmacht: rules.escalation.doorzettingsmacht.clone(),
        version: e.version,
        ladder: None,
        steps: None,
        team_name: None,
        wijk: None,
        may: None,
    }
}

/// The escalation with its steps, its ladder, where it is and what the caller may do with it.
/// `team_id`: the owning team of the escalation's case, which the caller has read already.
fn full(c: &mut DbConn, e: EscalationRow, team_id: &str, cx: &Ctx) -> AppResult<Escalation> {
    let rules = &cx.state.rules;
    let steps = ladder_store::steps(c, &e.id)?;
    let mut people: Vec<String> = steps.iter().filter_map(|s| s.by_user.clone()).collect();
    people.extend(e.adopted_by.clone());
    people.sort();
    people.dedup();
    let names: std::collections::HashMap<String, String> =
        ladder_store::display_names(c, &people)?.into_iter().collect();
    let place = ladder_store::place(c, &e.case_id)?;
    let r =
        EscalationRef { id: &e.id, case_id: &e.case_id, team_id, level: e.level, adopted_by: e.adopted_by.as_deref() };
    let may = cx.state.access.escalation_acts(&cx.principal, &r, e.status == "open", e.responded_at.is_some());
    // The deadline each passed level had: the respond-by of the level it rose from is the day before it rose.
    let mut passed = Vec::new();
    let mut since = e.raised_at.date();
    let mut level_at = steps.iter().find(|s| s.kind == "raised").map_or(e.level, |s| s.level);
    for s in steps.iter().filter(|s| s.kind == "risen") {
        passed.push((level_at, ladder::respond_by(level_at, since, &rules.escalation, &rules.calendar)));
        since = s.at.date();
        level_at = s.level;
    }
    let rungs = ladder::ladder(e.level, e.respond_by, &passed, &rules.escalation, &rules.calendar);
    let steps = steps
        .into_iter()
        .map(|s| EscalationStep {
            id: s.id,
            kind: s.kind,
            level: s.level,
            at: utc(s.at),
            by_name: s.by_user.as_ref().and_then(|u| names.get(u).cloned()),
            by_user: s.by_user,
            text: s.text,
            holder: s.holder,
        })
        .collect();
    let adopted_by_name = e.adopted_by.as_ref().and_then(|u| names.get(u).cloned());
    let mut out = summary(e, rules);
    out.ladder = Some(rungs);
    out.steps = Some(steps);
    out.adopted_by_name = adopted_by_name;
    (out.team_name, out.wijk) = place.unzip();
    out.may = Some(may);
    Ok(out)
}

/// The escalation and its case, when both exist.
fn load(c: &mut DbConn, id: &str) -> AppResult<Option<(EscalationRow, CaseRow)>> {
    let Some(e) = ladder_store::get(c, id)? else { return Ok(None) };
    Ok(case_store::case(c, &e.case_id)?.map(|case| (e, case)))
}

fn reference<'a>(found: &'a Option<(EscalationRow, CaseRow)>) -> Option<EscalationRef<'a>> {
    found.as_ref().map(|(e, case)| EscalationRef {
        id: &e.id,
        case_id: &e.case_id,
        team_id: &case.team_id,
        level: e.level,
        adopted_by: e.adopted_by.as_deref(),
    })
}

/// Whom a level notifies: the owning team's teamleiders (1), every procescoördinator (2), the doorzettingsmacht
/// user when the rules name one, else the procescoördinatoren (3).
fn addressees(c: &mut DbConn, level: i64, team_id: &str, rules: &Rules) -> AppResult<Vec<String>> {
    Ok(match ladder::addressee(level) {
        Addressee::Teamleider => ladder_store::users_with_role(c, "teamleider", Some(team_id))?,
        Addressee::Procescoordinator => ladder_store::users_with_role(c, "procescoordinator", None)?,
        Addressee::Doorzettingsmacht => {
            let email = rules.escalation.doorzettingsmacht_user_email.trim();
            match (!email.is_empty()).then(|| ladder_store::active_user_by_email(c, email)).transpose()?.flatten() {
                Some(user) => vec![user],
                None => ladder_store::users_with_role(c, "procescoordinator", None)?,
            }
        }
    })
}

/// Tells the addressees of `level` that the escalation reached them (ids only).
fn notify_level(
    c: &mut DbConn,
    e_id: &str,
    case: &CaseRow,
    level: i64,
    rules: &Rules,
    skip: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<()> {
    for user in addressees(c, level, &case.team_id, rules)? {
        if Some(user.as_str()) == skip {
            continue;
        }
        let payload = serde_json::json!({"caseId": case.id, "escalationId": e_id});
        crate::notify::store::enqueue(c, &user, Template::EscalationRaised, payload, at)?;
    }
    Ok(())
}

fn text_check(v: &mut Validator, value: &Option<String>, field: &str, max: usize, required: bool) {
    match value {
        Some(t) => {
            v.check(!t.trim().is_empty() && t.chars().count() <= max, field, &format!("must be 1 to {max} characters"))
        }
        None if required => v.check(false, field, "is required"),
        None => {}
    }
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Raises an escalation on a case by hand, with a reason: level 1 by an involved professional or the teamleider,
/// level 2 by a procescoördinator. 409 when one is open.
pub async fn raise(ctx: &Ctx, case_id: String, input: RaiseEscalation) -> AppResult<Escalation> {
    let mut v = Validator::new();
    text_check(&mut v, &input.reason, "reason", MAX_REASON, true);
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Created, move |c| {
        let (p, audit, rules) = (&cx.principal, &cx.audit, &cx.state.rules);
        let case = case_store::case(c, &case_id)?;
        let (case, level) = cx.state.access.decide_raise_escalation(c, p, case, audit)?;
        audit.action("escalation.raise", "escalation");
        if case.state == "closed" {
            return Err(AppError::Conflict("A closed case is not escalated".into()));
        }
        if ladder_store::open_for_case(c, &case.id)?.is_some() {
            return Err(AppError::Conflict("This case has an open escalation".into()));
        }
        let t = now();
        let id = crate::db::new_id();
        let respond_by = ladder::respond_by(level, t.date(), &rules.escalation, &rules.calendar);
        let reason = trimmed(&input.reason);
        ladder_store::insert(
            c,
            &NewEscalation {
                id: &id,
                case_id: &case.id,
                level,
                trigger_kind: "manual",
                trigger_code: None,
                reason,
                raised_by: Some(&p.user_id),
                respond_by,
            },
            t,
        )
        .map_err(conflict_on_unique("This case has an open escalation"))?;
        ladder_store::add_step(c, &id, "raised", level, t, Some(&p.user_id), reason, None)?;
        notify_level(c, &id, &case, level, rules, Some(&p.user_id), t)?;
        audit.resource(&id);
        let row = ladder_store::get(c, &id)?.ok_or(AppError::NotFound)?;
        full(c, row, &case.team_id, &cx)
    })
    .await
}

/// One escalation with its steps and its ladder.
pub async fn get(ctx: &Ctx, id: String) -> AppResult<Escalation> {
    let cx = ctx.clone();
    ctx.read(move |c| {
        let found = load(c, &id)?;
        cx.state.access.decide_read_escalation(c, &cx.principal, reference(&found).as_ref(), &cx.audit)?;
        let (e, case) = found.ok_or(AppError::NotFound)?; // refused above
        full(c, e, &case.team_id, &cx)
    })
    .await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EscalationQuery {
    /// Only escalations at this level (1 to 3).
    pub level: Option<i64>,
    /// open or closed.
    pub status: Option<String>,
}

/// The escalations the caller may see, newest first (at most 200): procescoördinatoren all, a teamleider their
/// teams' (the level-1 list), involved professionals their cases'.
pub async fn list(ctx: &Ctx, query: EscalationQuery) -> AppResult<Vec<Escalation>> {
    let mut v = Validator::new();
    if let Some(level) = query.level {
        v.check((1..=ladder::TOP).contains(&level), "level", "must be 1, 2 or 3");
    }
    if let Some(status) = &query.status {
        v.check(status == "open" || status == "closed", "status", "must be open or closed");
    }
    v.finish()?;
    let cx = ctx.clone();
    ctx.read(move |c| {
        let scope = cx.state.access.decide_escalation_list(c, &cx.principal, &cx.audit)?;
        let scope = match &scope {
            EscalationScope::All => ListScope::All,
            EscalationScope::Some { cases, teams } => ListScope::Some { cases, teams },
        };
        let rows = ladder_store::list(c, &scope, query.level, query.status.as_deref(), LIST_LIMIT)?;
        Ok(rows.into_iter().map(|e| summary(e, &cx.state.rules)).collect())
    })
    .await
}

/// Answers the escalation's level (stops its clock): level 1 the teamleider, level 2 a procescoördinator.
pub async fn respond(ctx: &Ctx, id: String, input: EscalationText) -> AppResult<Escalation> {
    let mut v = Validator::new();
    text_check(&mut v, &input.text, "text", MAX_TEXT, false);
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let found = load(c, &id)?;
        cx.state.access.decide_respond_escalation(c, &cx.principal, reference(&found).as_ref(), &cx.audit)?;
        cx.audit.action("escalation.respond", "escalation");
        let (e, case) = found.ok_or(AppError::NotFound)?;
        if e.status != "open" || e.responded_at.is_some() {
            return Err(AppError::Conflict("This level of the escalation was already answered".into()));
        }
        let t = now();
        if ladder_store::respond(c, &e.id, e.level, &cx.principal.user_id, t)? != 1 {
            return Err(AppError::Conflict("The escalation changed meanwhile; read it again".into()));
        }
        ladder_store::add_step(
            c,
            &e.id,
            "responded",
            e.level,
            t,
            Some(&cx.principal.user_id),
            trimmed(&input.text),
            None,
        )?;
        let row = ladder_store::get(c, &e.id)?.ok_or(AppError::NotFound)?;
        full(c, row, &case.team_id, &cx)
    })
    .await
}

/// A procescoördinator adopts the case: an involvement of kind `procescoordinator` (content access until the
/// escalation closes), the counts of who is involved now, and the level answered (at level 1 the escalation
/// moves to level 2, which the adoption answers).
pub async fn adopt(ctx: &Ctx, id: String) -> AppResult<Escalation> {
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let (p, rules) = (&cx.principal, &cx.state.rules);
        let found = load(c, &id)?;
        cx.state.access.decide_adopt(c, p, reference(&found).as_ref(), &cx.audit)?;
        cx.audit.action("escalation.adopt", "escalation");
        let (e, case) = found.ok_or(AppError::NotFound)?;
        if e.status != "open" {
            return Err(AppError::Conflict("A closed escalation is not adopted".into()));
        }
        if e.adopted_by.is_some() {
            return Err(AppError::Conflict("This escalation is adopted already".into()));
        }
        let t = now();
        let mut level = e.level;
        if level == 1 {
            let by = ladder::respond_by(2, t.date(), &rules.escalation, &rules.calendar);
            if ladder_store::rise(c, &e.id, 1, 2, t, by)? != 1 {
                return Err(AppError::Conflict("The escalation changed meanwhile; read it again".into()));
            }
            ladder_store::add_step(c, &e.id, "risen", 2, t, Some(&p.user_id), None, None)?;
            level = 2;
        }
        let (organisations, professionals) = ladder_store::involved_counts(c, &case.id, t)?;
        let involvement = crate::db::new_id();
        case_store::insert_involvement(
            c,
            &NewInvolvement {
                id: &involvement,
                case_id: &case.id,
                user_id: &p.user_id,
                organisation_id: &p.organisation_id,
                kind: "procescoordinator",
                role_in_case: "procescoördinator",
                created_by: Some(&p.user_id),
            },
            t,
        )?;
        let answered = e.responded_at.is_some() && level == e.level;
        if !answered && level < ladder::TOP {
            ladder_store::respond(c, &e.id, level, &p.user_id, t)?;
        }
        if ladder_store::adopt(c, &e.id, level, &p.user_id, t, &involvement, organisations, professionals)? != 1 {
            return Err(AppError::Conflict("The escalation changed meanwhile; read it again".into()));
        }
        ladder_store::add_step(c, &e.id, "adopted", level, t, Some(&p.user_id), None, None)?;
        let row = ladder_store::get(c, &e.id)?.ok_or(AppError::NotFound)?;
        full(c, row, &case.team_id, &cx)
    })
    .await
}

/// The adopter convenes the involved professionals: one email each, ids only.
pub async fn convene(ctx: &Ctx, id: String) -> AppResult<Escalation> {
    adopter_act(ctx, id, "escalation.convene", |c, e, case, p, t| {
        let mut invited = 0;
        for user in ladder_store::involved_professionals(c, &case.id, t)? {
            if user == p.user_id {
                continue;
            }
            let payload = serde_json::json!({"caseId": case.id, "escalationId": e.id});
            crate::notify::store::enqueue(c, &user, Template::EscalationConvened, payload, t)?;
            invited += 1;
        }
        let text = ladder::convened_note(invited);
        ladder_store::add_step(c, &e.id, "convened", e.level, t, Some(&p.user_id), Some(&text), None)?;
        Ok(())
    })
    .await
}

/// The adopter records an agreement.
pub async fn agreement(ctx: &Ctx, id: String, input: EscalationText) -> AppResult<Escalation> {
    let mut v = Validator::new();
    text_check(&mut v, &input.text, "text", MAX_TEXT, true);
    v.finish()?;
    adopter_act(ctx, id, "escalation.agreement", move |c, e, _, p, t| {
        ladder_store::add_step(c, &e.id, "agreement", e.level, t, Some(&p.user_id), trimmed(&input.text), None)?;
        Ok(())
    })
    .await
}

/// The adopter records a doorzettingsmacht decision (at level 3): who holds it and what was decided. It answers
/// level 3.
pub async fn decision(ctx: &Ctx, id: String, input: EscalationDecision) -> AppResult<Escalation> {
    let mut v = Validator::new();
    text_check(&mut v, &input.holder, "holder", 200, false);
    text_check(&mut v, &input.text, "text", MAX_TEXT, true);
    v.finish()?;
    let cx = ctx.clone();
    adopter_act(ctx, id, "escalation.decision", move |c, e, _, p, t| {
        if e.level != ladder::TOP {
            return Err(AppError::Conflict("A doorzettingsmacht decision is made at level 3; raise it first".into()));
        }
        let holder = trimmed(&input.holder).unwrap_or(cx.state.rules.escalation.doorzettingsmacht.as_str()).to_string();
        if e.responded_at.is_none() {
            ladder_store::respond(c, &e.id, e.level, &p.user_id, t)?;
        }
        ladder_store::add_step(
            c,
            &e.id,
            "decision",
            e.level,
            t,
            Some(&p.user_id),
            trimmed(&input.text),
            Some(&holder),
        )?;
        Ok(())
    })
    .await
}

/// The adopter raises the escalation to doorzettingsmacht (level 3).
pub async fn raise_level(ctx: &Ctx, id: String) -> AppResult<Escalation> {
    let cx = ctx.clone();
    adopter_act(ctx, id, "escalation.raise_level", move |c, e, case, p, t| {
        let rules = &cx.state.rules;
        if e.level >= ladder::TOP {
            return Err(AppError::Conflict("The escalation is at doorzettingsmacht already".into()));
        }
        let to = e.level + 1;
        let by = ladder::respond_by(to, t.date(), &rules.escalation, &rules.calendar);
        if ladder_store::rise(c, &e.id, e.level, to, t, by)? != 1 {
            return Err(AppError::Conflict("The escalation changed meanwhile; read it again".into()));
        }
        ladder_store::add_step(c, &e.id, "risen", to, t, Some(&p.user_id), None, None)?;
        notify_level(c, &e.id, case, to, rules, Some(&p.user_id), t)?;
        Ok(())
    })
    .await
}

/// An act of the adopter on an open escalation, in one audited transaction; answers the escalation as it is after.
async fn adopter_act<F>(ctx: &Ctx, id: String, action: &'static str, act: F) -> AppResult<Escalation>
where
    F: FnOnce(&mut DbConn, &EscalationRow, &CaseRow, &crate::access::Principal, NaiveDateTime) -> AppResult<()>
        + Send
        + 'static,
{
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let found = load(c, &id)?;
        cx.state.access.decide_adopter_act(c, &cx.principal, reference(&found).as_ref(), &cx.audit)?;
        cx.audit.action(action, "escalation");
        let (e, case) = found.ok_or(AppError::NotFound)?;
        if e.status != "open" {
            return Err(AppError::Conflict("The escalation is closed".into()));
        }
        act(c, &e, &case, &cx.principal, now())?;
        let row = ladder_store::get(c, &e.id)?.ok_or(AppError::NotFound)?;
        full(c, row, &case.team_id, &cx)
    })
    .await
}

/// Closes the escalation with its outcome: the counts now, and the adoption's involvement ended at once.
pub async fn close(ctx: &Ctx, id: String, input: CloseEscalation) -> AppResult<Escalation> {
    let mut v = Validator::new();
    v.required(&input.perspective_regained, "perspectiveRegained");
    text_check(&mut v, &input.note, "note", MAX_TEXT, false);
    v.finish()?;
    let cx = ctx.clone();
    ctx.write(Effect::Changed, move |c| {
        let p = &cx.principal;
        let found = load(c, &id)?;
        cx.state.access.decide_close_escalation(c, p, reference(&found).as_ref(), &cx.audit)?;
        cx.audit.action("escalation.close", "escalation");
        let (e, case) = found.ok_or(AppError::NotFound)?;
        if e.status != "open" {
            return Err(AppError::Conflict("The escalation is closed already".into()));
        }
        let t = now();
        let (organisations, professionals) = ladder_store::involved_counts(c, &case.id, t)?;
        if let Some(involvement) = &e.involvement_id {
            case_store::end_involvement(c, involvement, t)?;
        }
        let note = trimmed(&input.note);
        let closing = Closing {
            by: &p.user_id,
            at: t,
            perspective_regained: input.perspective_regained.unwrap_or_default(),
            organisations,
            professionals,
            note,
        };
        if ladder_store::close(c, &e.id, e.level, &closing)? != 1 {
            return Err(AppError::Conflict("The escalation changed meanwhile; read it again".into()));
        }
        ladder_store::add_step(c, &e.id, "closed", e.level, t, Some(&p.user_id), note, None)?;
        let row = ladder_store::get(c, &e.id)?.ok_or(AppError::NotFound)?;
        full(c, row, &case.team_id, &cx)
    })
    .await
}

/// What one run of the ladder did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LadderReport {
    /// Level 1 raised by a stuck reason that held long enough.
    pub raised: usize,
    /// Levels gone unanswered past their deadline, risen.
    pub risen: usize,
}

/// Raises level 1 for open cases whose stuck reason has held `auto_raise_after_working_days` (once per reason
/// period: not again when an escalation was raised since it began), once a day on one node, and rises every
/// unanswered level past its respond-by date, every run. Each change is made only if the row is still as read, so
/// nodes may run it at once.
///
/// The raise counts working days, so a second run on the same day finds nothing new to raise, save a reason stored
/// later that day with an earlier start (it waits for tomorrow's run); and it reads every long-held reason: once
/// a day is enough. The rise reads only the levels already due (an index on the open escalations' respond-by
/// date), nothing on most runs, so it runs every time: a level rises at the first run after its deadline, and a
/// failed run is made good at the next one, not the next day. (A raise that fails keeps today claimed, like the
/// daily scan: its cases wait for tomorrow.)
pub fn run_ladder(conn: &mut DbConn, rules: &Rules, at: NaiveDateTime) -> AppResult<LadderReport> {
    let mut report = LadderReport::default();
    if write_tx(conn, |c| Ok::<_, AppError>(store::claim_daily(c, "escalation_raise", at.date())?))? {
        report.raised = auto_raise(conn, rules, at)?;
    }
    report.risen = rise_due(conn, rules, at)?;
    Ok(report)
}

/// Raises level 1 where a stuck reason has held long enough: how many were raised.
fn auto_raise(conn: &mut DbConn, rules: &Rules, at: NaiveDateTime) -> AppResult<usize> {
    let mut raised_count = 0;
    let today = at.date();
    let (er, cal) = (&rules.escalation, &rules.calendar);
    // N working days are at least N calendar days: a superset in SQL, the exact rule in Rust.
    let candidates =
        ladder_store::long_held_reasons(conn, today - chrono::Duration::days(er.auto_raise_after_working_days))?;
    // Oldest first: each case by the first of its reasons that is due.
    let mut seen = std::collections::HashSet::new();
    let mut first: Vec<(String, String, NaiveDate)> = Vec::new();
    for (case, code, since) in candidates {
        if !seen.contains(&case) && ladder::auto_raise_due(since, today, er, cal) {
            seen.insert(case.clone());
            first.push((case, code, since));
        }
    }
    let ids: Vec<String> = first.iter().map(|(c, _, _)| c.clone()).collect();
    let last: std::collections::HashMap<String, NaiveDateTime> =
        ladder_store::last_raised(conn, &ids)?.into_iter().collect();
    for (case_id, code, since) in first {
        if last.get(&case_id).is_some_and(|r| r.date() >= since) {
            continue;
        }
        let raised = write_tx(conn, |c| {
            let Some(case) = case_store::case(c, &case_id)?.filter(|k| k.state != "closed") else { return Ok(false) };
            let id = crate::db::new_id();
            let new = NewEscalation {
                id: &id,
                case_id: &case.id,
                level: 1,
                trigger_kind: "rule",
                trigger_code: Some(&code),
                reason: None,
                raised_by: None,
                respond_by: ladder::respond_by(1, today, er, cal),
            };
            if ladder_store::open_for_case(c, &case.id)?.is_some() {
                return Ok(false);
            }
            // Another node may raise it between the read and the insert: the index refuses the second, and the
            // refusal rolls this transaction back (below).
            ladder_store::insert(c, &new, at).map_err(conflict_on_unique("raised by another node"))?;
            ladder_store::add_step(c, &id, "raised", 1, at, None, Some(&code), None)?;
            notify_level(c, &id, &case, 1, rules, None, at)?;
            Ok::<_, AppError>(true)
        });
        match raised {
            Ok(true) => raised_count += 1,
            Ok(false) => {}
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(raised_count)
}

/// Rises every unanswered level past its respond-by date: how many rose.
fn rise_due(conn: &mut DbConn, rules: &Rules, at: NaiveDateTime) -> AppResult<usize> {
    let mut risen_count = 0;
    let today = at.date();
    let (er, cal) = (&rules.escalation, &rules.calendar);
    loop {
        let due = ladder_store::due_to_rise(conn, today, ladder::TOP, BATCH)?;
        let mut moved = 0;
        for e in &due {
            let Some(to) = ladder::rises_to(e.level, e.respond_by, e.responded_at.is_some(), today) else { continue };
            let risen = write_tx(conn, |c| {
                let by = ladder::respond_by(to, today, er, cal);
                if ladder_store::rise(c, &e.id, e.level, to, at, by)? != 1 {
                    return Ok(false);
                }
                ladder_store::add_step(c, &e.id, "risen", to, at, None, None, None)?;
                if let Some(case) = case_store::case(c, &e.case_id)? {
                    notify_level(c, &e.id, &case, to, rules, None, at)?;
                }
                Ok::<_, AppError>(true)
            })?;
            if risen {
                risen_count += 1;
                moved += 1;
            }
        }
        if (due.len() as i64) < BATCH || moved == 0 {
            return Ok(risen_count);
        }
    }
}
