//! Signing of webhook deliveries: the `X-ZDesk-JWT` header (RS256) and the JWKS that verifies it.
//!
//! The key is a fixed 2048-bit RSA key shipped in `assets/desk/` (a simulator's published key, not
//! a secret), loaded with `include_str!` so no key is generated at run time. Claims (doc §12):
//! `iss = "orgId:<orgId>"`, `aud = "webhookId:<id>"`, `iat` / `exp` in seconds (milliseconds behind
//! the `jwt_times_in_millis` switch, since the unit is **(unconfirmed)**).

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::Value;

/// The `kid` of the simulator's signing key.
pub const KEY_ID: &str = "sfdesk-sim-desk-1";

/// Lifetime of a delivery JWT.
const JWT_TTL_SECS: i64 = 300;

const KEY_PEM: &str = include_str!("../../assets/desk/webhook-jwt-key.pem");

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// The signing key and its public JWKS.
pub(crate) struct JwtSigner {
    key: EncodingKey,
    jwks: Value,
}

impl JwtSigner {
    /// Loads the shipped key.
    pub(crate) fn load() -> Result<Self, jsonwebtoken::errors::Error> {
        let key = EncodingKey::from_rsa_pem(KEY_PEM.as_bytes())?;
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256)?;
        jwk.common.key_id = Some(KEY_ID.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        let jwks = serde_json::to_value(JwkSet { keys: vec![jwk] })?;
        Ok(Self { key, jwks })
    }

    /// The JWT for one delivery to `webhook_id`.
    pub(crate) fn sign(
        &self,
        org_id: &str,
        webhook_id: &str,
        now: DateTime<Utc>,
        millis: bool,
    ) -> String {
        let iss = format!("orgId:{org_id}");
        let aud = format!("webhookId:{webhook_id}");
        let (iat, exp) = if millis {
            (
                now.timestamp_millis(),
                now.timestamp_millis() + JWT_TTL_SECS * 1000,
            )
        } else {
            (now.timestamp(), now.timestamp() + JWT_TTL_SECS)
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.to_owned());
        let claims = Claims {
            iss: &iss,
            aud: &aud,
            iat,
            exp,
        };
        // Signing with a valid, loaded RSA key cannot fail; an empty header makes the receiver
        // reject the delivery, which is what a broken signer should cause anyway.
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap_or_default()
    }

    /// `{"keys":[…]}` as served at `/.well-known/jwks.json`.
    pub(crate) fn jwks(&self) -> &Value {
        &self.jwks
    }
}
