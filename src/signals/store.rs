//! Diesel queries for signals and matches, and for their retention. Matching reads only indexed paths: signals by
//! person, the subject's household on the day and its members, the subject's parents and their children.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{address_key, Candidate, MatchKind};
use crate::db::schema::{
    household_members, households, match_members, matches, organisations, outbox, parent_child, persons, signals, users,
};
use crate::db::DbConn;

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

/// On PostgreSQL several nodes may register at once: signalling takes one transaction-scoped advisory lock, so that
/// two signals on related persons always see each other. (SQLite serialises writes already.)
pub fn serialize_signalling(c: &mut DbConn) -> QueryResult<()> {
    crate::db_run!(c,
        sqlite: |_c| Ok(()),
        postgres: |pg| diesel::sql_query("SELECT pg_advisory_xact_lock(7225001)").execute(pg).map(|_| ()),
    )
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

/// The users who made the signals in a match, each once.
pub fn match_signallers(c: &mut DbConn, match_id: &str) -> QueryResult<Vec<String>> {
    match_members::table
        .inner_join(signals::table)
        .filter(match_members::match_id.eq(match_id))
        .select(signals::user_id)
        .distinct()
        .load(c)
}

/// A signal as its signaller lists it: the row and the subject's name and birth date.
pub type SignalListRow = (SignalRow, String, NaiveDate);

/// A user's signals (or the one with `id`), newest first, after the cursor `after`; at most `fetch` rows.
pub fn own_signals(
    c: &mut DbConn,
    user_id: &str,
    id: Option<&str>,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<SignalListRow>> {
    let mut q = signals::table
        .inner_join(persons::table)
        .filter(signals::user_id.eq(user_id))
        .select((SignalRow::as_select(), persons::name, persons::birth_date))
        .order(signals::id.desc())
        .limit(fetch)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(signals::id.eq(id.to_string()));
    }
    if let Some(after) = after {
        q = q.filter(signals::id.lt(after.to_string()));
    }
    q.load(c)
}

/// The matches these signals are in: (signal id, match id, kind).
pub fn match_refs(c: &mut DbConn, signal_ids: &[String]) -> QueryResult<Vec<(String, String, String)>> {
    match_members::table
        .inner_join(matches::table)
        .filter(match_members::signal_id.eq_any(signal_ids))
        .select((match_members::signal_id, matches::id, matches::kind))
        .load(c)
}

pub fn birth_date(c: &mut DbConn, person_id: &str) -> QueryResult<NaiveDate> {
    persons::table.find(person_id).select(persons::birth_date).first(c)
}

/// Which matches a list shows, in key order.
pub struct MatchFilter<'a> {
    /// Only the matches of this user's signals (None: every match).
    pub member: Option<&'a str>,
    /// Only overdue (true) or only not overdue (false) matches: overdue when a member who joined before
    /// `overdue_before` has not confirmed contact.
    pub overdue: Option<bool>,
    pub overdue_before: NaiveDateTime,
    pub after: Option<&'a str>,
    pub fetch: i64,
}

/// The ids of the matches a filter selects, every condition in SQL before the limit, so a page is full while more
/// exist.
pub fn match_ids(c: &mut DbConn, f: &MatchFilter) -> QueryResult<Vec<String>> {
    let mut q = matches::table.select(matches::id).order(matches::id.asc()).limit(f.fetch).into_boxed();
    if let Some(after) = f.after {
        q = q.filter(matches::id.gt(after.to_string()));
    }
    if let Some(user) = f.member {
        let own = match_members::table
            .inner_join(signals::table)
            .filter(signals::user_id.eq(user.to_string()))
            .select(match_members::match_id);
        q = q.filter(matches::id.eq_any(own));
    }
    if let Some(overdue) = f.overdue {
        let waiting = match_members::table
            .filter(match_members::contact_confirmed_at.is_null())
            .filter(match_members::joined_at.lt(f.overdue_before))
            .select(match_members::match_id);
        q = if overdue {
            q.filter(matches::id.eq_any(waiting))
        } else {
            q.filter(diesel::dsl::not(matches::id.eq_any(waiting)))
        };
    }
    q.load(c)
}

/// The matches with these ids, in key order: (id, kind, created at).
pub fn match_heads(c: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    matches::table
        .filter(matches::id.eq_any(ids))
        .order(matches::id.asc())
        .select((matches::id, matches::kind, matches::created_at))
        .load(c)
}

/// A member of a match: their signal, who made it and how to reach them, and their contact confirmation.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub match_id: String,
    pub signal_id: String,
    pub joined_at: NaiveDateTime,
    pub contact_confirmed_at: Option<NaiveDateTime>,
    pub name: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub user_id: String,
}

