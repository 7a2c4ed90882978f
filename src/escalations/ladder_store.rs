//! Diesel queries of the escalation ladder: escalations, their steps, the counts of who is involved, and whom a
//! level notifies. Every change of an escalation's state names the state it read (`WHERE id = ? AND level = ? AND
//! status = 'open'`) and returns the rows it changed, so two nodes never both move one escalation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    escalation_steps as st, escalations as es, involvements, stuck_reasons as sr, user_roles, users,
};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = es)]
pub struct EscalationRow {
    pub id: String,
    pub case_id: String,
    pub level: i64,
    pub status: String,
    pub trigger_kind: String,
    pub trigger_code: Option<String>,
    pub reason: Option<String>,
    pub raised_by: Option<String>,
    pub raised_at: NaiveDateTime,
    pub level_since: NaiveDateTime,
    pub respond_by: NaiveDate,
    pub responded_at: Option<NaiveDateTime>,
    pub responded_by: Option<String>,
    pub adopted_by: Option<String>,
    pub adopted_at: Option<NaiveDateTime>,
    pub involvement_id: Option<String>,
    pub organisations_at_adoption: Option<i64>,
    pub professionals_at_adoption: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub perspective_regained: Option<bool>,
    pub organisations_at_close: Option<i64>,
    pub professionals_at_close: Option<i64>,
    pub outcome_note: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = st)]
pub struct StepRow {
    pub id: String,
    pub escalation_id: String,
    pub kind: String,
    pub level: i64,
    pub at: NaiveDateTime,
    pub by_user: Option<String>,
    pub text: Option<String>,
    pub holder: Option<String>,
}

pub struct NewEscalation<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub level: i64,
    pub trigger_kind: &'a str,
    pub trigger_code: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub raised_by: Option<&'a str>,
    pub respond_by: NaiveDate,
}

/// Inserts an open escalation; the partial unique index refuses a second open one on the case.
pub fn insert(conn: &mut DbConn, e: &NewEscalation, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(es::table)
        .values((
            es::id.eq(e.id),
            es::case_id.eq(e.case_id),
            es::level.eq(e.level),
            es::status.eq("open"),
            es::trigger_kind.eq(e.trigger_kind),
            es::trigger_code.eq(e.trigger_code),
            es::reason.eq(e.reason),
            es::raised_by.eq(e.raised_by),
            es::raised_at.eq(at),
            es::level_since.eq(at),
            es::respond_by.eq(e.respond_by),
            es::version.eq(1i64),
        ))
        .execute(conn)
        .map(|_| ())
}

