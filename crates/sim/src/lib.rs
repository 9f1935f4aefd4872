//! Simulators of the Salesforce REST API and the Zoho Desk API v1.
//!
//! Layout:
//! - [`salesforce`]: the Salesforce side. So far its query engine ([`salesforce::soql`]: SOQL
//!   lexer, parser and evaluator over an abstract [`salesforce::soql::Dataset`]), the object
//!   schemas ([`salesforce::schema`]) and record ids ([`salesforce::ids`]). The HTTP layer that
//!   serves them comes with the simulators issue.

pub mod salesforce;
