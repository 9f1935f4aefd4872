//! A complete sfdesk on one machine: the server on a real TCP port, connected to in-process
//! Salesforce and Desk simulators through a live installation. `sfdesk demo` (`crate::demo`),
//! `sfdesk bench profile` and the integration tests all start one with [`Sandbox::start`].
//!
//! What it sets up, in order: a listener (so the server's public URL is known), both simulators
//! (the Desk one with `<url>auth/desk/callback` registered as a redirect URI), a throw-away
//! SQLite database with a random encryption key, a configuration pointing every Desk call at
//! the Desk simulator and naming both simulators' OAuth clients, and an active installation of
//! the Desk org connected to the Salesforce org, holding the simulators' admin tokens as its
//! (encrypted) credentials — exactly what the admin's connect flow would have stored.
//!
//! The sandbox owns only that plumbing. What its users add lives with them: the simulators'
//! seed comes in through [`SandboxOptions`], extra layers or routes through
//! [`SandboxOptions::layer`], and anything written after the start (the demo's tickets,
//! Salesforce showcase, role permissions and settings) through the public fields of [`Sandbox`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use chrono::Utc;
use secrecy::SecretString;
use sfdesk_sim::desk::{DeskSim, DeskSimHandle, DeskSimOptions};
use sfdesk_sim::salesforce::{SalesforceSim, SalesforceSimHandle, SalesforceSimOptions};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::api::{self, Mode};
use crate::config::{Config, DatabaseUrl};
use crate::crypto::Cipher;
use crate::desk::auth::{StoredTokens as DeskStoredTokens, TokenGrant};
use crate::server::{self, StartError};
use crate::session::SessionClaims;
use crate::state::AppState;
use crate::store::{
    CredentialKind, Installation, InstallationStatus, NewAgentSession, NewInstallation, StoreError,
    SyncDirection,
};

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The temporary folder for the database could not be made.
    #[error("cannot create a temporary folder for the database: {0}")]
    TempDir(#[source] std::io::Error),
    /// A simulator could not start.
    #[error("cannot start the {which} simulator: {source}")]
    Simulator {
        /// `Salesforce` or `Desk`.
        which: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server could not start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// Preparing the installation failed.
    #[error("cannot prepare the installation: {0}")]
    Store(#[from] StoreError),
    /// Storing the Desk grant failed.
    #[error("cannot store the Desk tokens: {0}")]
    Desk(#[from] crate::desk::Error),
    /// The installation's Desk OAuth client could not be built.
    #[error(transparent)]
    Connection(#[from] crate::connections::ConnectionError),
    /// A simulator URL could not be combined.
    #[error("bad URL: {0}")]
    Url(#[from] url::ParseError),
}

/// Wraps the server's router before it is served (an extra [`axum::Extension`], routes, …),
/// given both running simulators: see [`SandboxOptions::layer`].
pub type RouterLayer =
    Box<dyn FnOnce(Router, &SalesforceSimHandle, &DeskSimHandle) -> Router + Send>;

/// What to start.
pub struct SandboxOptions {
    /// Port of the sfdesk server on 127.0.0.1 (`0` picks a free one).
    pub port: u16,
    /// Which router: [`Mode::Production`] (tests, benchmarks) or [`Mode::Demo`].
    pub mode: Mode,
    /// The Salesforce simulator (its port and redirect URIs are kept as given).
    pub salesforce: SalesforceSimOptions,
    /// The Desk simulator (the sandbox adds our redirect URI).
    pub desk: DeskSimOptions,
    /// Last word on the server's configuration (short session TTLs, cache off, …).
    pub configure: fn(&mut Config),
    /// Applied to [`api::router`]'s router before it is served; the demo adds the context of
    /// its host page here. `None` (the default) serves the router as it is.
    pub layer: Option<RouterLayer>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            port: 0,
            mode: Mode::Production,
            salesforce: SalesforceSimOptions::default(),
            desk: DeskSimOptions::default(),
            configure: |_| {},
            layer: None,
        }
    }
}

/// A seeded Desk agent as the sandbox's Desk org knows them (the demo's `DemoAgent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxAgent {
    /// Sign-in email (the consent's `login_hint`, the demo switcher's value).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Desk agent id.
    pub agent_id: String,
    /// Desk role id (the key of the role's stored permissions).
    pub role_id: String,
    /// Desk role name: `CEO` (the Administrator), `Support Agent` or `Light Agent` by default.
    pub role_name: String,
    /// Whether the agent is a Desk administrator.
    pub is_admin: bool,
}

/// A running sandbox; dropping it stops the server and both simulators.
pub struct Sandbox {
    /// The server's base URL (`http://127.0.0.1:<port>/`).
    pub url: Url,
    /// The server's state (store, connections, session signer, configuration).
    pub state: AppState,
    /// The Salesforce simulator.
    pub salesforce: SalesforceSimHandle,
    /// The Desk simulator.
    pub desk: DeskSimHandle,
    /// The connected installation.
    pub installation: Installation,
    agents: Vec<SandboxAgent>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    _data: TempDir,
}

impl Sandbox {
    /// Starts simulators, server and installation.
    ///
    /// # Errors
    /// [`SandboxError`] naming the step that failed.
    pub async fn start(options: SandboxOptions) -> Result<Self, SandboxError> {
        let data = tempfile::Builder::new()
            .prefix("sfdesk-")
            .tempdir()
            .map_err(SandboxError::TempDir)?;
        let wanted = SocketAddr::from(([127, 0, 0, 1], options.port));
        let listener = server::bind(wanted).await?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: wanted,
            source,
        })?;
        let url = Url::parse(&format!("http://{addr}/"))?;

        let salesforce = SalesforceSim::spawn(options.salesforce)
            .await
            .map_err(|source| SandboxError::Simulator {
                which: "Salesforce",
                source,
            })?;
        let mut desk_options = options.desk;
        desk_options
            .redirect_uris
            .push(url.join("auth/desk/callback")?.to_string());
        let desk =
            DeskSim::spawn(desk_options)
                .await
                .map_err(|source| SandboxError::Simulator {
                    which: "Desk",
                    source,
                })?;

        let mut config = Config::default();
        config.server.listen = addr;
        config.server.public_url = url.clone();
        config.database.url = DatabaseUrl::new(format!(
            "sqlite://{}",
            data.path().join("sfdesk.db").display()
        ));
        config.security.encryption_key = Some(Cipher::generate_base64_key());
        config.desk.client_id.clone_from(&desk.client_id);
        config.desk.client_secret = Some(SecretString::from(desk.client_secret.clone()));
        config.desk.api_url = Some(desk.api_url.clone());
        config.desk.accounts_url = Some(desk.accounts_url.clone());
        config.salesforce.login_url = salesforce.login_url.clone();
        config
            .salesforce
            .client_id
            .clone_from(&salesforce.client_id);
        config.salesforce.client_secret =
            Some(SecretString::from(salesforce.client_secret.clone()));
        config
            .salesforce
            .api_version
            .clone_from(&salesforce.api_version);
        (options.configure)(&mut config);

        let state = server::open_state(config).await?;
        let installation = connect_installation(&state, &salesforce, &desk).await?;
        let agents = desk_agents(&desk);
        let mut app = api::router(state.clone(), options.mode);
        if let Some(layer) = options.layer {
            app = layer(app, &salesforce, &desk);
        }
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, app, async {
            let _ = shutdown_rx.await;
        }));
        Ok(Self {
            url,
            state,
            salesforce,
            desk,
            installation,
            agents,
            shutdown: Some(shutdown_tx),
            task,
            _data: data,
        })
    }

    /// The Desk org's agents in the Desk seed's order (Administrator, Support Agent, Light
    /// Agent by default).
    pub fn agents(&self) -> &[SandboxAgent] {
        &self.agents
    }

    /// The agent signing in with `email`, if the Desk org has one.
    pub fn agent(&self, email: &str) -> Option<&SandboxAgent> {
        self.agents.iter().find(|a| a.email == email)
    }

    /// A session token for the agent with `email`, as the sign-in flow would issue it (with its
    /// stored session), without going through OAuth. For tests and benchmarks.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the Desk org has no such agent.
    pub async fn mint_session(&self, email: &str) -> Result<String, StoreError> {
        let agent = self
            .agent(email)
            .ok_or(StoreError::NotFound { what: "agent" })?
            .clone();
        let now = Utc::now();
        let session = self
            .state
            .store
            .create_agent_session(
                self.installation.id,
                &NewAgentSession {
                    agent_id: agent.agent_id.clone(),
                    agent_name: agent.name.clone(),
                    role_id: agent.role_id.clone(),
                    role_name: agent.role_name.clone(),
                    is_admin: agent.is_admin,
                    refresh_token: None,
                    expires_at: now + chrono::TimeDelta::hours(1),
                },
                now,
            )
            .await?;
        let ttl = i64::try_from(self.state.config.session.ttl_secs).unwrap_or(i64::MAX);
        Ok(self.state.sessions.sign(&SessionClaims {
            session_id: session.id,
            installation_id: self.installation.id,
            agent_id: agent.agent_id,
            role_id: agent.role_id,
            is_admin: agent.is_admin,
            expires_at: now.timestamp().saturating_add(ttl),
        }))
    }

    /// `path` (e.g. `api/v1/profile`) under the server's URL.
    ///
    /// # Errors
    /// A path that does not join.
    pub fn endpoint(&self, path: &str) -> Result<Url, url::ParseError> {
        self.url.join(path)
    }

    /// Serves until `stop` completes (Ctrl-C in the CLI), then shuts down gracefully.
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn run_until(
        mut self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        stop.await;
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Creates the installation of the Desk org, connected to the Salesforce org, active, with the
/// simulators' admin grants stored as its credentials.
async fn connect_installation(
    state: &AppState,
    salesforce: &SalesforceSimHandle,
    desk: &DeskSimHandle,
) -> Result<Installation, SandboxError> {
    let store = &state.store;
    let now = Utc::now();
    let installation = store
        .create_installation(
            &NewInstallation {
                desk_org_id: desk.org_id.clone(),
                desk_data_centre: "us".to_owned(),
                salesforce_org_id: Some(salesforce.org_id.clone()),
                salesforce_instance_url: Some(salesforce.instance_url.to_string()),
                sync_direction: SyncDirection::TwoWay,
            },
            now,
        )
        .await?;
    store
        .set_installation_status(installation.id, InstallationStatus::Active, now)
        .await?;
    for (kind, token) in [
        (
            CredentialKind::SalesforceAccessToken,
            &salesforce.access_token,
        ),
        (
            CredentialKind::SalesforceRefreshToken,
            &salesforce.refresh_token,
        ),
    ] {
        store
            .put_credential(
                installation.id,
                kind,
                &SecretString::from(token.clone()),
                now,
            )
            .await?;
    }
    let oauth = state.connections.desk_oauth(&installation)?;
    DeskStoredTokens::new(Arc::clone(store), installation.id, oauth)
        .save_grant(&TokenGrant {
            access_token: SecretString::from(desk.access_token.clone()),
            refresh_token: Some(SecretString::from(desk.refresh_token.clone())),
            expires_in: Duration::from_secs(3600),
            api_domain: None,
        })
        .await?;
    Ok(store
        .get_installation(installation.id)
        .await?
        .unwrap_or(installation))
}

/// The Desk org's agents with their role names.
fn desk_agents(desk: &DeskSimHandle) -> Vec<SandboxAgent> {
    let state = desk.state();
    let roles = state.roles();
    state
        .agents()
        .into_iter()
        .map(|agent| SandboxAgent {
            role_name: roles
                .iter()
                .find(|role| role.id == agent.role_id)
                .map(|role| role.name.clone())
                .unwrap_or_default(),
            name: agent.name(),
            is_admin: agent.role_permission_type == "Admin",
            email: agent.email,
            agent_id: agent.id,
            role_id: agent.role_id,
        })
        .collect()
}
