//! Mijn werk: what needs the user's attention across the cases they may see — plan actions, evaluations and ZRM
//! re-measurements that are due, regisseur proposals waiting for their answer, consents that end soon.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
