//! Break-glass (acute bemoeizorg): a wijkteam member opens a case outside their scope in an acute, very worrying
//! situation — read-only, time-boxed, flagged in the audit log, and reviewed by privacy officers.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;

pub use crate::access::scope::{active_grant, active_window};
