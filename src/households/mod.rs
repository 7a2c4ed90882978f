//! Persons and households. So far: the BSN and its protection, membership rules and the persons store
//! (issue 3 builds the API and access on them).

pub mod bsn;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;
