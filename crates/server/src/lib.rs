//! The sfdesk server: joins one Zoho Desk org to one Salesforce org per installation.
//!
//! Layout:
//! - [`config`]: the one typed `Config` (defaults → TOML → `SFDESK__…` env).
//! - [`telemetry`]: tracing subscriber and the Prometheus recorder.
//! - [`crypto`]: authenticated encryption of secrets at rest.
//! - [`store`]: the `Store` trait and its SQLite and PostgreSQL backends.
//! - [`desk`]: the Zoho Desk client: `DeskApi` trait, `HttpDesk`, OAuth, wire types, paging.
//! - [`remote`]: what every call to Salesforce or Desk shares: HTTP client, retry, API budget.
//! - [`salesforce`]: the Salesforce client (OAuth, queries, Collections, composite, describe).
//! - [`connections`]: the Salesforce and Desk clients of each installation.
//! - [`session`]: agent sign-in with Desk OAuth, session tokens and their extractors.
//! - [`profile`]: the sidebar's Salesforce profile (plan, composite, cache, actions, admin).
//! - [`state`]: `AppState`, the context handlers share.
//! - [`api`]: the router, error mapping, health and metrics endpoints.
//! - [`web`]: the embedded widget pages and the demo's Desk-like host page.
//! - [`server`]: binds, serves and shuts down gracefully.
//! - [`demo`]: `sfdesk demo`, the whole product on one machine.
//! - [`sandbox`]: the server connected to in-process simulators (demo, benchmarks, tests).
//! - [`simulators`]: `sfdesk sim`, the Salesforce and Desk simulators standalone.
//! - [`bench`](mod@bench): `sfdesk bench …`, benchmarks printing measured/target ratios.

pub mod api;
pub mod bench;
pub mod config;
pub mod connections;
pub mod crypto;
pub mod demo;
pub mod desk;
pub mod profile;
pub mod remote;
pub mod salesforce;
pub mod sandbox;
pub mod server;
pub mod session;
pub mod simulators;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
