//! Diesel queries for plan versions and action progress.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{plan_action_progress as pap, plan_versions as pv};
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