/// One step of an escalation (every column of the row: hence the arguments).
#[allow(clippy::too_many_arguments)]
pub fn add_step(
    conn: &mut DbConn,
    escalation_id: &str,
    kind: &str,
    level: i64,
    at: NaiveDateTime,
    by_user: Option<&str>,
    text: Option<&str>,
    holder: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(st::table)
        .values((
            st::id.eq(crate::db::new_id()),
            st::escalation_id.eq(escalation_id),
            st::kind.eq(kind),
            st::level.eq(level),
            st::at.eq(at),
            st::by_user.eq(by_user),
            st::text.eq(text),
            st::holder.eq(holder),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<EscalationRow>> {
    es::table.find(id).select(EscalationRow::as_select()).first(conn).optional()
}

pub fn open_for_case(conn: &mut DbConn, case_id: &str) -> QueryResult<Option<EscalationRow>> {
    es::table
        .filter(es::case_id.eq(case_id))
        .filter(es::status.eq("open"))
        .select(EscalationRow::as_select())
        .first(conn)
        .optional()
}

pub fn steps(conn: &mut DbConn, escalation_id: &str) -> QueryResult<Vec<StepRow>> {
    st::table
        .filter(st::escalation_id.eq(escalation_id))
        .order((st::at.asc(), st::id.asc()))
        .select(StepRow::as_select())
        .load(conn)
}

/// Which escalations a list shows: all, or those of these cases or of cases of these teams.
pub enum ListScope<'a> {
    All,
    Some { cases: &'a [String], teams: &'a [String] },
}

/// Escalations newest first, filtered by level and status, at most `limit`.
pub fn list(
    conn: &mut DbConn,
    scope: &ListScope,
    level: Option<i64>,
    status: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<EscalationRow>> {
    use crate::db::schema::cases;
    let mut q = es::table
        .inner_join(cases::table)
        .select(EscalationRow::as_select())
        .order((es::raised_at.desc(), es::id.desc()))
        .limit(limit)
        .into_boxed();
    if let ListScope::Some { cases: ids, teams } = scope {
        q = q.filter(es::case_id.eq_any(ids.to_vec()).or(cases::team_id.eq_any(teams.to_vec())));
    }
    if let Some(level) = level {
        q = q.filter(es::level.eq(level));
    }
    if let Some(status) = status {
        q = q.filter(es::status.eq(status.to_string()));
    }
    q.load(conn)
}

/// The open escalations' levels of these cases.
pub fn open_levels(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<(String, i64, String)>> {
    es::table
        .filter(es::case_id.eq_any(case_ids))
        .filter(es::status.eq("open"))
        .select((es::case_id, es::level, es::id))
        .load(conn)
}

/// The team's name and the wijk of a case's household: where an escalation is, without naming anyone.
pub fn place(conn: &mut DbConn, case_id: &str) -> QueryResult<Option<(String, String)>> {
    use crate::db::schema::{cases, households, teams};
    cases::table
        .inner_join(households::table)
        .inner_join(teams::table.on(teams::id.eq(cases::team_id)))
        .filter(cases::id.eq(case_id))
        .select((teams::name, households::wijk))
        .first(conn)
        .optional()
}

/// The display names of these users (the professionals who acted on an escalation).
pub fn display_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::display_name)).load(conn)
}

/// Stops the clock of the escalation at `level`: 1 when it was still open, unanswered and at that level.
pub fn respond(conn: &mut DbConn, id: &str, level: i64, by: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        es::table
            .filter(es::id.eq(id))
            .filter(es::level.eq(level))
            .filter(es::status.eq("open"))
            .filter(es::responded_at.is_null()),
    )
    .set((es::responded_at.eq(at), es::responded_by.eq(by), es::version.eq(es::version + 1)))
    .execute(conn)
}

/// Records the adoption (the service answers level 2 with it): 1 when it was still open, at that level and not adopted.
#[allow(clippy::too_many_arguments)]
pub fn adopt(
    conn: &mut DbConn,
    id: &str,
    level: i64,
    by: &str,
    at: NaiveDateTime,
    involvement_id: &str,
    organisations: i64,
    professionals: i64,
) -> QueryResult<usize> {
    diesel::update(
        es::table
            .filter(es::id.eq(id))
            .filter(es::level.eq(level))
            .filter(es::status.eq("open"))
            .filter(es::adopted_by.is_null()),
    )
    .set((
        es::adopted_by.eq(by),
        es::adopted_at.eq(at),
        es::involvement_id.eq(involvement_id),
        es::organisations_at_adoption.eq(organisations),
        es::professionals_at_adoption.eq(professionals),
        es::version.eq(es::version + 1),
    ))
    .execute(conn)
}

/// Moves an open escalation from `from` to `to` with a new deadline; the new level is unanswered. 1 when it was
/// still open at `from`.
pub fn rise(
    conn: &mut DbConn,
    id: &str,
    from: i64,
    to: i64,
    at: NaiveDateTime,
    respond_by: NaiveDate,
) -> QueryResult<usize> {
    diesel::update(es::table.filter(es::id.eq(id)).filter(es::level.eq(from)).filter(es::status.eq("open")))
        .set((
            es::level.eq(to),
            es::level_since.eq(at),
            es::respond_by.eq(respond_by),
            es::responded_at.eq(None::<NaiveDateTime>),
            es::responded_by.eq(None::<String>),
            es::version.eq(es::version + 1),
        ))
        .execute(conn)
}

pub struct Closing<'a> {
    pub by: &'a str,
    pub at: NaiveDateTime,
    pub perspective_regained: bool,
    pub organisations: i64,
    pub professionals: i64,
    pub note: Option<&'a str>,
}

