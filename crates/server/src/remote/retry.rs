//! Retrying transient failures: capped exponential backoff with full jitter, or the wait the
//! server asked for.
//!
//! The service clients decide what is transient (their error types implement [`Retryable`]);
//! this module only decides when to try again. A server-requested wait longer than
//! [`RetryPolicy::max_delay`] is not slept through inside a call: the error goes back to the
//! caller, whose job can be rescheduled for that time instead.

use std::future::Future;
use std::time::Duration;

/// What the retry loop needs to know about an error.
pub trait Retryable {
    /// Whether trying the same call again may succeed.
    fn is_retryable(&self) -> bool;
    /// How long the server asked us to wait (`Retry-After`), if it said.
    fn retry_after(&self) -> Option<Duration>;
}

/// How often and how patiently to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    /// Wait ceiling after the first failure; doubles per failure.
    pub base_delay: Duration,
    /// The longest wait between two tries.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One try only: the caller sees the first error.
    pub fn no_retry() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Runs `op(attempt)` (attempt counts from 0) until it succeeds, fails permanently, or
    /// `max_attempts` tries were made.
    ///
    /// # Errors
    /// The last error, unchanged.
    pub async fn run<T, E, F, Fut>(&self, mut op: F) -> Result<T, E>
    where
        E: Retryable,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            let error = match op(attempt).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            attempt += 1;
            if !error.is_retryable() || attempt >= self.max_attempts {
                return Err(error);
            }
            let wait = match error.retry_after() {
                Some(asked) if asked > self.max_delay => return Err(error),
                Some(asked) => asked,
                None => self.backoff(attempt - 1),
            };
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Full jitter: uniformly random in `0..=min(max_delay, base_delay · 2^failures)`.
    fn backoff(&self, failures: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(failures))
            .min(self.max_delay);
        let ceiling_ns = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::random_range(0..=ceiling_ns))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[derive(Debug, PartialEq)]
    enum TestError {
        Transient,
        TransientAfter(Duration),
        Permanent,
    }

    impl Retryable for TestError {
        fn is_retryable(&self) -> bool {
            !matches!(self, Self::Permanent)
        }
        fn retry_after(&self) -> Option<Duration> {
            match self {
                Self::TransientAfter(wait) => Some(*wait),
                _ => None,
            }
        }
    }

    /// Fails with `errors` in order, then succeeds; counts calls.
    async fn scripted(
        policy: &RetryPolicy,
        errors: Vec<TestError>,
    ) -> (Result<u32, TestError>, u32) {
        let calls = Arc::new(AtomicU32::new(0));
        let script = Arc::new(std::sync::Mutex::new(errors.into_iter()));
        let result = policy
            .run(|attempt| {
                let calls = Arc::clone(&calls);
                let script = Arc::clone(&script);
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    match script.lock().unwrap().next() {
                        Some(error) => Err(error),
                        None => Ok(attempt),
                    }
                }
            })
            .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_until_success() {
        let policy = RetryPolicy::default();
        let (result, calls) =
            scripted(&policy, vec![TestError::Transient, TestError::Transient]).await;
        assert_eq!(result, Ok(2));
        assert_eq!(calls, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_return_at_once() {
        let (result, calls) = scripted(&RetryPolicy::default(), vec![TestError::Permanent]).await;
        assert_eq!(result, Err(TestError::Permanent));
        assert_eq!(calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_capped_and_the_last_error_returned() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let (result, calls) =
            scripted(&policy, (0..10).map(|_| TestError::Transient).collect()).await;
        assert_eq!(result, Err(TestError::Transient));
        assert_eq!(calls, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_exactly() {
        let started = tokio::time::Instant::now();
        let wait = Duration::from_secs(7);
        let (result, _) = scripted(
            &RetryPolicy::default(),
            vec![TestError::TransientAfter(wait)],
        )
        .await;
        assert_eq!(result, Ok(1));
        assert_eq!(started.elapsed(), wait);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_longer_than_the_cap_goes_back_to_the_caller() {
        let long = Duration::from_secs(3600);
        let (result, calls) = scripted(
            &RetryPolicy::default(),
            vec![TestError::TransientAfter(long)],
        )
        .await;
        assert_eq!(result, Err(TestError::TransientAfter(long)));
        assert_eq!(calls, 1);
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for failures in 0..8 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(failures)).min(policy.max_delay);
            for _ in 0..50 {
                assert!(policy.backoff(failures) <= ceiling);
            }
        }
        // Jitter: not every draw is the same.
        let draws: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(draws.len() > 1);
    }
}
