//! Cases (casus). So far: the lifecycle rules (issue 3 builds storage, the regisseur and involvement on them).

pub mod caseload;
pub mod contacts;
pub mod involvement;
pub mod model;
pub mod overview;
pub mod regisseur;
pub mod registration;
pub mod routes;
pub mod service;
pub mod store;
