//! Diesel queries for consents and statutory bases.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{cases, consents, household_members, organisations, parent_child, persons};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub case_id: String,
    pub person_id: String,
    pub kind: String,
    pub givers: String,
    pub legal_ground: Option<String>,
    pub holder_organisation_id: Option<String>,
    pub recipients: String,
    pub categories: String,
    pub purpose: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_note: Option<String>,
}

pub fn insert(c: &mut DbConn, row: &ConsentRow) -> QueryResult<()> {
    crate::db_run!(c, |c| diesel::insert_into(consents::table).values(row).execute(c)).map(|_| ())
}

pub fn of_case(c: &mut DbConn, case_id: &str) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::case_id.eq(case_id))
        .order((consents::recorded_at.asc(), consents::id.asc()))
        .select(ConsentRow::as_select())
        .load(c)
}

pub fn by_id(c: &mut DbConn, id: &str) -> QueryResult<Option<ConsentRow>> {
    consents::table.find(id).select(ConsentRow::as_select()).first(c).optional()
}

/// Withdraws a consent that is not withdrawn yet; false when it already was.
pub fn withdraw(c: &mut DbConn, id: &str, by: &str, note: Option<&str>, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(consents::table.find(id).filter(consents::withdrawn_at.is_null()))
        .set((consents::withdrawn_at.eq(at), consents::withdrawn_by.eq(by), consents::withdrawal_note.eq(note)))
        .execute(c)
        .map(|n| n == 1)
}

/// What consent needs of a case: its household and team (queried here, so consent depends on no cases module).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub household_id: String,
    pub team_id: String,
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

/// Birth dates of persons, by id.
pub fn births(c: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, NaiveDate>> {
    Ok(persons::table
        .filter(persons::id.eq_any(ids))
        .select((persons::id, persons::birth_date))
        .load::<(String, NaiveDate)>(c)?
        .into_iter()
        .collect())
}

/// Whether the person is (or was) a member of the household.
pub fn is_member(c: &mut DbConn, household_id: &str, person_id: &str) -> QueryResult<bool> {
    Ok(household_members::table
        .filter(household_members::household_id.eq(household_id))
        .filter(household_members::person_id.eq(person_id))
        .count()
        .get_result::<i64>(c)?
        > 0)
}

/// The members of `household_id` whose membership carries custody on `day`.
pub fn custody_holders_in(c: &mut DbConn, household_id: &str, day: NaiveDate) -> QueryResult<Vec<String>> {
    household_members::table
        .filter(custody_on(day))
        .filter(household_members::household_id.eq(household_id))
        .select(household_members::person_id)
        .load(c)
}

/// Of `persons`, those with a membership (in any household) that carries custody on `day`.
pub fn custody_holders_among(c: &mut DbConn, persons: &[String], day: NaiveDate) -> QueryResult<Vec<String>> {
    household_members::table
        .filter(custody_on(day))
        .filter(household_members::person_id.eq_any(persons))
        .select(household_members::person_id)
        .load(c)
}

/// A membership that carries custody on `day`.
#[diesel::dsl::auto_type]
fn custody_on(day: NaiveDate) -> _ {
    household_members::custody
        .eq(true)
        .and(household_members::from_date.le(day))
        .and(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
}

/// The recorded (parent, child) links of `children`.
pub fn parent_links(c: &mut DbConn, children: &[String]) -> QueryResult<Vec<(String, String)>> {
    parent_child::table
        .filter(parent_child::child_id.eq_any(children))
        .select((parent_child::parent_id, parent_child::child_id))
        .load(c)
}

/// Of `ids`, those of known organisations.
pub fn known_organisations(c: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    organisations::table.filter(organisations::id.eq_any(ids)).select(organisations::id).load(c)
}

pub fn organisation_exists(c: &mut DbConn, id: &str) -> QueryResult<bool> {
    Ok(organisations::table.find(id).count().get_result::<i64>(c)? > 0)
}
