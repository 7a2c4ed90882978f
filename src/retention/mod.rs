//! Retention (docs/privacy.md): closed cases erased after their law's term unless on a legal hold, the audit log
//! pruned behind checkpoints, and erasure requests (AVG art. 17).

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
