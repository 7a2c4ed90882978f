//! Diesel queries for consents and statutory bases.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::consents;
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
