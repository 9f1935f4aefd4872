//! The widget's views, one small component per file.
//!
//! - [`Panel`]: the sidebar shell; loads the host context and picks the state to show.
//! - `context_card`: the record the panel is about (`sfdesk-context`).
//! - `not_connected`: the empty state until Salesforce is connected (`sfdesk-not-connected`).
//! - `error_state`: the one error fallback with a retry button (`sfdesk-error`, `sfdesk-retry`).
//! - `loading`: the placeholder while the SDK answers (`sfdesk-loading`).

// `#[component]` emits the props builder (typed-builder) with `pub` items the lint cannot see past.
#![allow(unreachable_pub)]

mod context_card;
mod error_state;
mod loading;
mod not_connected;
mod panel;

pub(crate) use panel::Panel;
