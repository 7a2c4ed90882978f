//! Diesel queries of the plan feature: plan versions and action progress, ZRM assessments, evaluations, and what
//! a plan refers to (the household's members, the professionals involved).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    evaluation_agreements as ea, evaluations as ev, household_members, involvements, organisations, persons,
    plan_action_progress as pap, plan_versions as pv, users, zrm_assessments as za,
};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pv)]
pub struct VersionRow {
    pub id: String,
    pub case_id: String,
    pub number: i32,
    pub status: String,
    pub content: String,
    pub based_on: Option<i32>,
    pub members_may_edit: bool,
    pub revision: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
    pub agreed_by: Option<String>,
    pub agreed_at: Option<NaiveDateTime>,
    pub agreement: Option<String>,
    pub superseded_at: Option<NaiveDateTime>,
}

pub fn versions(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<VersionRow>> {
    pv::table.filter(pv::case_id.eq(case_id)).order(pv::number.asc()).select(VersionRow::as_select()).load(c)
}

pub fn version(c: &mut DbConn, case_id: &str, number: i32) -> QueryResult<Option<VersionRow>> {
    pv::table
        .filter(pv::case_id.eq(case_id))
        .filter(pv::number.eq(number))
        .select(VersionRow::as_select())
        .first(c)
        .optional()
}

pub fn with_status(c: &mut DbConn, case_id: &str, status: &str) -> QueryResult<Option<VersionRow>> {
    pv::table
        .filter(pv::case_id.eq(case_id))
        .filter(pv::status.eq(status))
        .select(VersionRow::as_select())
        .first(c)
        .optional()
}

pub fn insert(c: &mut DbConn, row: &VersionRow) -> QueryResult<()> {
    crate::db_run!(c, |c| diesel::insert_into(pv::table).values(row).execute(c)).map(|_| ())
}

/// Replaces a draft's content when its revision is still `revision`; false when someone else came first.
pub fn update_draft(
    c: &mut DbConn,
    id: &str,
    revision: i64,
    content: &str,
    members_may_edit: bool,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(pv::table.find(id).filter(pv::status.eq("draft")).filter(pv::revision.eq(revision)))
        .set((
            pv::content.eq(content),
            pv::members_may_edit.eq(members_may_edit),
            pv::revision.eq(revision + 1),
            pv::updated_by.eq(by),
            pv::updated_at.eq(at),
        ))
        .execute(c)
        .map(|n| n == 1)
}

pub fn supersede(c: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(pv::table.find(id).filter(pv::status.eq("agreed")))
        .set((pv::status.eq("superseded"), pv::superseded_at.eq(at)))
        .execute(c)
        .map(|n| n == 1)
}

pub fn mark_agreed(
    c: &mut DbConn,
    id: &str,
    revision: i64,
    agreement: &str,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(pv::table.find(id).filter(pv::status.eq("draft")).filter(pv::revision.eq(revision)))
        .set((
            pv::status.eq("agreed"),
            pv::agreement.eq(agreement),
            pv::agreed_by.eq(by),
            pv::agreed_at.eq(at),
            pv::revision.eq(revision + 1),
            pv::updated_by.eq(by),
            pv::updated_at.eq(at),
        ))
        .execute(c)
        .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pap)]
