//! The one place that decides access (DESIGN §3). Deny by default.
//! Step 1 is the role permission (casbin); later steps (relationship scope, consent, break-glass)
//! extend `Decision` with the basis the audit log records.

use std::path::Path;

use casbin::prelude::*;

use crate::audit::AuditRecord;
use crate::error::{AppError, AppResult};

const EMBEDDED_MODEL: &str = include_str!("../../policies/model.conf");
const EMBEDDED_POLICY: &str = include_str!("../../policies/policy.csv");

pub use crate::roles::{Role, RoleGrant};

/// Kinds of resources, as the policy names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Organisation,
    Team,
    User,
    AuditEvent,
    OwnAccount,
    Household,
    Person,
    Case,
    Plan,
    Consent,
    BreakGlass,
    Signal,
    Match,
    Escalation,
    AccessFinding,
    LogReview,
    Retention,
    LegalHold,
    ErasureRequest,
    OwnHousehold,
    ProtectedPerson,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Organisation => "organisation",
            Resource::Team => "team",
            Resource::User => "user",
            Resource::AuditEvent => "audit_event",
            Resource::OwnAccount => "own_account",
            Resource::Household => "household",
            Resource::Person => "person",
            Resource::Case => "case",
            Resource::Plan => "plan",
            Resource::Consent => "consent",
            Resource::BreakGlass => "break_glass",
            Resource::Signal => "signal",
            Resource::Match => "match",
            Resource::Escalation => "escalation",
            Resource::AccessFinding => "access_finding",
            Resource::LogReview => "log_review",
            Resource::Retention => "retention",
            Resource::LegalHold => "legal_hold",
            Resource::ErasureRequest => "erasure_request",
            Resource::OwnHousehold => "own_household",
            Resource::ProtectedPerson => "protected_person",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Read,
    List,
    Update,
    Deactivate,
    EnrolTotp,
    Search,
    Remind,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Read => "read",
            Action::List => "list",
            Action::Update => "update",
            Action::Deactivate => "deactivate",
            Action::EnrolTotp => "enrol_totp",
            Action::Search => "search",
            Action::Remind => "remind",
        }
    }
}

pub use crate::audit::Basis;

#[derive(Debug, Clone)]
pub struct Decision {
    pub role: Role,
    pub basis: Basis,
}

pub mod breakglass;
pub mod cases;
pub mod consent;
pub mod coverage;
pub mod escalations;
pub mod households;
pub mod identity;
pub mod plans;
pub mod principal;
pub mod scope;
pub mod signals;

pub use coverage::{CaseFacts, Category, Coverage};
pub use principal::Principal;

pub struct Access {
    enforcer: Enforcer,
}

impl Access {
    /// The embedded policies, or those in `policy_dir` (model.conf and policy.csv) when configured.
    pub async fn load(policy_dir: Option<&Path>) -> std::result::Result<Self, String> {
        let (model_text, policy_text) = match policy_dir {
            None => (EMBEDDED_MODEL.to_string(), EMBEDDED_POLICY.to_string()),
            Some(dir) => {
                let read = |f: &str| {
                    std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()))
                };
                (read("model.conf")?, read("policy.csv")?)
            }
        };
        let model = DefaultModel::from_str(&model_text).await.map_err(|e| format!("policy model: {e}"))?;
        // Comment lines are for people; the string adapter reads every line as a rule.
        let rules: String = policy_text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let adapter = StringAdapter::new(rules);
        let mut enforcer = Enforcer::new(model, adapter).await.map_err(|e| format!("policy: {e}"))?;
        enforcer.enable_auto_save(false);
        Ok(Access { enforcer })
    }

    /// Whether a role may perform an action on a kind of resource.
    pub fn permits(&self, role: Role, resource: Resource, action: Action) -> bool {
        self.enforcer.enforce((role.as_str(), resource.as_str(), action.as_str())).unwrap_or(false)
    }

    /// Decides a request and records the decision in its audit scope. A role without the permission gets
    /// 403 before any object is looked up, so nothing about objects leaks; decisions on one object in a
    /// relationship scope (later issues) answer 404 instead.
    pub fn decide(
        &self,
        principal: &Principal,
        resource: Resource,
        action: Action,
        audit: &AuditRecord,
    ) -> AppResult<Decision> {
        audit.action(&format!("{}.{}", resource.as_str(), action.as_str()), resource.as_str());
        match principal.roles().find(|role| self.permits(*role, resource, action)) {
            Some(role) => {
                audit.allowed(Some(role), Basis::RolePermission);
                Ok(Decision { role, basis: Basis::RolePermission })
            }
            None => {
                audit.denied();
                Err(AppError::Forbidden)
            }
        }
    }
}

impl Access {
    /// The relationship step for one case, after `decide` allowed the role: involvement or team lead, else 404.
    /// Records the basis in the audit scope either way.
    pub fn decide_case(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        case_id: &str,
        case_team: &str,
        audit: &AuditRecord,
    ) -> AppResult<scope::CaseView> {
        audit.case(case_id);
        let basis = scope::case_basis(conn, principal, case_id, case_team, crate::db::now())?;
        record(audit, basis)
    }
}

impl Access {
    /// The relationship step for reading one case (see `scope::case_read_basis`): as `decide_case`, and for a
    /// provider professional with a consent for their organisation the consent summary; else 404.
    pub fn decide_case_read(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        case_id: &str,
        case_team: &str,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<scope::CaseRead> {
        audit.case(case_id);
        let basis = scope::case_read_basis(conn, principal, case_id, case_team, crate::db::now(), coverage)?;
        record(audit, basis)
    }
}

impl Access {
    /// The relationship step for one household (see `scope::household_basis`): the view, or 404.
    pub fn decide_household(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        household_id: &str,
        household_team: &str,
        audit: &AuditRecord,
    ) -> AppResult<scope::HouseholdView> {
        audit.household(household_id);
        let basis = scope::household_basis(conn, principal, household_id, household_team, crate::db::now())?;
        record(audit, basis)
    }

