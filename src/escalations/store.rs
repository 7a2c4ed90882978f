//! Diesel queries of procescoördinatie: the facts the stuck rules read for a batch of cases, the stuck cases and
//! their reasons, the change marks, and the daily claim of the scan.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{Assessment, CaseFacts, Reason};
use crate::db::schema::{
    case_changes as cc, cases, daily_jobs, escalations as es, evaluations, household_members as hm, households,
    involvements, match_members as mm, plan_action_progress as pap, plan_versions as pv, regisseur_assignments as ra,
    signals, stuck_cases as sc, stuck_counts as counts_t, stuck_reasons as sr, teams, zrm_assessments as za,
};
use crate::db::DbConn;

/// An open case as the stuck rules and the queue see it.
pub struct OpenCase {
    pub id: String,
    pub team_id: String,
    pub household_id: String,
    pub wijk: String,
    pub facts: CaseFacts,
}

/// The agreed plan's parts the rules read; everything else in it is left unread.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanDates {
    #[serde(default)]
    actions: Vec<ActionDue>,
    next_evaluation_date: Option<NaiveDate>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionDue {
    id: String,
    due_date: Option<NaiveDate>,
}

/// Up to `limit` open cases with ids after `after`, in id order: the scan's batches.
pub fn open_case_ids(conn: &mut DbConn, after: &str, limit: i64) -> QueryResult<Vec<String>> {
    cases::table
        .filter(cases::state.ne("closed"))
        .filter(cases::id.gt(after))
        .order(cases::id.asc())
        .limit(limit)
        .select(cases::id)
        .load(conn)
}

