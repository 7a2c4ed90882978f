//! Decisions on households acts: one question per act, answered with a typed decision.
use super::*;

use super::scope::{self, HouseholdView};
use crate::db::DbConn;

/// What a decision needs to know of a household, whatever the feature's row type.
pub trait HouseholdFacts {
    fn household_id(&self) -> &str;
    fn team_id(&self) -> &str;
}

/// The teams a new household may belong to: those the caller works in.
pub struct OwningTeams(Vec<String>);

impl OwningTeams {
    pub fn contains(&self, team_id: &str) -> bool {
        self.0.iter().any(|t| t == team_id)
    }

    pub fn ids(&self) -> &[String] {
        &self.0
    }
}

impl Access {
    /// Whether the caller may search persons at all (the role permission), to offer the search form; records
    /// nothing, and the search itself is decided as always.
    pub fn may_search_persons(&self, p: &Principal) -> bool {
        p.roles().any(|role| self.permits(role, Resource::Person, Action::Search))
    }

    /// Whether the caller may find a person by BSN for their access overview (the privacy officer's lookup).
    pub fn may_search_audit(&self, p: &Principal) -> bool {
        p.roles().any(|role| self.permits(role, Resource::AuditEvent, Action::Search))
    }

    /// The teams the caller could register a household for (to offer them in a form; nothing is decided or recorded).
    pub fn household_teams(&self, p: &Principal) -> OwningTeams {
        OwningTeams(scope::member_teams(p))
    }

    /// Registering a household: the role permission, and the teams it may be registered for.
    pub fn decide_household_create(&self, p: &Principal, audit: &AuditRecord) -> AppResult<OwningTeams> {
        self.decide(p, Resource::Household, Action::Create, audit)?;
        Ok(OwningTeams(scope::member_teams(p)))
    }

    /// Reading a household (`None`: there is no such household): the household and the caller's view of it, or 404.
    pub fn decide_household_read<H: HouseholdFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        household: Option<H>,
        audit: &AuditRecord,
    ) -> AppResult<(H, HouseholdView)> {
        let Some(h) = household else { return Err(not_found(audit)) };
        let view = self.decide_household(conn, p, h.household_id(), h.team_id(), audit)?;
        Ok((h, view))
    }

    /// Reading who belongs or belonged to a household: the teamleider's summary holds no members (404).
    pub fn decide_household_members<H: HouseholdFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        household: Option<H>,
        audit: &AuditRecord,
    ) -> AppResult<(H, HouseholdView)> {
        match self.decide_household_read(conn, p, household, audit)? {
            (_, HouseholdView::Summary) => Err(not_found(audit)),
            decided => Ok(decided),
        }
    }

    /// Changing a household's composition needs its content (involved, or the owning team before a case exists);
    /// the teamleider's summary alone does not (403).
    pub fn decide_household_change<H: HouseholdFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        household: Option<H>,
        audit: &AuditRecord,
    ) -> AppResult<(H, HouseholdView)> {
        match self.decide_household_read(conn, p, household, audit)? {
            (_, HouseholdView::Summary) => Err(forbidden(audit)),
            decided => Ok(decided),
        }
    }

    /// A move ends the person's membership of `from`: only where the caller could change that household
    /// themselves (else 404).
    pub fn decide_move_out<H: HouseholdFacts>(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        from: &H,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        match scope::household_basis(conn, p, from.household_id(), from.team_id(), crate::db::now())? {
            Some((_, HouseholdView::Content | HouseholdView::Registration)) => Ok(()),
            _ => Err(not_found(audit)),
        }
    }

    /// Linking a person known by the BSN given: they go through the same person scope as one given by id, so
    /// someone who lives in households the caller has no basis for stays out of reach (404) and nothing of them is
    /// shown. Only a person who belongs to no household at all (known from a signal) is simply linked.
    pub fn decide_link_known_person(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        person_id: &str,
        audit: &AuditRecord,
    ) -> AppResult<()> {
        if scope::has_household(conn, person_id)?
            && scope::person_basis(conn, p, person_id, crate::db::now())?.is_none()
        {
            return Err(not_found(audit));
        }
        Ok(())
    }

    /// Whether the caller may name this person in their input (a member to add, a parent): a person they may not
    /// see is, to them, unknown. The input is checked, not access recorded.
    pub fn knows_person(&self, conn: &mut DbConn, p: &Principal, person_id: &str) -> AppResult<bool> {
        Ok(scope::person_basis(conn, p, person_id, crate::db::now())?.is_some())
    }

    /// Of `ids`, those of the persons the caller may see, in their order (relatives shown with a person).
    pub fn visible_persons(&self, conn: &mut DbConn, p: &Principal, ids: Vec<String>) -> AppResult<Vec<String>> {
        let t = crate::db::now();
        let mut out = Vec::new();
        for id in ids {
            if scope::person_basis(conn, p, &id, t)?.is_some() {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// One candidate of a person search: the caller's view when they may see the person — recorded with the person;
    /// one basis per event, so with several results the first one's — or None (simply not found).
    pub fn decide_search_hit(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        person_id: &str,
        audit: &AuditRecord,
    ) -> AppResult<Option<HouseholdView>> {
        let Some((basis, view)) = scope::person_basis(conn, p, person_id, crate::db::now())? else {
            return Ok(None);
        };
        audit.person(person_id);
        audit.allowed_first(basis);
        Ok(Some(view))
    }

    /// Reading a person (`person_id` None: there is no such person): the caller's view, or 404.
    pub fn decide_person_read(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        person_id: Option<&str>,
        audit: &AuditRecord,
    ) -> AppResult<HouseholdView> {
        let Some(id) = person_id else { return Err(not_found(audit)) };
        self.decide_person(conn, p, id, audit)
    }

    /// Changing a person's record (a parent link): as reading them, and never on a summary (403).
    pub fn decide_person_change(
        &self,
        conn: &mut DbConn,
        p: &Principal,
        person_id: Option<&str>,
        audit: &AuditRecord,
    ) -> AppResult<HouseholdView> {
        match self.decide_person_read(conn, p, person_id, audit)? {
            HouseholdView::Summary => Err(forbidden(audit)),
            view => Ok(view),
        }
    }
}
