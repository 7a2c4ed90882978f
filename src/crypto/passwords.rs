//! Password hashing: argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::{random_bytes, random_token};

/// argon2id with the configured memory cost.
#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    /// Verified against when the account does not exist, so timing does not reveal which emails exist.
    dummy_hash: String,
}

impl Passwords {
    pub fn new(memory_kib: u32) -> Self {
        let params = Params::new(memory_kib.max(8), 2, 1, None).expect("valid argon2 parameters");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut p = Passwords { argon, dummy_hash: String::new() };
        p.dummy_hash = p.hash(&random_token());
        p
    }

    pub fn hash(&self, password: &str) -> String {
        let salt = SaltString::encode_b64(&random_bytes(16)).expect("16 bytes is a valid salt");
        self.argon.hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
    }

    pub fn verify(&self, password: &str, hash: &str) -> bool {
        match PasswordHash::new(hash) {
            Ok(parsed) => self.argon.verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }

    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash);
    }
}
