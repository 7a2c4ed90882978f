//! Persons and households: the BSN and its protection, membership over time, parent–child links.

pub use crate::crypto::bsn;
pub mod model;
pub mod persons;
pub mod routes;
pub mod service;
pub mod store;
