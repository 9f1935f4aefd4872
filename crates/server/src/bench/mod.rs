//! `sfdesk bench …`: benchmarks that print measured values next to their targets as ratios.
//!
//! Speed and memory targets are checked here, by a person or a scheduled job reading the ratios,
//! never by timed tests (the build machines are shared and noisy). Run them on a release build
//! (`cargo xtask dist`, then `target/release/sfdesk bench …`): debug builds are many times slower.
//!
//! - [`profile`]: the sidebar's profile view, uncached and cached, and the widget's size
//!   (`sfdesk bench profile`).
//! - [`sim`]: the simulators' own speed and memory (`sfdesk bench sim`).
//! - [`stats`]: sample summaries and process memory readings shared by the benchmarks.

pub mod profile;
pub mod sim;
pub mod stats;
