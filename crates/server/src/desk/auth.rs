//! Zoho OAuth 2.0 for Desk (doc §2) and where the client gets its access tokens from.
//!
//! - [`DeskOAuth`]: the accounts server of one data centre (base URL from configuration):
//!   the consent URL, the code exchange, refresh, revoke. Zoho often reports failures as
//!   **HTTP 200** with an `error` key, so every answer is checked for one.
//! - [`TokenSource`]: what [`HttpDesk`](super::client::HttpDesk) asks for a token, and tells when
//!   Desk rejected one. [`StoredTokens`] keeps them encrypted in the [`Store`] per installation
//!   (`DeskAccessToken` / `DeskRefreshToken`), refreshes before `expires_in` runs out and, on a
//!   rejection, refreshes once for all concurrent callers (single flight). [`StaticToken`] is a
//!   fixed token (an agent's own session, tests).
//!
//! Tokens are [`SecretString`]s, exposed only where a request is built; every struct holding one
//! writes its own `Debug`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::error::Error;
use crate::store::{CredentialKind, InstallationId, Store};

/// The scopes the integration asks for (doc §2).
pub const SCOPES: &[&str] = &[
    "Desk.contacts.READ",
    "Desk.contacts.CREATE",
    "Desk.contacts.UPDATE",
    "Desk.contacts.DELETE",
    "Desk.search.READ",
    "Desk.tickets.READ",
    "Desk.basic.READ",
    "Desk.settings.READ",
    "Desk.settings.UPDATE",
    "Desk.events.ALL",
    "Desk.extensions.READ",
    "Desk.extensions.UPDATE",
];

/// Refresh this long before the access token's announced expiry.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The OAuth client registered with Zoho.
#[derive(Clone)]
pub struct OAuthApp {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: SecretString,
    /// Our redirect URI, exactly as registered.
    pub redirect_uri: String,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// What the token endpoint granted.
pub struct TokenGrant {
    /// The access token (1 hour).
    pub access_token: SecretString,
    /// The refresh token (code exchange with `access_type=offline` only).
    pub refresh_token: Option<SecretString>,
    /// How long the access token lives.
    pub expires_in: Duration,
    /// `api_domain` as announced (informational: Desk calls use the configured API URL).
    pub api_domain: Option<String>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_in", &self.expires_in)
            .field("api_domain", &self.api_domain)
            .finish()
    }
}

/// The token endpoint's answer, success or `{"error":…}`.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default)]
    pub(crate) access_token: Option<SecretString>,
    #[serde(default)]
    pub(crate) refresh_token: Option<SecretString>,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) api_domain: Option<String>,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

impl TokenAnswer {
    /// The grant, or the OAuth error it reports (HTTP 200 included).
    pub(crate) fn into_grant(self, status: u16) -> Result<TokenGrant, Error> {
        if let Some(error) = self.error {
            return Err(Error::OAuth { error, status });
        }
        let Some(access_token) = self.access_token.filter(|_| status < 400) else {
            return Err(Error::OAuth {
                error: format!("no access_token in the answer (HTTP {status})"),
                status,
            });
        };
        Ok(TokenGrant {
            access_token,
            refresh_token: self.refresh_token,
            expires_in: Duration::from_secs(self.expires_in.unwrap_or(3600)),
            api_domain: self.api_domain,
        })
    }
}

/// Reads a token endpoint answer: the grant, or the OAuth error it reports — Zoho often sends
/// `{"error":"invalid_code"}` with HTTP 200, so the `error` key wins over the status.
///
/// # Errors
/// [`Error::OAuth`] for an `error` key or a missing token, [`Error::Decode`] for a body that is
/// not JSON.
pub fn parse_token_answer(status: u16, body: &[u8]) -> Result<TokenGrant, Error> {
    let answer: TokenAnswer = serde_json::from_slice(body).map_err(|source| Error::Decode {
        what: "OAuth token answer",
        source,
    })?;
    answer.into_grant(status)
}

/// The accounts server of one data centre.
#[derive(Clone)]
pub struct DeskOAuth {
    http: reqwest::Client,
    accounts_url: Url,
    app: OAuthApp,
}

impl fmt::Debug for DeskOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeskOAuth")
            .field("accounts_url", &self.accounts_url.as_str())
            .field("app", &self.app)
            .finish()
    }
}

impl DeskOAuth {
    /// A client of the accounts server at `accounts_url` (e.g. `https://accounts.zoho.eu/`).
    pub fn new(http: reqwest::Client, accounts_url: Url, app: OAuthApp) -> Self {
        Self {
            http,
            accounts_url,
            app,
        }
    }

