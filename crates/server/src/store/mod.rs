//! Storage: one [`Store`] trait, one implementation per database backend.
//!
//! Layout:
//! - [`model`]: the domain types stored and returned (installations, links, jobs, …).
//! - `sql` (private): [`SqlStore`], the one implementation of [`Store`], generic over the backend:
//!   every statement both dialects accept, every bind, and the error mapping.
//! - [`sqlite`]: [`SqliteStore`] (`SqlStore<Sqlite>`), the embedded single-instance backend (the
//!   default): opening the file, its migrations, its job-claim statement.
//! - [`postgres`]: [`PgStore`] (`SqlStore<Postgres>`), for several server replicas sharing one
//!   database: connecting, its migrations, its job-claim statement.
//! - [`conformance`]: the one behaviour suite both backends must pass
//!   (run by `tests/store_backends.rs`).
//! - `rows` (private): `FromRow` structs shared by both backends and their decoding.
//!
//! [`connect`] picks the backend from the database URL's scheme (`sqlite:` or
//! `postgres://`/`postgresql://`). Each backend embeds its own migrations
//! (`crates/server/migrations/<backend>/`), run by [`Store::migrate`].
//!
//! Invariants every implementation keeps:
//! - **Tenancy.** Every query on tenant data filters by the installation id given by the caller;
//!   only [`Store::create_installation`], [`Store::list_installations`] and
//!   [`Store::get_installation_by_desk_org`] look across installations. An id belonging to another
//!   installation behaves exactly like an id that does not exist.
//! - **Secrets at rest are ciphertext.** Credentials are encrypted with the [`Cipher`] the store was
//!   built with, bound to `(installation id, kind)` as associated data.
//! - **Time is an input.** Methods that stamp or compare times take `now`; nothing reads the
//!   system clock, so tests control leases and schedules.
//! - **Conflicts are typed.** Unique-constraint violations surface as [`StoreError::Conflict`].
//! - Timestamps are stored as UTC milliseconds: values read back are truncated to milliseconds.

pub mod conformance;
pub mod model;
pub mod postgres;
mod rows;
mod sql;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::SecretString;
use uuid::Uuid;

use crate::crypto::{Cipher, CryptoError};

pub use model::*;
pub use postgres::PgStore;
pub use sql::SqlStore;
pub use sqlite::SqliteStore;

