//! Decisions on breakglass acts: one question per act, answered with a typed decision.
use super::*;

use super::scope::{self, CaseView};
use crate::db::DbConn;

/// An opening allowed on a case; once the grant is stored, `granted` makes it the basis of the opening's event.
#[must_use = "the grant must be recorded as the opening's basis"]
pub struct Opening {
    case_id: String,
    household_id: String,
}

impl Opening {
    /// The grant (its id) is the basis; the event is flagged.
    pub fn granted(self, grant_id: &str, audit: &AuditRecord) {
        audit.case(&self.case_id);
        audit.household(&self.household_id);
        audit.resource(grant_id);
        audit.allowed(None, Basis::BreakGlass(grant_id.to_string()));
    }
}

impl Access {
    /// Opening break-glass: the role permission (wijkteam alone), before the request is read further.
    pub fn decide_break_glass(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Decision> {
        self.decide(p, Resource::BreakGlass, Action::Create, audit)
    }

    /// Whether the caller's roles would let them open break-glass at all (wijkteam): to offer the dialog. Nothing is
    /// recorded; the opening itself is decided by `decide_break_glass` and `decide_break_glass_case`.
    pub fn may_break_glass(&self, p: &Principal) -> bool {
        p.roles().any(|role| self.permits(role, Resource::BreakGlass, Action::Create))
    }

    /// Opening break-glass on this case: only outside the caller's own scope — who already sees its content needs
    /// none (409).
    pub fn decide_break_glass_case<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: &C,
    ) -> AppResult<Opening> {
        if let Some((_, CaseView::Content)) =
            scope::case_basis(conn, p, case.case_id(), case.team_id(), crate::db::now())?
        {
            return Err(AppError::Conflict("You already have access to this case".into()));
        }
        Ok(Opening { case_id: case.case_id().to_string(), household_id: case.household_id().to_string() })
    }

    /// The list of break-glass uses: for privacy officers (the role permission).
    pub fn decide_break_glass_list(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Decision> {
        self.decide(p, Resource::BreakGlass, Action::List, audit)
    }

    /// One use a privacy officer asked for by id (after `decide_break_glass_list`): the use, or 404 when there is
    /// none (every privacy officer follows every use, so there is no other scope to decide).
    pub fn decide_break_glass_use<T>(&self, found: Option<T>, audit: &AuditRecord) -> AppResult<T> {
        found.ok_or_else(|| not_found(audit))
    }

    /// Judging a use (after the role permission for `Update`): records its case; the one who used it never judges
    /// it (403).
    pub fn decide_break_glass_review(
        &self,
        p: &Principal,
        case_id: &str,
        used_by: &str,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        audit.case(case_id);
        decide_review_of(p, used_by, audit)
    }
}
