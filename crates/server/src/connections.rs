//! Per-installation API clients: [`Connections`] builds the Salesforce and Desk clients of an
//! installation once (tokens from the store, endpoints from its row and the configuration) and
//! hands out shared handles, so every request of one installation shares one token cache, one
//! API budget and one connection pool.
//!
//! Endpoints: Salesforce calls go to the installation's `salesforce_instance_url` (its My
//! Domain, which also renews tokens); Desk calls go to the installation's data centre, unless
//! `desk.api_url` / `desk.accounts_url` override every installation (simulators and tests).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use secrecy::SecretString;
use url::Url;

use crate::config::Config;
use crate::desk::auth::{DeskOAuth, OAuthApp, StaticToken, StoredTokens as DeskStoredTokens};
use crate::desk::dc::DataCentre;
use crate::desk::{DeskConfig, HttpDesk};
use crate::remote::budget::{ApiBudget, BudgetLimits};
use crate::remote::http::{self, Timeouts};
use crate::remote::retry::RetryPolicy;
use crate::salesforce::auth::{
    OAuthClient, OAuthConfig, Renewal, StoredTokens as SalesforceStoredTokens, TokenManager,
};
use crate::salesforce::{HttpSalesforce, SalesforceSettings};
use crate::store::{Installation, InstallationId, Store};

/// Our share of each org's daily API allowance, and calls in flight per installation and side.
const BUDGET: BudgetLimits = BudgetLimits {
    share: 0.5,
    max_concurrent: 8,
    fallback_daily_max: 15_000,
};

/// Why an installation's client cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The installation has no Salesforce org yet.
    #[error("Salesforce is not connected for this installation")]
    SalesforceNotConnected,
    /// The installation's stored instance URL does not parse.
    #[error("the installation's Salesforce instance URL {0:?} is invalid")]
    InvalidInstanceUrl(String),
    /// The installation's data centre is unknown and no override is configured.
    #[error("unknown Zoho data centre {0:?}")]
    UnknownDataCentre(String),
    /// A configuration value this needs is not set.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// The Desk client could not be built.
    #[error(transparent)]
    Desk(#[from] crate::desk::Error),
}

/// Where one installation's Desk org lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskEndpoints {
    /// The API host (`https://desk.zoho.eu/`).
    pub api_url: Url,
    /// The accounts (OAuth) host (`https://accounts.zoho.eu/`).
    pub accounts_url: Url,
}

/// Builds and caches the API clients of every installation.
pub struct Connections {
    config: Arc<Config>,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    salesforce: Mutex<HashMap<InstallationId, Arc<HttpSalesforce>>>,
    desk: Mutex<HashMap<InstallationId, Arc<HttpDesk>>>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections").finish_non_exhaustive()
    }
}

