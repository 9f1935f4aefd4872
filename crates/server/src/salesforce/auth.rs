//! OAuth 2.0 against Salesforce (API notes, section 1) and where tokens live.
//!
//! - [`OAuthConfig`] + [`Pkce`] + [`authorize_url`]: the install flow's browser redirect
//!   (web-server flow with PKCE S256).
//! - [`OAuthClient`]: code exchange, refresh, client credentials (My Domain host only), revoke.
//! - [`TokenStore`]: where tokens live; [`StoredTokens`] keeps them encrypted in the
//!   [`Store`] as installation credentials, [`MemoryTokens`] in memory.
//! - [`TokenManager`]: the token the API client sends, renewed single-flight on
//!   `INVALID_SESSION_ID`: concurrent callers that saw the same stale token share one renewal.
//!
//! Invariant: a rotated refresh token is persisted **before** anything uses the answer it came
//! with (the old one dies at once); if persisting fails the new tokens are dropped and the call
//! fails. Tokens are [`SecretString`], exposed only where a request is built; token-bearing types
//! hand-write `Debug`.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use url::Url;

use crate::store::{CredentialKind, InstallationId, Store};

use super::Error;
use super::wire::{OAuthErrorBody, TokenResponse};

/// The External Client App and where its OAuth endpoints are.
#[derive(Clone)]
pub struct OAuthConfig {
    /// The My Domain host (`https://acme.my.salesforce.com/`) or the generic login host.
    pub login_url: Url,
    /// Consumer key.
    pub client_id: String,
    /// Consumer secret.
    pub client_secret: SecretString,
    /// Our callback, registered on the app.
    pub redirect_uri: Url,
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("login_url", &self.login_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish()
    }
}

/// A PKCE verifier and its S256 challenge.
#[derive(Clone)]
pub struct Pkce {
    /// The secret verifier (43–128 unreserved characters), sent with the code exchange.
    pub verifier: SecretString,
    /// `BASE64URL(SHA256(verifier))`, sent on the authorize URL.
    pub challenge: String,
}

impl Pkce {
    /// A fresh random verifier (64 characters).
    #[must_use]
    pub fn generate() -> Self {
        const ALPHABET: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        let mut rng = rand::rng();
        let verifier: String = (0..64)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self::from_verifier(SecretString::from(verifier))
    }

    /// The challenge of a given verifier.
    #[must_use]
    pub fn from_verifier(verifier: SecretString) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"[redacted]")
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// The browser redirect of the install flow:
/// `…/services/oauth2/authorize?response_type=code&client_id&redirect_uri&scope&state&code_challenge&code_challenge_method=S256`.
#[must_use]
pub fn authorize_url(config: &OAuthConfig, scope: &str, state: &str, pkce: &Pkce) -> Url {
    let mut url = endpoint(&config.login_url, "services/oauth2/authorize");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &config.client_id)
        .append_pair("redirect_uri", config.redirect_uri.as_str())
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    url
}

fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{path}", base.path().trim_end_matches('/'));
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// Calls the OAuth endpoints. Not metered by the org's API allowance, so no budget is taken.
#[derive(Clone)]
pub struct OAuthClient {
    http: reqwest::Client,
    config: OAuthConfig,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A client over the shared `reqwest::Client`.
    #[must_use]
    pub fn new(http: reqwest::Client, config: OAuthConfig) -> Self {
        Self { http, config }
    }