    /// The relationship step for one person (see `scope::person_basis`): the view, or 404.
    pub fn decide_person(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        person_id: &str,
        audit: &AuditRecord,
    ) -> AppResult<scope::HouseholdView> {
        let basis = scope::person_basis(conn, principal, person_id, crate::db::now())?;
        let view = record(audit, basis)?;
        audit.person(person_id);
        Ok(view)
    }
}

/// Marks the request's audit event denied and answers 403: the caller sees the object but may not do this to it.
pub fn forbidden(audit: &AuditRecord) -> AppError {
    audit.denied();
    AppError::Forbidden
}

/// Marks the request's audit event denied and answers 404: the object is out of the caller's scope, or does not
/// exist, and the answer must not say which.
pub fn not_found(audit: &AuditRecord) -> AppError {
    audit.denied();
    AppError::NotFound
}

/// Separation of duties for judging an act (a break-glass use): the one who acted never judges it.
pub fn decide_review_of(principal: &Principal, actor_user_id: &str, audit: &AuditRecord) -> AppResult<()> {
    if principal.user_id == actor_user_id {
        audit.denied();
        return Err(AppError::ForbiddenBecause(
            "Nobody reviews their own use of break-glass; another privacy officer must",
        ));
    }
    Ok(())
}

/// A case and the caller's view of its plan; for a provider also what their organisation's consents cover in it
/// today (computed once per request: every provider output filters by it).
pub struct CasePlan<C> {
    pub case: C,
    pub view: scope::PlanView,
    pub coverage: Option<Coverage>,
}

impl Access {
    /// Decides the caller's view of a case's plan — 404 when there is no such case (`None`) or it is out of scope —
    /// and records the case and household. `coverage` is what `consent/` computed for a provider. Each act then
    /// requires the view it needs.
    pub fn case_plan_view<C: CaseFacts>(
        &self,
        conn: &mut crate::db::DbConn,
        principal: &Principal,
        case: Option<C>,
        coverage: Option<Coverage>,
        audit: &AuditRecord,
    ) -> AppResult<CasePlan<C>> {
        let Some(case) = case else {
            audit.denied();
            return Err(AppError::NotFound);
        };
        audit.case(case.case_id());
        let basis = scope::plan_basis(conn, principal, case.case_id(), case.team_id(), crate::db::now(), coverage)?;
        let (view, coverage) = record(audit, basis)?;
        audit.household(case.household_id());
        // A provider sees part of the case: every later "not found" (a draft, another's action, an assessment
        // not covered) is a denial, marked here once rather than at each place that answers 404.
        audit.partial_view(view == scope::PlanView::OwnActions);
        Ok(CasePlan { case, view, coverage })
    }

    /// For a provider (`PlanView::OwnActions`): their organisation's coverage in the case, when a consent covers
    /// `category` for someone in it — recorded as the basis — or 404.
    pub fn require_category<'a, C>(
        &self,
        plan: &'a CasePlan<C>,
        category: Category,
        audit: &AuditRecord,
    ) -> AppResult<&'a Coverage> {
        match plan.coverage.as_ref().and_then(|c| c.any(category).map(|id| (c, id))) {
            Some((coverage, id)) => {
                audit.allowed(None, Basis::Consent(id.clone()));
                Ok(coverage)
            }
            None => {
                audit.denied();
                Err(AppError::NotFound)
            }
        }
    }
}

/// Records a relationship decision: allowed with its basis, or denied as not found.
fn record<V>(audit: &AuditRecord, basis: Option<(Basis, V)>) -> AppResult<V> {
    match basis {
        Some((basis, view)) => {
            audit.allowed(None, basis);
            Ok(view)
        }
        None => {
            audit.denied();
            Err(AppError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn embedded_policy_denies_by_default() {
        let access = Access::load(None).await.unwrap();
        assert!(access.permits(Role::Admin, Resource::User, Action::Create));
        assert!(!access.permits(Role::Admin, Resource::AuditEvent, Action::List));
        assert!(access.permits(Role::PrivacyOfficer, Resource::AuditEvent, Action::List));
        assert!(!access.permits(Role::PrivacyOfficer, Resource::User, Action::Create));
        for role in Role::ALL {
            assert!(access.permits(role, Resource::OwnAccount, Action::Read));
            if role != Role::Admin {
                assert!(!access.permits(role, Resource::User, Action::Read), "{role:?}");
                assert!(!access.permits(role, Resource::Organisation, Action::Create), "{role:?}");
            }
        }
    }

    #[actix_web::test]
    async fn policies_can_come_from_a_configured_folder() {
        let dir = std::env::temp_dir().join(format!("eenplan-policy-{}", crate::db::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("model.conf"), EMBEDDED_MODEL).unwrap();
        std::fs::write(dir.join("policy.csv"), "# only this\np, wijkteam, user, list\n").unwrap();
        let access = Access::load(Some(&dir)).await.unwrap();
        assert!(access.permits(Role::Wijkteam, Resource::User, Action::List));
        assert!(!access.permits(Role::Admin, Resource::User, Action::List));
        std::fs::remove_file(dir.join("policy.csv")).unwrap();
        assert!(Access::load(Some(&dir)).await.is_err(), "a missing policy file is a startup error");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