impl Connections {
    /// Clients for installations of `store`, configured by `config`.
    pub fn new(config: Arc<Config>, store: Arc<dyn Store>) -> Self {
        Self {
            config,
            store,
            http: http::client(&Timeouts::default()),
            salesforce: Mutex::new(HashMap::new()),
            desk: Mutex::new(HashMap::new()),
        }
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The Salesforce client of `installation` (built on first use).
    ///
    /// # Errors
    /// [`ConnectionError::SalesforceNotConnected`] before an org is connected.
    pub fn salesforce(
        &self,
        installation: &Installation,
    ) -> Result<Arc<HttpSalesforce>, ConnectionError> {
        if let Some(client) = lock(&self.salesforce).get(&installation.id) {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(self.build_salesforce(installation)?);
        Ok(Arc::clone(
            lock(&self.salesforce)
                .entry(installation.id)
                .or_insert(client),
        ))
    }

    /// The Desk client of `installation`, calling as the installation's admin grant.
    ///
    /// # Errors
    /// [`ConnectionError`] when the data centre or the OAuth client is unknown.
    pub fn desk(&self, installation: &Installation) -> Result<Arc<HttpDesk>, ConnectionError> {
        if let Some(client) = lock(&self.desk).get(&installation.id) {
            return Ok(Arc::clone(client));
        }
        let tokens = DeskStoredTokens::new(
            Arc::clone(&self.store),
            installation.id,
            self.desk_oauth(installation)?,
        );
        let client = Arc::new(HttpDesk::new(
            self.http.clone(),
            DeskConfig::new(
                self.desk_endpoints(installation)?.api_url,
                &installation.desk_org_id,
            ),
            Arc::new(tokens),
            ApiBudget::new(BUDGET),
            RetryPolicy::default(),
        )?);
        Ok(Arc::clone(
            lock(&self.desk).entry(installation.id).or_insert(client),
        ))
    }

    /// A Desk client of `installation`'s org calling as one agent (their access token), for
    /// `/myinfo` at sign-in. Not cached; spends its own small budget.
    ///
    /// # Errors
    /// [`ConnectionError`] when the data centre is unknown.
    pub fn desk_as_agent(
        &self,
        installation: &Installation,
        access_token: SecretString,
    ) -> Result<HttpDesk, ConnectionError> {
        Ok(HttpDesk::new(
            self.http.clone(),
            DeskConfig::new(
                self.desk_endpoints(installation)?.api_url,
                &installation.desk_org_id,
            ),
            Arc::new(StaticToken::new(access_token)),
            ApiBudget::new(BUDGET),
            RetryPolicy::default(),
        )?)
    }

    /// The Zoho accounts server of `installation`'s data centre, with our OAuth client.
    ///
    /// # Errors
    /// [`ConnectionError::NotConfigured`] without `desk.client_id` / `desk.client_secret`.
    pub fn desk_oauth(&self, installation: &Installation) -> Result<DeskOAuth, ConnectionError> {
        let desk = &self.config.desk;
        if desk.client_id.is_empty() {
            return Err(ConnectionError::NotConfigured("desk.client_id"));
        }
        let client_secret = desk
            .client_secret
            .clone()
            .ok_or(ConnectionError::NotConfigured("desk.client_secret"))?;
        Ok(DeskOAuth::new(
            self.http.clone(),
            self.desk_endpoints(installation)?.accounts_url,
            OAuthApp {
                client_id: desk.client_id.clone(),
                client_secret,
                redirect_uri: self.desk_redirect_uri().to_string(),
            },
        ))
    }

    /// Our Desk OAuth redirect URI: `<server.public_url>auth/desk/callback`.
    pub fn desk_redirect_uri(&self) -> Url {
        under_public_url(&self.config.server.public_url, "auth/desk/callback")
    }

    /// The Desk hosts of `installation`: its data centre's, or the configured overrides.
    ///
    /// # Errors
    /// [`ConnectionError::UnknownDataCentre`] when the stored data centre is unknown and no
    /// override is configured.
    pub fn desk_endpoints(
        &self,
        installation: &Installation,
    ) -> Result<DeskEndpoints, ConnectionError> {
        let desk = &self.config.desk;
        let dc = || {
            installation
                .desk_data_centre
                .parse::<DataCentre>()
                .map_err(|_| {
                    ConnectionError::UnknownDataCentre(installation.desk_data_centre.clone())
                })
        };
        let api_url = match &desk.api_url {
            Some(url) => url.clone(),
            None => dc()?.api_url(),
        };
        let accounts_url = match &desk.accounts_url {
            Some(url) => url.clone(),
            None => dc()?.accounts_url(),
        };
        Ok(DeskEndpoints {
            api_url,
            accounts_url,
        })
    }

    /// Drops the cached clients of an installation (after its credentials or org changed, or
    /// it was deleted).
    pub fn forget(&self, id: InstallationId) {
        lock(&self.salesforce).remove(&id);
        lock(&self.desk).remove(&id);
    }

    fn build_salesforce(
        &self,
        installation: &Installation,
    ) -> Result<HttpSalesforce, ConnectionError> {
        let instance = installation
            .salesforce_instance_url
            .as_deref()
            .ok_or(ConnectionError::SalesforceNotConnected)?;
        let instance_url = Url::parse(instance)
            .map_err(|_| ConnectionError::InvalidInstanceUrl(instance.to_owned()))?;
        let app = &self.config.salesforce;
        // Without our app's secret the stored access token is used until it expires.
        let oauth = app.client_secret.clone().map(|client_secret| {
            OAuthClient::new(
                self.http.clone(),
                OAuthConfig {
                    login_url: instance_url.clone(),
                    client_id: app.client_id.clone(),
                    client_secret,
                    redirect_uri: under_public_url(
                        &self.config.server.public_url,
                        "auth/salesforce/callback",
                    ),
                },
            )
        });
        let tokens = SalesforceStoredTokens::new(
            Arc::clone(&self.store),
            installation.id,
            Arc::new(Utc::now),
        );
        let manager = TokenManager::new(Arc::new(tokens), oauth, Renewal::RefreshToken);
        Ok(HttpSalesforce::new(
            self.http.clone(),
            SalesforceSettings::new(instance_url, &app.api_version),
            Arc::new(manager),
            ApiBudget::new(BUDGET),
            RetryPolicy::default(),
        ))
    }
}

/// `path` below the server's public URL (which may itself have a path prefix).
fn under_public_url(public_url: &Url, path: &str) -> Url {
    let mut url = public_url.clone();
    let joined = format!("{}/{path}", url.path().trim_end_matches('/'));
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// Locks a client map; a poisoned lock still holds valid clients.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
