//! The Salesforce client: everything sfdesk sends to a Salesforce org goes through here.
//!
//! Layout:
//! - [`client`]: the [`SalesforceApi`] trait (held as `Arc<dyn SalesforceApi>`) and
//!   [`HttpSalesforce`], its REST implementation (budget, token renewal, retries, limit headers).
//! - [`auth`]: OAuth (authorize URL with PKCE, code exchange, refresh with rotation, client
//!   credentials, revoke), [`TokenStore`](auth::TokenStore) and the single-flight
//!   [`TokenManager`](auth::TokenManager).
//! - [`query`]: record streams across `nextRecordsUrl`, `queryAll`, `COUNT()`, Bulk 2.0 queries.
//! - [`write`](mod@write): sObject Collections in chunks of 200 with per-row results; composite.
//! - [`describe`]: cached describes.
//! - [`undelete`]: the SOAP `undelete` call (the REST API has none).
//! - [`soql`]: the one SOQL string-literal builder (and its LIKE variant).
//! - [`limits`]: `Sforce-Limit-Info` parsing.
//! - [`wire`]: serde types of the API's bodies.
//! - [`error`]: [`Error`] and [`ErrorCode`].
//!
//! Invariants: the base URL and API version come from configuration; every call takes one unit
//! of the installation's API budget before it is sent and reports `Sforce-Limit-Info` back; no
//! token, secret or `Authorization` header is ever logged or put in an error.

pub mod auth;
pub mod client;
pub mod describe;
pub mod error;
pub mod limits;
pub mod query;
pub mod soql;
pub mod undelete;
pub mod wire;
pub mod write;

pub use client::{
    HttpSalesforce, QueryMode, QueryOptions, RecordStream, SalesforceApi, SalesforceSettings,
};
pub use error::{Error, ErrorCode};
pub use write::{NewRecord, RecordUpdate, RowResult, SavedRow};
