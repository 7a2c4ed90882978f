//! Relationship scope (DESIGN §3, step 2): which case a user may see, and how much of it.
//! One rule, in two forms: `case_basis` for one case and `visible_cases` as the SQL filter for lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Basis, Role};
use crate::auth::Principal;
use crate::db::schema::{cases, involvements};
use crate::db::DbConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseView {
    /// Everything the case holds.
    Content,
    /// The summary a teamleider sees of the team's cases.
    Summary,
}

/// Teams the principal leads.
pub fn lead_teams(p: &Principal) -> Vec<String> {
    p.grants.iter().filter(|g| g.role == Role::Teamleider).filter_map(|g| g.team_id.clone()).collect()
}

/// Teams the principal works in as wijkteam member or teamleider.
pub fn member_teams(p: &Principal) -> Vec<String> {
    p.grants
        .iter()
        .filter(|g| matches!(g.role, Role::Wijkteam | Role::Teamleider))
        .filter_map(|g| g.team_id.clone())
        .collect()
}

/// The principal's active involvement in a case, if any.
pub fn active_involvement(
    conn: &mut DbConn,
    user_id: &str,
    case_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(involvements::user_id.eq(user_id))
        .filter(involvements::valid_from.le(now))
        .filter(involvements::valid_until.is_null().or(involvements::valid_until.gt(now)))
        .select(involvements::id)
        .first(conn)
        .optional()
}

/// Why, and how much of, one case the principal may see; None means it is out of scope (404).
pub fn case_basis(
    conn: &mut DbConn,
    p: &Principal,
    case_id: &str,
    case_team: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Basis, CaseView)>> {
    if let Some(id) = active_involvement(conn, &p.user_id, case_id, now)? {
        return Ok(Some((Basis::Involvement(id), CaseView::Content)));
    }
    if lead_teams(p).iter().any(|t| t == case_team) {
        return Ok(Some((Basis::TeamLead(case_team.to_string()), CaseView::Summary)));
    }
    Ok(None)
}

/// Ids of the cases the principal may see (same rule as `case_basis`), in id order after `after`.
pub fn visible_cases(
    conn: &mut DbConn,
    p: &Principal,
    now: NaiveDateTime,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let involved = involvements::table
        .filter(involvements::user_id.eq(p.user_id.clone()))
        .filter(involvements::valid_from.le(now))
        .filter(involvements::valid_until.is_null().or(involvements::valid_until.gt(now)))
        .select(involvements::case_id);
    let mut q = cases::table
        .filter(cases::id.eq_any(involved).or(cases::team_id.eq_any(lead_teams(p))))
        .select(cases::id)
        .order(cases::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(cases::id.gt(after.to_string()));
    }
    q.load(conn)
}
