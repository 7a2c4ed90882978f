//! Diesel queries for signals and matches. Matching reads only indexed paths: signals by person, the subject's
//! household on the day and its members, the subject's parents and their children.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{address_key, Candidate, MatchKind};
use crate::db::schema::{
    household_members, households, match_members, matches, organisations, parent_child, signals, users,
};
use crate::db::DbConn;
use crate::notify::model::ProfessionalContact;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signals)]
pub struct SignalRow {
    pub id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub user_id: String,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub expires_on: NaiveDate,
    pub removed_at: Option<NaiveDateTime>,
    pub removal_reason: Option<String>,
    pub archive_until: Option<NaiveDate>,
    pub archive_notified_at: Option<NaiveDateTime>,
}

pub fn insert_signal(c: &mut DbConn, row: &SignalRow) -> QueryResult<()> {
    diesel::insert_into(signals::table).values(row).execute(c).map(|_| ())
}

pub fn signal(c: &mut DbConn, id: &str) -> QueryResult<Option<SignalRow>> {
    signals::table.find(id).select(SignalRow::as_select()).first(c).optional()
}

/// The organisation's active signal on a person, if any.
pub fn active_signal_of(c: &mut DbConn, person_id: &str, organisation_id: &str) -> QueryResult<Option<String>> {
    signals::table
        .filter(signals::person_id.eq(person_id))
        .filter(signals::organisation_id.eq(organisation_id))
        .filter(signals::status.eq("active"))
        .select(signals::id)
        .first(c)
        .optional()
}

/// Active signals of other organisations on these persons.
fn active_on(c: &mut DbConn, persons: &[String], organisation_id: &str) -> QueryResult<Vec<(String, String)>> {
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    signals::table
        .filter(signals::person_id.eq_any(persons))
        .filter(signals::status.eq("active"))
        .filter(signals::organisation_id.ne(organisation_id))
        .select((signals::id, signals::person_id))
        .load(c)
}

/// Every other organisation's active signal a new signal on `person_id` matches on `day`: on the person; on a person
/// living at the same address that day, in any household record there (unless the address is institutional); on a
/// child of the same parent.
pub fn candidates(
    c: &mut DbConn,
    person_id: &str,
    organisation_id: &str,
    day: NaiveDate,
) -> QueryResult<Vec<Candidate>> {
    let mut out: Vec<Candidate> = active_on(c, &[person_id.to_string()], organisation_id)?
        .into_iter()
        .map(|(signal_id, _)| Candidate { signal_id, kind: MatchKind::Person, key: person_id.to_string() })
        .collect();

    // The address, not the household record: two records at one address (two families, or one registered twice)
    // are the same address.
    let home: Option<(String, i32, Option<String>, bool)> = household_members::table
        .inner_join(households::table)
        .filter(household_members::person_id.eq(person_id))
        .filter(household_members::from_date.le(day))
        .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
        .select((
            households::postcode,
            households::house_number,
            households::house_number_addition,
            households::institutional_address,
        ))
        .first(c)
        .optional()?;
    if let Some((postcode, number, addition, false)) = home {
        let key = address_key(&postcode, number, addition.as_deref());
        let at_address: Vec<String> = households::table
            .filter(households::postcode.eq(&postcode))
            .filter(households::house_number.eq(number))
            .filter(households::institutional_address.eq(false))
            .select((households::id, households::house_number_addition))
            .load::<(String, Option<String>)>(c)?
            .into_iter()
            .filter(|(_, a)| address_key(&postcode, number, a.as_deref()) == key)
            .map(|(id, _)| id)
            .collect();
        let housemates: Vec<String> = household_members::table
            .filter(household_members::household_id.eq_any(&at_address))
            .filter(household_members::person_id.ne(person_id))
            .filter(household_members::from_date.le(day))
            .filter(household_members::until_date.is_null().or(household_members::until_date.gt(day)))
            .select(household_members::person_id)
            .load(c)?;
        out.extend(active_on(c, &housemates, organisation_id)?.into_iter().map(|(signal_id, _)| Candidate {
            signal_id,
            kind: MatchKind::Address,
            key: key.clone(),
        }));
    }

    let parents: Vec<String> =
        parent_child::table.filter(parent_child::child_id.eq(person_id)).select(parent_child::parent_id).load(c)?;
    if !parents.is_empty() {
        let siblings: Vec<(String, String)> = parent_child::table
            .filter(parent_child::parent_id.eq_any(&parents))
            .filter(parent_child::child_id.ne(person_id))
            .select((parent_child::parent_id, parent_child::child_id))
            .load(c)?;
        let ids: Vec<String> = siblings.iter().map(|(_, child)| child.clone()).collect();
        for (signal_id, sibling) in active_on(c, &ids, organisation_id)? {
            for (parent, _) in siblings.iter().filter(|(_, child)| *child == sibling) {
                out.push(Candidate { signal_id: signal_id.clone(), kind: MatchKind::Parent, key: parent.clone() });
            }
        }
    }
    Ok(out)
}

