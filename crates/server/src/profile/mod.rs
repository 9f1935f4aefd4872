//! The sidebar's Salesforce profile: who the Desk record is in Salesforce, cut to what the
//! agent's Desk role may see, in one composite call, cached briefly.
//!
//! Layout (one job per file):
//! - [`plan`]: permissions × page → which subject, info blocks and sections (or hidden).
//! - [`query`]: the one composite request of a view (subject query + one per section, ≤ 5).
//! - [`parse`]: the composite answer → [`Profile`](sfdesk_shared::profile::Profile), field sets
//!   per level.
//! - [`links`]: Lightning record URLs and note excerpts.
//! - `resolve`: Desk ticket/contact/account → sync link, email or account name.
//! - [`cache`]: views (JSON bytes + ETag + ids shown), resolutions, installations, permissions.
//! - [`service`]: [`ProfileService`], a view from session to bytes, and the invalidation hooks
//!   ([`ProfileService::invalidate_records`], [`ProfileService::invalidate_installation`]).
//! - `actions`: create the requester in Salesforce, log a ticket as a completed task.
//! - `settings`: the admin's role permissions and profile settings.
//! - `errors`: Salesforce/Desk failures as `502`/`503`/`403 not_connected`.
//!
//! Rules: permissions are applied before Salesforce is asked (a section at `none` is neither in
//! the SOQL nor in the JSON); every Desk value reaches SOQL only as a
//! [`string_literal`](crate::salesforce::soql::string_literal); the installation and role come
//! from the session token only.

mod actions;
pub mod cache;
mod errors;
pub mod links;
pub mod parse;
pub mod plan;
pub mod query;
mod resolve;
pub mod service;
mod settings;

pub(crate) use actions::check_desk_id;
pub use service::ProfileService;
