//! Credentials and their rules: passwords, tokens, TOTP (RFC 6238), login throttling. No I/O.

use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};

use crate::config::ThrottleConfig;
pub use crate::crypto::passwords::Passwords;
pub use crate::crypto::tokens::AccessClaims;
pub use crate::crypto::{random_bytes, random_token, sha256_hex};

pub const TOTP_STEP_SECS: i64 = 30;

/// The web session's cookie: `__Host-` (so it is `Secure`, host-only and for the whole site) unless secure cookies
/// are switched off for plain-HTTP localhost.
pub fn web_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-eenplan"
    } else {
        "eenplan"
    }
}

/// The CSRF token of a web session: derived from the cookie's secret, so a page on another site, which cannot read
/// the cookie, cannot know it, and nothing more is stored.
pub fn csrf_token(cookie_token: &str) -> String {
    sha256_hex(&format!("eenplan-csrf:{cookie_token}"))
}

/// A web session unused for longer than `idle` has ended.
pub fn web_session_idle(last_seen_at: NaiveDateTime, idle: Duration, now: NaiveDateTime) -> bool {
    last_seen_at + idle <= now
}

pub fn new_totp_secret() -> String {
    data_encoding::BASE32_NOPAD.encode(&random_bytes(20))
}

pub fn otpauth_uri(email: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/eenplan:{}?secret={secret}&issuer=eenplan&algorithm=SHA1&digits=6&period=30",
        email.replace('@', "%40")
    )
}

/// The 6-digit code for one time step (RFC 6238 with HMAC-SHA1, as authenticator apps expect).
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    bin % 1_000_000
}

pub fn totp_code_now(secret_b32: &str, unix_time: i64) -> Option<String> {
    let secret = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    Some(format!("{:06}", totp_code(&secret, unix_time / TOTP_STEP_SECS)))
}

/// Checks a code against the steps around now (one step of clock drift either way). A step at or
/// before `last_used_step` is refused, so a code cannot be replayed. Returns the matching step.
pub fn totp_verify(secret_b32: &str, code: &str, unix_time: i64, last_used_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secret = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    let now_step = unix_time / TOTP_STEP_SECS;
    (now_step - 1..=now_step + 1)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| format!("{:06}", totp_code(&secret, *step)) == code)
}

pub const SCOPE_FULL: &str = "full";
pub const SCOPE_TOTP_ENROLMENT: &str = "totp-enrolment";

/// What a session may do now, from the user's roles today rather than those at sign-in: a role that needs a
/// second factor needs a session whose factor was confirmed. Without one, a user who has no factor yet may only
/// enrol one; a user who has one must sign in again with it (None).
pub fn session_scope(
    token_scope: &str,
    needs_factor: bool,
    session_factor: bool,
    has_factor: bool,
) -> Option<&'static str> {
    match (needs_factor && !session_factor, token_scope) {
        (false, SCOPE_FULL) => Some(SCOPE_FULL),
        (false, SCOPE_TOTP_ENROLMENT) => Some(SCOPE_TOTP_ENROLMENT),
        (false, _) => None,
        (true, _) if has_factor => None,
        (true, _) => Some(SCOPE_TOTP_ENROLMENT),
    }
}

/// Failed-login counter for one key (an account or a client address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    pub window_started_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureEffect {
    /// The first failure of a window: audited.
    pub first_in_window: bool,
    /// This failure locked the key: audited, with the count.
    pub locked_now: bool,
}

/// Seconds until the key may try again, if it is locked.
pub fn locked_for(state: Option<&Throttle>, now: NaiveDateTime) -> Option<i64> {
    let until = state?.locked_until?;
    (until > now).then(|| (until - now).num_seconds().max(1))
}

