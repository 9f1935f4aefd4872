//! Agent sessions: who is asking, verified by the server, never taken from the browser.
//!
//! Desk gives widgets no signed identity, so an agent signs in once with Desk OAuth in a popup;
//! the server exchanges the code, reads `/myinfo` (agent, role, admin flag) and issues its own
//! short-lived, signed session token bound to installation, agent and role. The widget renews
//! an expired token through the stored session, which re-reads the role from Desk, so a role
//! changed in Desk applies within one token lifetime (`session.ttl_secs`).
//!
//! Sign-out (`DELETE /api/v1/session`) ends the stored session: it can no longer be renewed.
//! Tokens already issued are verified by signature alone, so they stay valid on other routes
//! until their short expiry.
//!
//! Layout:
//! - [`token`]: [`SessionClaims`] and the HMAC [`SessionSigner`].
//! - [`extract`]: the [`AgentSession`] and [`AdminSession`] request extractors.
//! - `signin`: the OAuth popup (`/auth/desk/start`, `/auth/desk/callback`), signed `state`
//!   and the nonce cookie against login CSRF.
//! - `popup`: the HTML page that hands the grant (or the failure) to the widget.
//! - `grant`: what sign-in and renewal share: admitting the agent `/myinfo` names, issuing the
//!   token, reading Desk failures.
//! - [`routes`](mod@routes): the router of all of it, with `GET`/`DELETE /api/v1/session` and
//!   `POST /api/v1/session/refresh`.

pub mod extract;
mod grant;
mod popup;
pub mod routes;
mod signin;
pub mod token;

pub use extract::{AdminSession, AgentSession};
pub use routes::routes;
pub use token::{SessionClaims, SessionSigner, TokenError};
