//! Consent and statutory bases: who must consent by age, what a consent covers, and the coverage the access layer
//! reads when a professional outside the case's team asks for case data.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
