//! The case page's reads as one use case: the case as the caller may see it and, as its read allows, the
//! household's composition, the contact sheet, the involvements, the regisseur's history and the caller's own
//! break-glass window, on one connection in one hop to the blocking pool. The case read is decided once and is the
//! act the request's audit event names; `scope::case_parts` says what that read lets the caller see of the other
//! parts, by the rules their own API routes apply, and the parts are made by the same projections. A provider's
//! consent read goes through the contact sheet's own decision, since its coverage filters the sheet.

use super::caseload::{self, TeamMember};
use super::contacts::{self, Contacts};
use super::involvement::{self, Involvement};
use super::regisseur::{self, Assignment};
use super::service::{self, Case};
use crate::access::scope::{case_parts, CaseRead};
use crate::access::{Action, Category, Resource};
use crate::breakglass::service::{self as breakglass, BreakGlass};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::households::service::{self as households, Member};
use crate::state::Ctx;

pub struct CaseOverview {
    pub case: Case,
    /// Every membership period, for those who see the case's content.
    pub members: Option<Vec<Member>>,
    /// For those who see the content or read it under break-glass, and a provider whose consent covers basic
    /// details.
    pub contacts: Option<Contacts>,
    /// Involvements and the regisseur's history: for every view of the case but a provider's.
    pub involvements: Vec<Involvement>,
    pub assignments: Vec<Assignment>,
    /// The caller's open break-glass window on this case.
    pub break_glass: Option<BreakGlass>,
    /// The active members of the case's team by name, for the lead of that team and the regisseur
    /// (`Access::sees_team_members`): whom the propose and involve forms offer.
    pub team_members: Option<Vec<TeamMember>>,
    /// Whether the case's team lets provider professionals direct its cases.
    pub provider_may_direct: bool,
}

pub async fn case_overview(ctx: &Ctx, id: String) -> AppResult<CaseOverview> {
    Ok(case_overview_and(ctx, id, |_| Ok(())).await?.0)
}

/// As `case_overview`, with one more read on the same connection once the case read is allowed: a part a higher
/// layer shows to everyone who sees the case (the case page's stuck reasons), without a second decision.
pub async fn case_overview_and<T, F>(ctx: &Ctx, id: String, also: F) -> AppResult<(CaseOverview, T)>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
{
    ctx.state.access.decide(&ctx.principal, Resource::Case, Action::Read, &ctx.audit)?;
    ctx.audit.resource(&id);
    let cx = ctx.clone();
    ctx.read(move |c| {
        let (row, read) = service::decide_case_in(c, &cx, &id)?;
        let parts = case_parts(&read);
        // The counts the case shows, from the involvements the page lists anyway.
        let (involvements, counts) = if parts.involvements_and_regisseurs {
            let all = involvement::rows(c, &row)?;
            let counts = involvement::counts_at(&all, crate::db::now().and_utc());
            (all, counts)
        } else {
            (Vec::new(), super::store::involved_counts(c, &row.id, crate::db::now())?)
        };
        let case = service::project_with(c, row.clone(), &read, counts)?;
        cx.audit.keep_act();
        let members = match parts.members {
            Some(view) => Some(households::members_as(c, &cx, &row.household_id, None, view)?),
            None => None,
        };
        let contacts = match &read {
            // Who lives there today is in `members` when those are shown.
            _ if parts.contacts => Some(contacts::sheet(c, &cx.audit, &row, None, members.is_none())?),
            CaseRead::Consent(covered) if covered.contains(&Category::Basic) => {
                Some(contacts::contacts_in(c, &cx, &row.id)?)
            }
            _ => None,
        };
        let assignments =
            if parts.involvements_and_regisseurs { regisseur::assignments_of(c, &row.id)? } else { Vec::new() };
        // The principal knows whether any window is open now; only then is there one on this case to show.
        let break_glass = if cx.principal.in_break_glass {
            breakglass::open_windows_in(c, &cx.state.rules.calendar, &cx.principal.user_id, Some(&row.id))?
                .into_iter()
                .next()
        } else {
            None
        };
        // The team's members, for the lead and the regisseur (the propose and involve forms).
        let directs = assignments.iter().any(|a| a.row.status == "active" && a.row.user_id == cx.principal.user_id);
        let team = if parts.involvements_and_regisseurs {
            caseload::members_of_team(c, &cx, &row.team_id, directs)?
        } else {
            None
        };
        let provider_may_direct = team.as_ref().is_some_and(|t| t.1);
        let team_members = team.map(|t| t.0);
        let more = also(c)?;
        let overview = CaseOverview {
            case,
            members,
            contacts,
            involvements,
            assignments,
            break_glass,
            team_members,
            provider_may_direct,
        };
        Ok((overview, more))
    })
    .await
}