/// The members of these matches, in the order they joined.
pub fn member_rows(c: &mut DbConn, match_ids: &[String]) -> QueryResult<Vec<MemberRow>> {
    match_members::table
        .inner_join(signals::table)
        .inner_join(users::table.on(users::id.eq(signals::user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(signals::organisation_id)))
        .filter(match_members::match_id.eq_any(match_ids))
        .order(match_members::joined_at.asc())
        .select((
            match_members::match_id,
            match_members::signal_id,
            match_members::joined_at,
            match_members::contact_confirmed_at,
            users::display_name,
            organisations::name,
            signals::contact_phone,
            signals::contact_email,
            signals::user_id,
        ))
        .load(c)
}

/// The signals in a match and the users who made them: (signal id, user id).
pub fn member_signallers(c: &mut DbConn, match_id: &str) -> QueryResult<Vec<(String, String)>> {
    match_members::table
        .inner_join(signals::table)
        .filter(match_members::match_id.eq(match_id))
        .select((match_members::signal_id, signals::user_id))
        .load(c)
}

/// Records contact confirmed for these member signals of a match, where not confirmed yet.
pub fn confirm_contact(c: &mut DbConn, match_id: &str, signal_ids: &[String], at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        match_members::table
            .filter(match_members::match_id.eq(match_id))
            .filter(match_members::signal_id.eq_any(signal_ids))
            .filter(match_members::contact_confirmed_at.is_null()),
    )
    .set(match_members::contact_confirmed_at.eq(at))
    .execute(c)
    .map(|_| ())
}

/// On PostgreSQL two matchregisseurs may remind at once: reminding takes one transaction-scoped advisory lock, so
/// that the second sees the first's reminder. (SQLite serialises writes already.)
pub fn serialize_reminders(c: &mut DbConn) -> QueryResult<()> {
    crate::db_run!(c,
        sqlite: |_c| Ok(()),
        postgres: |pg| diesel::sql_query("SELECT pg_advisory_xact_lock(7225002)").execute(pg).map(|_| ()),
    )
}

/// When the last outbox message of `template` with exactly `payload` was queued, if ever.
pub fn last_queued(c: &mut DbConn, template: &str, payload: &str) -> QueryResult<Option<NaiveDateTime>> {
    use diesel::dsl::max;
    outbox::table
        .filter(outbox::template.eq(template))
        .filter(outbox::payload.eq(payload))
        .select(max(outbox::created_at))
        .first(c)
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

// Retention: each step reads a batch and changes a row only if it is still in the state it was read in.

/// Active signals that have expired by `today`: (id, expired on, the subject's birth date).
pub fn expired(c: &mut DbConn, today: NaiveDate, batch: i64) -> QueryResult<Vec<(String, NaiveDate, NaiveDate)>> {
    signals::table
        .inner_join(persons::table)
        .filter(signals::status.eq("active"))
        .filter(signals::expires_on.le(today))
        .select((signals::id, signals::expires_on, persons::birth_date))
        .limit(batch)
        .load(c)
}

/// Archived signals whose archive time is over by `today`.
pub fn archive_over(c: &mut DbConn, today: NaiveDate, batch: i64) -> QueryResult<Vec<String>> {
    signals::table
        .filter(signals::status.eq("archived"))
        .filter(signals::archive_until.le(today))
        .select(signals::id)
        .limit(batch)
        .load(c)
}

/// Signals on deceased persons: (id, status).
pub fn of_deceased(c: &mut DbConn, batch: i64) -> QueryResult<Vec<(String, String)>> {
    signals::table
        .inner_join(persons::table)
        .filter(persons::deceased_on.is_not_null())
        .select((signals::id, signals::status))
        .limit(batch)
        .load(c)
}

/// Deletes a signal (and its match memberships) if it is still in `status`; true for the caller that did it.
pub fn delete_if(c: &mut DbConn, id: &str, status: &str) -> QueryResult<bool> {
    let still: i64 =
        signals::table.filter(signals::id.eq(id)).filter(signals::status.eq(status)).count().get_result(c)?;
    if still == 0 {
        return Ok(false);
    }
    diesel::delete(match_members::table.filter(match_members::signal_id.eq(id))).execute(c)?;
    Ok(diesel::delete(signals::table.filter(signals::id.eq(id)).filter(signals::status.eq(status))).execute(c)? == 1)
}

/// Matches not yet reminded of with a member who joined before `joined_before` and has not confirmed contact, in
/// key order.
pub fn unreminded_overdue(c: &mut DbConn, joined_before: NaiveDateTime) -> QueryResult<Vec<String>> {
    match_members::table
        .inner_join(matches::table)
        .filter(matches::reminded_at.is_null())
        .filter(match_members::contact_confirmed_at.is_null())
        .filter(match_members::joined_at.lt(joined_before))
        .select(matches::id)
        .distinct()
        .order(matches::id.asc())
        .load(c)
}

/// Marks a match reminded of; true for the one caller that did it (one reminder per match).
pub fn claim_reminder(c: &mut DbConn, match_id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(matches::table.filter(matches::id.eq(match_id)).filter(matches::reminded_at.is_null()))
        .set(matches::reminded_at.eq(at))
        .execute(c)
        .map(|n| n == 1)
}
