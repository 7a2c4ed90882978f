//! Decisions of procescoördinatie: the queue, and the escalation ladder (raise, read, list, respond, adopt, the
//! adopter's acts, close).

use diesel::prelude::*;

use super::scope::CaseView;
use super::*;
use crate::db::schema::{escalations, involvements};
use crate::db::DbConn;

/// How a caller stands to one escalation (decided from its case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// A procescoördinator: every escalation.
    Procescoordinator,
    /// The teamleider of the case's team.
    TeamLead,
    /// Involved in the case with content (regisseur, team member, the adopting procescoördinator).
    Involved,
}

/// Which escalations a list shows the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationScope {
    All,
    /// Those of these cases (involved now) and of the cases of these teams (led).
    Some {
        cases: Vec<String>,
        teams: Vec<String>,
    },
}

/// What a caller may do with one escalation now (`Access::escalation_acts`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EscalationActs {
    /// Answer the current level (level 1 the teamleider, level 2 a procescoördinator).
    pub respond: bool,
    /// Adopt the case (a procescoördinator, while nobody has).
    pub adopt: bool,
    /// The adopter's acts: convene, agreements, raising to level 3, a doorzettingsmacht decision.
    pub adopter_acts: bool,
    /// Close with an outcome.
    pub close: bool,
    /// Open the case itself.
    pub read_case: bool,
}

/// One escalation as its decisions need it.
pub struct EscalationRef<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub team_id: &'a str,
    pub level: i64,
    pub adopted_by: Option<&'a str>,
}

fn is_procescoordinator(p: &Principal) -> bool {
    p.roles().any(|r| r == Role::Procescoordinator)
}

impl Access {
    /// The queue of stuck cases across all teams: the role permission alone (procescoördinatoren). It shows no
    /// person and no content, so no relationship is asked; the event records the list.
    pub fn decide_escalation_queue(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Decision> {
        self.decide(p, Resource::Escalation, Action::List, audit)
    }

    /// Raising an escalation by hand on a case (None: no such case): a procescoördinator raises at level 2; an
    /// involved professional (content view) or the teamleider of the owning team at level 1. Others who see the
    /// case (break-glass) 403; everyone else 404. Returns the case and the level.
    pub fn decide_raise_escalation<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        audit: &AuditRecord,
    ) -> AppResult<(C, i64)> {
        self.decide(p, Resource::Escalation, Action::Create, audit)?;
        let case = case.ok_or_else(|| not_found(audit))?;
        audit.case(case.case_id());
        if is_procescoordinator(p) {
            audit.allowed(Some(Role::Procescoordinator), Basis::RolePermission);
            return Ok((case, 2));
        }
        match self.decide_case(conn, p, case.case_id(), case.team_id(), audit)? {
            // decide_case recorded the basis: the involvement, or the lead of the team.
            CaseView::Content | CaseView::Summary => Ok((case, 1)),
            CaseView::EmergencyRead => Err(forbidden(audit)),
        }
    }

    /// Reading one escalation (None: no such escalation): procescoördinatoren, the teamleider of its case's team,
    /// those involved in its case; 404 for everyone else.
    pub fn decide_read_escalation(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: Option<&EscalationRef>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        self.decide(p, Resource::Escalation, Action::Read, audit)?;
        let e = e.ok_or_else(|| not_found(audit))?;
        self.standing(conn, p, e, audit).map(|_| ())
    }

    /// Listing escalations: procescoördinatoren all; a teamleider their teams'; involved professionals their
    /// cases'. The role needs `read` (`list` is the queue across all teams, for procescoördinatoren alone).
    pub fn decide_escalation_list(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        audit: &AuditRecord,
    ) -> AppResult<EscalationScope> {
        self.decide(p, Resource::Escalation, Action::Read, audit)?;
        audit.action("escalation.list", Resource::Escalation.as_str());
        if is_procescoordinator(p) {
            return Ok(EscalationScope::All);
        }
        let cases: Vec<String> = involvements::table
            .filter(involvements::user_id.eq(&p.user_id))
            .filter(involvements::kind.eq_any(scope::CONTENT_KINDS))
            .filter(crate::db::involvement_active(crate::db::now()))
            .select(involvements::case_id)
            .distinct()
            .load(conn)?;
        let teams = scope::lead_teams(p);
        if let Some(team) = teams.first() {
            audit.allowed(None, Basis::TeamLead(team.clone()));
        }
        Ok(EscalationScope::Some { cases, teams })
    }

    /// Answering an escalation's level (stopping its clock): level 1 the teamleider of the case's team; level 2 a
    /// procescoördinator. Level 3 is answered by a decision (`decide_adopter_act`). Others who see the escalation
    /// 403; everyone else 404.
    pub fn decide_respond_escalation(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: Option<&EscalationRef>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        self.decide(p, Resource::Escalation, Action::Update, audit)?;
        let e = e.ok_or_else(|| not_found(audit))?;
        let standing = self.standing(conn, p, e, audit)?;
        let leads = scope::lead_teams(p).iter().any(|t| t == e.team_id);
        match e.level {
            1 if leads => {
                audit.allowed(None, Basis::TeamLead(e.team_id.to_string()));
                Ok(())
            }
            2 if standing == Standing::Procescoordinator => {
                audit.allowed(None, Basis::Escalation(e.id.to_string()));
                Ok(())
            }
            _ => Err(forbidden(audit)),
        }
    }

