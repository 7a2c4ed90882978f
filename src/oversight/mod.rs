//! Privacy supervision: suspicious-access findings (found in the audit log by rules, judged by a privacy officer)
//! and log reviews (docs/privacy.md).

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
