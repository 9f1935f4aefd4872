//! Simulators of the Salesforce REST API and the Zoho Desk API v1.
//!
//! Layout:
//! - [`salesforce`]: the Salesforce side. So far its query engine ([`salesforce::soql`]: SOQL
//!   lexer, parser and evaluator over an abstract [`salesforce::soql::Dataset`]), the object
//!   schemas ([`salesforce::schema`]) and record ids ([`salesforce::ids`]). The HTTP layer that
//!   serves them comes with the simulators issue.
//! - [`common`]: infrastructure both simulators share: simulated clock, fault injection, call and
//!   credit counters, serving on `127.0.0.1:0`, deterministic people for the seed generators.
//! - [`desk`]: the Zoho Desk API v1 simulator ([`desk::DeskSim`]): OAuth accounts server, API,
//!   credits, webhooks with signed deliveries, seeded data.

pub mod common;
pub mod desk;
pub mod salesforce;
