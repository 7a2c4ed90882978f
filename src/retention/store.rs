//! Diesel queries of retention: closed cases and their holds, erasing a case with everything that hangs from it, the
//! household and persons left without a case, legal holds, erasure requests and the runs.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    break_glass, case_changes, case_state_history, cases, consents, erasure_requests as er, escalation_steps,
    escalations, evaluation_agreements, evaluations, household_members as hm, households, involvements,
    legal_holds as lh, parent_child, persons, plan_action_progress, plan_versions, regisseur_assignments,
    retention_runs as rr, signals, stuck_cases, stuck_reasons, teams, zrm_assessments,
};
use crate::db::DbConn;

/// A closed case as retention sees it: no content, only what decides its term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedCase {
    pub id: String,
    pub household_id: String,
    pub team_name: String,
    pub laws: String,
    pub closed_at: NaiveDateTime,
}

/// Closed cases that closed before `before` (the shortest term ago): the only ones any term can have ended for.
pub fn closed_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<ClosedCase>> {
    let rows: Vec<(String, String, String, String, Option<NaiveDateTime>)> = cases::table
        .inner_join(teams::table.on(teams::id.eq(cases::team_id)))
        .filter(cases::state.eq("closed"))
        .filter(cases::closed_at.lt(before))
        .select((cases::id, cases::household_id, teams::name, cases::laws, cases::closed_at))
        .order((cases::closed_at.asc(), cases::id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, household_id, team_name, laws, closed_at)| {
            Some(ClosedCase { id, household_id, team_name, laws, closed_at: closed_at? })
        })
        .collect())
}

