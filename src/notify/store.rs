//! The outbox: messages are written in the transaction of the event that causes them, and taken by delivery
//! workers with a lease so that several nodes never send the same message at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ProfessionalContact, Template};
use crate::db::schema::{match_members, matches, organisations, outbox, signals, user_roles, users};
use crate::db::{new_id, DbConn};
use crate::roles::Role;

/// Queues one message (inside the caller's transaction). The payload holds ids only.
pub fn enqueue(
    c: &mut DbConn,
    recipient_user_id: &str,
    template: Template,
    payload: serde_json::Value,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(new_id()),
            outbox::recipient_user_id.eq(recipient_user_id),
            outbox::template.eq(template.as_str()),
            outbox::payload.eq(payload.to_string()),
            outbox::status.eq("queued"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(c)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: String,
    pub recipient_user_id: String,
    pub template: String,
    pub payload: String,
    pub attempts: i32,
}

/// Takes up to `limit` due messages — queued ones whose time has come, and `sending` ones whose lease ran out (a
/// worker that stopped mid-send) — and leases them until `lease_until`. On PostgreSQL rows another worker is taking
/// are skipped (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time.
pub fn claim_due(
    c: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    crate::db::write_tx(c, |c| {
        let due = outbox::table
            .filter(outbox::status.eq_any(["queued", "sending"]))
            .filter(outbox::next_attempt_at.le(now))
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id);
        let ids: Vec<String> = crate::db_run!(c,
            sqlite: |c| due.load(c)?,
            postgres: |c| due.for_update().skip_locked().load(c)?,
        );
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((outbox::status.eq("sending"), outbox::next_attempt_at.eq(lease_until)))
            .execute(c)?;
        outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::created_at.asc())
            .select((outbox::id, outbox::recipient_user_id, outbox::template, outbox::payload, outbox::attempts))
            .load(c)
    })
}

pub fn mark_sent(c: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(at),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(c)
        .map(|_| ())
}

/// A message that will never be sent: the recipient is deactivated, or what it is about no longer exists.
pub fn mark_skipped(c: &mut DbConn, id: &str, why: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::status.eq("skipped"), outbox::last_error.eq(why)))
        .execute(c)
        .map(|_| ())
}

/// A failed attempt: queued again at `retry_at`, or `failed` once the attempts are used up.
pub fn mark_attempt_failed(
    c: &mut DbConn,
    id: &str,
    attempts: i32,
    max_attempts: i32,
    retry_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    let status = if attempts >= max_attempts { "failed" } else { "queued" };
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(retry_at),
            outbox::last_error.eq(error),
        ))
        .execute(c)
        .map(|_| ())
}

/// Messages waiting to be sent (queued or being sent).
pub fn waiting(c: &mut DbConn) -> QueryResult<i64> {
    outbox::table.filter(outbox::status.eq_any(["queued", "sending"])).count().get_result(c)
}

/// Active users holding a role: the recipients of what goes to "the privacy officers" or "the matchregisseur".
pub fn active_users_with_role(c: &mut DbConn, role: Role) -> QueryResult<Vec<String>> {
    user_roles::table
        .inner_join(users::table.on(users::id.eq(user_roles::user_id)))
        .filter(user_roles::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .select(users::id)
        .distinct()
        .order(users::id.asc())
        .load(c)
}

// What a message is filled in with at delivery. The outbox payload holds ids only; these read what the email names
// as it is at sending (the tables are the signals feature's, read here so that notify depends on no feature).

/// A recipient's address, and whether they are still active.
pub fn recipient(c: &mut DbConn, user_id: &str) -> QueryResult<Option<(String, bool)>> {
    users::table.find(user_id).select((users::email, users::active)).first(c).optional()
}

/// The kind of a match; None when it no longer exists.
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

/// Who made a signal, and how to reach them; None when it no longer exists.
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
