//! Simulators of the Salesforce REST API and the Zoho Desk API v1.
//!
//! Layout:
//! - [`salesforce`]: the Salesforce REST API simulator ([`salesforce::SalesforceSim`]): OAuth
//!   (web-server + PKCE, refresh with rotation, client credentials), limits, SOQL query/queryAll
//!   with locators ([`salesforce::soql`]: lexer, parser, evaluator), describe-validated CRUD,
//!   composite, collections, Bulk API 2.0, SOAP undelete, change tracking and seeded data.
//! - [`common`]: infrastructure both simulators share: simulated clock, fault injection, call and
//!   credit counters, serving on `127.0.0.1:0`, deterministic people for the seed generators.
//! - [`desk`]: the Zoho Desk API v1 simulator ([`desk::DeskSim`]): OAuth accounts server, API,
//!   credits, webhooks with signed deliveries, seeded data.

pub mod common;
pub mod desk;
pub mod salesforce;
