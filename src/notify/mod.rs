//! Notifications: the outbox, the Dutch emails, and their delivery over SMTP (DESIGN §7).

pub mod model;
pub mod service;
pub mod store;
