//! The audit log (DESIGN §4): events, the group-commit writer, the hash chain, queries and verify.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
pub mod writer;

use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

pub use model::{EventData, Outcome};

use crate::input::Id;
pub use writer::AuditLog;

/// Who acts, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: String,
    pub user_name: String,
    pub organisation_id: Option<String>,
}

/// What one request did, filled in as the request is handled; the HTTP layer writes it
/// before the response leaves unless the service already wrote it with its change.
#[derive(Debug, Default)]
pub struct RequestAudit {
    pub request_id: String,
    pub client_address: Option<String>,
    pub reason: Option<String>,
    pub actor: Option<Actor>,
    pub role: Option<String>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub case_id: Option<String>,
    pub household_id: Option<String>,
    pub person_ids: Vec<String>,
    pub basis: Option<String>,
    pub basis_id: Option<String>,
    pub flagged: bool,
    /// The access layer refused: the event's outcome is `denied` whatever the status.
    pub denied: bool,
    /// The access layer let the caller see only part of the object (a provider's view of a case): whatever they
    /// then cannot find (404) is outside that view, so the event is `denied` too.
    pub partial_view: bool,
    /// Audit this request even without a principal (login, for example).
    pub required: bool,
    /// The event was written in the same transaction as the change.
    pub recorded: bool,
    /// Deliberately not audited (repeated failed logins inside one throttle window).
    pub suppressed: bool,
}

#[derive(Clone, Default)]
pub struct AuditScope(Arc<Mutex<RequestAudit>>);

impl AuditScope {
    pub fn new(request_id: String, client_address: Option<String>, reason: Option<String>) -> Self {
        AuditScope(Arc::new(Mutex::new(RequestAudit { request_id, client_address, reason, ..Default::default() })))
    }

    pub fn lock(&self) -> MutexGuard<'_, RequestAudit> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_actor(&self, actor: Actor) {
        self.lock().actor = Some(actor);
    }

    /// Names what the request does; the access decision and the service fill in the rest.
    pub fn action(&self, action: &str, resource_type: &str) {
        let mut a = self.lock();
        a.action = Some(action.to_string());
        a.resource_type = Some(resource_type.to_string());
    }

    /// Only an id in the form eenplan makes them: whatever else a caller typed never reaches the log.
    pub fn resource(&self, id: &str) {
        self.lock().resource_id = valid_id(Some(id));
    }

    pub fn require(&self) {
        self.lock().required = true;
    }

    pub fn suppress(&self) {
        self.lock().suppressed = true;
    }

    pub fn mark_recorded(&self) {
        self.lock().recorded = true;
    }

    /// Names persons whose data the response shows (internal ids), each once.
    pub fn persons<I: IntoIterator<Item = String>>(&self, ids: I) {
        let mut a = self.lock();
        for id in ids {
            if !a.person_ids.contains(&id) {
                a.person_ids.push(id);
            }
        }
    }

    /// The event for this request as it stands, with the given outcome.
    pub fn event(&self, outcome: Outcome, status: u16, fallback_action: &str) -> EventData {
        let a = self.lock();
        let outcome = if a.denied || (a.partial_view && status == 404) { Outcome::Denied } else { outcome };
        EventData {
            event_id: crate::db::new_id(),
            occurred_at: crate::db::now(),
            user_id: a.actor.as_ref().map(|x| x.user_id.clone()),
            user_name: a.actor.as_ref().map(|x| x.user_name.clone()),
            role: a.role.clone(),
            organisation_id: a.actor.as_ref().and_then(|x| x.organisation_id.clone()),
            on_behalf_of: None,
            client_address: a.client_address.clone(),
            request_id: Some(a.request_id.clone()),
            action: a.action.clone().unwrap_or_else(|| fallback_action.to_string()),
            resource_type: a.resource_type.clone().unwrap_or_else(|| "api".to_string()),
            // The fields a request names are pub and set in many places; here they are held to the id form.
            resource_id: valid_id(a.resource_id.as_deref()),
            case_id: valid_id(a.case_id.as_deref()),
            household_id: valid_id(a.household_id.as_deref()),
            person_ids: a.person_ids.iter().filter(|p| Id::is_valid(p)).cloned().collect(),
            basis: a.basis.clone(),
            basis_id: a.basis_id.clone(),
            flagged: a.flagged,
            outcome: outcome.as_str().to_string(),
            http_status: Some(status as i32),
            reason: a.reason.clone(),
        }
    }
}

impl FromRequest for AuditScope {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let scope = req.extensions().get::<AuditScope>().cloned().unwrap_or_default();
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
