//! Retention and follow-up for signals: expired signals move to the archive, archived ones are deleted when their
//! time is over, signals of a deceased subject are deleted, overdue matches are flagged to the matchregisseur once.
//! Every step changes a row only if it is still in the state it was read in, so several nodes running the same job
//! at once never do the same work twice.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model;
use super::service::CONFIRM_WORKING_DAYS;
use super::store;
use crate::access::Role;
use crate::breakglass::model::working_days_between;
use crate::db::schema::{match_members, matches, persons, signals};
use crate::db::DbConn;
use crate::notify::model::Template;

/// Rows one step reads at a time.
const BATCH: i64 = 500;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RetentionReport {
    pub expired_to_archive: usize,
    pub expired_deleted: usize,
    pub archive_deleted: usize,
    pub deceased_deleted: usize,
    pub matches_reminded: usize,
}

/// One run of every step; each batch is its own transaction.
pub fn run(c: &mut DbConn, now: NaiveDateTime, max_age: i32) -> QueryResult<RetentionReport> {
    let mut r = RetentionReport::default();
    let today = now.date();
    // Expired: to the archive for five years (never past the max-age birthday), or deleted when that has come.
    loop {
        let due: Vec<(String, NaiveDate, NaiveDate)> = signals::table
            .inner_join(persons::table)
            .filter(signals::status.eq("active"))
            .filter(signals::expires_on.le(today))
            .select((signals::id, signals::expires_on, persons::birth_date))
            .limit(BATCH)
            .load(c)?;
        if due.is_empty() {
            break;
        }
        crate::db::write_tx(c, |c| {
            for (id, expired_on, birth) in &due {
                match model::archive_until(*expired_on, *birth, max_age).filter(|until| *until > today) {
                    Some(until) => {
                        r.expired_to_archive += store::archive_signal(c, id, "expired", now, until)? as usize
                    }
                    None => r.expired_deleted += delete_if(c, id, "active")? as usize,
                }
            }
            QueryResult::Ok(())
        })?;
    }
    // Archive time over.
    loop {
        let due: Vec<String> = signals::table
            .filter(signals::status.eq("archived"))
            .filter(signals::archive_until.le(today))
            .select(signals::id)
            .limit(BATCH)
            .load(c)?;
        if due.is_empty() {
            break;
        }
        crate::db::write_tx(c, |c| {
            for id in &due {
                r.archive_deleted += delete_if(c, id, "archived")? as usize;
            }
            QueryResult::Ok(())
        })?;
    }
    // The subject died: every signal on them goes.
    loop {
        let due: Vec<(String, String)> = signals::table
            .inner_join(persons::table)
            .filter(persons::deceased_on.is_not_null())
            .select((signals::id, signals::status))
            .limit(BATCH)
            .load(c)?;
        if due.is_empty() {
            break;
        }
        crate::db::write_tx(c, |c| {
            for (id, status) in &due {
                r.deceased_deleted += delete_if(c, id, status)? as usize;
            }
            QueryResult::Ok(())
        })?;
    }
    r.matches_reminded = remind_overdue(c, now)?;
    Ok(r)
}

/// Deletes a signal if it is still in `status`; true for the caller that did it.
fn delete_if(c: &mut DbConn, id: &str, status: &str) -> QueryResult<bool> {
    let still: i64 =
        signals::table.filter(signals::id.eq(id)).filter(signals::status.eq(status)).count().get_result(c)?;
    if still == 0 {
        return Ok(false);
    }
    diesel::delete(match_members::table.filter(match_members::signal_id.eq(id))).execute(c)?;
    Ok(diesel::delete(signals::table.filter(signals::id.eq(id)).filter(signals::status.eq(status))).execute(c)? == 1)
}

/// Matches with a signaller who has not confirmed contact ten working days after joining: the matchregisseurs are
/// reminded, once per match.
fn remind_overdue(c: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let today = now.date();
    // Ten working days are at least fourteen calendar days: older unreminded matches are the only candidates.
    let horizon = now - chrono::Duration::days(14);
    let open: Vec<(String, NaiveDateTime)> = match_members::table
        .inner_join(matches::table)
        .filter(matches::reminded_at.is_null())
        .filter(match_members::contact_confirmed_at.is_null())
        .filter(match_members::joined_at.le(horizon))
        .select((matches::id, match_members::joined_at))
        .load(c)?;
    let mut due: Vec<String> = open
        .into_iter()
        .filter(|(_, joined)| working_days_between(joined.date(), today) > CONFIRM_WORKING_DAYS)
        .map(|(id, _)| id)
        .collect();
    due.sort();
    due.dedup();
    let mut reminded = 0;
    for id in due {
        reminded += crate::db::write_tx(c, |c| {
            let claimed =
                diesel::update(matches::table.filter(matches::id.eq(&id)).filter(matches::reminded_at.is_null()))
                    .set(matches::reminded_at.eq(now))
                    .execute(c)?;
            if claimed == 1 {
                for user in crate::notify::store::active_users_with_role(c, Role::Matchregisseur)? {
                    crate::notify::store::enqueue(
                        c,
                        &user,
                        Template::MatchOverdue,
                        serde_json::json!({"matchId": id}),
                        now,
                    )?;
                }
            }
            QueryResult::Ok(claimed)
        })?;
    }
    Ok(reminded)
}