pub struct ProgressRow {
    pub case_id: String,
    pub action_id: String,
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

pub fn progress(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<ProgressRow>> {
    pap::table.filter(pap::case_id.eq(case_id)).select(ProgressRow::as_select()).load(c)
}

/// Starts tracking an action the first time a version holding it is agreed.
pub fn track_action(c: &mut DbConn, case_id: &str, action_id: &str, by: &str, at: NaiveDateTime) -> QueryResult<()> {
    let exists = pap::table
        .filter(pap::case_id.eq(case_id))
        .filter(pap::action_id.eq(action_id))
        .count()
        .get_result::<i64>(c)?
        > 0;
    if !exists {
        diesel::insert_into(pap::table)
            .values((
                pap::case_id.eq(case_id),
                pap::action_id.eq(action_id),
                pap::status.eq("planned"),
                pap::revision.eq(1i64),
                pap::updated_by.eq(by),
                pap::updated_at.eq(at),
            ))
            .execute(c)?;
    }
    Ok(())
}

pub fn set_progress(
    c: &mut DbConn,
    case_id: &str,
    action_id: &str,
    revision: i64,
    (status, done_on): (&str, Option<NaiveDate>),
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        pap::table
            .filter(pap::case_id.eq(case_id))
            .filter(pap::action_id.eq(action_id))
            .filter(pap::revision.eq(revision)),
    )
    .set((
        pap::status.eq(status),
        pap::done_on.eq(done_on),
        pap::revision.eq(revision + 1),
        pap::updated_by.eq(by),
        pap::updated_at.eq(at),
    ))
    .execute(c)
    .map(|n| n == 1)
}

// What a plan refers to.

/// The household's members on `day`.
pub fn members_on(c: &mut DbConn, household_id: &str, day: NaiveDate) -> QueryResult<Vec<String>> {
    household_members::table
        .filter(household_members::household_id.eq(household_id))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .select(household_members::person_id)
        .load(c)
}

/// The members of the household on `day` with their birth dates.
pub fn member_births_on(c: &mut DbConn, household_id: &str, day: NaiveDate) -> QueryResult<Vec<(String, NaiveDate)>> {
    use crate::db::schema::persons;
    household_members::table
        .inner_join(persons::table.on(persons::id.eq(household_members::person_id)))
        .filter(household_members::household_id.eq(household_id))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .select((persons::id, persons::birth_date))
        .load(c)
}

/// Whether the person is, or was, a member of the household.
pub fn is_member(c: &mut DbConn, household_id: &str, person_id: &str) -> QueryResult<bool> {
    Ok(household_members::table
        .filter(household_members::household_id.eq(household_id))
        .filter(household_members::person_id.eq(person_id))
        .count()
        .get_result::<i64>(c)?
        > 0)
}

/// The professionals involved in the case at `at`, each with the organisation they are involved for.
pub fn professionals(c: &mut DbConn, case_id: &str, at: NaiveDateTime) -> QueryResult<Vec<(String, String)>> {
    involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(crate::db::involvement_active(at))
        .select((involvements::user_id, involvements::organisation_id))
        .load(c)
}

/// Person id and name of each of `ids`.
pub fn person_names(c: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    persons::table.filter(persons::id.eq_any(ids)).select((persons::id, persons::name)).load(c)
}

/// A professional involved in a case, as the family's document names them.
#[derive(Debug, Queryable)]
pub struct ContactRow {
    pub user_id: String,
    pub name: String,
    pub organisation: String,
    pub role_in_case: String,
    pub email: String,
}

/// Every involvement in the case at `at`, with the professional's name, organisation and e-mail address.
pub fn contacts(c: &mut DbConn, case_id: &str, at: NaiveDateTime) -> QueryResult<Vec<ContactRow>> {
    involvements::table
        .inner_join(users::table.on(users::id.eq(involvements::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(involvements::organisation_id)))
        .filter(involvements::case_id.eq(case_id))
        .filter(crate::db::involvement_active(at))
        .select((users::id, users::display_name, organisations::name, involvements::role_in_case, users::email))
        .load(c)
}

// ZRM assessments.

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = za)]
pub struct AssessmentRow {
    pub id: String,
    pub case_id: String,
    pub person_id: Option<String>,
    pub instrument: String,
    pub kind: String,
    pub assessed_on: NaiveDate,
    pub assessor_id: String,
    pub scores: String,
    pub created_at: NaiveDateTime,
}

/// The case's assessments, oldest first.
pub fn assessments(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<AssessmentRow>> {
    za::table
        .filter(za::case_id.eq(case_id))
        .order((za::assessed_on.asc(), za::created_at.asc()))
        .select(AssessmentRow::as_select())
        .load(c)
}

pub fn insert_assessment(c: &mut DbConn, row: &AssessmentRow) -> QueryResult<()> {
    crate::db_run!(c, |c| diesel::insert_into(za::table).values(row).execute(c)).map(|_| ())
}

// Evaluations.

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ev)]
pub struct EvaluationRow {
    pub id: String,
    pub case_id: String,
    pub plan_number: i32,
    pub held_on: NaiveDate,
    /// JSON.
    pub participants: String,
    /// JSON.
    pub goal_progress: String,
    pub decision: String,
    pub next_evaluation_date: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// The case's evaluations in the order they were held.
pub fn evaluations(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<EvaluationRow>> {
    ev::table
        .filter(ev::case_id.eq(case_id))
        .order((ev::held_on.asc(), ev::created_at.asc()))
        .select(EvaluationRow::as_select())
        .load(c)
}

pub fn insert_evaluation(c: &mut DbConn, row: &EvaluationRow) -> QueryResult<()> {
    crate::db_run!(c, |c| diesel::insert_into(ev::table).values(row).execute(c)).map(|_| ())
}

/// One thing one participant will do after an evaluation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ea)]
pub struct AgreementRow {
    pub evaluation_id: String,
    pub position: i32,
    pub who_kind: String,
    pub who_person_id: Option<String>,
    pub who_user_id: Option<String>,
    pub who_organisation_id: Option<String>,
    pub who_name: Option<String>,
    pub what: String,
}

/// The agreements of the case's evaluations, each evaluation's in its order.
pub fn agreements(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<AgreementRow>> {
    ea::table
        .inner_join(ev::table)
        .filter(ev::case_id.eq(case_id))
        .order((ea::evaluation_id.asc(), ea::position.asc()))
        .select(AgreementRow::as_select())
        .load(c)
}

pub fn insert_agreements(c: &mut DbConn, rows: &[AgreementRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    crate::db_run!(c, |c| diesel::insert_into(ea::table).values(rows).execute(c)).map(|_| ())
}
