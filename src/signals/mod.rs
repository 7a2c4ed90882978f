//! Verwijsindex-style signals, matching on person, address and parent, follow-up and retention (DESIGN §5).

pub mod model;
pub mod retention;
pub mod routes;
pub mod service;
pub mod store;
