//! Procescoördinatie (DESIGN §5, Escalation): why cases are stuck, the queue across all teams.

pub mod ladder;
pub mod ladder_store;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;