/// Counts one more failure. From `threshold` failures in a window on, each failure locks the key,
/// for a time that doubles with every further failure up to the maximum.
pub fn after_failure(
    state: Option<Throttle>,
    now: NaiveDateTime,
    threshold: i64,
    cfg: &ThrottleConfig,
) -> (Throttle, FailureEffect) {
    let window = Duration::from_std(cfg.window).unwrap_or(Duration::minutes(15));
    let fresh = match &state {
        None => true,
        Some(s) => now - s.window_started_at > window && locked_for(Some(s), now).is_none(),
    };
    let mut next = match state {
        Some(s) if !fresh => s,
        _ => Throttle { failures: 0, window_started_at: now, locked_until: None },
    };
    next.failures += 1;
    let mut locked_now = false;
    if next.failures >= threshold {
        let doublings = (next.failures - threshold).min(16) as u32;
        let base = cfg.base_lock.as_secs() as i64;
        let secs = base.saturating_mul(1i64 << doublings).min(cfg.max_lock.as_secs() as i64);
        next.locked_until = Some(now + Duration::seconds(secs));
        // The window stays open while locked, so the count keeps growing.
        next.window_started_at = now;
        locked_now = true;
    }
    let first_in_window = next.failures == 1;
    (next, FailureEffect { first_in_window, locked_now })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_scope_follows_todays_roles() {
        // No role needs a factor: the token's own scope.
        assert_eq!(session_scope(SCOPE_FULL, false, false, false), Some(SCOPE_FULL));
        assert_eq!(session_scope(SCOPE_TOTP_ENROLMENT, false, false, true), Some(SCOPE_TOTP_ENROLMENT));
        assert_eq!(session_scope("admin", false, true, true), None);
        // A role needs one and the session confirmed it.
        assert_eq!(session_scope(SCOPE_FULL, true, true, true), Some(SCOPE_FULL));
        // A role was added after a sign-in without a factor.
        assert_eq!(session_scope(SCOPE_FULL, true, false, false), Some(SCOPE_TOTP_ENROLMENT));
        assert_eq!(session_scope(SCOPE_FULL, true, false, true), None);
    }

    #[test]
    fn rfc6238_test_vector() {
        // RFC 6238 appendix B, SHA1, T = 59 s: 94287082 (8 digits) -> 287082 for 6 digits.
        assert_eq!(totp_code(b"12345678901234567890", 59 / 30), 287082);
        assert_eq!(totp_code(b"12345678901234567890", 1111111109 / 30), 81804);
    }

    #[test]
    fn totp_allows_one_step_of_drift_and_refuses_replay() {
        let secret = new_totp_secret();
        let t = 1_800_000_000;
        let code = totp_code_now(&secret, t).unwrap();
        let step = totp_verify(&secret, &code, t, None).unwrap();
        assert_eq!(totp_verify(&secret, &code, t + 30, None), Some(step));
        assert_eq!(totp_verify(&secret, &code, t + 90, None), None);
        assert_eq!(totp_verify(&secret, &code, t, Some(step)), None, "replay must fail");
        assert_eq!(totp_verify(&secret, "12345", t, None), None);
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let p = Passwords::new(64);
        let h = p.hash("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("correct horse battery", &h));
        assert!(!p.verify("wrong horse battery", &h));
        assert!(!p.verify("x", "not a hash"));
    }

    fn cfg() -> ThrottleConfig {
        ThrottleConfig {
            account_failures: 3,
            address_failures: 10,
            window: std::time::Duration::from_secs(900),
            base_lock: std::time::Duration::from_secs(60),
            max_lock: std::time::Duration::from_secs(3600),
        }
    }

    #[test]
    fn throttle_locks_at_threshold_and_doubles() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc();
        let (s1, e1) = after_failure(None, now, 3, &cfg());
        assert!(e1.first_in_window && !e1.locked_now);
        let (s2, e2) = after_failure(Some(s1), now, 3, &cfg());
        assert!(!e2.first_in_window && !e2.locked_now);
        let (s3, e3) = after_failure(Some(s2), now, 3, &cfg());
        assert!(e3.locked_now);
        assert_eq!(locked_for(Some(&s3), now), Some(60));
        let (s4, _) = after_failure(Some(s3), now, 3, &cfg());
        assert_eq!(locked_for(Some(&s4), now), Some(120));
        let later = now + Duration::seconds(121);
        assert_eq!(locked_for(Some(&s4), later), None);
    }

    #[test]
    fn throttle_window_expires() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc();
        let (s1, _) = after_failure(None, now, 3, &cfg());
        let (s2, e2) = after_failure(Some(s1), now + Duration::minutes(16), 3, &cfg());
        assert_eq!(s2.failures, 1);
        assert!(e2.first_in_window);
    }
}
