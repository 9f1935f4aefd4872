//! Agent sessions: who is asking, verified by the server, never taken from the browser.
//!
//! Desk gives widgets no signed identity, so an agent signs in once with Desk OAuth in a popup;
//! the server exchanges the code, reads `/myinfo` (agent, role, admin flag) and issues its own
//! short-lived, signed session token bound to installation, agent and role. The widget renews
//! an expired token through the stored session, which re-reads the role from Desk, so a role
//! changed in Desk applies within one token lifetime (`session.ttl_secs`).
//!
//! Layout:
//! - [`token`]: [`SessionClaims`] and the HMAC [`SessionSigner`].
//! - [`extract`]: the [`AgentSession`] and [`AdminSession`] request extractors.

pub mod extract;
pub mod token;

pub use extract::{AdminSession, AgentSession};
pub use token::{SessionClaims, SessionSigner, TokenError};
