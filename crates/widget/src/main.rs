//! The sfdesk sidebar widget: a Leptos CSR app Trunk builds into `target/widget`, served by the
//! sfdesk server at `/widget/{ticket,contact,account}` and embedded by Zoho Desk as an iframe.
//!
//! Layout:
//! - [`host`]: the only bridge to the Desk SDK (`ZOHODESK`), typed async calls.
//! - [`model`]: pure logic (page, record, what to show), tested natively.
//! - [`components`]: one small view per file; `data-testid`s for the browser tests.
//!
//! `main` only installs the panic hook and mounts the panel. With `panic = "abort"` in the
//! `wasm-release` profile a panic kills the panel, so nothing here unwraps.

mod components;
mod host;
mod model;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(components::Panel);
}
