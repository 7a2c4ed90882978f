//! The privacy officer's reading of the audit log: the event list, who saw a person's data, chain verification.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
