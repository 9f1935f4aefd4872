//! The Salesforce REST API simulator and its building blocks.
//!
//! Layout:
//! - [`ids`]: 15/18-character record ids, the case checksum, id generation.
//! - [`schema`]: object and field descriptions ([`schema::ObjectSchema`]) and the standard objects
//!   the project touches ([`schema::standard_objects`]).
//! - [`soql`]: the SOQL engine: parse a query, check it against the schemas and evaluate it
//!   against any store that implements [`soql::Dataset`], returning rows in the REST shape.
//! - [`meta`]: describe metadata (lengths, flags, picklists) and the describe bodies.
//! - [`store`]: the org's records ([`store::Store`]), with a write journal for rollbacks.
//! - [`errors`]: error bodies and the reply type.
//! - `oauth` (authorize / token / revoke / identity), `rest` (the gate and the path dispatcher:
//!   versions, limits, query paging, sObject CRUD, upsert, describe), `records` (writes,
//!   validation, system fields), `changes` (getUpdated / getDeleted), `composite` (composite and
//!   sObject Collections), `soap` (`undelete`), `lightning` (the HTML record page behind
//!   "View in Salesforce" links).
//! - `bulk`: Bulk API 2.0 query and ingest jobs (CSV).
//! - [`seed`]: deterministic seed data ([`SalesforceSeed`]).
//! - `sim`: [`SalesforceSim::spawn`], options ([`SalesforceSimOptions`], [`SalesforceSwitches`])
//!   and the handle ([`SalesforceSimHandle`]).
//!
//! Behaviour follows `shared/docs/salesforce-api.md`. Not simulated: the JWT bearer flow, Change
//! Data Capture, Composite batch / graph / tree.

mod bulk;
mod changes;
mod composite;
pub mod errors;
pub mod ids;
mod lightning;
pub mod meta;
mod oauth;
mod records;
mod rest;
pub mod schema;
pub mod seed;
mod sim;
mod soap;
pub mod soql;
pub mod store;

pub use errors::ErrorItem;
pub use oauth::signature;
pub use seed::SalesforceSeed;
pub use sim::{
    SalesforceSim, SalesforceSimHandle, SalesforceSimOptions, SalesforceSwitches,
    internal_error_fault, lock_row_fault, org_schemas, query_timeout_fault,
};
