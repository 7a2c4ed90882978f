//! The teamleider's caseload: the open cases of the teams they lead, each as the case list shows it to them (the
//! summary, by the same rule: `scope::case_reads`), with the household's wijk, the regisseur and the open proposal
//! (who, since when, the family's choice), and the teams' members by name — whom a teamleider may propose. No
//! household names, addresses or content: what the teamleider's case read and regisseur history give, for all of
//! the team's cases at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::regisseur::Assignment;
use super::service::{project_with, Case};
use super::store;
use crate::access::scope;
use crate::access::{Action, Resource};
use crate::db::now;
use crate::error::AppResult;
use crate::state::Ctx;

/// Most cases one caseload shows.
pub const MAX_CASES: i64 = 1000;

/// A professional of a team the caller leads.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub user_id: String,
    pub display_name: String,
    pub team_id: String,
    /// `wijkteam` or `teamleider`.
    pub role: String,
}

/// One open case of the team.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseloadCase {
    /// The case as `GET /api/v1/cases` shows it to the caller.
    pub case: Case,
    /// The household's wijk.
    pub wijk: String,
    /// The accepted regisseur's assignment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regisseur: Option<Assignment>,
    /// The proposal waiting for an answer: a handover when there is a regisseur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Assignment>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Caseload {
    /// The teams the caller leads.
    pub team_ids: Vec<String>,
    /// Cases without an accepted regisseur first, then by the date they were opened.
    pub cases: Vec<CaseloadCase>,
    /// The teams' active wijkteam members and teamleiders.
    pub members: Vec<TeamMember>,
    pub generated_at: DateTime<Utc>,
}

/// The caseload of the teams the caller leads (403 for anyone who leads none). Audited as a list of cases.
pub async fn caseload(ctx: &Ctx) -> AppResult<Caseload> {
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::List, &ctx.audit)?;
    let teams = ctx.state.access.decide_caseload(&ctx.principal, &ctx.audit)?;
    let p = ctx.principal.clone();
    ctx.read(move |c| {
        let t = now();
        let ids = store::open_cases_of_teams(c, &teams, MAX_CASES)?;
        let rows = store::cases_by_ids(c, &ids)?;
        // The list rule, re-checked; a teamleider's own team's cases are summaries (no coverage applies).
        let reads = scope::case_reads(c, &p, rows, &HashMap::new(), t)?;
        let ids: Vec<String> = reads.iter().map(|(r, _)| r.id.clone()).collect();
        let mut counts = store::involved_counts_of(c, &ids, t)?;
        let mut wijks = store::wijks_of(c, &ids)?;
        let mut regisseurs: HashMap<String, Assignment> = HashMap::new();
        let mut proposals: HashMap<String, Assignment> = HashMap::new();
        for a in store::open_assignments_of(c, &ids)? {
            let into = if a.status == "active" { &mut regisseurs } else { &mut proposals };
            into.insert(a.case_id.clone(), a.into());
        }
        let mut cases = Vec::with_capacity(reads.len());
        for (row, read) in reads {
            let n = counts.remove(&row.id).unwrap_or((0, 0));
            let id = row.id.clone();
            cases.push(CaseloadCase {
                wijk: wijks.remove(&id).unwrap_or_default(),
                regisseur: regisseurs.remove(&id),
                proposal: proposals.remove(&id),
                case: project_with(c, row, &read, n)?,
            });
        }
        sort_cases(&mut cases);
        let members = store::team_members(c, &teams)?.into_iter().map(member).collect();
        Ok(Caseload { team_ids: teams, cases, members, generated_at: t.and_utc() })
    })
    .await
}

/// Cases without an accepted regisseur first; then the oldest first.
fn sort_cases(cases: &mut [CaseloadCase]) {
    cases.sort_by(|a, b| {
        (a.regisseur.is_some(), a.case.opened_at, &a.case.id).cmp(&(
            b.regisseur.is_some(),
            b.case.opened_at,
            &b.case.id,
        ))
    });
}

/// The members of a team who may be proposed as its cases' regisseur: its wijkteam professionals.
pub fn proposable(members: &[TeamMember], team_id: &str) -> Vec<TeamMember> {
    let mut out: Vec<TeamMember> = Vec::new();
    for m in members.iter().filter(|m| m.team_id == team_id && m.role == "wijkteam") {
        if !out.iter().any(|o| o.user_id == m.user_id) {
            out.push(m.clone());
        }
    }
    out
}

fn member(r: store::TeamMemberRow) -> TeamMember {
    TeamMember { user_id: r.user_id, display_name: r.display_name, team_id: r.team_id, role: r.role }
}

/// The members of the case's team and whether the team lets providers direct its cases, when the caller may see
/// them (`Access::sees_team_members`: the lead of that team, or its member who directs the case), on a connection
/// the caller holds: for the case page's propose and involve forms.
pub(crate) fn members_of_team(
    c: &mut crate::db::DbConn,
    cx: &Ctx,
    team_id: &str,
    directs: bool,
) -> AppResult<Option<(Vec<TeamMember>, bool)>> {
    if !cx.state.access.sees_team_members(&cx.principal, team_id, directs) {
        return Ok(None);
    }
    let rows = store::team_members(c, &[team_id.to_string()])?;
    let provider_may_direct = rows.first().is_some_and(|r| r.provider_may_direct);
    Ok(Some((rows.into_iter().map(member).collect(), provider_may_direct)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(user: &str, team: &str, role: &str) -> TeamMember {
        TeamMember { user_id: user.into(), display_name: user.into(), team_id: team.into(), role: role.into() }
    }

    #[test]
    fn only_the_teams_own_wijkteam_professionals_are_proposable_once_each() {
        let all = [
            member("a", "t1", "wijkteam"),
            member("a", "t1", "teamleider"),
            member("b", "t1", "teamleider"),
            member("c", "t2", "wijkteam"),
            member("a", "t1", "wijkteam"),
        ];
        let ids: Vec<String> = proposable(&all, "t1").into_iter().map(|m| m.user_id).collect();
        assert_eq!(ids, vec!["a".to_string()]);
    }
}
