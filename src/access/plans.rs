//! Decisions on a case's plan — its versions, drafts, progress, ZRM assessments, evaluations and the family's
//! document — after `Access::case_plan_view` decided the caller's view of it. One question per act; each records
//! a refusal (403 for what the caller may see but not do, 404 for what lies outside their view) or the basis.

use super::*;
use scope::PlanView;

impl Access {
    /// Reading the plan's versions, under a different action name: producing the family's document is an export.
    pub fn decide_plan_export(&self, principal: &Principal, audit: &AuditRecord) -> AppResult<Decision> {
        let decision = self.decide(principal, Resource::Plan, Action::Read, audit)?;
        audit.action("plan.export", Resource::Plan.as_str());
        Ok(decision)
    }

    /// Reading the plan's `category` (its goals and actions, ZRM assessments, evaluations): those who see the whole
    /// plan; a provider when a consent covers `category` for someone in the case (404 otherwise, the consent as the
    /// basis); the teamleider, who sees the case's summary only, gets 403.
    pub fn require_plan_read<C>(&self, plan: &CasePlan<C>, category: Category, audit: &AuditRecord) -> AppResult<()> {
        match plan.view {
            PlanView::None => Err(forbidden(audit)),
            PlanView::OwnActions => self.require_category(plan, category, audit).map(|_| ()),
            PlanView::Full { .. } | PlanView::ReadOnly => Ok(()),
        }
    }

    /// Acts of the one who directs the case (start a draft, agree it, record an evaluation): the regisseur, else 403.
    pub fn require_regisseur<C>(&self, plan: &CasePlan<C>, audit: &AuditRecord) -> AppResult<()> {
        match plan.view {
            PlanView::Full { regisseur: true } => Ok(()),
            _ => Err(forbidden(audit)),
        }
    }

    /// Acts of those who work in the case (record an assessment, export the plan for the family): the whole plan as
    /// an involved professional; not a provider, not under break-glass (403).
    pub fn require_case_work<C>(&self, plan: &CasePlan<C>, audit: &AuditRecord) -> AppResult<()> {
        match plan.view {
            PlanView::Full { .. } => Ok(()),
            _ => Err(forbidden(audit)),
        }
    }

    /// What only those who see the whole plan do (compare versions): else 403.
    pub fn require_whole_plan<C>(&self, plan: &CasePlan<C>, audit: &AuditRecord) -> AppResult<()> {
        if plan.view.reads_all() {
            Ok(())
        } else {
            Err(forbidden(audit))
        }
    }

    /// Changing a draft: the regisseur, or an involved wijkteam member while the regisseur lets members edit
    /// (`members_may_edit`); only the regisseur changes that setting (`changes_setting`). 403 otherwise.
    pub fn require_draft_edit<C>(
        &self,
        plan: &CasePlan<C>,
        members_may_edit: bool,
        changes_setting: bool,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        let allowed = match plan.view {
            PlanView::Full { regisseur: true } => true,
            PlanView::Full { regisseur: false } => members_may_edit && !changes_setting,
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(forbidden(audit))
        }
    }

    /// Recording progress on an action: anyone who may read the plan but the break-glass reader (403). A provider
    /// then finds only their own actions in their view of the plan (404 for any other).
    pub fn require_progress_update<C>(&self, plan: &CasePlan<C>, audit: &AuditRecord) -> AppResult<()> {
        match plan.view {
            PlanView::ReadOnly => Err(forbidden(audit)),
            _ => Ok(()),
        }
    }

    /// One plan version in the state `status`: a provider works from the current (agreed) plan only, and any other
    /// version is outside their view (404).
    pub fn require_version<C>(&self, plan: &CasePlan<C>, status: &str, audit: &AuditRecord) -> AppResult<()> {
        if plan.view.sees_version(status) {
            Ok(())
        } else {
            Err(not_found(audit))
        }
    }
}

impl PlanView {
    /// Whether a version in the state `status` is in this view (a provider: the agreed plan only).
    pub fn sees_version(self, status: &str) -> bool {
        self != PlanView::OwnActions || status == "agreed"
    }
}

impl<C> CasePlan<C> {
    /// Whether the caller may see the data in `category` of `person` (`None`: of the household as a whole): those who
    /// see the whole plan see all; a provider what their organisation's consents cover; the teamleider nothing.
    pub fn shows(&self, person: Option<&str>, category: Category) -> bool {
        match self.view {
            PlanView::Full { .. } | PlanView::ReadOnly => true,
            PlanView::None => false,
            PlanView::OwnActions => self.coverage.as_ref().is_some_and(|cov| match person {
                Some(x) => cov.of(x, category).is_some(),
                None => cov.any(category).is_some(),
            }),
        }
    }
}

impl Access {
    /// One case of a list of plans ("Mijn acties"): the caller's view of its plan by the plan read's own rule
    /// (`scope::plan_basis`), when that view lets them read the plan's goals and actions as `require_plan_read` does
    /// — a provider only with a consent covering the plan; never the teamleider's summary, nor break-glass, which
    /// opens one case by id and no list. None otherwise: the list leaves the case out, as the cases list leaves out
    /// what it may not show, without a denial. A provider's view is recorded as a partial one.
    pub fn listed_plan<C: CaseFacts>(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        case: C,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<Option<CasePlan<C>>> {
        let basis = scope::plan_basis(conn, principal, case.case_id(), case.team_id(), crate::db::now(), coverage)?;
        let Some((_, (view, coverage))) = basis else { return Ok(None) };
        let readable = match view {
            PlanView::Full { .. } => true,
            PlanView::OwnActions => coverage.as_ref().is_some_and(|cov| cov.any(Category::Plan).is_some()),
            PlanView::None | PlanView::ReadOnly => false,
        };
        if !readable {
            return Ok(None);
        }
        if view == PlanView::OwnActions {
            audit.partial_view(true);
        }
        Ok(Some(CasePlan { case, view, coverage }))
    }
}