/// The facts of these cases (those that are open; the others are left out). `overdue_from` turns the day a match
/// member joined into the first day their missing confirmation makes the match overdue.
pub fn open_cases(
    conn: &mut DbConn,
    ids: &[String],
    now: NaiveDateTime,
    overdue_from: impl Fn(NaiveDate) -> NaiveDate,
) -> QueryResult<Vec<OpenCase>> {
    let rows: Vec<(String, String, String, NaiveDateTime, String)> = cases::table
        .inner_join(households::table)
        .filter(cases::id.eq_any(ids))
        .filter(cases::state.ne("closed"))
        .select((cases::id, cases::team_id, cases::household_id, cases::created_at, households::wijk))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut out: Vec<OpenCase> = rows
        .into_iter()
        .map(|(id, team_id, household_id, created, wijk)| OpenCase {
            id,
            team_id,
            household_id,
            wijk,
            facts: CaseFacts { opened_on: created.date(), ..CaseFacts::default() },
        })
        .collect();
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<String, usize> = out.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
    let at = |case: &str| index[case];

    let assignments: Vec<(String, String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = ra::table
        .filter(ra::case_id.eq_any(&ids))
        .filter(ra::status.eq_any(["active", "ended"]))
        .select((ra::case_id, ra::status, ra::active_from, ra::active_until))
        .load(conn)?;
    for (case, status, from, until) in assignments {
        let f = &mut out[at(&case)].facts;
        if status == "active" {
            f.has_regisseur = true;
        }
        if let Some(from) = from {
            f.regisseur_starts.push(from.date());
        }
        if let Some(until) = until {
            f.regisseur_left_on = Some(f.regisseur_left_on.map_or(until.date(), |l| l.max(until.date())));
        }
    }

    let plans: Vec<(String, String)> = pv::table
        .filter(pv::case_id.eq_any(&ids))
        .filter(pv::status.eq("agreed"))
        .select((pv::case_id, pv::content))
        .load(conn)?;
    let done: std::collections::HashSet<(String, String)> = pap::table
        .filter(pap::case_id.eq_any(&ids))
        .filter(pap::status.eq_any(["done", "cancelled"]))
        .select((pap::case_id, pap::action_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut plan_dates: HashMap<String, Option<NaiveDate>> = HashMap::new();
    for (case, content) in plans {
        let Ok(plan) = serde_json::from_str::<PlanDates>(&content) else {
            tracing::error!(case_id = %case, "agreed plan content unreadable for the stuck rules");
            continue;
        };
        let f = &mut out[at(&case)].facts;
        f.has_agreed_plan = true;
        for a in plan.actions {
            if let Some(due) = a.due_date.filter(|_| !done.contains(&(case.clone(), a.id.clone()))) {
                f.open_action_dues.push(due);
            }
        }
        plan_dates.insert(case, plan.next_evaluation_date);
    }
    let held: Vec<(String, NaiveDate, Option<NaiveDate>)> = evaluations::table
        .filter(evaluations::case_id.eq_any(&ids))
        .select((evaluations::case_id, evaluations::held_on, evaluations::next_evaluation_date))
        .load(conn)?;
    let mut held_per_case: HashMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (case, on, next) in held {
        held_per_case.entry(case).or_default().push((on, next));
    }
    for (case, plan_date) in plan_dates {
        let evaluations = held_per_case.remove(&case).unwrap_or_default();
        out[at(&case)].facts.next_evaluation = crate::work::model::next_evaluation(plan_date, &evaluations);
    }

    let involved: Vec<(String, String, String, NaiveDateTime)> = involvements::table
        .filter(involvements::case_id.eq_any(&ids))
        .filter(involvements::kind.ne("procescoordinator"))
        .filter(crate::db::involvement_active(now))
        .select((involvements::case_id, involvements::organisation_id, involvements::user_id, involvements::valid_from))
        .load(conn)?;
    for (case, org, user, from) in involved {
        out[at(&case)].facts.involvements.push((org, user, from.date()));
    }

    let assessed: Vec<(String, Option<String>, NaiveDate, String)> = za::table
        .filter(za::case_id.eq_any(&ids))
        .select((za::case_id, za::person_id, za::assessed_on, za::scores))
        .load(conn)?;
    for (case, subject, on, scores) in assessed {
        let scores = serde_json::from_str(&scores).unwrap_or_default();
        out[at(&case)].facts.assessments.push(Assessment { subject, on, scores });
    }

    // Signal matches on today's household members: the first day each unconfirmed member makes its match overdue.
    let today = now.date();
    let households: Vec<String> = out.iter().map(|c| c.household_id.clone()).collect();
    let members: Vec<(String, String)> = hm::table
        .filter(hm::household_id.eq_any(&households))
        .filter(hm::from_date.le(today))
        .filter(hm::until_date.is_null().or(hm::until_date.gt(today)))
        .select((hm::household_id, hm::person_id))
        .load(conn)?;
    let persons: Vec<&String> = members.iter().map(|(_, p)| p).collect();
    let on_persons: Vec<(String, String)> = mm::table
        .inner_join(signals::table)
        .filter(signals::person_id.eq_any(&persons))
        .filter(signals::status.eq("active"))
        .select((mm::match_id, signals::person_id))
        .load(conn)?;
    if !on_persons.is_empty() {
        let match_ids: Vec<&String> = on_persons.iter().map(|(m, _)| m).collect();
        let waiting: Vec<(String, NaiveDateTime)> = mm::table
            .filter(mm::match_id.eq_any(&match_ids))
            .filter(mm::contact_confirmed_at.is_null())
            .select((mm::match_id, mm::joined_at))
            .load(conn)?;
        let household_of: HashMap<&String, Vec<&String>> = members.iter().fold(HashMap::new(), |mut m, (h, p)| {
            m.entry(p).or_default().push(h);
            m
        });
        let case_of: HashMap<&String, usize> = out.iter().enumerate().map(|(i, c)| (&c.household_id, i)).collect();
        // Per case and match: the day its earliest unconfirmed member makes it overdue.
        let mut overdue: std::collections::BTreeMap<(usize, &String), NaiveDate> = Default::default();
        for (match_id, person) in &on_persons {
            for (_, joined) in waiting.iter().filter(|(m, _)| m == match_id) {
                for household in household_of.get(person).into_iter().flatten() {
                    if let Some(i) = case_of.get(household) {
                        let day = overdue_from(joined.date());
                        let e = overdue.entry((*i, match_id)).or_insert(day);
                        *e = (*e).min(day);
                    }
                }
            }
        }
        for ((i, _), day) in overdue {
            out[i].facts.matches_overdue_from.push(day);
        }
    }
    Ok(out)
}

/// Serialises those who store stuck cases, on one node or many, for the rest of the transaction (SQLite's write
/// transaction already holds the database).
pub fn lock_stuck_cases(conn: &mut DbConn) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    crate::db_run!(conn,
        sqlite: |_c| Ok(()),
        postgres: |c| c.batch_execute("SELECT pg_advisory_xact_lock(741301)"),
    )
}

/// After the daily scan and the ladder rewrote the stuck cases and raised escalations: PostgreSQL's statistics of
/// them anew, so its plans of the queue's reads know their size (autovacuum may come much later, or be off; with
/// stale statistics it looked up the rows' open escalations by status, not by case). SQLite plans these reads by
/// their indexes alone.
pub fn analyze_stuck_cases(conn: &mut DbConn) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    crate::db_run!(conn,
        sqlite: |_c| Ok(()),
        postgres: |c| c.batch_execute("ANALYZE stuck_cases, stuck_reasons, escalations"),
    )
}

/// A stuck case as stored for the queue.
pub struct StuckRow<'a> {
    pub case: &'a OpenCase,
    pub reasons: &'a [Reason],
    pub score: i64,
    pub organisations: i64,
    pub professionals: i64,
}

