//! `sfdesk sim`: the Salesforce and Zoho Desk simulators as standalone servers, for trying
//! clients by hand or pointing a development `sfdesk serve` at them.
//!
//! Both are seeded from one generator seed so that a chosen share of contacts exists on both
//! sides (the dedup case). On start, one JSON line on stdout gives the base URLs and
//! ready-to-use credentials ([`Credentials`]); the process then serves until stopped.

use std::time::Duration;

use serde::Serialize;
use sfdesk_sim::common::{ANY_ENDPOINT, Latency};
use sfdesk_sim::desk::{DeskSeed, DeskSim, DeskSimHandle, DeskSimOptions};
use sfdesk_sim::salesforce::{
    SalesforceSeed, SalesforceSim, SalesforceSimHandle, SalesforceSimOptions,
};

/// What to start.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Salesforce port on 127.0.0.1 (0 = any free port).
    pub salesforce_port: u16,
    /// Desk port on 127.0.0.1 (0 = any free port).
    pub desk_port: u16,
    /// Generator seed shared by both sides.
    pub seed: u64,
    /// Contacts per side.
    pub contacts: usize,
    /// Accounts per side.
    pub accounts: usize,
    /// How many of the contacts are the same people on both sides (matched by email).
    pub overlap: usize,
    /// Latency added to every call of both simulators.
    pub latency: Duration,
}

/// Both simulators, running; dropping this stops them.
pub struct RunningSimulators {
    /// The Salesforce org.
    pub salesforce: SalesforceSimHandle,
    /// The Desk portal.
    pub desk: DeskSimHandle,
}

/// The JSON line `sfdesk sim` prints.
#[derive(Debug, Serialize)]
pub struct Credentials {
    /// Salesforce side.
    pub salesforce: SalesforceCredentials,
    /// Desk side.
    pub desk: DeskCredentials,
}

/// Salesforce base URL and credentials.
#[derive(Debug, Serialize)]
pub struct SalesforceCredentials {
    /// The org's instance (API and OAuth) URL.
    pub instance_url: String,
    /// A valid access token for the integration user.
    pub access_token: String,
    /// External Client App consumer key.
    pub client_id: String,
    /// External Client App consumer secret.
    pub client_secret: String,
    /// API version the org serves, e.g. `66.0`.
    pub api_version: String,
}

/// Desk base URLs and credentials.
#[derive(Debug, Serialize)]
pub struct DeskCredentials {
    /// The Desk API host (`…/api/v1/` below it).
    pub api_url: String,
    /// The Zoho accounts (OAuth) host.
    pub accounts_url: String,
    /// The `orgId` header value.
    pub org_id: String,
    /// A valid access token of the admin agent.
    pub access_token: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
}

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
#[error("{side} simulator cannot listen on 127.0.0.1:{port}: {source}")]
pub struct SimStartError {
    /// `Salesforce` or `Desk`.
    pub side: &'static str,
    /// The requested port.
    pub port: u16,
    /// The operating system's reason.
    pub source: std::io::Error,
}

/// Seeds and starts both simulators.
///
/// # Errors
/// [`SimStartError`] when a port cannot be bound (taken, or not ours).
pub async fn start(options: &SimOptions) -> Result<RunningSimulators, SimStartError> {
    let salesforce = SalesforceSim::spawn(SalesforceSimOptions {
        port: options.salesforce_port,
        seed: SalesforceSeed {
            seed: options.seed,
            accounts: options.accounts,
            contacts: options.contacts,
            overlap: options.overlap,
            ..SalesforceSeed::default()
        },
        ..SalesforceSimOptions::default()
    })
    .await
    .map_err(|source| SimStartError {
        side: "Salesforce",
        port: options.salesforce_port,
        source,
    })?;
    let desk = DeskSim::spawn(DeskSimOptions {
        port: options.desk_port,
        seed: DeskSeed {
            seed: options.seed,
            accounts: options.accounts,
            contacts: options.contacts,
            ..DeskSeed::default()
        },
        ..DeskSimOptions::default()
    })
    .await
    .map_err(|source| SimStartError {
        side: "Desk",
        port: options.desk_port,
        source,
    })?;
    if !options.latency.is_zero() {
        let latency = Latency::fixed(options.latency);
        salesforce.faults().set_latency(ANY_ENDPOINT, latency);
        desk.faults().set_latency(ANY_ENDPOINT, latency);
    }
    Ok(RunningSimulators { salesforce, desk })
}

impl RunningSimulators {
    /// Base URLs and ready-to-use credentials of both.
    pub fn credentials(&self) -> Credentials {
        let sf = &self.salesforce;
        let desk = &self.desk;
        Credentials {
            salesforce: SalesforceCredentials {
                instance_url: sf.instance_url.to_string(),
                access_token: sf.access_token.clone(),
                client_id: sf.client_id.clone(),
                client_secret: sf.client_secret.clone(),
                api_version: sf.api_version.clone(),
            },
            desk: DeskCredentials {
                api_url: desk.api_url.to_string(),
                accounts_url: desk.accounts_url.to_string(),
                org_id: desk.org_id.clone(),
                access_token: desk.access_token.clone(),
                client_id: desk.client_id.clone(),
                client_secret: desk.client_secret.clone(),
            },
        }
    }
}
