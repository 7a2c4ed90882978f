//! Diesel queries for break-glass grants, and what opening one needs to find of a case.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{break_glass as bg, cases, household_members, users};
use crate::db::DbConn;

/// A grant with the name of the user who holds it.
#[derive(Debug, Clone, Queryable)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub case_id: String,
    pub reason: String,
    pub justification: String,
    pub started_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<String>,
    pub judgement: Option<String>,
    pub review_note: Option<String>,
    pub user_name: String,
}

/// Uses to review: newest first, at most `limit`; `reviewed` filters by whether they were judged.
pub fn grants(c: &mut DbConn, reviewed: Option<bool>, limit: i64) -> QueryResult<Vec<GrantRow>> {
    let mut q = with_user().order(bg::started_at.desc()).into_boxed();
    match reviewed {
        Some(true) => q = q.filter(bg::reviewed_at.is_not_null()),
        Some(false) => q = q.filter(bg::reviewed_at.is_null()),
        None => {}
    }
    q.limit(limit).load(c)
}

pub fn grant(c: &mut DbConn, id: &str) -> QueryResult<Option<GrantRow>> {
    with_user().filter(bg::id.eq(id)).first(c).optional()
}

#[diesel::dsl::auto_type]
fn with_user() -> _ {
    bg::table.inner_join(users::table.on(users::id.eq(bg::user_id))).select((
        bg::id,
        bg::user_id,
        bg::case_id,
        bg::reason,
        bg::justification,
        bg::started_at,
        bg::expires_at,
        bg::reviewed_at,
        bg::reviewed_by,
        bg::judgement,
        bg::review_note,
        users::display_name,
    ))
}

pub struct NewGrant<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub case_id: &'a str,
    pub reason: &'a str,
    pub justification: &'a str,
    pub started_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(c: &mut DbConn, g: &NewGrant) -> QueryResult<()> {
    diesel::insert_into(bg::table)
        .values((
            bg::id.eq(g.id),
            bg::user_id.eq(g.user_id),
            bg::case_id.eq(g.case_id),
            bg::reason.eq(g.reason),
            bg::justification.eq(g.justification),
            bg::started_at.eq(g.started_at),
            bg::expires_at.eq(g.expires_at),
        ))
        .execute(c)
        .map(|_| ())
}

/// Records the judgement of a use not yet reviewed; false when it already was.
pub fn review(
    c: &mut DbConn,
    id: &str,
    by: &str,
    judgement: &str,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(bg::table.find(id).filter(bg::reviewed_at.is_null()))
        .set((bg::reviewed_at.eq(at), bg::reviewed_by.eq(by), bg::judgement.eq(judgement), bg::review_note.eq(note)))
        .execute(c)
        .map(|n| n == 1)
}

/// What opening a grant needs of a case.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub household_id: String,
    pub team_id: String,
    pub state: String,
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

pub fn case(c: &mut DbConn, id: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.find(id).select(CaseRow::as_select()).first(c).optional()
}

/// The case not closed of the household the person lives in now, if any.
pub fn open_case_of_person(c: &mut DbConn, person_id: &str) -> QueryResult<Option<CaseRow>> {
    let household: Option<String> = household_members::table
        .filter(household_members::person_id.eq(person_id))
        .filter(household_members::until_date.is_null())
        .select(household_members::household_id)
        .first(c)
        .optional()?;
    let Some(household) = household else { return Ok(None) };
    cases::table
        .filter(cases::household_id.eq(household))
        .filter(cases::state.ne("closed"))
        .select(CaseRow::as_select())
        .first(c)
        .optional()
}

/// The user's own grants whose window holds at `now` (on one case when given), the latest ending first.
pub fn open_grants_of(
    c: &mut DbConn,
    user_id: &str,
    case_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<GrantRow>> {
    let mut q = with_user()
        .filter(bg::user_id.eq(user_id))
        .filter(bg::started_at.le(now))
        .filter(bg::expires_at.gt(now))
        .order(bg::expires_at.desc())
        .into_boxed();
    if let Some(case_id) = case_id {
        q = q.filter(bg::case_id.eq(case_id));
    }
    q.limit(LIST_OWN).load(c)
}

/// A user holds few windows at once; more are never listed.
const LIST_OWN: i64 = 100;
