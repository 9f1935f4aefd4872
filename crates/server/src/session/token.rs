//! Session tokens: [`SessionClaims`] signed with HMAC-SHA256 under a key derived from the
//! configured encryption key ([`SessionSigner`]).
//!
//! Format: `sfd1.<base64url(JSON claims)>.<base64url(HMAC over "sfd1.<payload>")>`. Verifying
//! needs no database: the signature proves the server issued exactly these claims
//! (installation, agent, role, admin flag, expiry), so a browser cannot edit its role or its
//! installation. Expiry is short; renewal goes through the stored session, which re-reads the
//! role from Desk.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use secrecy::zeroize::Zeroizing;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::crypto::Cipher;
use crate::store::InstallationId;

/// Prefix and version of every token.
const PREFIX: &str = "sfd1.";

/// The key-derivation purpose of session signing keys.
const PURPOSE: &str = "session-token";

/// What a session token asserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The stored session (renewal and sign-out act on it).
    #[serde(rename = "sid")]
    pub session_id: Uuid,
    /// The installation (tenant) every request of this token is confined to.
    #[serde(rename = "iid")]
    pub installation_id: InstallationId,
    /// Desk agent id.
    #[serde(rename = "aid")]
    pub agent_id: String,
    /// Desk role id, as Desk reported it when the token was issued.
    #[serde(rename = "rid")]
    pub role_id: String,
    /// Whether the agent is a Desk administrator.
    #[serde(rename = "adm")]
    pub is_admin: bool,
    /// When the token stops being accepted (Unix seconds).
    #[serde(rename = "exp")]
    pub expires_at: i64,
}

impl SessionClaims {
    /// The expiry as a time.
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires_at, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Why a token is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of ours (wrong shape, bad encoding).
    #[error("the session token is malformed")]
    Malformed,
    /// The signature does not match: forged, edited, or signed under another key.
    #[error("the session token is not valid")]
    BadSignature,
    /// Genuine but past its expiry; the claims are returned for renewal.
    #[error("the session token has expired")]
    Expired(Box<SessionClaims>),
}

/// Signs and verifies session tokens.
#[derive(Clone)]
pub struct SessionSigner {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for SessionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSigner([redacted])")
    }
}

impl SessionSigner {
    /// A signer whose key is derived from the server's encryption key.
    pub fn new(cipher: &Cipher) -> Self {
        Self {
            key: cipher.derive_key(PURPOSE),
        }
    }

    /// The token for `claims`.
    pub fn sign(&self, claims: &SessionClaims) -> String {
        // Serializing plain strings, a bool and numbers cannot fail.
        let json = serde_json::to_vec(claims).unwrap_or_default();
        let signed = format!("{PREFIX}{}", B64.encode(json));
        let tag = B64.encode(self.mac(signed.as_bytes()));
        format!("{signed}.{tag}")
    }

    /// The claims of `token` if it is genuine and not expired at `now`.
    ///
    /// # Errors
    /// [`TokenError`] saying why not; [`TokenError::Expired`] carries the verified claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<SessionClaims, TokenError> {
        let claims = self.verify_signature(token)?;
        if now.timestamp() >= claims.expires_at {
            return Err(TokenError::Expired(Box::new(claims)));
        }
        Ok(claims)
    }

    /// The claims of a genuine token, expired or not.
    ///
    /// # Errors
    /// [`TokenError::Malformed`] or [`TokenError::BadSignature`].
    pub fn verify_signature(&self, token: &str) -> Result<SessionClaims, TokenError> {
        let (signed, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let payload = signed.strip_prefix(PREFIX).ok_or(TokenError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.hmac();
        mac.update(signed.as_bytes());
        mac.verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        let json = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)
    }

    /// A key for another signing `purpose` (the sign-in `state`), derived from this signer's
    /// key, so a value signed for one purpose never verifies for another.
    pub(crate) fn derive_key(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&self.mac(format!("sfdesk/derive/v1/{purpose}").as_bytes()));
        key
    }

    fn hmac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(self.key.as_ref()).expect("HMAC accepts any key length")
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut mac = self.hmac();
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use secrecy::SecretString;

    use super::*;

    fn signer() -> SessionSigner {
        SessionSigner::new(
            &Cipher::from_base64_key(&SecretString::from(
                "c2ZkZXNrLWNvbmZvcm1hbmNlLXRlc3Qta2V5LTMyYiE=",
            ))
            .expect("key"),
        )
    }

    fn claims(now: DateTime<Utc>) -> SessionClaims {
        SessionClaims {
            session_id: Uuid::new_v4(),
            installation_id: InstallationId::new(),
            agent_id: "1892000000042001".to_owned(),
            role_id: "1892000000056099".to_owned(),
            is_admin: false,
            expires_at: (now + TimeDelta::minutes(5)).timestamp(),
        }
    }

    #[test]
    fn genuine_tokens_verify_until_expiry() {
        let now = Utc::now();
        let c = claims(now);
        let token = signer().sign(&c);
        assert!(token.starts_with("sfd1."));
        assert_eq!(signer().verify(&token, now), Ok(c.clone()));
        assert_eq!(
            signer().verify(&token, now + TimeDelta::minutes(5)),
            Err(TokenError::Expired(Box::new(c)))
        );
    }

    #[test]
    fn edited_claims_are_refused() {
        let now = Utc::now();
        let token = signer().sign(&claims(now));
        let (signed, tag) = token.rsplit_once('.').expect("dot");
        let payload = signed.strip_prefix(PREFIX).expect("prefix");
        let json = String::from_utf8(B64.decode(payload).expect("b64")).expect("utf8");
        let promoted = json.replace("\"adm\":false", "\"adm\":true");
        assert_ne!(json, promoted);
        let forged = format!("{PREFIX}{}.{tag}", B64.encode(promoted));
        assert_eq!(signer().verify(&forged, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn other_keys_and_garbage_are_refused() {
        let now = Utc::now();
        let other = SessionSigner::new(
            &Cipher::from_base64_key(&Cipher::generate_base64_key()).expect("key"),
        );
        let token = other.sign(&claims(now));
        assert_eq!(signer().verify(&token, now), Err(TokenError::BadSignature));
        for garbage in ["", "sfd1.", "abc.def", "sfd1.!!!.???", "Bearer x"] {
            assert!(signer().verify(garbage, now).is_err(), "{garbage}");
        }
    }
}
