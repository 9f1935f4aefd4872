//! The widget's views, one small component per file. They only render: the words come from
//! `i18n`, the layout of a profile from `present`, the data from `api` and `host`.
//!
//! - [`Panel`]: the shell; owns the state and its loads, the action and the sign-in listener.
//! - `toolbar`: last fetched + refresh (`last-fetched`, `profile-refresh`).
//! - `body`: picks the view for an answer (`profile-hidden` when the role sees nothing).
//! - `context_card`: the record on screen (`sfdesk-context`, `sfdesk-subject`).
//! - `sign_in`: the sign-in button that opens the popup (`sign-in`, `sign-in-error`).
//! - `not_found`: no matching record (`profile-empty`, `looked-up`).
//! - `profile_view` + `card`: the found profile's cards (`contact-card`, `account-card`,
//!   `section-*`, `section-count`, `level-limited`, `account-highlight`, `field-*`,
//!   `record-link`).
//! - `actions`: create / log-ticket and the outcome (`action-create`, `action-log-ticket`,
//!   `action-result`, `action-error`).
//! - `not_connected`: no Salesforce org connected yet (`sfdesk-not-connected`).
//! - `error_state`: the one error fallback with retry (`profile-error`/`profile-retry`;
//!   `sfdesk-error`/`sfdesk-retry` for SDK errors).
//! - `loading`: the first-load skeleton (`profile-loading`).
//! - `footer`: the signed-in agent and sign-out (`signed-in-as`, `sign-out`).

// `#[component]` emits the props builder (typed-builder) with `pub` items the lint cannot see past.
#![allow(unreachable_pub)]

mod actions;
mod body;
mod card;
mod context_card;
mod error_state;
mod footer;
mod loading;
mod not_connected;
mod not_found;
mod panel;
mod profile_view;
mod sign_in;
mod toolbar;

pub(crate) use panel::Panel;
