//! `sfdesk demo`: the whole product on one machine, no accounts needed.
//!
//! [`start`] starts a [`Sandbox`] in [`Mode::Demo`]: it owns the listener, both in-process
//! simulators, the throw-away SQLite database with a fresh key, the configuration pointing Desk
//! and Salesforce at the simulators, and the active installation joining the two orgs with
//! their tokens. This module owns only what makes it a demo:
//!
//! - `seed`: the simulators' seed — a Zoho Desk portal (a few dozen contacts, the three seeded
//!   agents) and a Salesforce org made from the same generator so that most Desk contacts also
//!   exist there, matched by email — and the tickets #101… added to Desk once it runs. Ticket
//!   #102's requester exists only in Desk.
//! - `showcase`: the rich Salesforce profile of ticket #101's requester.
//! - `install`: per-role permissions and profile settings on the sandbox's installation.
//! - `context`: `/demo/context.json`, built from the Desk simulator's state on every request and
//!   added to the router through [`SandboxOptions::layer`]. The host page at `/` reads it,
//!   looks like a Desk ticket view and embeds the widget exactly as Desk would.
//!
//! Tests and `cargo xtask demo` start it with [`start`]; [`RunningDemo`] exposes the
//! simulators and the seeded ids ([`DemoAgent`], [`RunningDemo::installation_id`] …).

mod context;
mod install;
mod seed;
mod showcase;

use std::sync::Arc;

use axum::{Extension, Router};
use sfdesk_sim::desk::DeskSimHandle;
use sfdesk_sim::salesforce::SalesforceSimHandle;
use url::Url;

use crate::api::Mode;
use crate::connections::Connections;
use crate::sandbox::{Sandbox, SandboxAgent, SandboxError, SandboxOptions};
use crate::store::{InstallationId, Store, StoreError};
use crate::web::demo_host::DemoContext;

pub use seed::{DemoTicket, DemoTickets};
pub use showcase::Showcase;

/// One agent of the host page's switcher: the sandbox's agent (email, name, Desk agent id,
/// role id and name, whether admin).
pub type DemoAgent = SandboxAgent;

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The sandbox under the demo (port, simulators, database, installation) could not start.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The seeded data is not what the demo expects (a bug in the demo's seed).
    #[error("demo seed: {0}")]
    Seed(String),
    /// The demo's permissions or settings could not be stored.
    #[error("cannot configure the demo installation: {0}")]
    Store(#[from] StoreError),
}

/// A running demo; dropping it stops the server and both simulators and deletes the database.
pub struct RunningDemo {
    /// The page to open: the Desk-like host page.
    pub url: Url,
    sandbox: Sandbox,
    tickets: DemoTickets,
    showcase: Showcase,
}

impl std::fmt::Debug for RunningDemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningDemo")
            .field("url", &self.url.as_str())
            .field("installation", &self.installation_id())
            .finish_non_exhaustive()
    }
}

impl RunningDemo {
    /// The installation joining the Desk simulator's org to the Salesforce simulator's org
    /// (status active, tokens stored, permissions and profile settings set).
    #[must_use]
    pub fn installation_id(&self) -> InstallationId {
        self.sandbox.installation.id
    }

    /// The demo server's storage (installations, credentials, permissions, sessions).
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.sandbox.state.store
    }

    /// The demo server's per-installation Salesforce and Desk clients (pointed at the
    /// simulators).
    #[must_use]
    pub fn connections(&self) -> &Arc<Connections> {
        &self.sandbox.state.connections
    }

    /// The Desk simulator (its `state()` holds tickets, contacts, agents and roles).
    #[must_use]
    pub fn desk(&self) -> &DeskSimHandle {
        &self.sandbox.desk
    }

    /// The Salesforce simulator (query it, read its counters and object reads, inject faults).
    #[must_use]
    pub fn salesforce(&self) -> &SalesforceSimHandle {
        &self.sandbox.salesforce
    }

    /// The Desk org id (`portal.id` in the widget, `org_id` of `/auth/desk/start`).
    #[must_use]
    pub fn desk_org_id(&self) -> &str {
        &self.sandbox.desk.org_id
    }

    /// The three agents the host page's switcher offers, Administrator first: email (the
    /// switcher's value and the sign-in `login_hint`), Desk agent id, role id and role name.
    #[must_use]
    pub fn agents(&self) -> &[DemoAgent] {
        self.sandbox.agents()
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
        self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        self.sandbox.run_until(stop).await
    }
}

/// Starts the demo on `127.0.0.1:port` (`0` picks a free port), with both simulators on free
/// ports: the sandbox with the demo's seed and host-page context, then the demo's tickets,
/// Salesforce showcase, role permissions and profile settings.
///
/// # Errors
/// [`DemoError::Sandbox`] when the port is taken, a simulator cannot start or the database
/// cannot be prepared; [`DemoError::Seed`] or [`DemoError::Store`] when seeding fails.
pub async fn start(port: u16) -> Result<RunningDemo, DemoError> {
    let sandbox = Sandbox::start(SandboxOptions {
        port,
        mode: Mode::Demo,
        salesforce: seed::salesforce_options(),
        desk: seed::desk_options(),
        layer: Some(Box::new(
            |router: Router, _: &SalesforceSimHandle, desk: &DeskSimHandle| {
                let context = context::Source::new(desk.state(), seed::ticket_stories());
                router.layer(Extension(DemoContext::new(move || context.build())))
            },
        )),
        ..SandboxOptions::default()
    })
    .await?;
    let tickets = seed::add_tickets(&sandbox.desk)?;
    let showcase = showcase::enrich(&sandbox.salesforce, &tickets.rich.email)?;
    install::configure(
        sandbox.state.store.as_ref(),
        sandbox.installation.id,
        sandbox.agents(),
    )
    .await?;
    Ok(RunningDemo {
        url: sandbox.url.clone(),
        sandbox,
        tickets,
        showcase,
    })
}

#[cfg(test)]
mod tests;