/// How far back the admin's sync history reaches (product spec: "the last 7 days").
pub const SYNC_HISTORY_WINDOW: TimeDelta = TimeDelta::days(7);

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row addressed does not exist (or belongs to another installation).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for: `installation`, `job`, `sync run`, `failure`, …
        what: &'static str,
    },
    /// A unique constraint was violated (duplicate Desk org, link already taken, …).
    #[error("conflicts with an existing row{}", constraint.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Conflict {
        /// The violated constraint, when the backend names it (PostgreSQL does).
        constraint: Option<String>,
    },
    /// The job is not running under this lease owner any more (its lease expired and another
    /// worker claimed it, or it finished).
    #[error("job {job_id} is not leased by this worker")]
    LeaseLost {
        /// The job.
        job_id: JobId,
    },
    /// A stored credential could not be decrypted (wrong key, or a row copied between
    /// installations).
    #[error("stored credential cannot be decrypted")]
    Crypto(#[from] CryptoError),
    /// The database URL's scheme names no supported backend.
    #[error("unsupported database URL scheme {0:?}: expected `sqlite:` or `postgres://`")]
    UnsupportedUrl(String),
    /// The database URL has a supported scheme but could not be parsed.
    #[error("invalid {backend} database URL")]
    InvalidUrl {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The parser's complaint.
        #[source]
        source: sqlx::Error,
    },
    /// The database could not be opened or reached.
    #[error("could not connect to {backend} database {target}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// What was being opened, without credentials: a file path, or `host:port/database`.
        target: String,
        /// The underlying error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying the embedded migrations failed.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// A stored value does not decode (an unknown enumeration text, an impossible timestamp).
    #[error("invalid stored value {value:?} in column {column}")]
    InvalidValue {
        /// The column.
        column: &'static str,
        /// The offending value, as text.
        value: String,
    },
    /// A stored JSON document does not parse.
    #[error("invalid stored JSON in column {column}")]
    InvalidJson {
        /// The column.
        column: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
}

/// Persistent state of sfdesk, implemented once per database backend.
///
/// Held as `Arc<dyn Store>`; obtain one with [`connect`]. See the [module docs](self) for the
/// invariants every method keeps. Unless stated otherwise, methods fail with
/// [`StoreError::Database`] on database errors.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `"sqlite"` or `"postgres"`.
    fn backend_name(&self) -> &'static str;

    /// Applies this backend's embedded migrations that are not applied yet (idempotent).
    ///
    /// # Errors
    /// [`StoreError::Migrate`] if a migration fails or an applied one was edited.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// [`StoreError::Database`] when it does not.
    async fn ping(&self) -> Result<(), StoreError>;

    // ----- installations ---------------------------------------------------------------------

    /// Creates an installation with status [`InstallationStatus::Pending`] and a new id.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] if the Desk org already has an installation.
    async fn create_installation(
        &self,
        new: &NewInstallation,
        now: DateTime<Utc>,
    ) -> Result<Installation, StoreError>;

    /// The installation with this id, if any.
    async fn get_installation(
        &self,
        id: InstallationId,
    ) -> Result<Option<Installation>, StoreError>;

    /// The installation of a Desk org, if any (how a Desk request finds its tenant).
    async fn get_installation_by_desk_org(
        &self,
        desk_org_id: &str,
    ) -> Result<Option<Installation>, StoreError>;

    /// All installations, oldest first (for workers and operators).
    async fn list_installations(&self) -> Result<Vec<Installation>, StoreError>;

    /// Sets an installation's status.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn set_installation_status(
        &self,
        id: InstallationId,
        status: InstallationStatus,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Sets an installation's sync direction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn set_sync_direction(
        &self,
        id: InstallationId,
        direction: SyncDirection,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records the Salesforce org an installation is connected to.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn set_salesforce_org(
        &self,
        id: InstallationId,
        salesforce_org_id: &str,
        salesforce_instance_url: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Deletes an installation and, by cascade, every row it owns ("Delete integration").
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn delete_installation(&self, id: InstallationId) -> Result<(), StoreError>;

    // ----- credentials -----------------------------------------------------------------------

    /// Encrypts and stores (or replaces) a secret.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn put_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
        secret: &SecretString,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Loads and decrypts a secret, if stored.
    ///
    /// # Errors
    /// [`StoreError::Crypto`] if the stored value does not decrypt under this store's key for this
    /// installation and kind.
    async fn get_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<Option<SecretString>, StoreError>;

    /// The stored ciphertext of a secret exactly as at rest (for audits, key rotation and tests).
    async fn get_credential_ciphertext(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Removes a secret; absent secrets are not an error.
    async fn delete_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<(), StoreError>;

    // ----- field mappings --------------------------------------------------------------------

    /// Replaces the whole field mapping of one object, atomically; order is kept.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] if two rows name the same Desk field (nothing is changed);
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn put_field_mappings(
        &self,
        id: InstallationId,
        object: SyncObject,
        mappings: &[FieldMapping],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The field mapping of one object, in the order it was put (empty if never set).
    async fn list_field_mappings(
        &self,
        id: InstallationId,
        object: SyncObject,
    ) -> Result<Vec<FieldMapping>, StoreError>;

    // ----- role permissions ------------------------------------------------------------------

    /// Stores (or replaces) the permission document of a Desk role.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn put_role_permissions(
        &self,
        id: InstallationId,
        role_id: &str,
        permissions: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores (or replaces) the documents of several Desk roles, `(role id, document)`, and
    /// the audit entry saying so, in one transaction: all of it or none.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation; nothing is stored then.
    async fn update_role_permissions(
        &self,
        id: InstallationId,
        documents: &[(String, serde_json::Value)],
        audit: &NewAuditEntry,
        now: DateTime<Utc>,
    ) -> Result<AuditId, StoreError>;

    /// The permission document of a Desk role, if set.
    async fn get_role_permissions(
        &self,
        id: InstallationId,
        role_id: &str,
    ) -> Result<Option<serde_json::Value>, StoreError>;

    // ----- settings --------------------------------------------------------------------------

    /// Stores (or replaces) an installation-wide settings document under `key`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn put_setting(
        &self,
        id: InstallationId,
        key: &str,
        value: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The settings document under `key`, if set.
    async fn get_setting(
        &self,
        id: InstallationId,
        key: &str,
    ) -> Result<Option<serde_json::Value>, StoreError>;

    // ----- agent sessions ----------------------------------------------------------------------

    /// Records a widget sign-in; its refresh token is encrypted, bound to installation and
    /// session id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn create_agent_session(
        &self,
        id: InstallationId,
        new: &NewAgentSession,
        now: DateTime<Utc>,
    ) -> Result<AgentSession, StoreError>;

    /// A sign-in of this installation (revoked and expired ones included: the caller decides).
    ///
    /// # Errors
    /// [`StoreError::Crypto`] if the stored refresh token does not decrypt.
    async fn get_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
    ) -> Result<Option<AgentSession>, StoreError>;

    /// Records what Desk said about the agent at a renewal, and the rotated refresh token if
    /// Desk issued one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such live (unrevoked) session.
    async fn verify_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
        role: &AgentRole,
        refresh_token: Option<&SecretString>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Signs a session out; it can no longer be renewed. Revoking twice is not an error.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such session.
    async fn revoke_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // ----- links -----------------------------------------------------------------------------

    /// Inserts the link, or updates the link of `link.sf_id` (its `desk_id`, hashes and
    /// versions). `link.updated_at` is ignored; the row gets `now`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] if `link.desk_id` is already linked to another Salesforce record;
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn upsert_link(
        &self,
        id: InstallationId,
        link: &Link,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The link of a Salesforce record, if any.
    async fn get_link_by_sf_id(
        &self,
        id: InstallationId,
        object: SyncObject,
        sf_id: &str,
    ) -> Result<Option<Link>, StoreError>;

    /// The link of a Desk record, if any.
    async fn get_link_by_desk_id(
        &self,
        id: InstallationId,
        object: SyncObject,
        desk_id: &str,
    ) -> Result<Option<Link>, StoreError>;

    // ----- watermarks ------------------------------------------------------------------------

    /// How far one side's change feed of one object has been consumed, if ever.
    async fn get_watermark(
        &self,
        id: InstallationId,
        side: Side,
        object: SyncObject,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Sets a watermark (the caller decides monotonicity; this overwrites).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn set_watermark(
        &self,
        id: InstallationId,
        side: Side,
        object: SyncObject,
        value: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // ----- jobs ------------------------------------------------------------------------------

    /// Queues a job, unless one with the same dedupe key is already queued.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn enqueue_job(
        &self,
        id: InstallationId,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> Result<Enqueued, StoreError>;

    /// Atomically claims one due job of the installation — a queued job with `run_at <= now`,
    /// or a running job whose lease expired — earliest `run_at` first, and leases it to
    /// `lease_owner` until `now + lease`. Concurrent claimers (even on several servers sharing
    /// PostgreSQL) never get the same job while its lease holds.
    async fn claim_job(
        &self,
        id: InstallationId,
        lease_owner: &str,
        lease: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError>;

    /// Extends the lease of a running job held by `lease_owner` to `until` (heartbeat).
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] if the job is not running under that owner.
    async fn extend_job_lease(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Marks a running job held by `lease_owner` as done.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] if the job is not running under that owner.
    async fn complete_job(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records a failed attempt of a running job held by `lease_owner`: `attempts + 1`,
    /// `last_error` set, lease cleared, then either queued again at `failure.retry_at` or dead.
    /// If a newer job with the same dedupe key is already queued, the failed job becomes
    /// [`JobState::Superseded`] instead of queued. Returns the job's new state.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] if the job is not running under that owner.
    async fn fail_job(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        failure: &JobFailure,
        now: DateTime<Utc>,
    ) -> Result<JobState, StoreError>;

    /// One job, if it exists in this installation.
    async fn get_job(&self, id: InstallationId, job_id: JobId) -> Result<Option<Job>, StoreError>;

    /// Jobs of the installation (optionally only in `state`), oldest first, at most `limit`.
    async fn list_jobs(
        &self,
        id: InstallationId,
        state: Option<JobState>,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError>;

    // ----- sync runs -------------------------------------------------------------------------

    /// Starts a sync run (status [`SyncRunStatus::Running`], zero counts).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn start_sync_run(
        &self,
        id: InstallationId,
        run: &NewSyncRun,
        now: DateTime<Utc>,
    ) -> Result<SyncRunId, StoreError>;

    /// Finishes a running sync run with its outcome and counts.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no running sync run with that id in the installation.
    async fn finish_sync_run(
        &self,
        id: InstallationId,
        run_id: SyncRunId,
        outcome: &SyncRunOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Sync runs started at or after `since`, newest first. The admin history uses
    /// `since = now - SYNC_HISTORY_WINDOW`.
    async fn list_sync_runs(
        &self,
        id: InstallationId,
        since: DateTime<Utc>,
    ) -> Result<Vec<SyncRun>, StoreError>;

    // ----- failures --------------------------------------------------------------------------

    /// Adds an entry to the failure log.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation, or `sync_run_id` names no sync
    /// run of it.
    async fn record_failure(
        &self,
        id: InstallationId,
        failure: &NewFailure,
        now: DateTime<Utc>,
    ) -> Result<FailureId, StoreError>;

    /// The failure log in time order (oldest first); resolved entries only if asked for.
    async fn list_failures(
        &self,
        id: InstallationId,
        include_resolved: bool,
    ) -> Result<Vec<Failure>, StoreError>;

    /// Marks a failure resolved (idempotent: an already resolved entry keeps its first time).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such failure in the installation.
    async fn resolve_failure(
        &self,
        id: InstallationId,
        failure_id: FailureId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // ----- audit log -------------------------------------------------------------------------

    /// Appends an audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if there is no such installation.
    async fn append_audit(
        &self,
        id: InstallationId,
        entry: &NewAuditEntry,
        now: DateTime<Utc>,
    ) -> Result<AuditId, StoreError>;

    /// The newest `limit` audit entries, newest first.
    async fn list_audit(
        &self,
        id: InstallationId,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Opens the database named by `url` and returns its store (migrations are not run: call
/// [`Store::migrate`]).
///
/// - `sqlite:` URLs (`sqlite://sfdesk.db`, `sqlite:///var/lib/sfdesk.db`, `sqlite::memory:`) open
///   [`SqliteStore`]; the file is created if missing.
/// - `postgres://` and `postgresql://` URLs open [`PgStore`], giving up after about 5 seconds if
///   the server does not answer.
///
/// # Errors
/// [`StoreError::UnsupportedUrl`] for any other scheme (nothing is opened or created),
/// [`StoreError::InvalidUrl`] for a malformed URL, [`StoreError::Connect`] if the database cannot
/// be opened or reached.
pub async fn connect(url: &str, cipher: Cipher) -> Result<Arc<dyn Store>, StoreError> {
    match url_scheme(url) {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url, cipher).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PgStore::connect(url, cipher).await?)),
        other => Err(StoreError::UnsupportedUrl(other.to_owned())),
    }
}

/// The scheme of a URL (text before the first `:`), or `""` if it has none. Only a syntactically
/// valid scheme is returned, so error messages never echo other parts of the URL (credentials).
fn url_scheme(url: &str) -> &str {
    let Some((scheme, _)) = url.split_once(':') else {
        return "";
    };
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if valid { scheme } else { "" }
}

/// Associated data binding a credential's ciphertext to its row.
fn credential_aad(id: InstallationId, kind: CredentialKind) -> Vec<u8> {
    format!("sfdesk/credential/v1/{id}/{kind}").into_bytes()
}

/// Associated data binding an agent's stored Desk refresh token to its installation and session.
fn agent_session_aad(id: InstallationId, session_id: Uuid) -> Vec<u8> {
    format!("sfdesk/agent-session/v1/{id}/{session_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(url_scheme("sqlite::memory:"), "sqlite");
        assert_eq!(url_scheme("sqlite://x.db"), "sqlite");
        assert_eq!(url_scheme("postgresql://u:p@h/db"), "postgresql");
        assert_eq!(url_scheme("mysql://u:p@h/db"), "mysql");
        assert_eq!(url_scheme("/var/lib/x.db"), "");
        assert_eq!(url_scheme("user pass:word@host"), "");
    }
}
