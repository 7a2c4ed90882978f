//! Diesel queries of the person overview: the person's households and cases, and the allowed accesses that name
//! them or reach their household or a case of it — each way in one index range (audit_event_persons,
//! audit_events_household, audit_events_case), never a scan of the log.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Access, Membership, Through};
use crate::db::schema::{audit_event_persons as ap, audit_events as a, cases, household_members as hm, organisations};
use crate::db::DbConn;

/// The period the overview covers (UTC, `from` inclusive, `to` exclusive); open ends cover everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

type Columns = (
    i64,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
);

/// What the overview reads of the person index: the event's columns without its household and case.
type IndexColumns = (
    i64,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
);

/// What the overview reads of an event.
macro_rules! access_columns {
    () => {
        (
            a::id,
            a::occurred_at,
            a::user_name,
            a::role,
            a::organisation_id,
            a::action,
            a::resource_type,
            a::basis,
            a::basis_id,
            a::flagged,
            a::household_id,
            a::case_id,
        )
    };
}

/// The query limited to the period, on the given time column.
macro_rules! in_period {
    ($q:expr, $column:expr, $period:expr) => {{
        let mut q = $q;
        if let Some(from) = $period.from {
            q = q.filter($column.ge(from));
        }
        if let Some(to) = $period.to {
            q = q.filter($column.lt(to));
        }
        q
    }};
}

fn access(row: Columns, through: Option<Through>) -> Access {
    let (id, at, user_name, role, organisation_id, action, resource_type, basis, basis_id, flagged, _, _) = row;
    Access { row: id, at, user_name, role, organisation_id, action, resource_type, basis, basis_id, flagged, through }
}

/// The person's name; none when there is no such person.
pub fn person_name(conn: &mut DbConn, person_id: &str) -> QueryResult<Option<String>> {
    use crate::db::schema::persons;
    persons::table.filter(persons::id.eq(person_id)).select(persons::name).first(conn).optional()
}

/// Every household the person belongs or belonged to, with when.
pub fn memberships(conn: &mut DbConn, person_id: &str) -> QueryResult<Vec<Membership>> {
    let rows: Vec<(String, chrono::NaiveDate, Option<chrono::NaiveDate>)> = hm::table
        .filter(hm::person_id.eq(person_id))
        .select((hm::household_id, hm::from_date, hm::until_date))
        .load(conn)?;
    Ok(rows.into_iter().map(|(household_id, from, until)| Membership { household_id, from, until }).collect())
}

/// The cases of these households, each with its household.
pub fn cases_of(conn: &mut DbConn, households: &[String]) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = cases::table
        .filter(cases::household_id.eq_any(households))
        .select((cases::id, cases::household_id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The allowed accesses in the period that name the person, that concern one of the households, or one of the
/// cases. One access found more than one way comes back once (by the first way: the person, the household, the
/// case); whether a household or case access concerns the person is the model's `concerns`.
pub fn accesses(
    conn: &mut DbConn,
    person_id: &str,
    households: &[String],
    case_ids: &[String],
    period: Period,
) -> QueryResult<Vec<Access>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();

    // The accesses that name the person: their columns are copied into the person index, so this is one range
    // of it (index-only on PostgreSQL), not a lookup of each event in the log.
    let q = ap::table
        .filter(ap::person_id.eq(person_id))
        .filter(ap::allowed.eq(true))
        .select((
            ap::event_row,
            ap::occurred_at,
            ap::user_name,
            ap::role,
            ap::organisation_id,
            ap::action,
            ap::resource_type,
            ap::basis,
            ap::basis_id,
            ap::flagged,
        ))
        .into_boxed();
    let q = in_period!(q, ap::occurred_at, period);
    for row in q.load::<IndexColumns>(conn)? {
        let (id, at, user_name, role, organisation_id, action, resource_type, basis, basis_id, flagged) = row;
        if seen.insert(id) {
            let through = None;
            out.push(Access {
                row: id,
                at,
                user_name,
                role,
                organisation_id,
                action,
                resource_type,
                basis,
                basis_id,
                flagged,
                through,
            });
        }
    }

    if !households.is_empty() {
        let q = a::table
            .filter(a::household_id.eq_any(households))
            .filter(a::outcome.eq("allowed"))
            .select(access_columns!())
            .into_boxed();
        let q = in_period!(q, a::occurred_at, period);
        for row in q.load::<Columns>(conn)? {
            let household = row.10.clone().unwrap_or_default();
            if seen.insert(row.0) {
                out.push(access(row, Some(Through::Household(household))));
            }
        }
    }

    if !case_ids.is_empty() {
        let q = a::table
            .filter(a::case_id.eq_any(case_ids))
            .filter(a::outcome.eq("allowed"))
            .select(access_columns!())
            .into_boxed();
        let q = in_period!(q, a::occurred_at, period);
        for row in q.load::<Columns>(conn)? {
            let case = row.11.clone().unwrap_or_default();
            if seen.insert(row.0) {
                out.push(access(row, Some(Through::Case(case))));
            }
        }
    }
    Ok(out)
}

/// The names of these organisations.
pub fn organisation_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Every user (active or not: the log names both), with their organisation's name, by name.
pub fn employees(conn: &mut DbConn) -> QueryResult<Vec<(String, String, String)>> {
    use crate::db::schema::users;
    users::table
        .inner_join(organisations::table.on(organisations::id.eq(users::organisation_id)))
        .select((users::id, users::display_name, organisations::name))
        .order((users::display_name.asc(), users::id.asc()))
        .load(conn)
}
