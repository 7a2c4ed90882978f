//! Organisations, teams and users with roles.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
