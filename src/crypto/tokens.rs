//! Issuing and verifying access tokens: eenplan's own (HS256) and, when configured, those of the
//! municipality's identity provider (RS256/ES256).

use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Deserialize;
use serde::Serialize;

use crate::config::{AuthConfig, ExternalIdpConfig};

/// Claims of eenplan's own access tokens.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// `full`, or `totp-enrolment` for a user who must enrol a second factor before anything else.
    pub scope: String,
}

const ISSUER: &str = "eenplan";
const AUDIENCE: &str = "eenplan-api";

pub enum VerifiedToken {
    Local {
        user_id: String,
        session_id: String,
        scope: String,
    },
    /// Maps to an eenplan user by its `email` claim, or by `sub` when there is no email.
    External {
        email: Option<String>,
        subject: String,
    },
}

struct External {
    key: DecodingKey,
    validation: Validation,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
    external: Option<External>,
}

#[derive(Deserialize)]
struct ExternalClaims {
    sub: String,
    email: Option<String>,
}

impl Tokens {
    pub fn new(secret: &[u8], auth: &AuthConfig) -> Result<Self, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let external = auth.external_idp.as_ref().map(External::new).transpose()?;
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs: auth.access_token_ttl.as_secs() as i64,
            external,
        })
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, user_id: &str, session_id: &str, scope: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            sid: session_id.into(),
            iat: now,
            exp: now + self.ttl_secs,
            jti: crate::db::new_id(),
            scope: scope.into(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing")
    }

    /// The algorithm in the header picks the verifier; a token never chooses its own key.
    pub fn verify(&self, token: &str) -> Option<VerifiedToken> {
        let header = decode_header(token).ok()?;
        if header.alg == Algorithm::HS256 {
            let data = decode::<AccessClaims>(token, &self.decoding, &self.validation).ok()?;
            return Some(VerifiedToken::Local {
                user_id: data.claims.sub,
                session_id: data.claims.sid,
                scope: data.claims.scope,
            });
        }
        let ext = self.external.as_ref()?;
        if !ext.validation.algorithms.contains(&header.alg) {
            return None;
        }
        let data = decode::<ExternalClaims>(token, &ext.key, &ext.validation).ok()?;
        Some(VerifiedToken::External { email: data.claims.email, subject: data.claims.sub })
    }
}

impl External {
    fn new(cfg: &ExternalIdpConfig) -> Result<Self, String> {
        let key = match cfg.algorithm {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(cfg.public_key_pem.as_bytes()),
            Algorithm::ES256 => DecodingKey::from_ec_pem(cfg.public_key_pem.as_bytes()),
            other => return Err(format!("identity provider algorithm {other:?} is not supported")),
        }
        .map_err(|e| format!("identity provider public key: {e}"))?;
        let mut validation = Validation::new(cfg.algorithm);
        validation.set_issuer(&[cfg.issuer.as_str()]);
        validation.set_audience(&[cfg.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Ok(External { key, validation })
    }
}
