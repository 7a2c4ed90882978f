//! Persons and households. So far: the BSN and its protection (issue 3 builds the rest on it).

pub mod bsn;
pub mod model;
