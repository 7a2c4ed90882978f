//! Diesel queries of privacy supervision: the events of a period as the finding rules read them (the log's time
//! index), the findings with their events, and the log reviews.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{Event, Found};
use crate::db::schema::{
    access_finding_events as fe, access_findings as f, audit_events as a, break_glass as bg, household_members as hm,
    log_reviews as lr, users,
};
use crate::db::DbConn;

type EventColumns = (
    i64,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The events of signed-in users from `from` (inclusive) to `to` (exclusive), UTC, in the log's order.
pub fn events_between(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<Vec<Event>> {
    let rows: Vec<EventColumns> = a::table
        .filter(a::occurred_at.ge(from))
        .filter(a::occurred_at.lt(to))
        .filter(a::user_id.is_not_null())
        .select((
            a::id,
            a::occurred_at,
            a::user_id,
            a::role,
            a::action,
            a::resource_type,
            a::household_id,
            a::case_id,
            a::person_ids,
            a::basis,
            a::outcome,
        ))
        .order(a::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, at, user, role, action, resource_type, household_id, case_id, persons, basis, outcome)| Event {
            row,
            at,
            user_id: user.unwrap_or_default(),
            role,
            action,
            resource_type,
            household_id,
            case_id,
            person_ids: crate::audit::model::decode_person_ids(persons.as_deref()),
            basis,
            allowed: outcome == "allowed",
        })
        .collect())
}

/// Every household each of these persons belongs or belonged to.
pub fn households_of(conn: &mut DbConn, persons: &[String]) -> QueryResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> =
        hm::table.filter(hm::person_id.eq_any(persons)).select((hm::person_id, hm::household_id)).load(conn)?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (person, household) in rows {
        out.entry(person).or_default().push(household);
    }
    Ok(out)
}

/// The break-glass uses not judged yet: id, user, start.
pub fn unreviewed_break_glass(conn: &mut DbConn) -> QueryResult<Vec<(String, String, NaiveDateTime, NaiveDateTime)>> {
    bg::table
        .filter(bg::reviewed_at.is_null())
        .select((bg::id, bg::user_id, bg::started_at, bg::expires_at))
        .order(bg::started_at.asc())
        .load(conn)
}

/// The events a break-glass use allowed, in its window (the log's time index, then the basis).
pub fn break_glass_events(
    conn: &mut DbConn,
    id: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    a::table
        .filter(a::occurred_at.ge(from))
        .filter(a::occurred_at.le(until))
        .filter(a::basis.eq("break_glass"))
        .filter(a::basis_id.eq(id))
        .select(a::id)
        .order(a::id.asc())
        .load(conn)
}

/// Records the findings not recorded before (by fingerprint) with their events; how many were new.
pub fn record(conn: &mut DbConn, found: &[Found], at: NaiveDateTime) -> QueryResult<usize> {
    let prints: Vec<&str> = found.iter().map(|x| x.fingerprint.as_str()).collect();
    let known: Vec<String> = f::table.filter(f::fingerprint.eq_any(&prints)).select(f::fingerprint).load(conn)?;
    let mut new = 0;
    for x in found.iter().filter(|x| !known.contains(&x.fingerprint)) {
        let id = crate::db::new_id();
        diesel::insert_into(f::table)
            .values((
                f::id.eq(&id),
                f::kind.eq(x.kind.as_str()),
                f::fingerprint.eq(&x.fingerprint),
                f::user_id.eq(&x.user_id),
                f::day.eq(x.day),
                f::figure.eq(x.figure),
                f::threshold.eq(x.threshold),
                f::status.eq("open"),
                f::found_at.eq(at),
            ))
            .execute(conn)?;
        let rows: Vec<_> = x.events.iter().map(|r| (fe::finding_id.eq(&id), fe::event_row.eq(*r))).collect();
        for chunk in rows.chunks(200) {
            crate::db_run!(conn, |c| diesel::insert_into(fe::table).values(chunk).execute(c))?;
        }
        new += 1;
    }
    Ok(new)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::access_findings)]
