//! Wire types shared by the sfdesk server and its widget.
//!
//! Everything here is plain serde data: no I/O, no async runtime, so the crate compiles to
//! `wasm32-unknown-unknown` for the widget and natively for the server.
//!
//! Layout:
//! - [`error`]: the JSON error body every API error answers with.
//! - [`health`]: the `/healthz` and `/readyz` bodies.
//! - [`permissions`]: what a Desk role may see in the sidebar, and the admin API's bodies.
//! - [`profile`]: the sidebar's profile view (`GET /api/v1/profile`) and its actions.
//! - [`session`]: agent sign-in and session tokens.

pub mod error;
pub mod health;
pub mod permissions;
pub mod profile;
pub mod session;
