//! `sfdesk demo`: the whole product on one machine, no accounts needed.
//!
//! [`start`] binds the server, then starts both simulators in-process: a Zoho Desk portal
//! (a few dozen contacts, the three seeded agents, tickets #101…) and a Salesforce org seeded
//! from the same generator so that most Desk contacts also exist there, matched by email
//! (`seed`). The requester of ticket #101 gets a rich Salesforce profile (`showcase`); ticket
//! #102's requester exists only in Desk. An installation joins the two, with tokens, per-role
//! permissions and profile settings (`install`). The server runs on a throw-away SQLite
//! database with a fresh key, its Desk and Salesforce endpoints pointed at the simulators. The
//! host page at `/` looks like a Desk ticket view, reads `/demo/context.json` (`context`, built
//! from the Desk simulator's state) and embeds the widget exactly as Desk would.
//!
//! Tests and `cargo xtask demo` start it in-process with [`start`]; [`RunningDemo`] exposes the
//! simulators and the seeded ids ([`DemoAgent`], [`RunningDemo::installation_id`] …).

mod context;
mod install;
mod seed;
mod showcase;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use secrecy::SecretString;
use sfdesk_sim::desk::DeskSimHandle;
use sfdesk_sim::salesforce::SalesforceSimHandle;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::api::{self, Mode};
use crate::config::{Config, DatabaseUrl};
use crate::connections::Connections;
use crate::crypto::Cipher;
use crate::server::{self, StartError};
use crate::store::{InstallationId, Store, StoreError};
use crate::web::demo_host::DemoContext;

pub use seed::{DemoAgent, DemoTicket, DemoTickets};
pub use showcase::Showcase;

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The temporary folder for the demo database could not be made.
    #[error("cannot create a temporary folder for the demo database: {0}")]
    TempDir(#[source] std::io::Error),
    /// The server could not start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// A simulator could not start.
    #[error("the {side} simulator could not start: {source}")]
    Simulator {
        /// `Salesforce` or `Desk`.
        side: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The seeded data is not what the demo expects (a bug in the demo's seed).
    #[error("demo seed: {0}")]
    Seed(String),
    /// The demo installation could not be stored.
    #[error("cannot store the demo installation: {0}")]
    Store(#[from] StoreError),
}

/// A running demo; dropping it stops the server and both simulators and deletes the database.
pub struct RunningDemo {
    /// The page to open: the Desk-like host page.
    pub url: Url,
    installation: InstallationId,
    agents: Vec<DemoAgent>,
    tickets: DemoTickets,
    showcase: Showcase,
    store: Arc<dyn Store>,
    connections: Arc<Connections>,
    desk: DeskSimHandle,
    salesforce: SalesforceSimHandle,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    _data: TempDir,
}

impl std::fmt::Debug for RunningDemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningDemo")
            .field("url", &self.url.as_str())
            .field("installation", &self.installation)
            .finish_non_exhaustive()
    }
}

impl RunningDemo {
    /// The installation joining the Desk simulator's org to the Salesforce simulator's org
    /// (status active, tokens stored, permissions and profile settings set).
    #[must_use]
    pub fn installation_id(&self) -> InstallationId {
        self.installation
    }

    /// The demo server's storage (installations, credentials, permissions, sessions).
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The demo server's per-installation Salesforce and Desk clients (pointed at the
    /// simulators).
    #[must_use]
    pub fn connections(&self) -> &Arc<Connections> {
        &self.connections
    }

    /// The Desk simulator (its `state()` holds tickets, contacts, agents and roles).
    #[must_use]
    pub fn desk(&self) -> &DeskSimHandle {
        &self.desk
    }

    /// The Salesforce simulator (query it, read its counters and object reads, inject faults).
    #[must_use]
    pub fn salesforce(&self) -> &SalesforceSimHandle {
        &self.salesforce
    }

    /// The Desk org id (`portal.id` in the widget, `org_id` of `/auth/desk/start`).
    #[must_use]
    pub fn desk_org_id(&self) -> &str {
        &self.desk.org_id
    }

    /// The three agents the host page's switcher offers, Administrator first: email (the
    /// switcher's value and the sign-in `login_hint`), Desk agent id, role id and role name.
    #[must_use]
    pub fn agents(&self) -> &[DemoAgent] {
        &self.agents
    }

    /// The seeded tickets the tests rely on: #101 (rich Salesforce profile) and #102 (requester
    /// not in Salesforce).
    #[must_use]
    pub fn tickets(&self) -> &DemoTickets {
        &self.tickets
    }

    /// The Salesforce ids behind ticket #101's requester (contact, account, opportunities,
    /// notes, activities).
    #[must_use]
    pub fn showcase(&self) -> &Showcase {
        &self.showcase
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

impl Drop for RunningDemo {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Starts the demo on `127.0.0.1:port` (`0` picks a free port), with both simulators on free
/// ports.
///
/// # Errors
/// [`DemoError`] when the port is taken, a simulator cannot start or the database cannot be
/// prepared.
pub async fn start(port: u16) -> Result<RunningDemo, DemoError> {
    let data = tempfile::Builder::new()
        .prefix("sfdesk-demo-")
        .tempdir()
        .map_err(DemoError::TempDir)?;
    let listener = server::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        source,
    })?;
    let url = Url::parse(&format!("http://{addr}/")).map_err(|e| StartError::Bind {
        addr,
        source: std::io::Error::other(e),
    })?;

    let sims = seed::start(&url).await?;
    let showcase = showcase::enrich(&sims.salesforce, &sims.tickets.rich.email)?;

    let config = config(addr, &url, &data, &sims);
    let state = server::open_state(config).await?;
    let installation = install::connect(state.store.as_ref(), &sims).await?;
    let store = Arc::clone(&state.store);
    let connections = Arc::clone(&state.connections);

    let context = context::Source::new(sims.desk.state(), seed::ticket_stories());
    let app =
        api::router(state, Mode::Demo).layer(Extension(DemoContext::new(move || context.build())));
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, app, async {
        let _ = shutdown_rx.await;
    }));
    Ok(RunningDemo {
        url,
        installation,
        agents: sims.agents,
        tickets: sims.tickets,
        showcase,
        store,
        connections,
        desk: sims.desk,
        salesforce: sims.salesforce,
        shutdown: Some(shutdown_tx),
        task,
        _data: data,
    })
}

/// The demo server's configuration: temp database, fresh key, both apps pointed at the
/// simulators.
fn config(addr: SocketAddr, url: &Url, data: &TempDir, sims: &seed::Simulators) -> Config {
    let mut config = Config::default();
    config.server.listen = addr;
    config.server.public_url = url.clone();
    config.database.url = DatabaseUrl::new(format!(
        "sqlite://{}",
        data.path().join("demo.db").display()
    ));
    config.security.encryption_key = Some(Cipher::generate_base64_key());

    let sf = &sims.salesforce;
    config.salesforce.login_url = sf.login_url.clone();
    config.salesforce.client_id.clone_from(&sf.client_id);
    config.salesforce.client_secret = Some(SecretString::from(sf.client_secret.clone()));
    config.salesforce.api_version.clone_from(&sf.api_version);

    let desk = &sims.desk;
    config.desk.client_id.clone_from(&desk.client_id);
    config.desk.client_secret = Some(SecretString::from(desk.client_secret.clone()));
    config.desk.api_url = Some(desk.api_url.clone());
    config.desk.accounts_url = Some(desk.accounts_url.clone());
    config
}

#[cfg(test)]
mod tests;