pub fn match_by_key(c: &mut DbConn, kind: MatchKind, key: &str) -> QueryResult<Option<String>> {
    matches::table
        .filter(matches::kind.eq(kind.as_str()))
        .filter(matches::match_key.eq(key))
        .select(matches::id)
        .first(c)
        .optional()
}

pub fn insert_match(c: &mut DbConn, id: &str, kind: MatchKind, key: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(matches::table)
        .values((
            matches::id.eq(id),
            matches::kind.eq(kind.as_str()),
            matches::match_key.eq(key),
            matches::created_at.eq(at),
        ))
        .execute(c)
        .map(|_| ())
}

/// The signals in a match.
pub fn member_signals(c: &mut DbConn, match_id: &str) -> QueryResult<Vec<String>> {
    match_members::table.filter(match_members::match_id.eq(match_id)).select(match_members::signal_id).load(c)
}

pub fn insert_member(c: &mut DbConn, match_id: &str, signal_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(match_members::table)
        .values((
            match_members::match_id.eq(match_id),
            match_members::signal_id.eq(signal_id),
            match_members::joined_at.eq(at),
        ))
        .execute(c)
        .map(|_| ())
}

pub fn match_kind(c: &mut DbConn, match_id: &str) -> QueryResult<Option<String>> {
    matches::table.find(match_id).select(matches::kind).first(c).optional()
}

/// The signallers of a match other than `except_user`, with the contact details they left.
pub fn match_contacts(c: &mut DbConn, match_id: &str, except_user: &str) -> QueryResult<Vec<ProfessionalContact>> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = match_members::table
        .inner_join(signals::table)
        .inner_join(users::table.on(users::id.eq(signals::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(signals::organisation_id)))
        .filter(match_members::match_id.eq(match_id))
        .filter(signals::user_id.ne(except_user))
        .order(match_members::joined_at.asc())
        .select((users::display_name, organisations::name, signals::contact_phone, signals::contact_email))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(name, organisation, phone, email)| ProfessionalContact { name, organisation, phone, email })
        .collect())
}

/// Who made a signal, and how to reach them.
pub fn signaller_contact(c: &mut DbConn, signal_id: &str) -> QueryResult<Option<ProfessionalContact>> {
    signals::table
        .inner_join(users::table.on(users::id.eq(signals::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(signals::organisation_id)))
        .filter(signals::id.eq(signal_id))
        .select((users::display_name, organisations::name, signals::contact_phone, signals::contact_email))
        .first::<(String, String, Option<String>, Option<String>)>(c)
        .optional()
        .map(|r| r.map(|(name, organisation, phone, email)| ProfessionalContact { name, organisation, phone, email }))
}

/// Archived signals on a person from other organisations that have not yet told anyone about themselves.
pub fn unannounced_archived(c: &mut DbConn, person_id: &str, organisation_id: &str) -> QueryResult<Vec<String>> {
    signals::table
        .filter(signals::person_id.eq(person_id))
        .filter(signals::status.eq("archived"))
        .filter(signals::organisation_id.ne(organisation_id))
        .filter(signals::archive_notified_at.is_null())
        .order(signals::removed_at.desc())
        .select(signals::id)
        .load(c)
}

/// Marks an archived signal as announced; true for the one caller that did it (the one notification, once).
pub fn claim_announcement(c: &mut DbConn, signal_id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(signals::table.filter(signals::id.eq(signal_id)).filter(signals::archive_notified_at.is_null()))
        .set(signals::archive_notified_at.eq(at))
        .execute(c)
        .map(|n| n == 1)
}

/// Deletes a signal (unjustified, the subject died, or its archive time is over); its match memberships go with it.
pub fn delete_signal(c: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(match_members::table.filter(match_members::signal_id.eq(id))).execute(c)?;
    diesel::delete(signals::table.find(id)).execute(c).map(|_| ())
}

/// Moves an active signal to the archive; false when it was not active any more (another node did it first).
pub fn archive_signal(
    c: &mut DbConn,
    id: &str,
    reason: &str,
    at: NaiveDateTime,
    until: NaiveDate,
) -> QueryResult<bool> {
    diesel::update(signals::table.filter(signals::id.eq(id)).filter(signals::status.eq("active")))
        .set((
            signals::status.eq("archived"),
            signals::removal_reason.eq(reason),
            signals::removed_at.eq(at),
            signals::archive_until.eq(until),
        ))
        .execute(c)
        .map(|n| n == 1)
}