    fn endpoint(&self, path: &str) -> Result<Url, Error> {
        Ok(self.accounts_url.join(path)?)
    }

    /// The consent URL to send the admin's browser to. `login_hint` pre-selects the account.
    ///
    /// # Errors
    /// [`Error::Url`] if the configured accounts URL cannot be joined.
    pub fn authorization_url(
        &self,
        scopes: &[&str],
        state: &str,
        login_hint: Option<&str>,
    ) -> Result<Url, Error> {
        let mut url = self.endpoint("oauth/v2/auth")?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.app.client_id)
                .append_pair("scope", &scopes.join(","))
                .append_pair("redirect_uri", &self.app.redirect_uri)
                .append_pair("access_type", "offline")
                .append_pair("prompt", "consent")
                .append_pair("state", state);
            if let Some(hint) = login_hint {
                q.append_pair("login_hint", hint);
            }
        }
        Ok(url)
    }

    async fn token_call(&self, form: &[(&str, &str)]) -> Result<TokenGrant, Error> {
        let (status, body) =
            send(self.http.post(self.endpoint("oauth/v2/token")?).form(form)).await?;
        if status >= 500 {
            return Err(Error::Server {
                status,
                message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            });
        }
        parse_token_answer(status, &body)
    }

    /// Exchanges an authorization code (one use, about 2 minutes) for tokens.
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_code`, `invalid_client`, …), transport errors.
    pub async fn exchange_code(&self, code: &str) -> Result<TokenGrant, Error> {
        let secret = self.app.client_secret.expose_secret();
        let grant = self
            .token_call(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &self.app.client_id),
                ("client_secret", secret),
                ("redirect_uri", &self.app.redirect_uri),
            ])
            .await?;
        tracing::info!("Desk authorization code exchanged");
        Ok(grant)
    }

    /// Mints a new access token from a refresh token (the answer has no refresh token).
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_code` for a revoked refresh token), transport errors.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant, Error> {
        let grant = self
            .token_call(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
                ("client_id", &self.app.client_id),
                ("client_secret", self.app.client_secret.expose_secret()),
            ])
            .await?;
        tracing::debug!("Desk access token refreshed");
        Ok(grant)
    }

    /// Revokes a refresh token and every access token minted from it.
    ///
    /// # Errors
    /// [`Error::OAuth`] or transport errors.
    pub async fn revoke(&self, refresh_token: &SecretString) -> Result<(), Error> {
        let mut url = self.endpoint("oauth/v2/token/revoke")?;
        url.query_pairs_mut()
            .append_pair("token", refresh_token.expose_secret());
        let (status, body) = send(self.http.post(url)).await?;
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            error: Option<String>,
        }
        let answer: Option<Answer> = serde_json::from_slice(&body).ok();
        if let Some(error) = answer.and_then(|a| a.error) {
            return Err(Error::OAuth { error, status });
        }
        if status >= 400 {
            return Err(Error::OAuth {
                error: format!("revoke failed with HTTP {status}"),
                status,
            });
        }
        tracing::info!("Desk refresh token revoked");
        Ok(())
    }
}

/// Sends a call to the accounts server and reads the status and body of its answer.
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), Error> {
    let response = request.send().await.map_err(Error::from_transport)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(Error::from_transport)?;
    Ok((status, body.to_vec()))
}

/// Where [`HttpDesk`](super::client::HttpDesk) gets access tokens.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A token to send now (refreshed first when it is about to expire).
    ///
    /// # Errors
    /// Refreshing or loading failed.
    async fn access_token(&self) -> Result<SecretString, Error>;

    /// Desk rejected `rejected` with `INVALID_OAUTH`: a fresh token. Concurrent callers that saw
    /// the same rejection share one refresh; a caller whose token was already replaced just
    /// gets the new one.
    ///
    /// # Errors
    /// The refresh failed, or this source cannot refresh.
    async fn refresh_rejected(&self, rejected: &SecretString) -> Result<SecretString, Error>;
}

/// A fixed access token that cannot be refreshed.
pub struct StaticToken(SecretString);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: SecretString) -> Self {
        Self(token)
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken([redacted])")
    }
}

#[async_trait]
impl TokenSource for StaticToken {
    async fn access_token(&self) -> Result<SecretString, Error> {
        Ok(self.0.clone())
    }

    async fn refresh_rejected(&self, _rejected: &SecretString) -> Result<SecretString, Error> {
        Err(Error::InvalidOauth {
            message: "the access token was rejected and cannot be refreshed".to_owned(),
        })
    }
}

#[derive(Default)]
struct Cached {
    loaded: bool,
    access: Option<SecretString>,
    /// When the access token expires; unknown for one loaded from storage.
    expires_at: Option<Instant>,
}