/// Closes an open escalation at `level`: 1 when it was still open at that level.
pub fn close(conn: &mut DbConn, id: &str, level: i64, c: &Closing) -> QueryResult<usize> {
    diesel::update(es::table.filter(es::id.eq(id)).filter(es::level.eq(level)).filter(es::status.eq("open")))
        .set((
            es::status.eq("closed"),
            es::closed_at.eq(c.at),
            es::closed_by.eq(c.by),
            es::perspective_regained.eq(c.perspective_regained),
            es::organisations_at_close.eq(c.organisations),
            es::professionals_at_close.eq(c.professionals),
            es::outcome_note.eq(c.note),
            es::version.eq(es::version + 1),
        ))
        .execute(conn)
}

/// Open escalations whose level went unanswered past its respond-by date and can still rise.
pub fn due_to_rise(conn: &mut DbConn, today: NaiveDate, top: i64, limit: i64) -> QueryResult<Vec<EscalationRow>> {
    es::table
        .filter(es::status.eq("open"))
        .filter(es::respond_by.lt(today))
        .filter(es::responded_at.is_null())
        .filter(es::level.lt(top))
        .order((es::respond_by.asc(), es::id.asc()))
        .limit(limit)
        .select(EscalationRow::as_select())
        .load(conn)
}

/// Stuck reasons that began on or before `since_at_most`, of cases with no open escalation: (case, code, since),
/// oldest first.
pub fn long_held_reasons(conn: &mut DbConn, since_at_most: NaiveDate) -> QueryResult<Vec<(String, String, NaiveDate)>> {
    sr::table
        .filter(sr::since.le(since_at_most))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            es::table.filter(es::case_id.eq(sr::case_id)).filter(es::status.eq("open")),
        )))
        .order((sr::since.asc(), sr::case_id.asc(), sr::code.asc()))
        .select((sr::case_id, sr::code, sr::since))
        .load(conn)
}

/// When each of these cases was last raised, if ever.
pub fn last_raised(conn: &mut DbConn, case_ids: &[String]) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    es::table
        .filter(es::case_id.eq_any(case_ids))
        .group_by(es::case_id)
        .select((es::case_id, diesel::dsl::max(es::raised_at).assume_not_null()))
        .load(conn)
}

/// The professionals involved in the case now and their organisations, the procescoördinator's adoption left out:
/// (organisations, professionals).
pub fn involved_counts(conn: &mut DbConn, case_id: &str, now: NaiveDateTime) -> QueryResult<(i64, i64)> {
    let rows: Vec<(String, String)> = involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(involvements::kind.ne("procescoordinator"))
        .filter(crate::db::involvement_active(now))
        .select((involvements::user_id, involvements::organisation_id))
        .load(conn)?;
    let users: std::collections::BTreeSet<&String> = rows.iter().map(|(u, _)| u).collect();
    let organisations: std::collections::BTreeSet<&String> = rows.iter().map(|(_, o)| o).collect();
    Ok((organisations.len() as i64, users.len() as i64))
}

/// The active users involved in the case now (the adoption left out), each once.
pub fn involved_professionals(conn: &mut DbConn, case_id: &str, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(involvements::kind.ne("procescoordinator"))
        .filter(crate::db::involvement_active(now))
        .filter(involvements::user_id.eq_any(users::table.filter(users::active.eq(true)).select(users::id)))
        .select(involvements::user_id)
        .distinct()
        .order(involvements::user_id.asc())
        .load(conn)
}

/// Active users holding `role` (in `team`, when given).
pub fn users_with_role(conn: &mut DbConn, role: &str, team: Option<&str>) -> QueryResult<Vec<String>> {
    let mut q = user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role.eq(role.to_string()))
        .filter(users::active.eq(true))
        .select(users::id)
        .distinct()
        .into_boxed();
    if let Some(team) = team {
        q = q.filter(user_roles::team_id.eq(team.to_string()));
    }
    q.load(conn)
}

/// The active user with this email, if any.
pub fn active_user_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<String>> {
    users::table
        .filter(users::email.eq(email.trim()))
        .filter(users::active.eq(true))
        .select(users::id)
        .first(conn)
        .optional()
}
