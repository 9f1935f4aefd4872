//! The Zoho Desk client (doc `shared/docs/zoho-desk-api.md`).
//!
//! Layout:
//! - [`client`]: the [`DeskApi`] trait (held as `Arc<dyn DeskApi>`) and [`HttpDesk`], its HTTP
//!   implementation: budget, headers, single-flight token refresh on `INVALID_OAUTH`, retries.
//! - [`auth`]: OAuth against the accounts server ([`DeskOAuth`]) and token sources
//!   ([`TokenSource`], [`StoredTokens`] over the encrypted store).
//! - [`dc`]: data centres ([`DataCentre`]), each with its API and accounts hosts. Base URLs are
//!   always configuration; the data centre only supplies production defaults.
//! - [`error`]: [`Error`], one variant per documented `errorCode`, with retry classification.
//! - [`wire`]: serde types of request and answer bodies.
//! - [`paging`]: 1-based list paging to the end (204 = empty) and the 0-based search window.
//!
//! Invariants: no token, client secret or `Authorization` header is ever logged or put into an
//! error; every call waits for the installation's API budget before it is sent.

pub mod auth;
pub mod client;
pub mod dc;
pub mod error;
pub mod paging;
pub mod wire;

pub use auth::{DeskOAuth, OAuthApp, StaticToken, StoredTokens, TokenGrant, TokenSource};
pub use client::{DeskApi, DeskConfig, HttpDesk, SearchQuery};
pub use dc::DataCentre;
pub use error::Error;
