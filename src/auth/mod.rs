//! Authentication: passwords (argon2id), JWT access tokens with rotating refresh tokens,
//! TOTP second factor, login throttling, external identity provider tokens.

pub use crate::crypto::tokens as jwt;
pub mod model;
pub mod principal;
pub mod routes;
pub mod service;
pub mod store;

pub use crate::access::Principal;
