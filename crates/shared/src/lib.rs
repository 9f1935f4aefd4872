//! Wire types shared by the sfdesk server and its widget.
//!
//! Everything here is plain serde data: no I/O, no async runtime, so the crate compiles to
//! `wasm32-unknown-unknown` for the widget and natively for the server.
//!
//! Layout:
//! - [`error`]: the JSON error body every API error answers with.
//! - [`health`]: the `/healthz` and `/readyz` bodies.

pub mod error;
pub mod health;
