//! The household plan (gezinsplan): versions, goals, actions, the family's agreement, action progress, ZRM
//! assessments and evaluations.

pub mod assessment;
pub mod document;
pub mod evaluation;
pub mod model;
pub mod preview;
pub mod routes;
pub mod service;
pub mod store;
pub mod zrm;