/// Rows per insert statement: 9 columns a stuck case, 10 a reason, well under both backends' bound-parameter
/// limits (SQLite 32766, PostgreSQL 65535).
const INSERT_CHUNK: usize = 1_000;

/// The row of `stuck_counts` that counts every stuck case.
const ALL_STUCK: &str = "*";

/// Stores what the rules found for these cases (`rows`) and removes every other case of `ids` from the stuck
/// cases: closed, missing or no longer stuck. Multi-row inserts (per backend: MultiConnection has none), a few
/// statements a batch rather than one per row.
pub fn save(conn: &mut DbConn, ids: &[String], rows: &[StuckRow], at: NaiveDateTime) -> QueryResult<()> {
    // The counts change by what these cases counted before and what they count now.
    let mut delta: std::collections::BTreeMap<String, i64> = Default::default();
    let before: Vec<(String, i64)> = sr::table
        .filter(sr::case_id.eq_any(ids))
        .group_by(sr::code)
        .select((sr::code, diesel::dsl::count_star()))
        .load(conn)?;
    for (code, n) in before {
        *delta.entry(code).or_default() -= n;
    }
    let before_total: i64 = sc::table.filter(sc::case_id.eq_any(ids)).count().get_result(conn)?;
    *delta.entry(ALL_STUCK.to_string()).or_default() += rows.len() as i64 - before_total;
    for r in rows.iter().flat_map(|row| row.reasons) {
        *delta.entry(r.code.as_str().to_string()).or_default() += 1;
    }
    diesel::delete(sr::table.filter(sr::case_id.eq_any(ids))).execute(conn)?;
    diesel::delete(sc::table.filter(sc::case_id.eq_any(ids))).execute(conn)?;
    // Each case's reasons once, as JSON: on its row and on each of its reason rows (the reason filter reads those).
    let encoded: Vec<(NaiveDate, String)> = rows
        .iter()
        .map(|row| {
            let since = row.reasons.iter().map(|r| r.since).min().unwrap_or(at.date());
            (since, serde_json::to_string(row.reasons).unwrap_or_else(|_| "[]".into()))
        })
        .collect();
    let cases: Vec<_> = rows
        .iter()
        .zip(&encoded)
        .map(|(row, (since, reasons))| {
            (
                sc::case_id.eq(row.case.id.as_str()),
                sc::team_id.eq(row.case.team_id.as_str()),
                sc::wijk.eq(row.case.wijk.as_str()),
                sc::score.eq(row.score),
                sc::since.eq(*since),
                sc::organisations.eq(row.organisations),
                sc::professionals.eq(row.professionals),
                sc::reasons.eq(reasons.as_str()),
                sc::computed_at.eq(at),
            )
        })
        .collect();
    for chunk in cases.chunks(INSERT_CHUNK) {
        crate::db_run!(conn, |c| diesel::insert_into(sc::table).values(chunk).execute(c))?;
    }
    let reasons: Vec<_> = rows
        .iter()
        .zip(&encoded)
        .flat_map(|(row, (since, reasons))| {
            row.reasons.iter().map(move |r| {
                (
                    (
                        sr::code.eq(r.code.as_str()),
                        sr::case_id.eq(row.case.id.as_str()),
                        sr::since.eq(r.since),
                        sr::score.eq(row.score),
                        sr::case_since.eq(*since),
                    ),
                    (
                        sr::team_id.eq(row.case.team_id.as_str()),
                        sr::wijk.eq(row.case.wijk.as_str()),
                        sr::organisations.eq(row.organisations),
                        sr::professionals.eq(row.professionals),
                        sr::reasons.eq(reasons.as_str()),
                    ),
                )
            })
        })
        .collect();
    for chunk in reasons.chunks(INSERT_CHUNK) {
        crate::db_run!(conn, |c| diesel::insert_into(sr::table).values(chunk).execute(c))?;
    }
    for (code, d) in delta.into_iter().filter(|(_, d)| *d != 0) {
        let changed = diesel::update(counts_t::table.filter(counts_t::code.eq(&code)))
            .set(counts_t::cases.eq(counts_t::cases + d))
            .execute(conn)?;
        if changed == 0 {
            diesel::insert_into(counts_t::table)
                .values((counts_t::code.eq(&code), counts_t::cases.eq(d)))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Up to `limit` marked cases, oldest mark first: (case, marked at).
pub fn marked(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    cc::table.order(cc::changed_at.asc()).limit(limit).select((cc::case_id, cc::changed_at)).load(conn)
}

/// Removes these marks, each only if no change marked it again since (`marked at`): a later mark stays.
pub fn clear_marks(conn: &mut DbConn, marks: &[(String, NaiveDateTime)]) -> QueryResult<()> {
    for (case, at) in marks {
        diesel::delete(cc::table.filter(cc::case_id.eq(case)).filter(cc::changed_at.le(*at))).execute(conn)?;
    }
    Ok(())
}

/// Claims today's run of a daily job: true for the one caller that moved it to `today`.
pub fn claim_daily(conn: &mut DbConn, name: &str, today: NaiveDate) -> QueryResult<bool> {
    crate::db_run!(conn, |c| diesel::insert_into(daily_jobs::table)
        .values((daily_jobs::name.eq(name), daily_jobs::last_run_on.eq(today - chrono::Duration::days(1))))
        .on_conflict_do_nothing()
        .execute(c))?;
    let moved =
        diesel::update(daily_jobs::table.filter(daily_jobs::name.eq(name)).filter(daily_jobs::last_run_on.lt(today)))
            .set(daily_jobs::last_run_on.eq(today))
            .execute(conn)?;
    Ok(moved == 1)
}

/// A row of the queue.
pub struct QueueRow {
    pub case_id: String,
    pub team_id: String,
    pub team_name: String,
    pub wijk: String,
    pub score: i64,
    pub since: NaiveDate,
    pub organisations: i64,
    pub professionals: i64,
    pub reasons: String,
}

pub struct QueueFilter<'a> {
    pub team_id: Option<&'a str>,
    pub wijk: Option<&'a str>,
    pub reason: Option<&'a str>,
    /// Only these cases (the level filter: the cases with an escalation at that level).
    pub cases: Option<&'a [String]>,
    /// Only cases whose open escalation is at this level; 0: only cases without an open escalation.
    pub level: Option<i64>,
}

/// A boxed queue read with the filters other than the reason: team, wijk, cases, level, on the columns of `$t`
/// (`sc`, or `sr` for the reason filter: its rows carry the case's team and wijk).
macro_rules! filtered {
    ($q:ident, $filter:ident, $t:ident) => {{
        let mut q = $q;
        if let Some(team) = $filter.team_id {
            q = q.filter($t::team_id.eq(team.to_string()));
        }
        if let Some(wijk) = $filter.wijk {
            q = q.filter($t::wijk.eq(wijk.to_string()));
        }
        if let Some(cases) = $filter.cases {
            q = q.filter($t::case_id.eq_any(cases.to_vec()));
        }
        let open = es::table.filter(es::case_id.eq($t::case_id)).filter(es::status.eq("open"));
        match $filter.level {
            None => q,
            Some(0) => q.filter(diesel::dsl::not(diesel::dsl::exists(open))),
            Some(level) => q.filter(diesel::dsl::exists(open.filter(es::level.eq(level)))),
        }
    }};
}

/// The stuck cases, highest score first (then the longest stuck), up to `limit`.
pub fn queue(conn: &mut DbConn, filter: &QueueFilter, limit: i64) -> QueryResult<Vec<QueueRow>> {
    // No join in the ordered read: the planner then walks the index in the queue's order and stops at `limit`,
    // whatever its statistics say (a join with teams let PostgreSQL sort every stuck case first).
    type Columns = (String, String, String, i64, NaiveDate, i64, i64, String);
    let rows: Vec<Columns> = match filter.reason {
        // One reason: that reason's rows alone, in the queue's order (stuck_reasons_in_queue_order); each carries
        // its case's queue columns, so no case is looked up row by row.
        Some(reason) => {
            let q = sr::table
                .filter(sr::code.eq(reason.to_string()))
                .select((
                    sr::case_id,
                    sr::team_id,
                    sr::wijk,
                    sr::score,
                    sr::case_since,
                    sr::organisations,
                    sr::professionals,
                    sr::reasons,
                ))
                .order((sr::score.desc(), sr::case_since.asc(), sr::case_id.asc()))
                .limit(limit)
                .into_boxed();
            filtered!(q, filter, sr).load(conn)?
        }
        None => {
            let q = sc::table
                .select((
                    sc::case_id,
                    sc::team_id,
                    sc::wijk,
                    sc::score,
                    sc::since,
                    sc::organisations,
                    sc::professionals,
                    sc::reasons,
                ))
                .order((sc::score.desc(), sc::since.asc(), sc::case_id.asc()))
                .limit(limit)
                .into_boxed();
            filtered!(q, filter, sc).load(conn)?
        }
    };
    // The teams' names, for the few teams these rows name.
    let mut team_ids: Vec<&String> = rows.iter().map(|r| &r.1).collect();
    team_ids.sort();
    team_ids.dedup();
    let names: std::collections::HashMap<String, String> = teams::table
        .filter(teams::id.eq_any(team_ids))
        .select((teams::id, teams::name))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(case_id, team_id, wijk, score, since, organisations, professionals, reasons)| QueueRow {
            team_name: names.get(&team_id).cloned().unwrap_or_default(),
            case_id,
            team_id,
            wijk,
            score,
            since,
            organisations,
            professionals,
            reasons,
        })
        .collect())
}

/// How many stuck cases each reason has, and how many stuck cases there are: the kept counts (`save`), one small read.
pub fn counts(conn: &mut DbConn) -> QueryResult<(Vec<(String, i64)>, i64)> {
    let all: Vec<(String, i64)> =
        counts_t::table.filter(counts_t::cases.gt(0)).select((counts_t::code, counts_t::cases)).load(conn)?;
    let total = all.iter().find(|(code, _)| code == ALL_STUCK).map_or(0, |(_, n)| *n);
    Ok((all.into_iter().filter(|(code, _)| code != ALL_STUCK).collect(), total))
}

/// The stored reasons of one case (JSON), when it is stuck.
pub fn case_reasons(conn: &mut DbConn, case_id: &str) -> QueryResult<Option<String>> {
    sc::table.filter(sc::case_id.eq(case_id)).select(sc::reasons).first(conn).optional()
}