pub struct FindingRow {
    pub id: String,
    pub kind: String,
    pub user_id: Option<String>,
    pub day: NaiveDate,
    pub figure: i64,
    pub threshold: i64,
    pub status: String,
    pub assigned_to: Option<String>,
    pub judgement: Option<String>,
    pub judgement_note: Option<String>,
    pub judged_by: Option<String>,
    pub judged_at: Option<NaiveDateTime>,
    pub closed_by: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub found_at: NaiveDateTime,
}

/// Findings, newest day first, optionally of one status and kind.
pub fn findings(conn: &mut DbConn, status: Option<&str>, kind: Option<&str>) -> QueryResult<Vec<FindingRow>> {
    let mut q = f::table.select(FindingRow::as_select()).into_boxed();
    if let Some(s) = status {
        q = q.filter(f::status.eq(s.to_string()));
    }
    if let Some(k) = kind {
        q = q.filter(f::kind.eq(k.to_string()));
    }
    q.order((f::day.desc(), f::found_at.desc(), f::id.asc())).limit(1000).load(conn)
}

pub fn finding(conn: &mut DbConn, id: &str) -> QueryResult<Option<FindingRow>> {
    f::table.filter(f::id.eq(id)).select(FindingRow::as_select()).first(conn).optional()
}

