//! Diesel queries for cases, their state history, involvements, regisseur assignments and contact sheet.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{
    case_state_history, cases, household_members, involvements, organisations, persons, regisseur_assignments as ra,
    users,
};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub household_id: String,
    pub team_id: String,
    pub state: String,
    pub laws: String,
    pub close_reason: Option<String>,
    pub previous_case_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

impl crate::access::CaseFacts for CaseRow {
    fn case_id(&self) -> &str {
        &self.id
    }
    fn team_id(&self) -> &str {
        &self.team_id
    }
    fn household_id(&self) -> &str {
        &self.household_id
    }
}

pub fn insert_case(conn: &mut DbConn, c: &CaseRow) -> QueryResult<()> {
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(&c.id),
            cases::household_id.eq(&c.household_id),
            cases::team_id.eq(&c.team_id),
            cases::state.eq(&c.state),
            cases::laws.eq(&c.laws),
            cases::close_reason.eq(c.close_reason.as_deref()),
            cases::previous_case_id.eq(c.previous_case_id.as_deref()),
            cases::version.eq(c.version),
            cases::created_at.eq(c.created_at),
            cases::updated_at.eq(c.updated_at),
            cases::closed_at.eq(c.closed_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn case(conn: &mut DbConn, id: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.find(id).select(CaseRow::as_select()).first(conn).optional()
}

pub fn cases_by_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<CaseRow>> {
    cases::table.filter(cases::id.eq_any(ids)).order(cases::id.asc()).select(CaseRow::as_select()).load(conn)
}

/// The household's most recently closed case: a new case continues it.
pub fn last_closed_case(conn: &mut DbConn, household_id: &str) -> QueryResult<Option<String>> {
    cases::table
        .filter(cases::household_id.eq(household_id))
        .filter(cases::state.eq("closed"))
        .order((cases::closed_at.desc(), cases::id.desc()))
        .select(cases::id)
        .first(conn)
        .optional()
}

pub fn open_case_of_household(conn: &mut DbConn, household_id: &str) -> QueryResult<Option<String>> {
    cases::table
        .filter(cases::household_id.eq(household_id))
        .filter(cases::state.ne("closed"))
        .select(cases::id)
        .first(conn)
        .optional()
}

pub fn insert_state(
    conn: &mut DbConn,
    case_id: &str,
    state: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(case_state_history::table)
        .values((
            case_state_history::id.eq(crate::db::new_id()),
            case_state_history::case_id.eq(case_id),
            case_state_history::state.eq(state),
            case_state_history::entered_at.eq(at),
            case_state_history::entered_by.eq(by),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn state_history(conn: &mut DbConn, case_id: &str) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    case_state_history::table
        .filter(case_state_history::case_id.eq(case_id))
        .order(case_state_history::entered_at.asc())
        .select((case_state_history::state, case_state_history::entered_at))
        .load(conn)
}

pub struct NewInvolvement<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub user_id: &'a str,
    pub organisation_id: &'a str,
    pub kind: &'a str,
    pub role_in_case: &'a str,
    pub created_by: Option<&'a str>,
}

pub fn insert_involvement(conn: &mut DbConn, i: &NewInvolvement, at: NaiveDateTime) -> QueryResult<()> {
    insert_involvement_period(conn, i, at, at, None)
}

/// An involvement from `from` until `until` (exclusive; open-ended when None), recorded at `at`.
pub fn insert_involvement_period(
    conn: &mut DbConn,
    i: &NewInvolvement,
    at: NaiveDateTime,
    from: NaiveDateTime,
    until: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::insert_into(involvements::table)
        .values((
            involvements::id.eq(i.id),
            involvements::case_id.eq(i.case_id),
            involvements::user_id.eq(i.user_id),
            involvements::organisation_id.eq(i.organisation_id),
            involvements::kind.eq(i.kind),
            involvements::role_in_case.eq(i.role_in_case),
            involvements::valid_from.eq(from),
            involvements::valid_until.eq(until),
            involvements::created_by.eq(i.created_by),
            involvements::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Professionals and organisations involved in a case now: the "minder hulpverleners" figure.
pub fn involved_counts(conn: &mut DbConn, case_id: &str, now: NaiveDateTime) -> QueryResult<(i64, i64)> {
    let ids = [case_id.to_string()];
    Ok(involved_counts_of(conn, &ids, now)?.remove(case_id).unwrap_or((0, 0)))
}

/// `involved_counts` for many cases in one query (lists).
pub fn involved_counts_of(
    conn: &mut DbConn,
    case_ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashMap<String, (i64, i64)>> {
    use std::collections::{BTreeSet, HashMap};
    let rows: Vec<(String, String, String)> = involvements::table
        .filter(involvements::case_id.eq_any(case_ids))
        .filter(crate::db::involvement_active(now))
        .select((involvements::case_id, involvements::user_id, involvements::organisation_id))
        .load(conn)?;
    let mut per_case: HashMap<String, (BTreeSet<String>, BTreeSet<String>)> = HashMap::new();
    for (case, user, org) in rows {
        let entry = per_case.entry(case).or_default();
        entry.0.insert(user);
        entry.1.insert(org);
    }
    Ok(per_case.into_iter().map(|(k, (u, o))| (k, (u.len() as i64, o.len() as i64))).collect())
}

/// Moves a case to a new state when its version still matches; false when someone changed it first.
pub fn update_state(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    state: &str,
    close_reason: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let closed_at = (state == "closed").then_some(at);
    diesel::update(cases::table.filter(cases::id.eq(id)).filter(cases::version.eq(version)))
        .set((
            cases::state.eq(state),
            cases::close_reason.eq(close_reason),
            cases::closed_at.eq(closed_at),
            cases::version.eq(version + 1),
            cases::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Whether the user already has an involvement in the case overlapping [from, until).
pub fn overlapping_involvement(
    conn: &mut DbConn,
    user_id: &str,
    case_id: &str,
    from: NaiveDateTime,
    until: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let mut q = involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(involvements::user_id.eq(user_id))
        .filter(involvements::valid_until.is_null().or(involvements::valid_until.gt(from)))
        .into_boxed();
    if let Some(u) = until {
        q = q.filter(involvements::valid_from.lt(u));
    }
    Ok(q.count().get_result::<i64>(conn)? > 0)
}

/// An involvement as stored: id, user, organisation, kind, role in the case, from, until.
pub type InvolvementRow = (String, String, String, String, String, NaiveDateTime, Option<NaiveDateTime>);

/// The case's involvements, past, present and future, in the order they start.
pub fn involvements_of(conn: &mut DbConn, case_id: &str) -> QueryResult<Vec<InvolvementRow>> {
    involvements::table
        .filter(involvements::case_id.eq(case_id))
        .order(involvements::valid_from.asc())
        .select((
            involvements::id,
            involvements::user_id,
            involvements::organisation_id,
            involvements::kind,
            involvements::role_in_case,
            involvements::valid_from,
            involvements::valid_until,
        ))
        .load(conn)
}

pub fn end_involvement(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(involvements::table.filter(involvements::id.eq(id)))
        .set(involvements::valid_until.eq(at))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = ra)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRow {
    pub id: String,
    pub case_id: String,
    pub user_id: String,
    /// proposed, declined, withdrawn, active or ended
    pub status: String,
    pub proposed_by: String,
    pub family_choice: bool,
    pub reason: Option<String>,
    #[serde(skip)]
    pub proposed_at: NaiveDateTime,
    #[serde(skip)]
    pub decided_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub active_from: Option<NaiveDateTime>,
    #[serde(skip)]
    pub active_until: Option<NaiveDateTime>,
}

/// Every regisseur assignment of the case, proposals included, in the order they were proposed.
pub fn assignments(conn: &mut DbConn, case_id: &str) -> QueryResult<Vec<AssignmentRow>> {
    ra::table.filter(ra::case_id.eq(case_id)).order(ra::proposed_at.asc()).select(AssignmentRow::as_select()).load(conn)
}

pub fn assignment(conn: &mut DbConn, id: &str) -> QueryResult<AssignmentRow> {
    ra::table.find(id).select(AssignmentRow::as_select()).first(conn)
}

/// The case's assignment in this status (there is at most one proposed and one active).
pub fn assignment_with_status(conn: &mut DbConn, case_id: &str, status: &str) -> QueryResult<Option<AssignmentRow>> {
    ra::table
        .filter(ra::case_id.eq(case_id))
        .filter(ra::status.eq(status))
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()
}

pub struct NewProposal<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub user_id: &'a str,
    pub proposed_by: &'a str,
    pub family_choice: bool,
    pub reason: Option<&'a str>,
}

/// Withdraws the case's open proposal, if any, and records the new one: a new proposal replaces an open one.
pub fn replace_proposal(conn: &mut DbConn, p: &NewProposal, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ra::table.filter(ra::case_id.eq(p.case_id)).filter(ra::status.eq("proposed")))
        .set((ra::status.eq("withdrawn"), ra::decided_at.eq(at)))
        .execute(conn)?;
    diesel::insert_into(ra::table)
        .values((
            ra::id.eq(p.id),
            ra::case_id.eq(p.case_id),
            ra::user_id.eq(p.user_id),
            ra::status.eq("proposed"),
            ra::proposed_by.eq(p.proposed_by),
            ra::family_choice.eq(p.family_choice),
            ra::reason.eq(p.reason),
            ra::proposed_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends an active assignment and its holder's regisseur involvement in the case, at `at`.
pub fn end_assignment(conn: &mut DbConn, previous: &AssignmentRow, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ra::table.filter(ra::id.eq(&previous.id)).filter(ra::status.eq("active")))
        .set((ra::status.eq("ended"), ra::active_until.eq(at)))
        .execute(conn)?;
    diesel::update(
        involvements::table
            .filter(involvements::case_id.eq(&previous.case_id))
            .filter(involvements::user_id.eq(&previous.user_id))
            .filter(involvements::kind.eq("regisseur"))
            .filter(involvements::valid_until.is_null()),
    )
    .set(involvements::valid_until.eq(at))
    .execute(conn)
    .map(|_| ())
}

/// Answers a proposal that is still open (`active` when accepted, from `at`); false when it was answered first.
pub fn answer_proposal(conn: &mut DbConn, id: &str, accept: bool, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(ra::table.filter(ra::id.eq(id)).filter(ra::status.eq("proposed")))
        .set((
            ra::status.eq(if accept { "active" } else { "declined" }),
            ra::decided_at.eq(at),
            ra::active_from.eq(if accept { Some(at) } else { None }),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Who lives in the household on `day`: person id, name, birth date, relation; youngest last.
pub fn members_on(
    conn: &mut DbConn,
    household_id: &str,
    day: NaiveDate,
) -> QueryResult<Vec<(String, String, NaiveDate, String)>> {
    household_members::table
        .inner_join(persons::table)
        .filter(household_members::household_id.eq(household_id))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .order((persons::birth_date.asc(), persons::id.asc()))
        .select((persons::id, persons::name, persons::birth_date, household_members::relation))
        .load(conn)
}

/// A professional involved in a case: user id, name, organisation name, email, kind, role in the case.
pub type ProfessionalRow = (String, String, String, String, String, String);

/// The professionals involved in the case at `at`, one row per involvement, in the order they started.
pub fn professionals_at(conn: &mut DbConn, case_id: &str, at: NaiveDateTime) -> QueryResult<Vec<ProfessionalRow>> {
    involvements::table
        .inner_join(users::table.on(users::id.eq(involvements::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(involvements::organisation_id)))
        .filter(involvements::case_id.eq(case_id))
        .filter(crate::db::involvement_active(at))
        .order((involvements::valid_from.asc(), involvements::id.asc()))
        .select((
            users::id,
            users::display_name,
            organisations::name,
            users::email,
            involvements::kind,
            involvements::role_in_case,
        ))
        .load(conn)
}

/// The open cases of these teams, in id order (at most `limit`): the teamleider's caseload.
pub fn open_cases_of_teams(conn: &mut DbConn, teams: &[String], limit: i64) -> QueryResult<Vec<String>> {
    cases::table
        .filter(cases::team_id.eq_any(teams))
        .filter(cases::state.ne("closed"))
        .order(cases::id.asc())
        .limit(limit)
        .select(cases::id)
        .load(conn)
}

/// The wijk of each case's household.
pub fn wijks_of(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<std::collections::HashMap<String, String>> {
    use crate::db::schema::households;
    let rows: Vec<(String, String)> = cases::table
        .inner_join(households::table.on(households::id.eq(cases::household_id)))
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, households::wijk))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The open proposals and active assignments of these cases, oldest proposal first.
pub fn open_assignments_of(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<AssignmentRow>> {
    ra::table
        .filter(ra::case_id.eq_any(case_ids))
        .filter(ra::status.eq_any(["proposed", "active"]))
        .order((ra::proposed_at.asc(), ra::id.asc()))
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// A member of a team as `team_members` reads them.
pub struct TeamMemberRow {
    pub user_id: String,
    pub display_name: String,
    pub role: String,
    pub team_id: String,
    /// The team's `provider_may_direct`.
    pub provider_may_direct: bool,
}

/// The active users with a wijkteam or teamleider role in these teams, by name, each with their team's
/// `provider_may_direct`: one statement.
pub fn team_members(conn: &mut DbConn, teams: &[String]) -> QueryResult<Vec<TeamMemberRow>> {
    use crate::db::schema::{teams as t, user_roles};
    let rows: Vec<(String, String, String, String, bool)> = user_roles::table
        .inner_join(users::table.on(users::id.eq(user_roles::user_id)))
        .inner_join(t::table.on(user_roles::team_id.eq(t::id.nullable())))
        .filter(t::id.eq_any(teams))
        .filter(user_roles::role.eq_any(["wijkteam", "teamleider"]))
        .filter(users::active.eq(true))
        .order((users::display_name.asc(), users::id.asc(), user_roles::role.asc()))
        .select((users::id, users::display_name, user_roles::role, t::id, t::provider_may_direct))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, display_name, role, team_id, provider_may_direct)| TeamMemberRow {
            user_id,
            display_name,
            role,
            team_id,
            provider_may_direct,
        })
        .collect())
}

/// The active provider professionals, with their organisation's name, by organisation and name: whom a case's
/// regisseur or teamleider may involve from another organisation.
pub fn provider_professionals(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(String, String, String)>> {
    use crate::db::schema::{organisations as o, user_roles};
    user_roles::table
        .inner_join(users::table.on(users::id.eq(user_roles::user_id)))
        .inner_join(o::table.on(o::id.eq(users::organisation_id)))
        .filter(user_roles::role.eq("provider"))
        .filter(users::active.eq(true))
        .filter(o::active.eq(true))
        .order((o::name.asc(), users::display_name.asc(), users::id.asc()))
        .select((users::id, users::display_name, o::name))
        .distinct()
        .limit(limit)
        .load(conn)
}
