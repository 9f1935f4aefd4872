//! Encryption of secrets at rest (OAuth tokens, webhook secrets).
//!
//! [`Cipher`] is ChaCha20-Poly1305 (an AEAD) under one 32-byte key, configured as base64 text held
//! in a [`SecretString`]. Every encryption draws a fresh random 12-byte nonce and returns
//! `nonce || ciphertext || tag`, so one value is self-contained and can be stored in one column.
//!
//! Invariants:
//! - **Associated data binds a ciphertext to its row.** Callers pass the identity of the row (the
//!   store uses installation id + credential kind) as `aad`; the same bytes must be given to
//!   [`Cipher::decrypt`]. A ciphertext copied to another installation's row therefore fails to
//!   decrypt instead of handing one tenant another tenant's token.
//! - **The key never prints.** `Debug` of [`Cipher`] is redacted, and decoded key bytes are zeroed
//!   as soon as the AEAD is keyed.
//! - Decryption failures are deliberately not told apart (wrong key, wrong associated data and
//!   tampering all give [`CryptoError::Decrypt`]): that is all an AEAD can say, and all an attacker
//!   should learn.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::Sha256;

/// Length in bytes of the key [`Cipher`] expects (after base64 decoding).
pub const KEY_LEN: usize = 32;

/// Length in bytes of the random nonce prefixed to every ciphertext.
pub const NONCE_LEN: usize = 12;

/// Length in bytes of the Poly1305 authentication tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;

/// What can go wrong building a [`Cipher`] or decrypting with it.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The configured key is not valid standard base64.
    #[error("the encryption key is not valid base64")]
    NotBase64(#[source] base64::DecodeError),
    /// The configured key decodes to the wrong number of bytes.
    #[error("the encryption key must decode to {expected} bytes, got {actual}")]
    WrongKeyLength {
        /// The required length, [`KEY_LEN`].
        expected: usize,
        /// The decoded length of the key that was given.
        actual: usize,
    },
    /// The stored value is too short to hold a nonce and an authentication tag.
    #[error("ciphertext is truncated ({len} bytes; at least {min} expected)")]
    Truncated {
        /// Length of the value that was given.
        len: usize,
        /// Minimum length of any ciphertext produced by [`Cipher::encrypt`].
        min: usize,
    },
    /// Authentication failed: wrong key, wrong associated data, or the value was altered.
    #[error("decryption failed: wrong key, wrong associated data, or tampered ciphertext")]
    Decrypt,
    /// The value decrypted, but is not UTF-8 where text was expected.
    #[error("decrypted value is not valid UTF-8")]
    NotUtf8,
}

/// Authenticated encryption with one server-wide key; see the [module docs](self).
#[derive(Clone)]
pub struct Cipher {
    /// The keyed AEAD. `ChaCha20Poly1305` zeroizes its key on drop.
    aead: ChaCha20Poly1305,
    /// The configured key, kept (zeroized on drop) only to derive purpose-bound subkeys.
    master: Arc<Zeroizing<[u8; KEY_LEN]>>,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cipher")
            .field("algorithm", &"ChaCha20-Poly1305")
            .field("key", &"[redacted]")
            .finish()
    }
}