/// How many events each finding links.
pub fn event_counts(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = fe::table
        .filter(fe::finding_id.eq_any(ids))
        .group_by(fe::finding_id)
        .select((fe::finding_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The finding's events as the log stores them.
pub fn finding_events(conn: &mut DbConn, id: &str) -> QueryResult<Vec<crate::audit::store::Row>> {
    let rows = fe::table.filter(fe::finding_id.eq(id)).select(fe::event_row);
    a::table.filter(a::id.eq_any(rows)).order(a::id.asc()).select(crate::audit::store::Row::as_select()).load(conn)
}

/// A step of the workflow, only if the finding is still in the status it was read in (a second officer's step in
/// between makes this one change nothing: the caller answers 409).
pub struct Change<'a> {
    pub from_status: &'a str,
    pub status: &'a str,
    pub assigned_to: Option<&'a str>,
    pub judgement: Option<(&'a str, Option<&'a str>, &'a str, NaiveDateTime)>,
    pub closed: Option<(&'a str, NaiveDateTime)>,
}

pub fn change(conn: &mut DbConn, id: &str, c: &Change) -> QueryResult<bool> {
    let target = f::table.filter(f::id.eq(id)).filter(f::status.eq(c.from_status));
    let n = match (c.assigned_to, c.judgement, c.closed) {
        (Some(who), _, _) => {
            diesel::update(target).set((f::status.eq(c.status), f::assigned_to.eq(who))).execute(conn)?
        }
        (_, Some((judgement, note, by, at)), _) => diesel::update(target)
            .set((
                f::status.eq(c.status),
                f::judgement.eq(judgement),
                f::judgement_note.eq(note),
                f::judged_by.eq(by),
                f::judged_at.eq(at),
            ))
            .execute(conn)?,
        (_, _, Some((by, at))) => diesel::update(target)
            .set((f::status.eq(c.status), f::closed_by.eq(by), f::closed_at.eq(at)))
            .execute(conn)?,
        _ => 0,
    };
    Ok(n == 1)
}

/// Whether the user is an active privacy officer (whom a finding can be assigned to).
pub fn is_active_privacy_officer(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    use crate::db::schema::user_roles as ur;
    diesel::select(diesel::dsl::exists(
        users::table
            .inner_join(ur::table.on(ur::user_id.eq(users::id)))
            .filter(users::id.eq(user_id))
            .filter(users::deactivated_at.is_null())
            .filter(ur::role.eq("privacy_officer")),
    ))
    .get_result(conn)
}

/// The names of these users.
pub fn user_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::display_name)).load(conn)?;
    Ok(rows.into_iter().collect())
}

// Log reviews

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::log_reviews)]
pub struct ReviewRow {
    pub id: String,
    pub reviewer_id: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub method: String,
    pub sample: String,
    pub findings: String,
    pub follow_up: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_review(conn: &mut DbConn, r: &ReviewRow) -> QueryResult<()> {
    diesel::insert_into(lr::table)
        .values((
            lr::id.eq(&r.id),
            lr::reviewer_id.eq(&r.reviewer_id),
            lr::period_from.eq(r.period_from),
            lr::period_to.eq(r.period_to),
            lr::method.eq(&r.method),
            lr::sample.eq(&r.sample),
            lr::findings.eq(&r.findings),
            lr::follow_up.eq(&r.follow_up),
            lr::recorded_at.eq(r.recorded_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The reviews, newest first.
pub fn reviews(conn: &mut DbConn) -> QueryResult<Vec<ReviewRow>> {
    lr::table.select(ReviewRow::as_select()).order((lr::recorded_at.desc(), lr::id.asc())).limit(500).load(conn)
}

// The registers the last two rules read: own households (kept by the administrator) and protected persons (kept by
// a privacy officer). An entry ended stays, so that a scan of an earlier day reads them as they were.

use crate::db::schema::{cases, households as hh, persons, protected_persons as pp, staff_own_households as soh};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = soh)]
pub struct OwnHouseholdRow {
    pub id: String,
    pub user_id: String,
    pub postcode: Option<String>,
    pub house_number: Option<i32>,
    pub house_number_addition: Option<String>,
    pub surname: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub ended_by: Option<String>,
    pub ended_at: Option<NaiveDateTime>,
}

impl OwnHouseholdRow {
    pub fn link(&self) -> super::model::OwnLink {
        super::model::OwnLink {
            address: self.postcode.as_deref().zip(self.house_number).map(|(postcode, number)| {
                crate::signals::model::address_key(postcode, number, self.house_number_addition.as_deref())
            }),
            surname: self.surname.clone(),
        }
    }
}

pub fn insert_own_household(conn: &mut DbConn, row: &OwnHouseholdRow) -> QueryResult<()> {
    diesel::insert_into(soh::table).values(row).execute(conn).map(|_| ())
}

/// A user's own-household links, those in force first, newest first.
pub fn own_households_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<OwnHouseholdRow>> {
    let mut rows: Vec<OwnHouseholdRow> = soh::table
        .filter(soh::user_id.eq(user_id))
        .select(OwnHouseholdRow::as_select())
        .order((soh::recorded_at.desc(), soh::id.asc()))
        .load(conn)?;
    rows.sort_by_key(|r| r.ended_at.is_some());
    Ok(rows)
}

pub fn own_household(conn: &mut DbConn, id: &str) -> QueryResult<Option<OwnHouseholdRow>> {
    soh::table.filter(soh::id.eq(id)).select(OwnHouseholdRow::as_select()).first(conn).optional()
}

/// Ends a link in force; false when it had ended already.
pub fn end_own_household(conn: &mut DbConn, id: &str, by: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(soh::table.filter(soh::id.eq(id)).filter(soh::ended_at.is_null()))
        .set((soh::ended_by.eq(by), soh::ended_at.eq(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// The links in force at some moment of [from, to), per user.
pub fn own_links_in(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<HashMap<String, Vec<super::model::OwnLink>>> {
    let rows: Vec<OwnHouseholdRow> = soh::table
        .filter(soh::recorded_at.lt(to))
        .filter(soh::ended_at.is_null().or(soh::ended_at.gt(from)))
        .select(OwnHouseholdRow::as_select())
        .load(conn)?;
    let mut out: HashMap<String, Vec<super::model::OwnLink>> = HashMap::new();
    for r in rows {
        out.entry(r.user_id.clone()).or_default().push(r.link());
    }
    Ok(out)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pp)]
pub struct ProtectionRow {
    pub id: String,
    pub person_id: String,
    pub reason: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub ended_by: Option<String>,
    pub ended_at: Option<NaiveDateTime>,
}

pub fn insert_protection(conn: &mut DbConn, row: &ProtectionRow) -> QueryResult<()> {
    diesel::insert_into(pp::table).values(row).execute(conn).map(|_| ())
}

/// A person's protections, the one in force first, newest first.
pub fn protections_of(conn: &mut DbConn, person_id: &str) -> QueryResult<Vec<ProtectionRow>> {
    let mut rows: Vec<ProtectionRow> = pp::table
        .filter(pp::person_id.eq(person_id))
        .select(ProtectionRow::as_select())
        .order((pp::recorded_at.desc(), pp::id.asc()))
        .load(conn)?;
    rows.sort_by_key(|r| r.ended_at.is_some());
    Ok(rows)
}

/// The protections in force, with the person's name, newest first.
pub fn protections_in_force(conn: &mut DbConn) -> QueryResult<Vec<(ProtectionRow, String)>> {
    pp::table
        .inner_join(persons::table.on(persons::id.eq(pp::person_id)))
        .filter(pp::ended_at.is_null())
        .select((ProtectionRow::as_select(), persons::name))
        .order((pp::recorded_at.desc(), pp::id.asc()))
        .limit(1000)
        .load(conn)
}

pub fn protection(conn: &mut DbConn, id: &str) -> QueryResult<Option<ProtectionRow>> {
    pp::table.filter(pp::id.eq(id)).select(ProtectionRow::as_select()).first(conn).optional()
}

/// Ends a protection in force; false when it had ended already.
pub fn end_protection(conn: &mut DbConn, id: &str, by: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(pp::table.filter(pp::id.eq(id)).filter(pp::ended_at.is_null()))
        .set((pp::ended_by.eq(by), pp::ended_at.eq(at)))
        .execute(conn)?;
    Ok(n == 1)
}

/// The persons under protection at some moment of [from, to).
pub fn protected_in(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<Vec<String>> {
    pp::table
        .filter(pp::recorded_at.lt(to))
        .filter(pp::ended_at.is_null().or(pp::ended_at.gt(from)))
        .select(pp::person_id)
        .distinct()
        .load(conn)
}

/// The household of each of these cases.
pub fn case_households(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for part in ids.chunks(5_000) {
        let rows: Vec<(String, String)> =
            cases::table.filter(cases::id.eq_any(part)).select((cases::id, cases::household_id)).load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The cases of these households.
pub fn cases_of(conn: &mut DbConn, households: &[String]) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    for part in households.chunks(5_000) {
        out.extend(cases::table.filter(cases::household_id.eq_any(part)).select(cases::id).load::<String>(conn)?);
    }
    Ok(out)
}

/// The address key and the members' names (now or before) of these households.
pub fn household_facts(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<HashMap<String, super::model::HouseholdFacts>> {
    let mut out: HashMap<String, super::model::HouseholdFacts> = HashMap::new();
    for part in ids.chunks(5_000) {
        let homes: Vec<(String, String, i32, Option<String>)> = hh::table
            .filter(hh::id.eq_any(part))
            .select((hh::id, hh::postcode, hh::house_number, hh::house_number_addition))
            .load(conn)?;
        for (id, postcode, number, addition) in homes {
            let address = crate::signals::model::address_key(&postcode, number, addition.as_deref());
            out.insert(id, super::model::HouseholdFacts { address, names: Vec::new() });
        }
        let names: Vec<(String, String)> = hm::table
            .inner_join(persons::table.on(persons::id.eq(hm::person_id)))
            .filter(hm::household_id.eq_any(part))
            .select((hm::household_id, persons::name))
            .load(conn)?;
        for (household, name) in names {
            if let Some(f) = out.get_mut(&household) {
                f.names.push(name);
            }
        }
    }
    Ok(out)
}
