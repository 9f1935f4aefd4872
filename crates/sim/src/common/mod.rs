//! Simulator infrastructure shared by the Salesforce and the Zoho Desk simulators.
//!
//! Nothing here knows either API: each simulator plugs its own error shapes in through
//! [`FaultResponder`] and its own cost model through [`Counters::add_credits`].
//!
//! Layout:
//! - [`clock`]: [`SimClock`], the controllable clock every simulated timestamp, token expiry and
//!   daily quota reads (tests move it with `advance` / `set` instead of sleeping).
//! - [`counters`]: [`Counters`], calls and credits per endpoint key.
//! - [`faults`]: [`Faults`], per-endpoint latency (fixed + jitter) and "fail the next N calls" queues
//!   of [`Fault`]s.
//! - [`layer`]: the axum middlewares that apply the two above ([`count_calls`], [`inject_faults`])
//!   and the [`EndpointKey`] naming an endpoint (`"GET /api/v1/contacts/{id}"`).
//! - [`mod@serve`]: [`serve()`] a router on `127.0.0.1:0` with graceful shutdown on drop
//!   ([`bind_local`] + [`serve_listener`] when the router must know its address first).
//! - [`people`]: deterministic people and companies from a seed + index, shared by both generators
//!   so an "overlap" option can make the same person exist on both sides.

pub mod clock;
pub mod counters;
pub mod faults;
pub mod layer;
pub mod people;
pub mod serve;

pub use clock::SimClock;
pub use counters::{Counters, EndpointCount};
pub use faults::{ANY_ENDPOINT, Fault, Faults, Latency};
pub use layer::{
    EndpointKey, FaultLayerState, FaultResponder, aborted_response, count_calls, inject_faults,
};
pub use serve::{ServedRouter, bind_local, serve, serve_listener};

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a std mutex, ignoring poisoning: simulator state stays usable after a panicking test
/// thread (the data is plain values, never half-updated invariants spanning an unwind).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
