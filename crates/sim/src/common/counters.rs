//! [`Counters`]: calls and credits per endpoint key.
//!
//! The key is whatever the simulator chooses to name an endpoint; the middlewares in
//! [`super::layer`] use [`super::EndpointKey`] (`"GET /api/v1/contacts/{id}"`). Calls are counted for
//! every request that reached a route, whatever its outcome; credits only for what the simulator
//! actually charged (its own cost model calls [`Counters::add_credits`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::lock;

/// Calls and credits of one endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndpointCount {
    /// Requests that reached the endpoint (including rejected ones).
    pub calls: u64,
    /// Credits (API units) charged for it.
    pub credits: u64,
}

/// Shared, cloneable counters; clones count into the same table.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    inner: Arc<Mutex<BTreeMap<String, EndpointCount>>>,
}

impl Counters {
    /// Empty counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one call to `key`.
    pub fn record_call(&self, key: &str) {
        lock(&self.inner).entry(key.to_owned()).or_default().calls += 1;
    }

    /// Adds `credits` charged by `key`.
    pub fn add_credits(&self, key: &str, credits: u64) {
        lock(&self.inner).entry(key.to_owned()).or_default().credits += credits;
    }

    /// The counts of one endpoint (zero if never called).
    pub fn get(&self, key: &str) -> EndpointCount {
        lock(&self.inner).get(key).copied().unwrap_or_default()
    }

    /// The sum over all endpoints.
    pub fn total(&self) -> EndpointCount {
        lock(&self.inner)
            .values()
            .fold(EndpointCount::default(), |acc, c| EndpointCount {
                calls: acc.calls + c.calls,
                credits: acc.credits + c.credits,
            })
    }

    /// A copy of the whole table, sorted by key.
    pub fn snapshot(&self) -> BTreeMap<String, EndpointCount> {
        lock(&self.inner).clone()
    }

    /// Forgets every count.
    pub fn reset(&self) {
        lock(&self.inner).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key_and_total() {
        let counters = Counters::new();
        counters.record_call("GET /a");
        counters.record_call("GET /a");
        counters.add_credits("GET /a", 3);
        counters.record_call("POST /b");
        assert_eq!(
            counters.get("GET /a"),
            EndpointCount {
                calls: 2,
                credits: 3
            }
        );
        assert_eq!(
            counters.total(),
            EndpointCount {
                calls: 3,
                credits: 3
            }
        );
        assert_eq!(counters.get("nope"), EndpointCount::default());
        counters.reset();
        assert!(counters.snapshot().is_empty());
    }
}
