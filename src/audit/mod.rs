//! The audit log (DESIGN §4): events, the group-commit writer, the hash chain, queries and verify.

pub mod model;
pub mod service;
pub mod store;
pub mod writer;

use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

pub use model::{Basis, EventData, Outcome};

use crate::roles::Role;

use crate::input::Id;
pub use writer::AuditLog;

/// Who acts, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: String,
    pub user_name: String,
    pub organisation_id: Option<String>,
}

/// What one request did, filled in as the request is handled; the HTTP layer writes it before the response leaves
/// unless the service already wrote it with its change. Its fields are private: the access decision, the request's
/// resource and persons, and its outcome are set through the methods of `AuditRecord` alone.
#[derive(Debug, Default)]
struct Fields {
    /// The event as it stands: the one declaration of its fields (`EventData`).
    event: EventData,
    /// The access layer refused: the event's outcome is `denied` whatever the status.
    denied: bool,
    /// The access layer let the caller see only part of the object (a provider's view of a case): whatever they
    /// then cannot find (404) is outside that view, so the event is `denied` too.
    partial_view: bool,
    /// Audit this request even without a principal (login, for example).
    required: bool,
    /// The event was written in the same transaction as the change.
    recorded: bool,
    /// Deliberately not audited (repeated failed logins inside one throttle window).
    suppressed: bool,
    /// A command on the server, not a request: the event has no request id and no HTTP status.
    command: bool,
    /// The request's act is named (a page's primary read or change): later decisions add the persons they show
    /// and may still deny, but do not rename the act, its resource or its basis.
    act_kept: bool,
}

/// The request's audit record: one per request, shared by the middleware that writes it and the handler that fills
/// it in (hence the mutex; it is never held across an await).
#[derive(Clone, Default)]
pub struct AuditRecord(Arc<Mutex<Fields>>);

impl AuditRecord {
    pub fn new(request_id: String, client_address: Option<String>, reason: Option<String>) -> Self {
        let event = EventData { request_id: Some(request_id), client_address, reason, ..Default::default() };
        AuditRecord(Arc::new(Mutex::new(Fields { event, ..Default::default() })))
    }

    /// The record of a command run on the server (`eenplan user add`): no request, no client, no HTTP status.
    pub fn server_command() -> Self {
        AuditRecord(Arc::new(Mutex::new(Fields { command: true, ..Default::default() })))
    }

    fn lock(&self) -> MutexGuard<'_, Fields> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn act_is_kept(&self) -> bool {
        self.lock().act_kept
    }

    /// The act recorded so far is the request's act. A page that reads several things (the case, then its
    /// members, its professionals and its regisseur history) is audited as the act it is for: the reads after
    /// this add the persons they show, and a refusal still makes the event `denied`.
    pub fn keep_act(&self) {
        self.lock().act_kept = true;
    }

    // Who acts.

    pub fn set_actor(&self, actor: Actor) {
        let mut a = self.lock();
        a.event.user_id = Some(actor.user_id);
        a.event.user_name = Some(actor.user_name);
        a.event.organisation_id = actor.organisation_id;
    }

    /// The actor is inside a break-glass window: every event they cause is flagged.
    pub fn flag(&self) {
        self.lock().event.flagged = true;
    }

    // The decision: set by `access/` alone.

    /// Names what the request does; the access decision and the service fill in the rest.
    pub fn action(&self, action: &str, resource_type: &str) {
        if self.act_is_kept() {
            return;
        }
        let mut a = self.lock();
        a.event.action = action.to_string();
        a.event.resource_type = resource_type.to_string();
    }

    /// Access was allowed on this basis (and, when a role permission decided it, in this role).
    pub fn allowed(&self, role: Option<Role>, basis: Basis) {
        if self.act_is_kept() {
            return;
        }
        let mut a = self.lock();
        if let Some(role) = role {
            a.event.role = Some(role.as_str().to_string());
        }
        a.event.flagged |= matches!(basis, Basis::BreakGlass(_));
        a.event.basis = Some(basis);
    }

    /// As `allowed`, unless a basis naming a specific grant is already recorded (one basis per event).
    pub fn allowed_first(&self, basis: Basis) {
        let has_specific = self.lock().event.basis_id().is_some();
        if !has_specific {
            self.allowed(None, basis);
        }
    }

    /// The kind of resource, where the action named another.
    pub fn resource_kind(&self, resource_type: &str) {
        if self.act_is_kept() {
            return;
        }
        self.lock().event.resource_type = resource_type.to_string();
    }

    /// Access was refused: the event is `denied`, whatever the response.
    pub fn denied(&self) {
        self.lock().denied = true;
    }

    /// The caller sees part of the object only: a later 404 is a denial too.
    pub fn partial_view(&self, partial: bool) {
        self.lock().partial_view = partial;
    }

    // The resource and the persons concerned.

    /// Only an id in the form eenplan makes them: whatever else a caller typed never reaches the log.
    pub fn resource(&self, id: &str) {
        if self.act_is_kept() {
            return;
        }
        self.lock().event.resource_id = valid_id(Some(id));
    }

    /// The case the request concerns.
    pub fn case(&self, id: &str) {
        if self.act_is_kept() {
            return;
        }
        self.lock().event.case_id = valid_id(Some(id));
    }

    /// The household the request concerns.
    pub fn household(&self, id: &str) {
        if self.act_is_kept() {
            return;
        }
        self.lock().event.household_id = valid_id(Some(id));
    }

    /// Names persons whose data the response shows (internal ids), each once.
    pub fn persons<I: IntoIterator<Item = String>>(&self, ids: I) {
        let mut a = self.lock();
        for id in ids {
            if Id::is_valid(&id) && !a.event.person_ids.contains(&id) {
                a.event.person_ids.push(id);
            }
        }
    }

    pub fn person(&self, id: &str) {
        self.persons([id.to_string()]);
    }

    /// Why the request was made, given in a form rather than `X-Audit-Reason` (cleaned the same way); it replaces
    /// the header's.
    pub fn reason(&self, text: &str) {
        if let Some(r) = clean_reason(text) {
            self.lock().event.reason = Some(r);
        }
    }

    /// A note eenplan composes itself (a retention run's counts and checkpoint digest): no caller's text, so it is
    /// kept as written.
    pub fn system_note(&self, text: String) {
        self.lock().event.reason = Some(text);
    }

    // The outcome.

    pub fn require(&self) {
        self.lock().required = true;
    }

    pub fn suppress(&self) {
        self.lock().suppressed = true;
    }

    pub fn mark_recorded(&self) {
        self.lock().recorded = true;
    }

    /// Whether the middleware must still write an event for a response with this status.
    pub fn must_write(&self, status: u16) -> bool {
        let a = self.lock();
        !a.recorded
            && !a.suppressed
            && (a.event.user_id.is_some() || a.required || a.denied || status == 401 || status == 403)
    }

    /// The event for this request as it stands, with the given outcome.
    pub fn event(&self, outcome: Outcome, status: u16, fallback_action: &str) -> EventData {
        let a = self.lock();
        let outcome = if a.denied || (a.partial_view && status == 404) { Outcome::Denied } else { outcome };
        let mut event = a.event.clone();
        event.event_id = crate::db::new_id();
        event.occurred_at = crate::db::now();
        if event.action.is_empty() {
            event.action = fallback_action.to_string();
        }
        if event.resource_type.is_empty() {
            event.resource_type = "api".to_string();
        }
        event.outcome = outcome.as_str().to_string();
        event.http_status = (!a.command).then_some(status as i32);
        event
    }
}

