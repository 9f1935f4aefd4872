//! The sfdesk sidebar widget: a Leptos CSR app Trunk builds into `target/widget`, served by the
//! sfdesk server at `/widget/{ticket,contact,account}` and embedded by Zoho Desk as an iframe.
//! It shows the requester's Salesforce profile, cut to the agent's Desk role, from our server's
//! `/api/v1/profile` (same origin), after the agent signs in once with Desk in a popup.
//!
//! Layout:
//! - [`host`]: the only bridge to the Desk SDK (`ZOHODESK`), typed async calls.
//! - [`browser`]: the other browser APIs: session store, sign-in popup and its message, clock.
//! - [`api`]: typed calls to our server (bearer, refresh-once, ETag) over [`http`] (gloo-net);
//!   bodies parsed by the browser ([`js_json`]) and read by [`decode`] (no serde in the wasm).
//! - Pure, tested natively: [`model`] (page, record, agent, profile target, action bodies),
//!   [`auth`] (sign-in URL, popup message, storage key, the 401 state machine), [`error`]
//!   ([`error::WidgetError`]), [`i18n`] (English / Simplified Chinese texts), [`format`](mod@format)
//!   (counts, amounts, dates, "last fetched"), [`present`] (a profile as cards of fields).
//! - [`components`]: one small view per file; `data-testid`s for the browser tests.
//!
//! `main` only mounts the panel. With `panic = "abort"` in the `wasm-release` profile a panic
//! kills the panel (the console shows `unreachable`; a panic hook that prints the message costs
//! 1.3 KB of the 100 KB budget, so there is none), so nothing here unwraps.

mod api;
mod auth;
mod browser;
mod components;
mod decode;
mod error;
mod format;
mod host;
mod http;
mod i18n;
mod js_json;
mod model;
mod present;

fn main() {
    leptos::mount::mount_to_body(components::Panel);
}
