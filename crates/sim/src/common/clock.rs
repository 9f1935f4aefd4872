//! [`SimClock`]: the simulated "now" of a simulator.
//!
//! Every time a simulator shows or compares (record timestamps, token expiry, the daily credit
//! reset) comes from one `SimClock`, never from `SystemTime::now()` directly, so tests can jump
//! hours ahead with [`SimClock::advance`] instead of sleeping. A running clock follows real time
//! from its base (so successive writes get increasing timestamps); a frozen one only moves when told.
//! Times are truncated to milliseconds, the precision both APIs show.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use super::lock;

/// A cloneable handle on one simulated clock; clones share the same time.
#[derive(Clone, Debug)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
struct ClockState {
    /// Simulated time at `anchor`.
    base: DateTime<Utc>,
    /// Real instant at which the simulated time was `base`.
    anchor: Instant,
    /// A frozen clock ignores real time.
    frozen: bool,
}

impl SimClock {
    /// A clock that starts at the real current time and runs with real time.
    pub fn real() -> Self {
        Self::starting_at(Utc::now())
    }

    /// A clock that shows `start` now and runs with real time from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self::make(start, false)
    }

    /// A clock stopped at `start`: it moves only through [`advance`](Self::advance) and
    /// [`set`](Self::set).
    pub fn frozen_at(start: DateTime<Utc>) -> Self {
        Self::make(start, true)
    }

    fn make(start: DateTime<Utc>, frozen: bool) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ClockState {
                base: truncate(start),
                anchor: Instant::now(),
                frozen,
            })),
        }
    }

    /// The simulated current time, truncated to milliseconds.
    pub fn now(&self) -> DateTime<Utc> {
        let state = lock(&self.inner);
        if state.frozen {
            return state.base;
        }
        let elapsed = TimeDelta::from_std(state.anchor.elapsed()).unwrap_or(TimeDelta::MAX);
        truncate(state.base.checked_add_signed(elapsed).unwrap_or(state.base))
    }

    /// Moves the clock forward by `by` (the real-time drift of a running clock continues).
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        let delta = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        self.set(now.checked_add_signed(delta).unwrap_or(now));
    }

    /// Sets the simulated time to `to` (may go backwards, which no real service does: use with care).
    pub fn set(&self, to: DateTime<Utc>) {
        let mut state = lock(&self.inner);
        state.base = truncate(to);
        state.anchor = Instant::now();
    }

    /// Stops (`true`) or resumes (`false`) the clock's real-time drift, keeping the current time.
    pub fn freeze(&self, frozen: bool) {
        let now = self.now();
        let mut state = lock(&self.inner);
        state.base = now;
        state.anchor = Instant::now();
        state.frozen = frozen;
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::real()
    }
}

fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2024-03-05T10:15:30.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = SimClock::frozen_at(start);
        assert_eq!(clock.now().to_rfc3339(), "2024-03-05T10:15:30.123+00:00");
        clock.advance(Duration::from_secs(3600));
        assert_eq!(clock.now().to_rfc3339(), "2024-03-05T11:15:30.123+00:00");
        let copy = clock.clone();
        copy.advance(Duration::from_millis(1));
        assert_eq!(clock.now(), copy.now());
    }

    #[test]
    fn running_clock_does_not_go_backwards() {
        let clock = SimClock::real();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
    }
}
