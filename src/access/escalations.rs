//! Decisions of procescoördinatie.

use super::*;

impl Access {
    /// The queue of stuck cases across all teams: the role permission alone (procescoördinatoren). It shows no
    /// person and no content, so no relationship is asked; the event records the list.
    pub fn decide_escalation_queue(&self, p: &Principal, audit: &AuditRecord) -> AppResult<Decision> {
        self.decide(p, Resource::Escalation, Action::List, audit)
    }
}