    /// The app configuration.
    #[must_use]
    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_grant` for a bad code or verifier), transport errors.
    pub async fn exchange_code(&self, code: &str, pkce: &Pkce) -> Result<TokenResponse, Error> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose_secret()),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("code_verifier", pkce.verifier.expose_secret()),
        ])
        .await
    }

    /// A new access token from a refresh token (with rotation, also a new refresh token).
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_grant` for a dead refresh token), transport errors.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenResponse, Error> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose_secret()),
        ])
        .await
    }

    /// Client credentials flow (My Domain hosts only; never a refresh token).
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_grant` "request not supported on this domain" on a generic
    /// host), transport errors.
    pub async fn client_credentials(&self) -> Result<TokenResponse, Error> {
        self.token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose_secret()),
        ])
        .await
    }

    /// Revokes an access or refresh token (revoking a refresh token ends its sessions too).
    ///
    /// # Errors
    /// [`Error::OAuth`] for an unknown token, transport errors.
    pub async fn revoke(&self, token: &SecretString) -> Result<(), Error> {
        let url = endpoint(&self.config.login_url, "services/oauth2/revoke");
        let response = self
            .http
            .post(url)
            .form(&[("token", token.expose_secret())])
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.bytes().await.map_err(Error::transport)?;
        Err(oauth_error(status.as_u16(), &body))
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<TokenResponse, Error> {
        let url = endpoint(&self.config.login_url, "services/oauth2/token");
        let response = self
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(Error::transport)?;
        tracing::debug!(status = status.as_u16(), "salesforce oauth token call");
        if !status.is_success() {
            return Err(oauth_error(status.as_u16(), &body));
        }
        serde_json::from_slice(&body).map_err(|e| Error::Decode {
            what: "token",
            message: e.to_string(),
        })
    }
}

fn oauth_error(status: u16, body: &[u8]) -> Error {
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(e) => Error::OAuth {
            status,
            error: e.error,
            description: e.error_description,
        },
        Err(_) => Error::Status { status },
    }
}

/// Where one installation's Salesforce tokens live.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored access token.
    async fn access_token(&self) -> Result<Option<SecretString>, Error>;
    /// The stored refresh token.
    async fn refresh_token(&self) -> Result<Option<SecretString>, Error>;
    /// Replaces the access token.
    async fn put_access_token(&self, token: &SecretString) -> Result<(), Error>;
    /// Replaces the refresh token.
    async fn put_refresh_token(&self, token: &SecretString) -> Result<(), Error>;
    /// Forgets both tokens (after revoking).
    async fn clear(&self) -> Result<(), Error>;
}

/// Stores a token answer: the refresh token (if any) first, then the access token.
///
/// # Errors
/// The store's error; on a refresh-token failure the access token is not stored either.
pub async fn persist(store: &dyn TokenStore, tokens: &TokenResponse) -> Result<(), Error> {
    if let Some(refresh) = &tokens.refresh_token {
        store.put_refresh_token(refresh).await?;
    }
    store.put_access_token(&tokens.access_token).await
}

/// The current time, injected (tests use the simulator's clock).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Tokens as encrypted installation credentials in the [`Store`].
#[derive(Clone)]
pub struct StoredTokens {
    store: Arc<dyn Store>,
    installation: InstallationId,
    now: Now,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("installation", &self.installation)
            .finish_non_exhaustive()
    }
}

impl StoredTokens {
    /// Tokens of `installation`; `now` stamps the writes.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, installation: InstallationId, now: Now) -> Self {
        Self {
            store,
            installation,
            now,
        }
    }

    async fn get(&self, kind: CredentialKind) -> Result<Option<SecretString>, Error> {
        self.store
            .get_credential(self.installation, kind)
            .await
            .map_err(Error::TokenStore)
    }

    async fn put(&self, kind: CredentialKind, token: &SecretString) -> Result<(), Error> {
        self.store
            .put_credential(self.installation, kind, token, (self.now)())
            .await
            .map_err(Error::TokenStore)
    }
}

#[async_trait]
impl TokenStore for StoredTokens {
    async fn access_token(&self) -> Result<Option<SecretString>, Error> {
        self.get(CredentialKind::SalesforceAccessToken).await
    }
    async fn refresh_token(&self) -> Result<Option<SecretString>, Error> {
        self.get(CredentialKind::SalesforceRefreshToken).await
    }
    async fn put_access_token(&self, token: &SecretString) -> Result<(), Error> {
        self.put(CredentialKind::SalesforceAccessToken, token).await
    }
    async fn put_refresh_token(&self, token: &SecretString) -> Result<(), Error> {
        self.put(CredentialKind::SalesforceRefreshToken, token)
            .await
    }
    async fn clear(&self) -> Result<(), Error> {
        for kind in [
            CredentialKind::SalesforceAccessToken,
            CredentialKind::SalesforceRefreshToken,
        ] {
            self.store
                .delete_credential(self.installation, kind)
                .await
                .map_err(Error::TokenStore)?;
        }
        Ok(())
    }
}

/// Tokens in memory (the CLI's one-off runs, tests).
#[derive(Default)]
pub struct MemoryTokens {
    inner: std::sync::Mutex<(Option<SecretString>, Option<SecretString>)>,
}

impl MemoryTokens {
    /// Starts with the given tokens.
    #[must_use]
    pub fn new(access: Option<SecretString>, refresh: Option<SecretString>) -> Self {
        Self {
            inner: std::sync::Mutex::new((access, refresh)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<SecretString>, Option<SecretString>)> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryTokens([redacted])")
    }
}

#[async_trait]
impl TokenStore for MemoryTokens {
    async fn access_token(&self) -> Result<Option<SecretString>, Error> {
        Ok(self.lock().0.clone())
    }
    async fn refresh_token(&self) -> Result<Option<SecretString>, Error> {
        Ok(self.lock().1.clone())
    }
    async fn put_access_token(&self, token: &SecretString) -> Result<(), Error> {
        self.lock().0 = Some(token.clone());
        Ok(())
    }
    async fn put_refresh_token(&self, token: &SecretString) -> Result<(), Error> {
        self.lock().1 = Some(token.clone());
        Ok(())
    }
    async fn clear(&self) -> Result<(), Error> {
        *self.lock() = (None, None);
        Ok(())
    }
}

/// How an expired access token is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// With the stored refresh token (web-server flow installs).
    RefreshToken,
    /// With the client credentials flow (My Domain host, run-as user).
    ClientCredentials,
    /// Not at all: an expired token is final.
    None,
}

/// An access token plus the generation it belongs to (bumped by every renewal).
#[derive(Clone)]
pub struct AccessToken {
    /// The bearer token.
    pub secret: SecretString,
    /// Which renewal produced it.
    pub generation: u64,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[redacted]")
            .field("generation", &self.generation)
            .finish()
    }
}

/// The access token in use, renewed single-flight.
pub struct TokenManager {
    store: Arc<dyn TokenStore>,
    oauth: Option<OAuthClient>,
    renewal: Renewal,
    current: Mutex<Slot>,
}

/// The cached token and the next generation number (never reused).
#[derive(Default)]
struct Slot {
    token: Option<AccessToken>,
    generations: u64,
}

impl Slot {
    fn set(&mut self, secret: SecretString) -> AccessToken {
        self.generations += 1;
        let token = AccessToken {
            secret,
            generation: self.generations,
        };
        self.token = Some(token.clone());
        token
    }
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("store", &self.store)
            .field("renewal", &self.renewal)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// Tokens from `store`, renewed through `oauth` as `renewal` says.
    #[must_use]
    pub fn new(store: Arc<dyn TokenStore>, oauth: Option<OAuthClient>, renewal: Renewal) -> Self {
        Self {
            store,
            oauth,
            renewal,
            current: Mutex::new(Slot::default()),
        }
    }

    /// The store behind this manager.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    /// The token to send: the cached one, else the stored one, else a new one.
    ///
    /// # Errors
    /// [`Error::NoToken`] when none is stored and none can be obtained; renewal errors.
    pub async fn current(&self) -> Result<AccessToken, Error> {
        let mut slot = self.current.lock().await;
        if let Some(token) = slot.token.as_ref() {
            return Ok(token.clone());
        }
        let secret = match self.store.access_token().await? {
            Some(secret) => secret,
            None => self.obtain().await?,
        };
        Ok(slot.set(secret))
    }

    /// Replaces `stale` (the token a call was rejected with). Concurrent callers holding the same
    /// stale token share one renewal: whoever comes second gets the already-renewed token.
    ///
    /// # Errors
    /// [`Error::NoToken`] when renewal is impossible; OAuth and storage errors.
    pub async fn renew(&self, stale: &AccessToken) -> Result<AccessToken, Error> {
        let mut slot = self.current.lock().await;
        if let Some(token) = slot.token.as_ref()
            && token.generation != stale.generation
        {
            return Ok(token.clone());
        }
        // Forget the stale token even when renewal fails: the next call starts over.
        slot.token = None;
        let secret = self.obtain().await?;
        Ok(slot.set(secret))
    }

    /// Gets a new access token and persists it (a rotated refresh token first).
    async fn obtain(&self) -> Result<SecretString, Error> {
        let oauth = self
            .oauth
            .as_ref()
            .ok_or(Error::NoToken("no OAuth client to renew the session"))?;
        let answer = match self.renewal {
            Renewal::RefreshToken => {
                let refresh = self
                    .store
                    .refresh_token()
                    .await?
                    .ok_or(Error::NoToken("no refresh token stored"))?;
                oauth.refresh(&refresh).await?
            }
            Renewal::ClientCredentials => oauth.client_credentials().await?,
            Renewal::None => return Err(Error::NoToken("session expired; renewal disabled")),
        };
        // Rotation: the old refresh token is already dead; store the new one before anything
        // else. A failure here drops the answer rather than use tokens we could lose.
        persist(self.store.as_ref(), &answer).await?;
        tracing::info!(
            rotated = answer.refresh_token.is_some(),
            "salesforce session renewed"
        );
        Ok(answer.access_token)
    }
}