    /// Adopting a case: a procescoördinator, with the escalation as the basis. Others who see the escalation 403;
    /// everyone else 404.
    pub fn decide_adopt(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: Option<&EscalationRef>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        self.decide(p, Resource::Escalation, Action::Update, audit)?;
        let e = e.ok_or_else(|| not_found(audit))?;
        match self.standing(conn, p, e, audit)? {
            Standing::Procescoordinator => {
                audit.allowed(Some(Role::Procescoordinator), Basis::Escalation(e.id.to_string()));
                Ok(())
            }
            _ => Err(forbidden(audit)),
        }
    }

    /// An act of the adopter (convening, agreements, decisions, raising to level 3): only the procescoördinator
    /// who adopted it. Others who see the escalation 403; everyone else 404.
    pub fn decide_adopter_act(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: Option<&EscalationRef>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        self.decide(p, Resource::Escalation, Action::Update, audit)?;
        let e = e.ok_or_else(|| not_found(audit))?;
        self.standing(conn, p, e, audit)?;
        if e.adopted_by == Some(p.user_id.as_str()) {
            audit.allowed(Some(Role::Procescoordinator), Basis::Escalation(e.id.to_string()));
            Ok(())
        } else {
            Err(forbidden(audit))
        }
    }

    /// Closing an escalation: its adopter; when it is not adopted a procescoördinator, or at level 1 the teamleider
    /// of the case's team. Others who see it 403; everyone else 404.
    pub fn decide_close_escalation(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: Option<&EscalationRef>,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        self.decide(p, Resource::Escalation, Action::Update, audit)?;
        let e = e.ok_or_else(|| not_found(audit))?;
        let standing = self.standing(conn, p, e, audit)?;
        match e.adopted_by {
            Some(adopter) if adopter == p.user_id => {
                audit.allowed(Some(Role::Procescoordinator), Basis::Escalation(e.id.to_string()));
                Ok(())
            }
            Some(_) => Err(forbidden(audit)),
            None if standing == Standing::Procescoordinator => {
                audit.allowed(Some(Role::Procescoordinator), Basis::Escalation(e.id.to_string()));
                Ok(())
            }
            None if e.level == 1 && scope::lead_teams(p).iter().any(|t| t == e.team_id) => {
                audit.allowed(None, Basis::TeamLead(e.team_id.to_string()));
                Ok(())
            }
            None => Err(forbidden(audit)),
        }
    }

    /// What the caller may do now with an escalation they may read (`open`: it is open), so that a page offers
    /// only those forms. It decides nothing and records nothing: each act is decided by its own decision above,
    /// and this mirrors them.
    pub fn escalation_acts(&self, p: &Principal, e: &EscalationRef, open: bool, answered: bool) -> EscalationActs {
        let pc = is_procescoordinator(p);
        let adopter = open && e.adopted_by == Some(p.user_id.as_str());
        // Who reads the escalation sees its case too (involved, or the team's lead), but a procescoördinator only
        // while adopting it.
        let read_case = adopter || !pc;
        let may_update = p.roles().any(|r| self.permits(r, Resource::Escalation, Action::Update));
        if !open || !may_update {
            return EscalationActs { read_case, ..EscalationActs::default() };
        }
        let leads = scope::lead_teams(p).iter().any(|t| t == e.team_id);
        EscalationActs {
            respond: !answered && ((e.level == 1 && leads) || (e.level == 2 && pc)),
            adopt: pc && e.adopted_by.is_none(),
            adopter_acts: adopter,
            close: adopter || (e.adopted_by.is_none() && (pc || (e.level == 1 && leads))),
            read_case,
        }
    }

    /// How the caller stands to the escalation's case, recording the case; 404 when they do not see it.
    fn standing(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        e: &EscalationRef,
        audit: &AuditRecord,
    ) -> AppResult<Standing> {
        audit.case(e.case_id);
        audit.resource(e.id);
        if is_procescoordinator(p) {
            audit.allowed(Some(Role::Procescoordinator), Basis::RolePermission);
            return Ok(Standing::Procescoordinator);
        }
        match scope::case_bases(conn, p, &[(e.case_id.to_string(), e.team_id.to_string())], crate::db::now())?
            .remove(e.case_id)
        {
            Some((basis, view)) => {
                audit.allowed(None, basis);
                Ok(if view == CaseView::Content { Standing::Involved } else { Standing::TeamLead })
            }
            None => Err(not_found(audit)),
        }
    }
}

/// The open escalation on the case that the caller adopted, if any: its id.
pub(super) fn adopted_by_caller(conn: &mut DbConn, p: &Principal, case_id: &str) -> QueryResult<Option<String>> {
    escalations::table
        .filter(escalations::case_id.eq(case_id))
        .filter(escalations::status.eq("open"))
        .filter(escalations::adopted_by.eq(&p.user_id))
        .select(escalations::id)
        .first(conn)
        .optional()
}
