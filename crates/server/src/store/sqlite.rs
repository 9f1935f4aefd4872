//! [`SqliteStore`]: the embedded, single-instance backend (the default).
//!
//! One database file, opened in WAL mode with foreign keys enforced and a busy timeout, so the
//! pool's connections wait for each other instead of failing. SQLite has one writer at a time,
//! which is what makes [`Store::claim_job`]'s single `UPDATE … RETURNING` atomic here; it also
//! means one SQLite file must be used by one server process only (run PostgreSQL for replicas).
//!
//! Multi-statement transactions always start with a write, so they take the write lock up front
//! and cannot fail mid-way on a stale read snapshot.
//!
//! This module owns what is SQLite's own: opening the database, the migrations and the
//! job-claim statement (the hooks of the private `sql::Backend` trait). Every other statement,
//! and all binding and decoding, is shared with PostgreSQL in [`SqlStore`].

use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};

#[cfg(doc)]
use super::Store;
use super::StoreError;
use super::sql::{Backend, SqlStore, claim_job_sql};
use crate::crypto::Cipher;

/// This backend's migrations (`crates/server/migrations/sqlite`), embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Pool size for file databases (readers run in parallel under WAL; writers queue).
const MAX_CONNECTIONS: u32 = 8;

/// [`Store`] on a SQLite database file (or an in-memory database, for tests and demos).
///
/// An in-memory database keeps a single, never-recycled connection.
pub type SqliteStore = SqlStore<Sqlite>;

impl Backend for Sqlite {
    const BACKEND_NAME: &'static str = "sqlite";

    const MIGRATOR: &'static Migrator = &MIGRATOR;

    // No row lock: one statement is one write transaction, and SQLite's single writer makes it
    // atomic.
    const CLAIM_JOB: &'static str = claim_job_sql!("");

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database of a `sqlite:` URL.
    ///
    /// # Errors
    /// [`StoreError::InvalidUrl`] for a malformed URL, [`StoreError::Connect`] if the file cannot
    /// be opened or created (e.g. its directory does not exist).
    pub async fn connect(url: &str, cipher: Cipher) -> Result<Self, StoreError> {
        let options =
            SqliteConnectOptions::from_str(url).map_err(|source| StoreError::InvalidUrl {
                backend: Sqlite::BACKEND_NAME,
                source,
            })?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        Self::open(options, in_memory, cipher).await
    }

    /// Opens a database from explicit options; WAL, foreign keys, the busy timeout and
    /// create-if-missing are applied on top.
    ///
    /// # Errors
    /// As [`SqliteStore::connect`].
    pub async fn connect_with(
        options: SqliteConnectOptions,
        cipher: Cipher,
    ) -> Result<Self, StoreError> {
        let in_memory = options
            .get_filename()
            .to_string_lossy()
            .starts_with("file:sqlx-in-memory");
        Self::open(options, in_memory, cipher).await
    }

    async fn open(
        options: SqliteConnectOptions,
        in_memory: bool,
        cipher: Cipher,
    ) -> Result<Self, StoreError> {
        let target = options.get_filename().display().to_string();
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool_options = if in_memory {
            // An in-memory database lives as long as its last connection: keep exactly one.
            SqlitePoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS)
        };
        let pool =
            pool_options
                .connect_with(options)
                .await
                .map_err(|source| StoreError::Connect {
                    backend: Sqlite::BACKEND_NAME,
                    target,
                    source,
                })?;
        Ok(Self { pool, cipher })
    }
}
