//! What every call to a remote service (Salesforce, Zoho Desk) shares, whatever the service:
//!
//! - [`http`]: the one `reqwest::Client`, with connect and request timeouts.
//! - [`retry`]: capped exponential backoff with full jitter, honouring a server's `Retry-After`,
//!   driven by each service error's own [`retry::Retryable`] answer.
//! - [`budget`]: the API budget of one installation on one side — a share of the org's daily
//!   allowance and a concurrency limit. A call that would exceed it waits; it is never sent.
//! - `attempt`: a failed try with the client's verdict on replaying it, and the retry loop
//!   the clients run their tries in.

pub(crate) mod attempt;
pub mod budget;
pub mod http;
pub mod retry;
