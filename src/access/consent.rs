//! Decisions on consent acts: one question per act, answered with a typed decision.
use super::*;

use super::scope::PlanView;
use crate::db::DbConn;

impl Access {
    /// Recording or withdrawing a consent in a case (`None`: no such case): for those who see its whole plan — the
    /// regisseur and the involved wijkteam members. Whoever sees only part of it (a provider, the teamleider) may not
    /// (403); out of scope, 404. `coverage` is what `consent/` computed for a provider.
    pub fn decide_consent_change<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        case: Option<C>,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<C> {
        let CasePlan { case, view, .. } = self.case_plan_view(conn, p, case, coverage, audit)?;
        if !matches!(view, PlanView::Full { .. }) {
            return Err(forbidden(audit));
        }
        Ok(case)
    }

    /// Reading a case's consent history, after `decide` allowed the listing: a privacy officer (in that role) reads
    /// any case's history — it holds no case content; anyone else as for recording one.
    pub fn decide_consent_history<C: CaseFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        decision: &Decision,
        case: Option<C>,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<C> {
        if decision.role == Role::PrivacyOfficer {
            return case.ok_or(AppError::NotFound);
        }
        self.decide_consent_change(conn, p, case, coverage, audit)
    }
}

impl Access {
    /// "Bekijk als…" (what an involved organisation sees of a case under today's consents): for those who see the
    /// whole case themselves — the regisseur and the involved wijkteam members — so the preview never shows them
    /// more than they see already. The teamleider (the summary only), a provider and a break-glass reader may not
    /// (403); out of scope, 404 (decided before, by `case_plan_view`).
    pub fn decide_consent_preview<C>(&self, plan: &CasePlan<C>, audit: &AuditRecord) -> AppResult<()> {
        if !matches!(plan.view, PlanView::Full { .. }) {
            return Err(forbidden(audit));
        }
        Ok(())
    }
}