impl FromRequest for AuditRecord {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let scope = req.extensions().get::<AuditRecord>().cloned().unwrap_or_default();
        std::future::ready(Ok(scope))
    }
}

fn valid_id(id: Option<&str>) -> Option<String> {
    let id = id?;
    if Id::is_valid(id) {
        Some(id.to_string())
    } else {
        tracing::warn!("an audit id field held something that is not an id; left out");
        None
    }
}

/// Cleans the free-text `X-Audit-Reason`: printable, short, and with no digit group that could be a BSN
/// in any notation (`crate::error::scrub_digits`).
pub fn clean_reason(raw: &str) -> Option<String> {
    let printable: String = raw.chars().filter(|c| !c.is_control()).collect();
    // Scrubbed before it is cut, so a cut cannot leave part of a BSN behind.
    let scrubbed = crate::error::scrub_digits(&printable);
    let cleaned: String = scrubbed.trim().chars().take(200).collect::<String>().trim_end().to_string();
    if cleaned.is_empty() {
        None
    } else {
        Some(cleaned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_act_is_not_renamed_by_later_reads_but_gains_their_persons_and_denials() {
        let record = AuditRecord::new("r".into(), None, None);
        let (case, household, person) = (crate::db::new_id(), crate::db::new_id(), crate::db::new_id());
        record.action("case.read", "case");
        record.resource(&case);
        record.case(&case);
        record.allowed(Some(Role::Wijkteam), Basis::Regisseur(None));
        record.keep_act();
        record.action("household.read", "household");
        record.resource(&household);
        record.household(&household);
        record.allowed(None, Basis::TeamMember(crate::db::new_id()));
        record.person(&person);
        let e = record.event(Outcome::Allowed, 200, "");
        assert_eq!((e.action.as_str(), e.resource_type.as_str()), ("case.read", "case"));
        assert_eq!(e.resource_id.as_deref(), Some(case.as_str()));
        assert_eq!(e.household_id, None);
        assert_eq!(e.basis, Some(Basis::Regisseur(None)));
        assert_eq!(e.person_ids, vec![person]);
        record.denied();
        assert_eq!(record.event(Outcome::Allowed, 404, "").outcome, "denied");
    }

    #[test]
    fn without_a_kept_act_the_last_decision_names_the_event() {
        let record = AuditRecord::new("r".into(), None, None);
        record.action("case.read", "case");
        record.action("plan.export", "plan");
        assert_eq!(record.event(Outcome::Allowed, 200, "").action, "plan.export");
    }
}
