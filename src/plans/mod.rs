//! The household plan (gezinsplan): versions, goals, actions, the family's agreement, action progress.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