/// Of these cases, those on a legal hold that is not lifted.
pub fn held(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<HashSet<String>> {
    let mut out = HashSet::new();
    for part in case_ids.chunks(500) {
        let ids: Vec<String> = lh::table
            .filter(lh::case_id.eq_any(part))
            .filter(lh::lifted_at.is_null())
            .select(lh::case_id)
            .load(conn)?;
        out.extend(ids);
    }
    Ok(out)
}

/// Erases a closed case with its plans, assessments, evaluations, consents, escalations, break-glass uses, regisseurs,
/// involvements, history and lifted holds. A later case that named it as its predecessor keeps no link to it.
pub fn erase_case(conn: &mut DbConn, case_id: &str) -> QueryResult<()> {
    diesel::delete(plan_action_progress::table.filter(plan_action_progress::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(plan_versions::table.filter(plan_versions::case_id.eq(case_id))).execute(conn)?;
    let evals = evaluations::table.filter(evaluations::case_id.eq(case_id)).select(evaluations::id);
    diesel::delete(evaluation_agreements::table.filter(evaluation_agreements::evaluation_id.eq_any(evals)))
        .execute(conn)?;
    diesel::delete(evaluations::table.filter(evaluations::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(zrm_assessments::table.filter(zrm_assessments::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(consents::table.filter(consents::case_id.eq(case_id))).execute(conn)?;
    let escs = escalations::table.filter(escalations::case_id.eq(case_id)).select(escalations::id);
    diesel::delete(escalation_steps::table.filter(escalation_steps::escalation_id.eq_any(escs))).execute(conn)?;
    diesel::delete(escalations::table.filter(escalations::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(break_glass::table.filter(break_glass::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(stuck_reasons::table.filter(stuck_reasons::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(stuck_cases::table.filter(stuck_cases::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(case_changes::table.filter(case_changes::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(involvements::table.filter(involvements::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(regisseur_assignments::table.filter(regisseur_assignments::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(case_state_history::table.filter(case_state_history::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(lh::table.filter(lh::case_id.eq(case_id))).execute(conn)?;
    diesel::update(cases::table.filter(cases::previous_case_id.eq(case_id)))
        .set(cases::previous_case_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(cases::table.filter(cases::id.eq(case_id))).execute(conn)?;
    Ok(())
}

/// The cases of a household, open or closed.
pub fn case_ids_of(conn: &mut DbConn, household_id: &str) -> QueryResult<Vec<String>> {
    cases::table.filter(cases::household_id.eq(household_id)).select(cases::id).load(conn)
}

/// Everyone who ever belonged to the household.
pub fn members_of(conn: &mut DbConn, household_id: &str) -> QueryResult<Vec<String>> {
    hm::table.filter(hm::household_id.eq(household_id)).select(hm::person_id).distinct().load(conn)
}

/// Every household the person ever belonged to.
pub fn households_of(conn: &mut DbConn, person_id: &str) -> QueryResult<Vec<String>> {
    hm::table.filter(hm::person_id.eq(person_id)).select(hm::household_id).distinct().load(conn)
}

pub fn has_signal(conn: &mut DbConn, person_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(signals::table.filter(signals::person_id.eq(person_id)))).get_result(conn)
}

/// Erases a household left without a case: its memberships and its address.
pub fn erase_household(conn: &mut DbConn, household_id: &str) -> QueryResult<()> {
    diesel::delete(hm::table.filter(hm::household_id.eq(household_id))).execute(conn)?;
    diesel::delete(households::table.filter(households::id.eq(household_id))).execute(conn)?;
    Ok(())
}

/// Erases persons (after their cases): their parent–child links, consents, assessments, memberships and the person.
pub fn erase_persons(conn: &mut DbConn, ids: &[String]) -> QueryResult<()> {
    for part in ids.chunks(500) {
        diesel::delete(
            parent_child::table.filter(parent_child::parent_id.eq_any(part).or(parent_child::child_id.eq_any(part))),
        )
        .execute(conn)?;
        diesel::delete(consents::table.filter(consents::person_id.eq_any(part))).execute(conn)?;
        diesel::delete(zrm_assessments::table.filter(zrm_assessments::person_id.eq_any(part))).execute(conn)?;
        diesel::update(evaluation_agreements::table.filter(evaluation_agreements::who_person_id.eq_any(part)))
            .set((
                evaluation_agreements::who_person_id.eq(None::<String>),
                evaluation_agreements::who_name.eq(None::<String>),
            ))
            .execute(conn)?;
        diesel::delete(hm::table.filter(hm::person_id.eq_any(part))).execute(conn)?;
        // An erased person needs no protection any more: no event can name them again.
        diesel::delete(
            crate::db::schema::protected_persons::table
                .filter(crate::db::schema::protected_persons::person_id.eq_any(part)),
        )
        .execute(conn)?;
        diesel::delete(persons::table.filter(persons::id.eq_any(part))).execute(conn)?;
    }
    Ok(())
}

/// What stands in the way of erasing a person: cases of their households that are open, cases of theirs on a hold,
/// and signals on them (counts).
pub fn erasure_facts(conn: &mut DbConn, person_id: &str) -> QueryResult<(usize, usize, usize)> {
    let homes = hm::table.filter(hm::person_id.eq(person_id)).select(hm::household_id);
    let open: i64 = cases::table
        .filter(cases::household_id.eq_any(homes))
        .filter(cases::state.ne("closed"))
        .count()
        .get_result(conn)?;
    let homes = hm::table.filter(hm::person_id.eq(person_id)).select(hm::household_id);
    let their_cases = cases::table.filter(cases::household_id.eq_any(homes)).select(cases::id);
    let held: i64 =
        lh::table.filter(lh::case_id.eq_any(their_cases)).filter(lh::lifted_at.is_null()).count().get_result(conn)?;
    let signalled: i64 = signals::table.filter(signals::person_id.eq(person_id)).count().get_result(conn)?;
    Ok((open as usize, held as usize, signalled as usize))
}

pub fn person_name(conn: &mut DbConn, person_id: &str) -> QueryResult<Option<String>> {
    persons::table.filter(persons::id.eq(person_id)).select(persons::name).first(conn).optional()
}

pub fn person_exists(conn: &mut DbConn, person_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(persons::table.filter(persons::id.eq(person_id)))).get_result(conn)
}

pub fn case_is_closed(conn: &mut DbConn, case_id: &str) -> QueryResult<Option<bool>> {
    let state: Option<String> =
        cases::table.filter(cases::id.eq(case_id)).select(cases::state).first(conn).optional()?;
    Ok(state.map(|s| s == "closed"))
}

// Legal holds

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lh)]
pub struct HoldRow {
    pub id: String,
    pub case_id: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: NaiveDateTime,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<NaiveDateTime>,
    pub lift_reason: Option<String>,
}

pub fn insert_hold(conn: &mut DbConn, row: &HoldRow) -> QueryResult<()> {
    diesel::insert_into(lh::table).values(row).execute(conn).map(|_| ())
}

/// Holds, those in force first, newest first.
pub fn holds(conn: &mut DbConn) -> QueryResult<Vec<HoldRow>> {
    let mut rows: Vec<HoldRow> =
        lh::table.select(HoldRow::as_select()).order(lh::placed_at.desc()).limit(1000).load(conn)?;
    rows.sort_by_key(|r| r.lifted_at.is_some());
    Ok(rows)
}

pub fn hold(conn: &mut DbConn, id: &str) -> QueryResult<Option<HoldRow>> {
    lh::table.filter(lh::id.eq(id)).select(HoldRow::as_select()).first(conn).optional()
}

/// Lifts a hold still in force; false when it was lifted already.
pub fn lift_hold(conn: &mut DbConn, id: &str, by: &str, reason: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(lh::table.filter(lh::id.eq(id)).filter(lh::lifted_at.is_null()))
        .set((lh::lifted_by.eq(by), lh::lifted_at.eq(at), lh::lift_reason.eq(reason)))
        .execute(conn)?;
    Ok(n == 1)
}

// Erasure requests

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = er)]
pub struct ErasureRow {
    pub id: String,
    pub person_id: String,
    pub received_on: NaiveDate,
    pub requested_by: String,
    pub status: String,
    pub decision_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
}

pub fn insert_erasure(conn: &mut DbConn, row: &ErasureRow) -> QueryResult<()> {
    diesel::insert_into(er::table).values(row).execute(conn).map(|_| ())
}

pub fn erasures(conn: &mut DbConn) -> QueryResult<Vec<ErasureRow>> {
    er::table.select(ErasureRow::as_select()).order((er::recorded_at.desc(), er::id.desc())).limit(1000).load(conn)
}

pub fn erasure(conn: &mut DbConn, id: &str) -> QueryResult<Option<ErasureRow>> {
    er::table.filter(er::id.eq(id)).select(ErasureRow::as_select()).first(conn).optional()
}

/// Records the decision of a request still received; false when another decision came first.
pub fn decide_erasure(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    reason: Option<&str>,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(er::table.filter(er::id.eq(id)).filter(er::status.eq("received")))
        .set((er::status.eq(status), er::decision_reason.eq(reason), er::decided_by.eq(by), er::decided_at.eq(at)))
        .execute(conn)?;
    Ok(n == 1)
}

// Runs

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rr)]
pub struct RunRow {
    pub id: String,
    pub ran_at: NaiveDateTime,
    pub ran_by: Option<String>,
    pub cases: i32,
    pub households: i32,
    pub persons: i32,
    pub held: i32,
    pub audit_events: i64,
    pub chains: i32,
}

pub fn insert_run(conn: &mut DbConn, row: &RunRow) -> QueryResult<()> {
    diesel::insert_into(rr::table).values(row).execute(conn).map(|_| ())
}

pub fn runs(conn: &mut DbConn) -> QueryResult<Vec<RunRow>> {
    rr::table.select(RunRow::as_select()).order(rr::ran_at.desc()).limit(100).load(conn)
}
