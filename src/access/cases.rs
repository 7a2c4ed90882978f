//! Decisions on cases: one question per act, each recording its answer (basis, or denial) in the audit record.
//! The role permission (`Access::decide`) comes first; these decide the relationship.

use super::*;

use super::scope::{CaseRead, CaseView, PlanView};
use crate::db::DbConn;

impl Access {
    /// Registering a household with its members and its case in one act: the role must permit all three (a
    /// household created, its members added, a case opened); the household's team is then checked as for
    /// `decide_open_case`. Recorded as one act, `case.register`.
    pub fn decide_registration(&self, p: &Principal, audit: &AuditRecord) -> AppResult<super::households::OwningTeams> {
        let decided = self.decide_household_create(p, audit).and_then(|teams| {
            self.decide(p, Resource::Household, Action::Update, audit)?;
            self.decide(p, Resource::Case, Action::Create, audit)?;
            Ok(teams)
        });
        // Named after the decisions, which each name their own part: allowed or refused, it is this act.
        audit.action("case.register", Resource::Case.as_str());
        decided
    }

    /// Opening a case for a household (`household_team`: its owning team, None when there is no such household):
    /// members of that team may; for anyone else the household does not exist (404).
    pub fn decide_open_case(&self, p: &Principal, household_team: Option<&str>, audit: &AuditRecord) -> AppResult<()> {
        match household_team {
            Some(team) if scope::member_teams(p).iter().any(|t| t == team) => {
                audit.allowed(None, Basis::TeamMember(team.to_string()));
                Ok(())
            }
            _ => Err(not_found(audit)),
        }
    }

    /// Reading one case (None: there is no such case): as `decide_case_read`, else 404.
    pub fn decide_read_case<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<(C, CaseRead)> {
        let case = case.ok_or_else(|| not_found(audit))?;
        let read = self.decide_case_read(conn, p, case.case_id(), case.team_id(), coverage, audit)?;
        Ok((case, read))
    }

    /// Moving a case along its lifecycle: those who see its content (involved); the team lead and break-glass
    /// readers 403; everyone else, and when there is no such case, 404.
    pub fn decide_case_state_change<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        audit: &AuditRecord,
    ) -> AppResult<C> {
        let case = case.ok_or_else(|| not_found(audit))?;
        match self.decide_case(conn, p, case.case_id(), case.team_id(), audit)? {
            CaseView::Content => Ok(case),
            CaseView::Summary | CaseView::EmergencyRead => Err(forbidden(audit)),
        }
    }

    /// Continuing a closed case as a new one: those involved in it and the lead of its team; a break-glass reader
    /// 403; everyone else, and when there is no such case, 404.
    pub fn decide_reopen_case<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        audit: &AuditRecord,
    ) -> AppResult<C> {
        let case = case.ok_or_else(|| not_found(audit))?;
        match self.decide_case(conn, p, case.case_id(), case.team_id(), audit)? {
            CaseView::Content | CaseView::Summary => Ok(case),
            CaseView::EmergencyRead => Err(forbidden(audit)),
        }
    }

    /// Proposing a regisseur: the lead of the case's team, or its regisseur handing over. Others who see the case
    /// 403; everyone else, and when there is no such case, 404. The case's basis is recorded now; the proposer's
    /// once the case takes a proposal (`Proposer::allow`), and the proposal made at the end (`Proposer::proposed`).
    pub fn decide_propose_regisseur<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        audit: &AuditRecord,
    ) -> AppResult<(C, Proposer)> {
        let case = case.ok_or_else(|| not_found(audit))?;
        self.decide_case(conn, p, case.case_id(), case.team_id(), audit)?;
        if scope::lead_teams(p).iter().any(|t| t == case.team_id()) {
            let lead = Proposer::TeamLead(case.team_id().to_string());
            return Ok((case, lead));
        }
        if scope::is_regisseur(conn, &p.user_id, case.case_id())? {
            return Ok((case, Proposer::Regisseur));
        }
        if let Some(escalation) = super::escalations::adopted_by_caller(conn, p, case.case_id())? {
            return Ok((case, Proposer::Adopter(escalation)));
        }
        Err(forbidden(audit))
    }

    /// Answering a regisseur proposal: only the professional it is addressed to (`open_to_caller`: the open
    /// proposal to the caller). Anyone else 403 when they see the case, 404 when they do not or there is no such
    /// case (`case`).
    pub fn decide_answer_proposal<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<&C>,
        open_to_caller: Option<&str>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        if let Some(proposal) = open_to_caller {
            audit.allowed(None, Basis::Proposal(proposal.to_string()));
            return Ok(());
        }
        let case = case.ok_or_else(|| not_found(audit))?;
        self.decide_case(conn, p, case.case_id(), case.team_id(), audit)?;
        Err(forbidden(audit))
    }

    /// Involving professionals and ending their involvement: the case's regisseur, the lead of its team, or the
    /// procescoördinator who adopted it (basis: the escalation). Others who see the case 403; everyone else, and
    /// when there is no such case, 404.
    pub fn decide_manage_involvements<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        audit: &AuditRecord,
    ) -> AppResult<C> {
        let case = case.ok_or_else(|| not_found(audit))?;
        self.decide_case(conn, p, case.case_id(), case.team_id(), audit)?;
        let leads = scope::lead_teams(p).iter().any(|t| t == case.team_id());
        if leads || scope::is_regisseur(conn, &p.user_id, case.case_id())? {
            Ok(case)
        } else if let Some(escalation) = super::escalations::adopted_by_caller(conn, p, case.case_id())? {
            audit.allowed(None, Basis::Escalation(escalation));
            Ok(case)
        } else {
            Err(forbidden(audit))
        }
    }

    /// The contact sheet (category `basic`) of a case whose plan view `plan` holds: all of it (None) for those who
    /// see the whole plan and break-glass readers; for an involved provider the coverage of their organisation, when
    /// a consent covers basic details (404 otherwise); the teamleider 403.
    pub fn decide_contacts<'a, C>(
        &self,
        plan: &'a CasePlan<C>,
        audit: &AuditRecord,
    ) -> AppResult<Option<&'a Coverage>> {
        match plan.view {
            PlanView::Full { .. } | PlanView::ReadOnly => Ok(None),
            PlanView::OwnActions => self.require_category(plan, Category::Basic, audit).map(Some),
            PlanView::None => Err(forbidden(audit)),
        }
    }
}