impl Cipher {
    /// Builds a cipher from a base64 (standard alphabet, padded) encoding of a [`KEY_LEN`]-byte key.
    ///
    /// Surrounding whitespace is ignored, so a key pasted from a file with a trailing newline works.
    ///
    /// # Errors
    /// [`CryptoError::NotBase64`] if the text is not base64, [`CryptoError::WrongKeyLength`] if it
    /// does not decode to exactly [`KEY_LEN`] bytes.
    pub fn from_base64_key(key: &SecretString) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(
            BASE64
                .decode(key.expose_secret().trim())
                .map_err(CryptoError::NotBase64)?,
        );
        if bytes.len() != KEY_LEN {
            return Err(CryptoError::WrongKeyLength {
                expected: KEY_LEN,
                actual: bytes.len(),
            });
        }
        let mut master = Zeroizing::new([0u8; KEY_LEN]);
        master.copy_from_slice(&bytes);
        Ok(Self {
            aead: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
            master: Arc::new(master),
        })
    }

    /// A key for one `purpose` (for example signing session tokens), derived from the configured
    /// key with HMAC-SHA256, so one configured secret serves several uses without reuse: knowing
    /// a derived key reveals neither the configured key nor any other purpose's key.
    pub fn derive_key(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.master[..])
            .expect("HMAC accepts keys of any length");
        mac.update(b"sfdesk/derive/v1/");
        mac.update(purpose.as_bytes());
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&mac.finalize().into_bytes());
        key
    }

    /// Generates a new random key, base64-encoded, suitable for [`Cipher::from_base64_key`].
    ///
    /// Used by setup commands and tests; the server itself only ever loads a configured key.
    pub fn generate_base64_key() -> SecretString {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(bytes.as_mut());
        SecretString::from(BASE64.encode(bytes.as_ref()))
    }

    /// Encrypts `plaintext`, authenticating `aad` with it; returns `nonce || ciphertext || tag`.
    ///
    /// `aad` is not stored: the caller must present the same bytes to [`Cipher::decrypt`].
    ///
    /// # Panics
    /// Only for a plaintext beyond ChaCha20-Poly1305's limit (about 256 GiB).
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // ChaCha20-Poly1305 only fails to encrypt for messages over ~256 GiB.
            .unwrap_or_else(|_| {
                panic!(
                    "ChaCha20-Poly1305 refused a {}-byte message",
                    plaintext.len()
                )
            });
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a value produced by [`Cipher::encrypt`] with the same key and `aad`.
    ///
    /// The plaintext is returned in a [`Zeroizing`] buffer so it is wiped when dropped.
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] if the value is too short to be a ciphertext,
    /// [`CryptoError::Decrypt`] if authentication fails.
    pub fn decrypt(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        const MIN: usize = NONCE_LEN + TAG_LEN;
        if sealed.len() < MIN {
            return Err(CryptoError::Truncated {
                len: sealed.len(),
                min: MIN,
            });
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }

    /// Like [`Cipher::decrypt`], for values that were UTF-8 text (tokens, secrets).
    ///
    /// # Errors
    /// As [`Cipher::decrypt`], plus [`CryptoError::NotUtf8`].
    pub fn decrypt_string(&self, sealed: &[u8], aad: &[u8]) -> Result<SecretString, CryptoError> {
        let plain = self.decrypt(sealed, aad)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::NotUtf8)?;
        Ok(SecretString::from(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::from_base64_key(&Cipher::generate_base64_key()).unwrap()
    }

    #[test]
    fn derived_keys_are_stable_per_purpose_and_key() {
        let c = cipher();
        assert_eq!(*c.derive_key("session"), *c.derive_key("session"));
        assert_ne!(*c.derive_key("session"), *c.derive_key("state"));
        assert_ne!(*c.derive_key("session"), *cipher().derive_key("session"));
    }

    #[test]
    fn round_trip() {
        let c = cipher();
        let sealed = c.encrypt(b"refresh-token-123", b"inst-a/desk_refresh_token");
        assert_eq!(sealed.len(), NONCE_LEN + 17 + TAG_LEN);
        assert!(!sealed.windows(17).any(|w| w == b"refresh-token-123"));
        let plain = c.decrypt(&sealed, b"inst-a/desk_refresh_token").unwrap();
        assert_eq!(plain.as_slice(), b"refresh-token-123");
        let text = c
            .decrypt_string(&sealed, b"inst-a/desk_refresh_token")
            .unwrap();
        assert_eq!(text.expose_secret(), "refresh-token-123");
    }

    #[test]
    fn nonce_is_fresh_per_encryption() {
        let c = cipher();
        let a = c.encrypt(b"same", b"aad");
        let b = c.encrypt(b"same", b"aad");
        assert_ne!(a, b);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    }

    #[test]
    fn wrong_aad_fails() {
        let c = cipher();
        let sealed = c.encrypt(b"secret", b"inst-a/kind");
        assert!(matches!(
            c.decrypt(&sealed, b"inst-b/kind"),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = cipher().encrypt(b"secret", b"aad");
        assert!(matches!(
            cipher().decrypt(&sealed, b"aad"),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn tampered_fails() {
        let c = cipher();
        let sealed = c.encrypt(b"secret", b"aad");
        for i in [0, NONCE_LEN, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(
                matches!(c.decrypt(&bad, b"aad"), Err(CryptoError::Decrypt)),
                "byte {i}"
            );
        }
        assert!(matches!(
            c.decrypt(&sealed[..NONCE_LEN + TAG_LEN - 1], b"aad"),
            Err(CryptoError::Truncated { .. })
        ));
    }

    #[test]
    fn non_utf8_plaintext_is_reported() {
        let c = cipher();
        let sealed = c.encrypt(&[0xff, 0xfe], b"aad");
        assert!(matches!(
            c.decrypt_string(&sealed, b"aad"),
            Err(CryptoError::NotUtf8)
        ));
    }

    #[test]
    fn bad_keys_error_clearly() {
        let not_b64 = Cipher::from_base64_key(&SecretString::from("not base64 !!"));
        assert!(matches!(not_b64, Err(CryptoError::NotBase64(_))));

        let short = Cipher::from_base64_key(&SecretString::from(BASE64.encode([7u8; 16])));
        match short {
            Err(
                e @ CryptoError::WrongKeyLength {
                    expected: 32,
                    actual: 16,
                },
            ) => {
                assert_eq!(
                    e.to_string(),
                    "the encryption key must decode to 32 bytes, got 16"
                );
            }
            other => panic!("expected WrongKeyLength, got {other:?}"),
        }

        let padded = format!("{}\n", BASE64.encode([7u8; 32]));
        assert!(Cipher::from_base64_key(&SecretString::from(padded)).is_ok());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = BASE64.encode([0xabu8; 32]);
        let c = Cipher::from_base64_key(&SecretString::from(key.clone())).unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&key));
        assert!(!shown.to_lowercase().contains("abab"));
    }
}
