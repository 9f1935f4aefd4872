//! The API budget of one installation on one side (Salesforce or Desk).
//!
//! Two limits, both enforced before a call is sent:
//! - **concurrency**: at most `max_concurrent` calls in flight;
//! - **daily allowance**: our calls in the last rolling 24 hours may use at most `share` of the
//!   org's daily allowance (the org's maximum as the service last reported it, or a configured
//!   fallback until it has). Our own calls are counted here, so the limit holds even when the
//!   service's figures lag. When the service reports the whole org exhausted (other integrations
//!   count too), calls also wait — until a newer report says otherwise, or the report is older
//!   than [`ORG_REPORT_TTL`] (then one call may go and fetch a fresh figure).
//!
//! A call that does not fit waits in [`ApiBudget::acquire`]; it is never sent over budget.
//! Time is Tokio's clock, so tests pause and advance it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The rolling window the daily allowance is counted over.
pub const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the service's report that the org is exhausted is believed without a newer one.
pub const ORG_REPORT_TTL: Duration = Duration::from_secs(5 * 60);

/// Limits of one budget.
#[derive(Debug, Clone, Copy)]
pub struct BudgetLimits {
    /// Our share of the org's daily allowance, in `(0, 1]`.
    pub share: f64,
    /// Calls in flight at once.
    pub max_concurrent: usize,
    /// The org's daily allowance assumed until the service reports its own.
    pub fallback_daily_max: u64,
}

/// A snapshot for the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetUsage {
    /// Units our calls used in the last 24 hours.
    pub used_by_us_24h: u64,
    /// Units we may use per 24 hours (`share` of the org's maximum).
    pub allowed: u64,
    /// The org's daily maximum, as last reported (or the fallback).
    pub org_max: u64,
    /// What the service last said remains for the whole org, if it said.
    pub org_remaining: Option<u64>,
    /// Calls in flight now.
    pub in_flight: usize,
}

/// One budget; clones share it.
#[derive(Clone)]
pub struct ApiBudget {
    inner: Arc<Inner>,
}

struct Inner {
    limits: BudgetLimits,
    slots: Arc<Semaphore>,
    state: Mutex<State>,
    changed: Notify,
}

struct State {
    /// Our calls in the window: when, and how many units.
    spent: VecDeque<(Instant, u64)>,
    org_max: Option<u64>,
    org_remaining: Option<(u64, Instant)>,
}

/// Held while a call runs; dropping it frees the concurrency slot.
#[derive(Debug)]
pub struct BudgetPermit {
    _slot: OwnedSemaphorePermit,
}

impl std::fmt::Debug for ApiBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiBudget")
            .field("limits", &self.inner.limits)
            .field("usage", &self.usage())
            .finish()
    }
}