/// On what a regisseur is proposed: leading the case's team, directing the case, or having adopted it (the
/// escalation's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposer {
    TeamLead(String),
    Regisseur,
    Adopter(String),
}

impl Proposer {
    /// Records the proposer's basis for the act.
    pub fn allow(&self, audit: &AuditRecord) {
        audit.allowed(None, self.basis(None));
    }

    /// Records the basis naming the proposal the act made.
    pub fn proposed(&self, audit: &AuditRecord, proposal_id: &str) {
        audit.allowed(None, self.basis(Some(proposal_id)));
    }

    fn basis(&self, proposal: Option<&str>) -> Basis {
        match (self, proposal) {
            (Proposer::TeamLead(team), None) => Basis::TeamLead(team.clone()),
            (Proposer::TeamLead(_), Some(id)) => Basis::TeamLead(id.to_string()),
            (Proposer::Regisseur, id) => Basis::Regisseur(id.map(str::to_string)),
            // The escalation stays the basis: the proposal is in the event's resource.
            (Proposer::Adopter(escalation), _) => Basis::Escalation(escalation.clone()),
        }
    }
}

impl Access {
    /// The caseload of the teams the caller leads (`GET /api/v1/caseload`): those teams; anyone who leads no team
    /// 403. Recorded on the first team's lead.
    pub fn decide_caseload(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Vec<String>> {
        // The policy first (listing cases), then the relationship: the teams the caller leads.
        self.decide(p, Resource::Case, Action::List, audit)?;
        let teams = scope::lead_teams(p);
        match teams.first() {
            Some(first) => {
                audit.allowed(None, Basis::TeamLead(first.clone()));
                Ok(teams)
            }
            None => Err(forbidden(audit)),
        }
    }

    /// Whether the caller, who sees a case, may see who works in its team (their names, to propose one as
    /// regisseur or involve one): the lead of that team, and its member who directs the case (`directs`).
    pub fn sees_team_members(&self, p: &Principal, team_id: &str, directs: bool) -> bool {
        scope::lead_teams(p).iter().any(|t| t == team_id)
            || (directs && scope::member_teams(p).iter().any(|t| t == team_id))
    }
}

impl Access {
    /// Seeing a regisseur proposal addressed to the caller (`open_to_caller`: its id), so they can answer it before
    /// they see the case: only that professional; for anyone else there is no such proposal (404).
    pub fn decide_own_proposal(&self, open_to_caller: Option<&str>, audit: &AuditRecord) -> AppResult<()> {
        match open_to_caller {
            Some(proposal) => {
                audit.allowed(None, Basis::Proposal(proposal.to_string()));
                Ok(())
            }
            None => Err(not_found(audit)),
        }
    }
}
