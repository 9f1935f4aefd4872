//! [`Faults`]: what a simulator should do wrong, per endpoint.
//!
//! Two knobs per endpoint key (see [`super::EndpointKey`] for the key format; a key may also be a
//! bare path template such as `"/api/v1/contacts"`, matching every method, or [`ANY_ENDPOINT`]):
//! - a [`Latency`] added to every call (fixed + uniformly random jitter);
//! - a queue of [`Fault`]s: each call takes the next one, so `fail_next(key, 2, Fault::ServerError)`
//!   fails exactly two calls and lets the third through.
//!
//! Lookup prefers the most specific key: `"METHOD /path"`, then `"/path"`, then `"*"`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::Response;

use super::lock;

/// The key that matches every endpoint.
pub const ANY_ENDPOINT: &str = "*";

/// One injected failure.
#[derive(Clone)]
pub enum Fault {
    /// The service's rate-limit answer (each simulator picks its real shape).
    RateLimit,
    /// The service's 5xx answer.
    ServerError,
    /// Sleep for the simulator's configured timeout delay (longer than any sane client timeout),
    /// then answer normally: the client should have given up by then.
    Timeout,
    /// The service's "expired / invalid token" answer.
    ExpiredToken,
    /// Abort the connection without a complete HTTP answer.
    DropConnection,
    /// A service-specific answer (e.g. Salesforce `UNABLE_TO_LOCK_ROW`), built per call.
    Custom(Arc<dyn Fn() -> Response + Send + Sync>),
}

impl Fault {
    /// A [`Fault::Custom`] from a response builder.
    pub fn custom(build: impl Fn() -> Response + Send + Sync + 'static) -> Self {
        Self::Custom(Arc::new(build))
    }
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RateLimit => "RateLimit",
            Self::ServerError => "ServerError",
            Self::Timeout => "Timeout",
            Self::ExpiredToken => "ExpiredToken",
            Self::DropConnection => "DropConnection",
            Self::Custom(_) => "Custom",
        })
    }
}

/// Added delay of every call to an endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    /// Always added.
    pub fixed: Duration,
    /// Up to this much more, uniformly random per call.
    pub jitter: Duration,
}

impl Latency {
    /// A fixed delay without jitter.
    pub fn fixed(fixed: Duration) -> Self {
        Self {
            fixed,
            jitter: Duration::ZERO,
        }
    }

    /// Draws one delay.
    pub fn sample(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.fixed;
        }
        let jitter_ns = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        self.fixed + Duration::from_nanos(rand::random_range(0..=jitter_ns))
    }
}

/// Shared, cloneable fault plan; clones edit the same plan.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    latency: HashMap<String, Latency>,
    queued: HashMap<String, VecDeque<Fault>>,
}

impl Faults {
    /// No latency, no faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `latency` to every call matching `key` (replacing an earlier setting for that key).
    pub fn set_latency(&self, key: &str, latency: Latency) {
        lock(&self.inner).latency.insert(key.to_owned(), latency);
    }

    /// Removes the latency of `key`.
    pub fn clear_latency(&self, key: &str) {
        lock(&self.inner).latency.remove(key);
    }

    /// Makes the next `n` calls matching `key` fail with `fault` (queued after earlier faults).
    pub fn fail_next(&self, key: &str, n: usize, fault: Fault) {
        let mut state = lock(&self.inner);
        let queue = state.queued.entry(key.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(fault, n));
    }

    /// How many queued faults `key` still has (exact key only).
    pub fn pending(&self, key: &str) -> usize {
        lock(&self.inner).queued.get(key).map_or(0, VecDeque::len)
    }

    /// Forgets every latency and queued fault.
    pub fn clear(&self) {
        let mut state = lock(&self.inner);
        state.latency.clear();
        state.queued.clear();
    }

    /// For one call to `method` + `path` (a route template): the latency to add and the fault to
    /// apply, if any; consumes the fault.
    pub fn take(&self, method: &str, path: &str) -> (Option<Latency>, Option<Fault>) {
        let keys = [
            format!("{method} {path}"),
            path.to_owned(),
            ANY_ENDPOINT.to_owned(),
        ];
        let mut state = lock(&self.inner);
        let latency = keys.iter().find_map(|k| state.latency.get(k).copied());
        let fault = keys
            .iter()
            .find_map(|k| state.queued.get_mut(k).and_then(VecDeque::pop_front));
        (latency, fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_is_consumed_most_specific_first() {
        let faults = Faults::new();
        faults.fail_next("*", 1, Fault::ServerError);
        faults.fail_next("GET /x", 2, Fault::RateLimit);
        assert!(matches!(faults.take("GET", "/x").1, Some(Fault::RateLimit)));
        assert!(matches!(faults.take("GET", "/x").1, Some(Fault::RateLimit)));
        assert!(matches!(
            faults.take("GET", "/x").1,
            Some(Fault::ServerError)
        ));
        assert!(faults.take("GET", "/x").1.is_none());
        assert_eq!(faults.pending("GET /x"), 0);
    }

    #[test]
    fn latency_with_jitter_stays_in_range() {
        let latency = Latency {
            fixed: Duration::from_millis(10),
            jitter: Duration::from_millis(5),
        };
        for _ in 0..50 {
            let d = latency.sample();
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(15));
        }
    }
}