impl ApiBudget {
    /// A fresh budget with nothing spent.
    pub fn new(limits: BudgetLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(limits.max_concurrent.max(1))),
                limits,
                state: Mutex::new(State {
                    spent: VecDeque::new(),
                    org_max: None,
                    org_remaining: None,
                }),
                changed: Notify::new(),
            }),
        }
    }

    /// Waits until a call costing `cost` units fits, and books it.
    pub async fn acquire(&self, cost: u64) -> BudgetPermit {
        let slot = Arc::clone(&self.inner.slots)
            .acquire_owned()
            .await
            .expect("the budget's semaphore is never closed");
        loop {
            // Registered before checking, so a report arriving in between is not missed.
            let changed = self.inner.changed.notified();
            let wait = {
                let mut state = self.state();
                let now = Instant::now();
                match self.inner.wait_needed(&mut state, cost, now) {
                    None => {
                        state.spent.push_back((now, cost));
                        return BudgetPermit { _slot: slot };
                    }
                    Some(wait) => wait,
                }
            };
            tracing::info!(
                wait_s = wait.as_secs(),
                "API budget reached; the call waits instead of being sent"
            );
            tokio::select! {
                () = tokio::time::sleep(wait) => {},
                () = changed => {},
            }
        }
    }

    /// Records a Salesforce-style report: `used` of the org's `max` units today.
    pub fn observe_usage(&self, used: u64, max: u64) {
        {
            let mut state = self.state();
            state.org_max = Some(max);
            state.org_remaining = Some((max.saturating_sub(used), Instant::now()));
        }
        self.inner.changed.notify_waiters();
    }

    /// Records a Desk-style report: `remaining` units left for the org today.
    pub fn observe_remaining(&self, remaining: u64) {
        self.state().org_remaining = Some((remaining, Instant::now()));
        self.inner.changed.notify_waiters();
    }

    /// What is used and allowed now.
    pub fn usage(&self) -> BudgetUsage {
        let mut state = self.state();
        let now = Instant::now();
        Inner::forget_old(&mut state, now);
        BudgetUsage {
            used_by_us_24h: state.spent.iter().map(|(_, cost)| cost).sum(),
            allowed: self.inner.allowed(&state),
            org_max: state
                .org_max
                .unwrap_or(self.inner.limits.fallback_daily_max),
            org_remaining: state.org_remaining.map(|(remaining, _)| remaining),
            in_flight: self.inner.limits.max_concurrent.max(1)
                - self.inner.slots.available_permits(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Inner {
    /// Our share of the org's maximum, at least one unit so a tiny share still makes progress.
    fn allowed(&self, state: &State) -> u64 {
        let max = state.org_max.unwrap_or(self.limits.fallback_daily_max) as f64;
        ((max * self.limits.share.clamp(0.0, 1.0)).floor() as u64).max(1)
    }

    fn forget_old(state: &mut State, now: Instant) {
        while state
            .spent
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) >= WINDOW)
        {
            state.spent.pop_front();
        }
    }

    /// `None` when a call of `cost` fits now, else how long to wait before checking again.
    fn wait_needed(&self, state: &mut State, cost: u64, now: Instant) -> Option<Duration> {
        Self::forget_old(state, now);
        if let Some((remaining, reported_at)) = state.org_remaining {
            let age = now.duration_since(reported_at);
            if remaining < cost && age < ORG_REPORT_TTL {
                return Some(ORG_REPORT_TTL - age);
            }
        }
        let used: u64 = state.spent.iter().map(|(_, c)| c).sum();
        if used + cost <= self.allowed(state) {
            return None;
        }
        // Our own window frees up as its oldest calls age out.
        let oldest = state.spent.front().map_or(now, |(at, _)| *at);
        Some(
            (oldest + WINDOW)
                .saturating_duration_since(now)
                .max(Duration::from_millis(1)),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn budget(share: f64, max_concurrent: usize, daily: u64) -> ApiBudget {
        ApiBudget::new(BudgetLimits {
            share,
            max_concurrent,
            fallback_daily_max: daily,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_never_exceeds_the_limit() {
        let budget = budget(1.0, 3, 1_000);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (budget, in_flight, peak) =
                    (budget.clone(), Arc::clone(&in_flight), Arc::clone(&peak));
                tokio::spawn(async move {
                    for _ in 0..5 {
                        let _permit = budget.acquire(1).await;
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(budget.usage().used_by_us_24h, 40);
        assert_eq!(budget.usage().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_daily_share_is_never_exceeded_and_frees_up_after_24_hours() {
        let budget = budget(0.5, 4, 10);
        for _ in 0..5 {
            drop(budget.acquire(1).await);
        }
        assert_eq!(budget.usage().used_by_us_24h, 5);
        let started = Instant::now();
        let sixth = tokio::spawn({
            let budget = budget.clone();
            async move { drop(budget.acquire(1).await) }
        });
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert!(
            !sixth.is_finished(),
            "the sixth call must wait, not be sent"
        );
        sixth.await.unwrap();
        assert!(started.elapsed() >= WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn the_reported_org_maximum_replaces_the_fallback() {
        let budget = budget(0.5, 4, 10);
        budget.observe_usage(0, 100);
        for _ in 0..50 {
            drop(budget.acquire(1).await);
        }
        let usage = budget.usage();
        assert_eq!(
            (usage.allowed, usage.org_max, usage.used_by_us_24h),
            (50, 100, 50)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_exhausted_org_waits_until_a_newer_report_or_the_report_expires() {
        let budget = budget(1.0, 4, 1_000);
        budget.observe_remaining(0);
        let waiting = tokio::spawn({
            let budget = budget.clone();
            async move { drop(budget.acquire(3).await) }
        });
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!waiting.is_finished());
        budget.observe_remaining(500);
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(
            waiting.is_finished(),
            "a fresh report releases the waiting call"
        );

        budget.observe_remaining(1);
        let started = Instant::now();
        drop(budget.acquire(3).await);
        assert!(started.elapsed() >= ORG_REPORT_TTL - Duration::from_secs(1));
    }
}
