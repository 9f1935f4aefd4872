//! The one HTTP client every remote call goes through.

use std::time::Duration;

/// Time limits of remote calls.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Establishing the TCP/TLS connection.
    pub connect: Duration,
    /// A whole request, from sending to the last byte of the answer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(60),
        }
    }
}

/// Builds the shared client. Clone it freely: clones share one connection pool.
pub fn client(timeouts: &Timeouts) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .user_agent(concat!("sfdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        // Only fails when the TLS backend cannot initialise, which is a broken build.
        .expect("the HTTP client's TLS backend initialises")
}
