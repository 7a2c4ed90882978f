//! Break-glass (acute bemoeizorg): a wijkteam member opens a case outside their scope in an acute, very worrying
//! situation — read-only, time-boxed, flagged in the audit log, and reviewed by privacy officers.

pub mod model;
pub mod routes;
pub mod service;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::break_glass as bg;
use crate::db::DbConn;

/// Whether the user is inside any break-glass window now (every event they cause is then flagged).
pub fn active_window(c: &mut DbConn, user_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(bg::table
        .filter(bg::user_id.eq(user_id))
        .filter(bg::started_at.le(now))
        .filter(bg::expires_at.gt(now))
        .count()
        .get_result::<i64>(c)?
        > 0)
}

/// The user's break-glass grant on this case that holds now, to the second.
pub fn active_grant(c: &mut DbConn, user_id: &str, case_id: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    bg::table
        .filter(bg::user_id.eq(user_id))
        .filter(bg::case_id.eq(case_id))
        .filter(bg::started_at.le(now))
        .filter(bg::expires_at.gt(now))
        .select(bg::id)
        .first(c)
        .optional()
}
