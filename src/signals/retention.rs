//! Retention and follow-up for signals: expired signals move to the archive, archived ones are deleted when their
//! time is over, signals of a deceased subject are deleted, overdue matches are flagged to the matchregisseur once.
//! Every step changes a row only if it is still in the state it was read in, so several nodes running the same job
//! at once never do the same work twice. A background job: no one asks, so no principal and no access decision.

use actix_web::web;
use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::model;
use super::store;
use crate::calendar::WorkCalendar;
use crate::db::{write_tx, DbConn};
use crate::error::AppResult;
use crate::notify::model::Template;
use crate::roles::Role;
use crate::state::{db, AppState};

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

/// The job: one run of every step now, with the configured age limit and working days.
pub async fn run_due(state: &web::Data<AppState>) -> AppResult<RetentionReport> {
    let max_age = state.config.signals.max_age;
    let calendar = state.rules.calendar.clone();
    db(state, move |c| Ok(run(c, crate::db::now(), max_age, &calendar)?)).await
}

/// One run of every step at `now`; each batch is its own transaction.
pub fn run(c: &mut DbConn, now: NaiveDateTime, max_age: i32, calendar: &WorkCalendar) -> QueryResult<RetentionReport> {
    let mut r = RetentionReport::default();
    let today = now.date();
    // Expired: to the archive for five years (never past the max-age birthday), or deleted when that has come.
    loop {
        let due = store::expired(c, today, BATCH)?;
        if due.is_empty() {
            break;
        }
        write_tx(c, |c| {
            for (id, expired_on, birth) in &due {
                match model::archive_until(*expired_on, *birth, max_age).filter(|until| *until > today) {
                    Some(until) => {
                        r.expired_to_archive += store::archive_signal(c, id, "expired", now, until)? as usize
                    }
                    None => r.expired_deleted += store::delete_if(c, id, "active")? as usize,
                }
            }
            QueryResult::Ok(())
        })?;
    }
    // Archive time over.
    loop {
        let due = store::archive_over(c, today, BATCH)?;
        if due.is_empty() {
            break;
        }
        write_tx(c, |c| {
            for id in &due {
                r.archive_deleted += store::delete_if(c, id, "archived")? as usize;
            }
            QueryResult::Ok(())
        })?;
    }
    // The subject died: every signal on them goes.
    loop {
        let due = store::of_deceased(c, BATCH)?;
        if due.is_empty() {
            break;
        }
        write_tx(c, |c| {
            for (id, status) in &due {
                r.deceased_deleted += store::delete_if(c, id, status)? as usize;
            }
            QueryResult::Ok(())
        })?;
    }
    r.matches_reminded = remind_overdue(c, now, calendar)?;
    Ok(r)
}

/// Matches with a signaller who has not confirmed contact ten working days after joining: the matchregisseurs are
/// reminded, once per match.
fn remind_overdue(c: &mut DbConn, now: NaiveDateTime, calendar: &WorkCalendar) -> QueryResult<usize> {
    let due = store::unreminded_overdue(c, model::overdue_if_joined_before(calendar, now.date()))?;
    let mut reminded = 0;
    for id in due {
        reminded += write_tx(c, |c| {
            let claimed = store::claim_reminder(c, &id, now)?;
            if claimed {
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
            QueryResult::Ok(claimed as usize)
        })?;
    }
    Ok(reminded)
}
