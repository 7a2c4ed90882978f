//! Relationship scope (DESIGN §3, step 2): which case a user may see, and how much of it.
//! One rule, in two forms: `case_basis` for one case and `visible_cases` as the SQL filter for lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coverage::{CaseFacts, Category, Coverage};
use super::{Basis, Role};
use crate::access::Principal;
use crate::db::schema::{
    break_glass, cases, consents, household_members, households, involvements, regisseur_assignments,
};
use crate::db::DbConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseView {
    /// Everything the case holds.
    Content,
    /// The summary a teamleider sees of the team's cases.
    Summary,
    /// Everything, read-only, under a break-glass grant that holds now.
    EmergencyRead,
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

/// Involvements that see a case's content: the regisseur, wijkteam members and a procescoördinator who adopted the
/// case (for as long as the escalation is open). A provider's involvement alone shows nothing until a consent covers
/// it (issue 5).
pub const CONTENT_KINDS: [&str; 3] = ["regisseur", "team_member", "procescoordinator"];

/// Why, and how much of, one case the principal may see; None means it is out of scope (404).
/// Involved (content kinds): the content. Teamleider of the case's team: the summary.
pub fn case_basis(
    conn: &mut DbConn,
    p: &Principal,
    case_id: &str,
    case_team: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Basis, CaseView)>> {
    let regular = case_bases(conn, p, &[(case_id.to_string(), case_team.to_string())], now)?.remove(case_id);
    if matches!(regular, Some((_, CaseView::Content))) {
        return Ok(regular);
    }
    // Break-glass reads one case by id; lists never show it.
    if let Some(grant) = active_grant(conn, &p.user_id, case_id, now)? {
        return Ok(Some((Basis::BreakGlass(grant), CaseView::EmergencyRead)));
    }
    Ok(regular)
}

/// The relationship rule for many cases at once, in one query: case id → basis and view.
/// `cases` holds (case id, owning team).
pub fn case_bases(
    conn: &mut DbConn,
    p: &Principal,
    cases: &[(String, String)],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashMap<String, (Basis, CaseView)>> {
    let ids: Vec<&String> = cases.iter().map(|(id, _)| id).collect();
    let involved: std::collections::HashMap<String, String> = involvements::table
        .filter(involvements::case_id.eq_any(ids))
        .filter(involvements::user_id.eq(&p.user_id))
        .filter(involvements::kind.eq_any(CONTENT_KINDS))
        .filter(crate::db::involvement_active(now))
        .select((involvements::case_id, involvements::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let leads = lead_teams(p);
    let mut out = std::collections::HashMap::new();
    for (id, team) in cases {
        if let Some(involvement) = involved.get(id) {
            out.insert(id.clone(), (Basis::Involvement(involvement.clone()), CaseView::Content));
        } else if leads.contains(team) {
            out.insert(id.clone(), (Basis::TeamLead(team.clone()), CaseView::Summary));
        }
    }
    Ok(out)
}

/// Ids of the cases the principal may see (same rule as `case_read_basis`), in id order after `after`.
/// Indexed queries — the caller's involvements, the teams they lead, the provider involvements with a consent for
/// their organisation — merged here: one query with an OR would walk every case in id order.
/// The provider part is a superset in SQL (a consent naming the organisation, in its window, not withdrawn); the
/// age rule and the categories are applied by `provider_coverage` when the page is re-checked.
pub fn visible_cases(
    conn: &mut DbConn,
    p: &Principal,
    now: NaiveDateTime,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let after = after.unwrap_or("").to_string();
    let mut ids: Vec<String> = involvements::table
        .filter(involvements::user_id.eq(&p.user_id))
        .filter(involvements::kind.eq_any(CONTENT_KINDS))
        .filter(crate::db::involvement_active(now))
        .filter(involvements::case_id.gt(&after))
        .select(involvements::case_id)
        .distinct()
        .order(involvements::case_id.asc())
        .limit(limit)
        .load(conn)?;
    let leads = lead_teams(p);
    if !leads.is_empty() {
        ids.extend(
            cases::table
                .filter(cases::team_id.eq_any(leads))
                .filter(cases::id.gt(&after))
                .select(cases::id)
                .order(cases::id.asc())
                .limit(limit)
                .load::<String>(conn)?,
        );
    }
    let today = now.date();
    // Recipients are stored as a JSON array of ids; the quoted id, with LIKE's wildcards escaped.
    let named = format!("%\"{}\"%", p.organisation_id.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    ids.extend(
        involvements::table
            .filter(involvements::user_id.eq(&p.user_id))
            .filter(involvements::kind.eq("provider"))
            .filter(crate::db::involvement_active(now))
            .filter(involvements::case_id.gt(&after))
            .filter(diesel::dsl::exists(
                consents::table
                    .filter(consents::case_id.eq(involvements::case_id))
                    .filter(consents::withdrawn_at.is_null())
                    .filter(consents::valid_from.le(today))
                    .filter(consents::valid_until.ge(today))
                    .filter(consents::recipients.like(named).escape('\\')),
            ))
            .select(involvements::case_id)
            .distinct()
            .order(involvements::case_id.asc())
            .limit(limit)
            .load::<String>(conn)?,
    );
    ids.sort();
    ids.dedup();
    ids.truncate(limit as usize);
    Ok(ids)
}

/// A provider professional outside the case's team: an active provider involvement **and** a consent or statutory
/// basis naming their organisation and covering at least one category, both now. The basis (a consent id) and what
/// the organisation's consents cover; None otherwise.
pub fn provider_coverage(
    conn: &mut DbConn,
    p: &Principal,
    case_id: &str,
    now: NaiveDateTime,
    coverage: Option<Coverage>,
) -> crate::error::AppResult<Option<(String, Coverage)>> {
    let Some(coverage) = coverage else { return Ok(None) };
    let involved = involvements::table
        .filter(involvements::case_id.eq(case_id))
        .filter(involvements::user_id.eq(&p.user_id))
        .filter(involvements::kind.eq("provider"))
        .filter(crate::db::involvement_active(now))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !involved {
        return Ok(None);
    }
    let consent = coverage.0.values().find_map(|cats| cats.values().next().cloned());
    Ok(consent.map(|id| (id, coverage)))
}

/// Of `case_ids`, those in which the principal has an active provider involvement (one query, for lists).
pub fn provider_involved(
    conn: &mut DbConn,
    p: &Principal,
    case_ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<std::collections::HashSet<String>> {
    Ok(involvements::table
        .filter(involvements::case_id.eq_any(case_ids))
        .filter(involvements::user_id.eq(&p.user_id))
        .filter(involvements::kind.eq("provider"))
        .filter(crate::db::involvement_active(now))
        .select(involvements::case_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// The list rule for a page of candidates (from `visible_cases`): what each entry shows, in the order of
/// `case_read_basis` — involvement, consent, team lead — leaving out the rows it refuses. A list shows summaries;
/// content is read (and audited) one case at a time. `coverages`: what `consent/` computed for a provider, by case.
pub fn case_reads<C: CaseFacts>(
    conn: &mut DbConn,
    p: &Principal,
    rows: Vec<C>,
    coverages: &std::collections::HashMap<String, Coverage>,
    now: NaiveDateTime,
) -> QueryResult<Vec<(C, CaseRead)>> {
    let keys: Vec<(String, String)> = rows.iter().map(|r| (r.case_id().to_string(), r.team_id().to_string())).collect();
    let bases = case_bases(conn, p, &keys, now)?;
    let ids: Vec<String> = keys.into_iter().map(|(id, _)| id).collect();
    let providing = provider_involved(conn, p, &ids, now)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = row.case_id();
            let read = match bases.get(id) {
                Some((_, CaseView::Content)) => Some(CaseRead::View(CaseView::Summary)),
                regular => providing
                    .contains(id)
                    .then(|| coverages.get(id))
                    .flatten()
                    .map(Coverage::categories)
                    .filter(|covered| !covered.is_empty())
                    .map(CaseRead::Consent)
                    .or_else(|| regular.map(|(_, view)| CaseRead::View(*view))),
            };
            read.map(|read| (row, read))
        })
        .collect())
}

/// Whether the user directs the case now (holds its active regisseur assignment).
pub fn is_regisseur(conn: &mut DbConn, user_id: &str, case_id: &str) -> QueryResult<bool> {
    Ok(regisseur_assignments::table
        .filter(regisseur_assignments::case_id.eq(case_id))
        .filter(regisseur_assignments::status.eq("active"))
        .filter(regisseur_assignments::user_id.eq(user_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// What reading one case (or its entry in a list) shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseRead {
    /// As `case_basis` decides.
    View(CaseView),
    /// A provider professional outside the team: the case's summary and the categories their organisation's
    /// consents cover in it today.
    Consent(Vec<Category>),
}

/// The rule for reading one case: those involved (content), a break-glass reader, a provider professional with a
/// consent (the consent summary), the teamleider (the summary); None means out of scope (404).
pub fn case_read_basis(
    conn: &mut DbConn,
    p: &Principal,
    case_id: &str,
    case_team: &str,
    now: NaiveDateTime,
    coverage: Option<Coverage>,
) -> crate::error::AppResult<Option<(Basis, CaseRead)>> {
    let regular = case_basis(conn, p, case_id, case_team, now)?;
    if let Some((basis, view @ (CaseView::Content | CaseView::EmergencyRead))) = regular {
        return Ok(Some((basis, CaseRead::View(view))));
    }
    if let Some((consent, coverage)) = provider_coverage(conn, p, case_id, now, coverage)? {
        return Ok(Some((Basis::Consent(consent), CaseRead::Consent(coverage.categories()))));
    }
    Ok(regular.map(|(basis, view)| (basis, CaseRead::View(view))))
}

/// What a case read, decided once, lets its reader see of the case's other parts, by the rules those parts' own
/// reads apply: the household's composition (`household_basis`: involved in one of the household's cases, which
/// involvement in this one is), the contact sheet unfiltered (`decide_contacts`: content and break-glass reads),
/// and the involvements and the regisseur's history (`decide_case`: every view of `case_basis`). A provider's
/// consent read is left to those reads themselves, since its coverage filters each part.
#[derive(Debug, PartialEq, Eq)]
pub struct CaseParts {
    pub members: Option<HouseholdView>,
    pub contacts: bool,
    pub involvements_and_regisseurs: bool,
}

pub fn case_parts(read: &CaseRead) -> CaseParts {
    let (members, contacts, involvements_and_regisseurs) = match read {
        CaseRead::View(CaseView::Content) => (Some(HouseholdView::Content), true, true),
        CaseRead::View(CaseView::EmergencyRead) => (None, true, true),
        CaseRead::View(CaseView::Summary) => (None, false, true),
        CaseRead::Consent(_) => (None, false, false),
    };
    CaseParts { members, contacts, involvements_and_regisseurs }
}

/// How much of a household (and its members) the principal sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdView {
    /// Address, members, and the members' BSNs in full.
    Content,
    /// Address and members, BSNs masked: the owning team while it registers a household without a case.
    Registration,
    /// Address-free summary for the teamleider.
    Summary,
}

/// Why, and how much of, one household the principal may see; None means out of scope (404).
/// Involved in one of its cases (content kinds): everything. Member of the owning team while the household has no
/// case yet: what registering it needs. Teamleider of the owning team: the summary.
pub fn household_basis(
    conn: &mut DbConn,
    p: &Principal,
    household_id: &str,
    household_team: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Basis, HouseholdView)>> {
    let involvement: Option<String> = involvements::table
        .inner_join(cases::table)
        .filter(cases::household_id.eq(household_id))
        .filter(involvements::user_id.eq(&p.user_id))
        .filter(involvements::kind.eq_any(CONTENT_KINDS))
        .filter(crate::db::involvement_active(now))
        .select(involvements::id)
        .first(conn)
        .optional()?;
    if let Some(id) = involvement {
        return Ok(Some((Basis::Involvement(id), HouseholdView::Content)));
    }
    let has_case = cases::table.filter(cases::household_id.eq(household_id)).count().get_result::<i64>(conn)? > 0;
    if !has_case && member_teams(p).iter().any(|t| t == household_team) {
        return Ok(Some((Basis::TeamMember(household_team.to_string()), HouseholdView::Registration)));
    }
    if lead_teams(p).iter().any(|t| t == household_team) {
        return Ok(Some((Basis::TeamLead(household_team.to_string()), HouseholdView::Summary)));
    }
    Ok(None)
}

/// Why, and how much of, one person the principal may see: the best view over the households the person belongs
/// or belonged to. Only `Content` and `Registration` show a person; None (404) otherwise.
pub fn person_basis(
    conn: &mut DbConn,
    p: &Principal,
    person_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Basis, HouseholdView)>> {
    let homes: Vec<(String, String)> = household_members::table
        .inner_join(households::table)
        .filter(household_members::person_id.eq(person_id))
        .order(household_members::from_date.desc())
        .select((households::id, households::team_id))
        .load(conn)?;
    let mut best = None;
    for (household_id, team_id) in homes {
        match household_basis(conn, p, &household_id, &team_id, now)? {
            Some((basis, HouseholdView::Content)) => return Ok(Some((basis, HouseholdView::Content))),
            Some((basis, HouseholdView::Registration)) if best.is_none() => {
                best = Some((basis, HouseholdView::Registration))
            }
            _ => {}
        }
    }
    Ok(best)
}

/// Whether the person belongs, or belonged, to any household (someone known from a signal alone does not).
pub fn has_household(conn: &mut DbConn, person_id: &str) -> QueryResult<bool> {
    Ok(household_members::table.filter(household_members::person_id.eq(person_id)).count().get_result::<i64>(conn)? > 0)
}

/// How much of a case's plan the principal sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanView {
    /// The whole plan; `regisseur` says whether the principal directs the case.
    Full { regisseur: bool },
    /// A provider professional involved in the case with a consent for their organisation: per data category, what
    /// the consent covers (`Access::require_category`); of the plan, their own actions and the goals those serve.
    OwnActions,
    /// The teamleider: the case's summary, not its plan.
    None,
    /// Under break-glass: the whole plan, read-only.
    ReadOnly,
}

impl PlanView {
    /// Sees the whole plan (to read it).
    pub fn reads_all(self) -> bool {
        matches!(self, PlanView::Full { .. } | PlanView::ReadOnly)
    }
}

/// The view of a plan and, for a provider, their organisation's coverage.
pub type PlanAccess = (PlanView, Option<Coverage>);

/// Why, and how much of, a case's plan the principal may see, and for a provider what their organisation's consents
/// cover; None means the case is out of scope (404).
pub fn plan_basis(
    conn: &mut DbConn,
    p: &Principal,
    case_id: &str,
    case_team: &str,
    now: NaiveDateTime,
    coverage: Option<Coverage>,
) -> crate::error::AppResult<Option<(Basis, PlanAccess)>> {
    match case_basis(conn, p, case_id, case_team, now)? {
        Some((basis, CaseView::EmergencyRead)) => Ok(Some((basis, (PlanView::ReadOnly, None)))),
        Some((basis, CaseView::Content)) => {
            let regisseur = regisseur_assignments::table
                .filter(regisseur_assignments::case_id.eq(case_id))
                .filter(regisseur_assignments::status.eq("active"))
                .filter(regisseur_assignments::user_id.eq(&p.user_id))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            Ok(Some((basis, (PlanView::Full { regisseur }, None))))
        }
        other => {
            let provider = provider_coverage(conn, p, case_id, now, coverage)?;
            Ok(match (provider, other) {
                (Some((id, coverage)), _) => Some((Basis::Consent(id), (PlanView::OwnActions, Some(coverage)))),
                (None, Some((basis, _))) => Some((basis, (PlanView::None, None))),
                (None, None) => None,
            })
        }
    }
}

// Break-glass grants: part of the decision, so they are read here.
/// Whether the user is inside any break-glass window now (every event they cause is then flagged).
pub fn active_window(c: &mut DbConn, user_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(break_glass::table
        .filter(break_glass::user_id.eq(user_id))
        .filter(break_glass::started_at.le(now))
        .filter(break_glass::expires_at.gt(now))
        .count()
        .get_result::<i64>(c)?
        > 0)
}

/// The user's break-glass grant on this case that holds now, to the second.
pub fn active_grant(c: &mut DbConn, user_id: &str, case_id: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    break_glass::table
        .filter(break_glass::user_id.eq(user_id))
        .filter(break_glass::case_id.eq(case_id))
        .filter(break_glass::started_at.le(now))
        .filter(break_glass::expires_at.gt(now))
        .select(break_glass::id)
        .first(c)
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_read_shows_the_parts_their_own_routes_would() {
        let content = case_parts(&CaseRead::View(CaseView::Content));
        assert_eq!(content.members, Some(HouseholdView::Content));
        assert!(content.contacts && content.involvements_and_regisseurs);
        // Break-glass: the contact sheet and the case's lists, not the household API's composition.
        let emergency = case_parts(&CaseRead::View(CaseView::EmergencyRead));
        assert_eq!(emergency.members, None);
        assert!(emergency.contacts && emergency.involvements_and_regisseurs);
        // The teamleider's summary: the case's lists, no names of the family.
        let summary = case_parts(&CaseRead::View(CaseView::Summary));
        assert_eq!((summary.members, summary.contacts, summary.involvements_and_regisseurs), (None, false, true));
        // A provider: nothing decided here; the contact sheet decides by its coverage.
        let consent = case_parts(&CaseRead::Consent(vec![Category::Basic]));
        assert_eq!((consent.members, consent.contacts, consent.involvements_and_regisseurs), (None, false, false));
    }
}
