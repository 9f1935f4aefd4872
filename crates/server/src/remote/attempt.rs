//! One failed try of a remote call with the client's verdict on trying it again, and the retry
//! loop over such tries.
//!
//! Whether an error is transient is the service error's own answer ([`Retryable`]); whether the
//! *call* may be replayed after it also depends on the call (a write that may have been
//! processed must not be sent twice). Each client decides that per try and wraps the error in an
//! [`Attempt`]; [`run`] retries under a [`RetryPolicy`] and hands back the last error unwrapped.

use std::future::Future;
use std::time::Duration;

use super::retry::{RetryPolicy, Retryable};

/// A failed try, with whether trying the call again is safe.
#[derive(Debug)]
pub(crate) struct Attempt<E> {
    /// The service error.
    pub(crate) error: E,
    /// Whether the call may be tried again (transient and safe to replay).
    pub(crate) retryable: bool,
}

impl<E: Retryable> Retryable for Attempt<E> {
    fn is_retryable(&self) -> bool {
        self.retryable
    }

    fn retry_after(&self) -> Option<Duration> {
        self.error.retry_after()
    }
}

/// Runs `op` until it succeeds or fails for good under `policy` (see [`RetryPolicy::run`]).
///
/// # Errors
/// The last try's error.
pub(crate) async fn run<T, E, F, Fut>(policy: &RetryPolicy, mut op: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Attempt<E>>>,
{
    policy
        .run(|_attempt| op())
        .await
        .map_err(|attempt| attempt.error)
}
