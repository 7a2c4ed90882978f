//! The BSN (burgerservicenummer): validation with the elfproef, masking, and its protection at rest —
//! encrypted with AES-256-GCM, plus a keyed hash (HMAC-SHA256) so a person can be found without decrypting.
//! A `Bsn` never prints its digits: Debug and Display show the masked form.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone, PartialEq, Eq)]
pub struct Bsn(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BsnError {
    NotNineDigits,
    FailsElfproef,
}

impl BsnError {
    /// Field-error text; it never repeats the input.
    pub fn message(self) -> &'static str {
        match self {
            BsnError::NotNineDigits => "must be 9 digits",
            BsnError::FailsElfproef => "is not a valid BSN (elfproef)",
        }
    }
}

/// Σ dᵢ·wᵢ with weights 9, 8, …, 2, −1 divisible by 11 (and not all zeros).
pub fn passes_elfproef(digits: &[u8; 9]) -> bool {
    let weights = [9i32, 8, 7, 6, 5, 4, 3, 2, -1];
    let sum: i32 = digits.iter().zip(weights).map(|(d, w)| *d as i32 * w).sum();
    sum % 11 == 0 && digits.iter().any(|d| *d != 0)
}

impl Bsn {
    pub fn parse(input: &str) -> Result<Bsn, BsnError> {
        let s = input.trim();
        if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BsnError::NotNineDigits);
        }
        let mut digits = [0u8; 9];
        for (d, b) in digits.iter_mut().zip(s.bytes()) {
            *d = b - b'0';
        }
        if !passes_elfproef(&digits) {
            return Err(BsnError::FailsElfproef);
        }
        Ok(Bsn(s.to_string()))
    }

    /// The digits, for encryption and hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// All but the last three digits hidden: `******782`.
    pub fn masked(&self) -> String {
        format!("******{}", &self.0[6..])
    }
}

impl std::fmt::Debug for Bsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bsn({})", self.masked())
    }
}

impl std::fmt::Display for Bsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A BSN as it arrives in a request body, not yet validated. Its Debug output hides it, so no derived Debug of
/// a request type can carry it into a log line.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct RawBsn(pub String);

impl std::fmt::Debug for RawBsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawBsn(<hidden>)")
    }
}

/// Valid-elfproef numbers from the 99999xxxx block, which eenplan reserves for synthetic demo and test
/// persons; a real BSN is never generated. Deterministic: the `n`-th such number.
pub fn synthetic(n: u32) -> Bsn {
    let mut found = 0;
    for candidate in 999_990_000u32..=999_999_999 {
        let s = candidate.to_string();
        if let Ok(bsn) = Bsn::parse(&s) {
            if found == n {
                return bsn;
            }
            found += 1;
        }
    }
    panic!("the synthetic BSN block holds fewer than {n} valid numbers");
}

/// Keys derived from the configured BSN key: one to encrypt, one for the lookup hash.
pub struct BsnProtector {
    cipher: Aes256Gcm,
    lookup_key: Vec<u8>,
}

fn derive(key: &[u8], label: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

impl BsnProtector {
    pub fn new(bsn_key: &[u8]) -> Self {
        let enc = derive(bsn_key, "eenplan bsn encryption v1");
        BsnProtector {
            cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"),
            lookup_key: derive(bsn_key, "eenplan bsn lookup v1"),
        }
    }

    /// The keyed hash a person is looked up by; without the key it reveals nothing.
    pub fn lookup_hash(&self, bsn: &Bsn) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key).expect("HMAC takes any key length");
        mac.update(bsn.expose().as_bytes());
        super::hex(&mac.finalize().into_bytes())
    }

    /// Random nonce followed by the ciphertext.
    pub fn encrypt(&self, bsn: &Bsn) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&super::random_bytes(12));
        let mut out = nonce.to_vec();
        out.extend(self.cipher.encrypt(&Nonce::from(nonce), bsn.expose().as_bytes()).expect("AES-GCM encryption"));
        out
    }

    /// None when the data was not made with this key or was altered.
    pub fn decrypt(&self, stored: &[u8]) -> Option<Bsn> {
        if stored.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = stored.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), ciphertext).ok()?;
        Bsn::parse(std::str::from_utf8(&plain).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elfproef() {
        // 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6·11.
        assert!(Bsn::parse("111222333").is_ok());
        assert_eq!(Bsn::parse("111222334"), Err(BsnError::FailsElfproef));
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::FailsElfproef));
        assert_eq!(Bsn::parse("11122233"), Err(BsnError::NotNineDigits));
        assert_eq!(Bsn::parse("11122233a"), Err(BsnError::NotNineDigits));
        assert_eq!(Bsn::parse(" 111222333 ").unwrap().expose(), "111222333");
    }

    #[test]
    fn a_raw_bsn_never_prints_its_digits() {
        let raw: RawBsn = serde_json::from_str("\"111222333\"").unwrap();
        assert_eq!(raw.0, "111222333");
        assert!(!format!("{raw:?}").contains("111"));
    }

    #[test]
    fn a_bsn_never_prints_its_digits() {
        let bsn = Bsn::parse("111222333").unwrap();
        assert_eq!(bsn.masked(), "******333");
        assert_eq!(format!("{bsn}"), "******333");
        assert!(!format!("{bsn:?}").contains("111222"));
        assert!(!BsnError::FailsElfproef.message().contains("111"));
    }

    #[test]
    fn synthetic_numbers_are_valid_distinct_and_from_the_reserved_block() {
        let a = synthetic(0);
        let b = synthetic(1);
        assert_ne!(a, b);
        assert!(a.expose().starts_with("99999") && b.expose().starts_with("99999"));
        assert!(Bsn::parse(b.expose()).is_ok());
    }

    #[test]
    fn encryption_round_trips_and_lookup_is_keyed() {
        let p = BsnProtector::new(&[1u8; 32]);
        let bsn = Bsn::parse("111222333").unwrap();
        let sealed = p.encrypt(&bsn);
        assert!(!sealed.windows(9).any(|w| w == b"111222333"));
        assert_ne!(sealed, p.encrypt(&bsn), "a fresh nonce every time");
        assert_eq!(p.decrypt(&sealed), Some(bsn.clone()));
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert_eq!(p.decrypt(&tampered), None);
        let other = BsnProtector::new(&[2u8; 32]);
        assert_eq!(other.decrypt(&sealed), None);
        assert_eq!(p.lookup_hash(&bsn), p.lookup_hash(&Bsn::parse("111222333").unwrap()));
        assert_ne!(p.lookup_hash(&bsn), other.lookup_hash(&bsn));
        assert!(!p.lookup_hash(&bsn).contains("111222333"));
    }
}
