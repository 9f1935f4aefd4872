//! [`PgStore`]: the PostgreSQL backend, for several server replicas sharing one database.
//!
//! Every replica may run job workers: [`Store::claim_job`] locks its candidate row with
//! `FOR UPDATE SKIP LOCKED` inside a single `UPDATE … RETURNING`, so concurrent claimers skip each
//! other's rows instead of waiting or double-claiming. Lease owners guard every later transition.
//!
//! [`PgStore::connect`] gives up after [`CONNECT_TIMEOUT`] so a missing server is a clear startup
//! error, not a hang. The schema is whatever `search_path` names (the default `public`); tests set
//! it per test through [`PgConnectOptions::options`].
//!
//! This module owns what is PostgreSQL's own: connecting, the migrations and the job-claim
//! statement (the hooks of the private `sql::Backend` trait). Every other statement, and all
//! binding and decoding, is shared with SQLite in [`SqlStore`].

use std::str::FromStr;
use std::time::Duration;

use sqlx::Postgres;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult};

#[cfg(doc)]
use super::Store;
use super::StoreError;
use super::sql::{Backend, SqlStore, claim_job_sql};
use crate::crypto::Cipher;

/// This backend's migrations (`crates/server/migrations/postgres`), embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long [`PgStore::connect`] waits for the server before failing.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Pool size per server process.
const MAX_CONNECTIONS: u32 = 10;

/// [`Store`] on a PostgreSQL database.
pub type PgStore = SqlStore<Postgres>;

impl Backend for Postgres {
    const BACKEND_NAME: &'static str = "postgres";

    const MIGRATOR: &'static Migrator = &MIGRATOR;

    // The candidate row is locked by the sub-select; rows locked by concurrent claimers are
    // skipped, so no two claimers get the same job.
    const CLAIM_JOB: &'static str = claim_job_sql!("FOR UPDATE SKIP LOCKED");

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl SqlStore<Postgres> {
    /// Connects to the database of a `postgres://` or `postgresql://` URL.
    ///
    /// # Errors
    /// [`StoreError::InvalidUrl`] for a malformed URL, [`StoreError::Connect`] if the server does
    /// not accept a connection within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &str, cipher: Cipher) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|source| StoreError::InvalidUrl {
            backend: Postgres::BACKEND_NAME,
            source,
        })?;
        Self::connect_with(options, cipher).await
    }

    /// Connects with explicit options (e.g. a `search_path` set through
    /// [`PgConnectOptions::options`]).
    ///
    /// # Errors
    /// As [`PgStore::connect`].
    pub async fn connect_with(
        options: PgConnectOptions,
        cipher: Cipher,
    ) -> Result<Self, StoreError> {
        let target = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("(default)")
        );
        let connecting = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options);
        // Belt and braces: the pool's acquire timeout should fire first.
        let pool = match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), connecting)
            .await
        {
            Ok(connected) => connected,
            Err(_elapsed) => Err(sqlx::Error::PoolTimedOut),
        }
        .map_err(|source| StoreError::Connect {
            backend: Postgres::BACKEND_NAME,
            target,
            source,
        })?;
        Ok(Self { pool, cipher })
    }
}
