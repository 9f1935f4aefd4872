//! Browser-facing pages that are not API: the embedded widget and the demo's Desk-like host.
//!
//! Desk extension packages cannot carry `.wasm`, so the sfdesk server hosts the widget itself
//! and the extension manifest points Desk's iframes at these routes.
//!
//! Layout:
//! - [`widget`]: [`widget_routes`] serves Trunk's build (`target/widget`, embedded in release
//!   builds) at `/widget/{ticket,contact,account,settings}` plus its hashed assets, and
//!   `/widget/sdk.js`, which is Zoho's SDK ([`SdkSource::ZohoCdn`]) or our demo shim
//!   ([`SdkSource::DemoHost`]).
//! - [`demo_host`]: [`demo_host_routes`] serves `/`, a page that looks like a Zoho Desk ticket
//!   and answers the shim's `postMessage` SDK calls with seeded data (demo and browser tests).
//!
//! Invariant: widget pages carry a Content-Security-Policy that allows WebAssembly
//! (`'wasm-unsafe-eval'`), Zoho's SDK host, a per-response nonce for Trunk's inline loader, and
//! framing only by Desk origins.

pub mod demo_host;
pub mod widget;

pub use demo_host::demo_host_routes;
pub use widget::{SdkSource, widget_routes};
