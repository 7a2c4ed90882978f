//! The privacy officer's reading of the audit log: the event list and chain verification over HTTP.

pub mod routes;
pub mod service;
