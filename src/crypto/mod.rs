//! Leaf: randomness, hashes and the keys eenplan holds (passwords, access tokens, BSN protection).
//! Imports nothing of eenplan but other leaves (config, for the token settings).

pub mod bsn;
pub mod passwords;
pub mod tokens;

use base64::Engine;
use sha2::{Digest, Sha256};

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// An opaque secret for a client to hold (refresh tokens): 256 bits, URL-safe.
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32))
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