/// Tokens of one installation, encrypted in the [`Store`], with a single-flight refresh.
pub struct StoredTokens {
    store: Arc<dyn Store>,
    installation: InstallationId,
    oauth: DeskOAuth,
    cache: Mutex<Cached>,
    refreshes: AtomicU64,
    clock: fn() -> DateTime<Utc>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("installation", &self.installation)
            .field("oauth", &self.oauth)
            .field("refreshes", &self.refresh_count())
            .finish_non_exhaustive()
    }
}

impl StoredTokens {
    /// Tokens of `installation`, refreshed through `oauth`.
    pub fn new(store: Arc<dyn Store>, installation: InstallationId, oauth: DeskOAuth) -> Self {
        Self {
            store,
            installation,
            oauth,
            cache: Mutex::new(Cached::default()),
            refreshes: AtomicU64::new(0),
            clock: Utc::now,
        }
    }

    /// Uses `clock` for the timestamps written with stored tokens.
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> Self {
        self.clock = clock;
        self
    }

    /// Stores a fresh grant (after the code exchange): the refresh token if present, and the
    /// access token, which is also cached.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub async fn save_grant(&self, grant: &TokenGrant) -> Result<(), Error> {
        let mut cache = self.cache.lock().await;
        let now = (self.clock)();
        if let Some(refresh) = &grant.refresh_token {
            self.store
                .put_credential(
                    self.installation,
                    CredentialKind::DeskRefreshToken,
                    refresh,
                    now,
                )
                .await?;
        }
        self.store
            .put_credential(
                self.installation,
                CredentialKind::DeskAccessToken,
                &grant.access_token,
                now,
            )
            .await?;
        *cache = Cached {
            loaded: true,
            access: Some(grant.access_token.clone()),
            expires_at: Some(Instant::now() + grant.expires_in),
        };
        Ok(())
    }

    /// Revokes the stored refresh token at Zoho and deletes both tokens ("disconnect").
    ///
    /// # Errors
    /// [`Error::OAuth`], transport or [`Error::Store`] errors.
    pub async fn revoke(&self) -> Result<(), Error> {
        let mut cache = self.cache.lock().await;
        if let Some(refresh) = self
            .store
            .get_credential(self.installation, CredentialKind::DeskRefreshToken)
            .await?
        {
            self.oauth.revoke(&refresh).await?;
        }
        for kind in [
            CredentialKind::DeskAccessToken,
            CredentialKind::DeskRefreshToken,
        ] {
            self.store
                .delete_credential(self.installation, kind)
                .await?;
        }
        *cache = Cached {
            loaded: true,
            ..Cached::default()
        };
        Ok(())
    }

    /// How many refreshes this source has made.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    async fn load(&self, cache: &mut Cached) -> Result<(), Error> {
        if !cache.loaded {
            cache.access = self
                .store
                .get_credential(self.installation, CredentialKind::DeskAccessToken)
                .await?;
            cache.expires_at = None;
            cache.loaded = true;
        }
        Ok(())
    }

    /// Refreshes with the lock held, so concurrent callers wait for this one refresh.
    async fn refresh_locked(&self, cache: &mut Cached) -> Result<SecretString, Error> {
        let refresh = self
            .store
            .get_credential(self.installation, CredentialKind::DeskRefreshToken)
            .await?
            .ok_or(Error::NotConnected)?;
        let grant = self.oauth.refresh(&refresh).await?;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        self.store
            .put_credential(
                self.installation,
                CredentialKind::DeskAccessToken,
                &grant.access_token,
                (self.clock)(),
            )
            .await?;
        cache.access = Some(grant.access_token.clone());
        cache.expires_at = Some(Instant::now() + grant.expires_in);
        Ok(grant.access_token)
    }
}

#[async_trait]
impl TokenSource for StoredTokens {
    async fn access_token(&self) -> Result<SecretString, Error> {
        let mut cache = self.cache.lock().await;
        self.load(&mut cache).await?;
        let fresh = cache
            .expires_at
            .is_none_or(|at| Instant::now() + REFRESH_MARGIN < at);
        match (&cache.access, fresh) {
            (Some(token), true) => Ok(token.clone()),
            _ => self.refresh_locked(&mut cache).await,
        }
    }

    async fn refresh_rejected(&self, rejected: &SecretString) -> Result<SecretString, Error> {
        let mut cache = self.cache.lock().await;
        self.load(&mut cache).await?;
        if let Some(current) = &cache.access
            && current.expose_secret() != rejected.expose_secret()
        {
            // Another caller refreshed while this one waited.
            return Ok(current.clone());
        }
        self.refresh_locked(&mut cache).await
    }
}
