//! [`SqlStore`]: the one [`Store`] implementation, shared by the SQLite and PostgreSQL backends.
//!
//! Both backends run this code: the same statements, the same binds, the same row decoding (in
//! [`rows`]) and the same error mapping ([`db_error`]). What differs per backend is supplied by
//! [`Backend`], implemented for [`sqlx::Sqlite`] in [`sqlite`](super::sqlite) and for
//! [`sqlx::Postgres`] in [`postgres`](super::postgres): the backend's name, its embedded
//! migrations, the job-claim statement, and reading a statement's affected-row count. Connection
//! set-up (WAL and pragmas, connect timeout) stays in those modules too; unique and foreign-key
//! violations are recognised for both by sqlx's error kinds, in [`db_error`].
//!
//! SQL is `&'static str`, each statement a `const` next to its binds (no text is built at run
//! time). Statements use `$n` placeholders, which SQLite accepts as well as PostgreSQL, so a
//! statement whose text both dialects accept is written once, here. One whose text must differ is
//! an associated constant of [`Backend`] that each backend module defines; today that is only
//! [`Backend::CLAIM_JOB`], whose text differs in nothing but its row lock, so both expand the one
//! [`claim_job_sql!`] with their own locking clause.
//!
//! The sqlx bounds a generic implementation needs (executors, encodable and decodable column
//! types) are stated once, on the `impl Store for SqlStore<DB>` block: Rust does not let a helper
//! trait carry them implicitly.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type};
use uuid::Uuid;

use super::rows::{self, ms, to_i64};
use super::{Store, StoreError, agent_session_aad, credential_aad, model::*};
use crate::crypto::Cipher;

/// What a database backend supplies to [`SqlStore`] beyond its sqlx driver.
///
/// Implemented for [`sqlx::Sqlite`] and [`sqlx::Postgres`] only.
pub(super) trait Backend:
    Database<Connection: Migrate, Arguments: IntoArguments<Self>>
{
    /// `"sqlite"` or `"postgres"`: [`Store::backend_name`], and the `backend` of connection
    /// errors.
    const BACKEND_NAME: &'static str;

    /// This backend's embedded migrations (`crates/server/migrations/<backend>`).
    const MIGRATOR: &'static Migrator;

    /// The [`Store::claim_job`] statement: [`claim_job_sql!`] with the row lock this backend
    /// needs to keep concurrent claimers apart.
    const CLAIM_JOB: &'static str;

    /// How many rows a statement inserted, updated or deleted.
    fn rows_affected(done: &Self::QueryResult) -> u64;
}

/// The job-claim statement, given the row-locking clause its backend puts on the candidate
/// sub-select (`""` when the backend needs none). Expands to a `&'static str` literal.
///
/// Claims the installation's due job — queued with `run_at <= now`, or running with an expired
/// lease — with the earliest `run_at` (then lowest id), and returns it ([`rows::job_columns!`]).
/// Binds `$1` installation id, `$2` lease owner, `$3` lease expiry, `$4` now. The outer conditions
/// repeat the inner ones as a second guard: a row that stopped being claimable is never updated.
macro_rules! claim_job_sql {
    ($row_lock:literal) => {
        concat!(
            "UPDATE jobs SET state = 'running', lease_owner = $2, lease_expires_at = $3, \
             updated_at = $4 \
             WHERE installation_id = $1 \
               AND ((state = 'queued' AND run_at <= $4) \
                 OR (state = 'running' AND lease_expires_at <= $4)) \
               AND id = (SELECT id FROM jobs \
               WHERE installation_id = $1 \
                 AND ((state = 'queued' AND run_at <= $4) \
                   OR (state = 'running' AND lease_expires_at <= $4)) \
               ORDER BY run_at, id LIMIT 1 ",
            $row_lock,
            ") RETURNING ",
            $crate::store::rows::job_columns!()
        )
    };
}
pub(super) use claim_job_sql;

/// [`Store`] on a database of backend `DB`; used as [`SqliteStore`](super::SqliteStore) and
/// [`PgStore`](super::PgStore), whose modules provide the constructors.
#[derive(Debug)]
pub struct SqlStore<DB: Database> {
    /// Connection pool.
    pub(super) pool: Pool<DB>,
    /// Encrypts credentials.
    pub(super) cipher: Cipher,
}

impl<DB: Database> SqlStore<DB> {
    /// The connection pool, for operators' tools and tests that inspect raw rows.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }
}

// Written out rather than derived: a derive would demand `DB: Clone`, which the sqlx driver types
// are not.
impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            cipher: self.cipher.clone(),
        }
    }
}

/// Maps a database error, turning unique violations into [`StoreError::Conflict`] and foreign-key
/// violations into [`StoreError::NotFound`] of `referenced` (the parent row that was missing).
fn db_error(referenced: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error().map(|d| d.kind()) {
        Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::Conflict {
            constraint: e
                .as_database_error()
                .and_then(|d| d.constraint())
                .map(str::to_owned),
        },
        Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
            StoreError::NotFound { what: referenced }
        }
        _ => StoreError::Database(e),
    }
}

/// Stores or replaces one role's permission document.
const UPSERT_ROLE_PERMISSIONS: &str = "INSERT INTO role_permissions \
     (installation_id, role_id, permissions, updated_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (installation_id, role_id) \
     DO UPDATE SET permissions = excluded.permissions, updated_at = excluded.updated_at";

/// Appends one audit entry, returning its id.
const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (installation_id, occurred_at, actor, action, details) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// [`db_error`] for statements whose only parent row is the installation.
fn db_err(e: sqlx::Error) -> StoreError {
    db_error("installation")(e)
}

/// `NotFound` unless a statement touched a row.
fn expect_row(affected: u64, what: &'static str) -> Result<(), StoreError> {
    if affected == 0 {
        Err(StoreError::NotFound { what })
    } else {
        Ok(())
    }
}

/// `LeaseLost` unless a lease-guarded statement touched the job.
fn expect_lease(affected: u64, job_id: JobId) -> Result<(), StoreError> {
    if affected == 0 {
        Err(StoreError::LeaseLost { job_id })
    } else {
        Ok(())
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Backend,
    // Pools and transactions run statements.
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    // Every type bound as a parameter (references and `Option`s of them follow).
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> Option<Vec<u8>>: Encode<'q, DB>,
    // Every column type read back, by name (the `rows` structs) or as a scalar.
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'r> i32: Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB>,
{
    fn backend_name(&self) -> &'static str {
        DB::BACKEND_NAME
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        DB::MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::Database)?;
        Ok(())
    }

    // ----- installations ---------------------------------------------------------------------

    async fn create_installation(
        &self,
        new: &NewInstallation,
        now: DateTime<Utc>,
    ) -> Result<Installation, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO installations (",
            rows::installation_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
            rows::installation_columns!()
        );
        let row: rows::InstallationRow = sqlx::query_as(SQL)
            .bind(InstallationId::new().to_string())
            .bind(&new.desk_org_id)
            .bind(&new.desk_data_centre)
            .bind(&new.salesforce_org_id)
            .bind(&new.salesforce_instance_url)
            .bind(InstallationStatus::Pending.as_str())
            .bind(new.sync_direction.as_str())
            .bind(ms(now))
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        row.try_into()
    }

    async fn get_installation(
        &self,
        id: InstallationId,
    ) -> Result<Option<Installation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::installation_columns!(),
            " FROM installations WHERE id = $1"
        );
        let row: Option<rows::InstallationRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    async fn get_installation_by_desk_org(
        &self,
        desk_org_id: &str,
    ) -> Result<Option<Installation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::installation_columns!(),
            " FROM installations WHERE desk_org_id = $1"
        );
        let row: Option<rows::InstallationRow> = sqlx::query_as(SQL)
            .bind(desk_org_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    async fn list_installations(&self) -> Result<Vec<Installation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::installation_columns!(),
            " FROM installations ORDER BY created_at, id"
        );
        let found: Vec<rows::InstallationRow> = sqlx::query_as(SQL)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }

    async fn set_installation_status(
        &self,
        id: InstallationId,
        status: InstallationStatus,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE installations SET status = $2, updated_at = $3 WHERE id = $1";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(status.as_str())
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "installation")
    }

    async fn set_sync_direction(
        &self,
        id: InstallationId,
        direction: SyncDirection,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "UPDATE installations SET sync_direction = $2, updated_at = $3 WHERE id = $1";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(direction.as_str())
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "installation")
    }

    async fn set_salesforce_org(
        &self,
        id: InstallationId,
        salesforce_org_id: &str,
        salesforce_instance_url: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE installations SET salesforce_org_id = $2, \
             salesforce_instance_url = $3, updated_at = $4 WHERE id = $1";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(salesforce_org_id)
            .bind(salesforce_instance_url)
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "installation")
    }

    async fn delete_installation(&self, id: InstallationId) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM installations WHERE id = $1";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "installation")
    }

    // ----- credentials -----------------------------------------------------------------------

    async fn put_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
        secret: &SecretString,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO credentials (installation_id, kind, ciphertext, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (installation_id, kind) \
             DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at";
        let sealed = self
            .cipher
            .encrypt(secret.expose_secret().as_bytes(), &credential_aad(id, kind));
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(kind.as_str())
            .bind(sealed)
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn get_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<Option<SecretString>, StoreError> {
        let Some(sealed) = self.get_credential_ciphertext(id, kind).await? else {
            return Ok(None);
        };
        Ok(Some(
            self.cipher
                .decrypt_string(&sealed, &credential_aad(id, kind))?,
        ))
    }

    async fn get_credential_ciphertext(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        const SQL: &str =
            "SELECT ciphertext FROM credentials WHERE installation_id = $1 AND kind = $2";
        sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(kind.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn delete_credential(
        &self,
        id: InstallationId,
        kind: CredentialKind,
    ) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM credentials WHERE installation_id = $1 AND kind = $2";
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(kind.as_str())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    // ----- field mappings --------------------------------------------------------------------

    async fn put_field_mappings(
        &self,
        id: InstallationId,
        object: SyncObject,
        mappings: &[FieldMapping],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const DELETE: &str =
            "DELETE FROM field_mappings WHERE installation_id = $1 AND object = $2";
        const INSERT: &str = "INSERT INTO field_mappings \
             (installation_id, object, position, desk_field, sf_field, direction, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        const EXISTS: &str = "SELECT 1 FROM installations WHERE id = $1";
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query(DELETE)
            .bind(id.to_string())
            .bind(object.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if mappings.is_empty() {
            let found: Option<i32> = sqlx::query_scalar(EXISTS)
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if found.is_none() {
                return Err(StoreError::NotFound {
                    what: "installation",
                });
            }
        }
        for (position, m) in (0_i64..).zip(mappings) {
            sqlx::query(INSERT)
                .bind(id.to_string())
                .bind(object.as_str())
                .bind(position)
                .bind(&m.desk_field)
                .bind(&m.sf_field)
                .bind(m.direction.as_str())
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn list_field_mappings(
        &self,
        id: InstallationId,
        object: SyncObject,
    ) -> Result<Vec<FieldMapping>, StoreError> {
        const SQL: &str = "SELECT desk_field, sf_field, direction FROM field_mappings \
             WHERE installation_id = $1 AND object = $2 ORDER BY position";
        let found: Vec<rows::FieldMappingRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(object.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }

    // ----- role permissions ------------------------------------------------------------------

    async fn put_role_permissions(
        &self,
        id: InstallationId,
        role_id: &str,
        permissions: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(UPSERT_ROLE_PERMISSIONS)
            .bind(id.to_string())
            .bind(role_id)
            .bind(permissions.to_string())
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_role_permissions(
        &self,
        id: InstallationId,
        documents: &[(String, serde_json::Value)],
        audit: &NewAuditEntry,
        now: DateTime<Utc>,
    ) -> Result<AuditId, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        for (role_id, permissions) in documents {
            sqlx::query(UPSERT_ROLE_PERMISSIONS)
                .bind(id.to_string())
                .bind(role_id)
                .bind(permissions.to_string())
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let audit_id: i64 = sqlx::query_scalar(INSERT_AUDIT)
            .bind(id.to_string())
            .bind(ms(now))
            .bind(&audit.actor)
            .bind(&audit.action)
            .bind(audit.details.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(AuditId(audit_id))
    }

    async fn get_role_permissions(
        &self,
        id: InstallationId,
        role_id: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        const SQL: &str = "SELECT permissions FROM role_permissions \
             WHERE installation_id = $1 AND role_id = $2";
        let text: Option<String> = sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(role_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        text.map(|t| rows::json("role_permissions.permissions", &t))
            .transpose()
    }

    // ----- settings --------------------------------------------------------------------------

    async fn put_setting(
        &self,
        id: InstallationId,
        key: &str,
        value: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO settings (installation_id, key, value, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (installation_id, key) \
             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(key)
            .bind(value.to_string())
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn get_setting(
        &self,
        id: InstallationId,
        key: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        const SQL: &str = "SELECT value FROM settings WHERE installation_id = $1 AND key = $2";
        let text: Option<String> = sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        text.map(|t| rows::json("settings.value", &t)).transpose()
    }

    // ----- agent sessions ----------------------------------------------------------------------

    async fn create_agent_session(
        &self,
        id: InstallationId,
        new: &NewAgentSession,
        now: DateTime<Utc>,
    ) -> Result<AgentSession, StoreError> {
        const SQL: &str = "INSERT INTO agent_sessions (id, installation_id, agent_id, \
             agent_name, role_id, role_name, is_admin, refresh_token, created_at, verified_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)";
        let session_id = Uuid::new_v4();
        let sealed = new.refresh_token.as_ref().map(|token| {
            self.cipher.encrypt(
                token.expose_secret().as_bytes(),
                &agent_session_aad(id, session_id),
            )
        });
        sqlx::query(SQL)
            .bind(session_id.to_string())
            .bind(id.to_string())
            .bind(&new.agent_id)
            .bind(&new.agent_name)
            .bind(&new.role_id)
            .bind(&new.role_name)
            .bind(i64::from(new.is_admin))
            .bind(sealed)
            .bind(ms(now))
            .bind(ms(new.expires_at))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        self.get_agent_session(id, session_id)
            .await?
            .ok_or(StoreError::NotFound {
                what: "agent session",
            })
    }

    async fn get_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
    ) -> Result<Option<AgentSession>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::agent_session_columns!(),
            " FROM agent_sessions WHERE installation_id = $1 AND id = $2"
        );
        let row: Option<rows::AgentSessionRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(session_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let refresh_token = row
            .refresh_token
            .as_deref()
            .map(|sealed| {
                self.cipher
                    .decrypt_string(sealed, &agent_session_aad(id, session_id))
            })
            .transpose()?;
        row.into_session(refresh_token).map(Some)
    }

    async fn verify_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
        role: &AgentRole,
        refresh_token: Option<&SecretString>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE agent_sessions SET agent_name = $3, role_id = $4, \
             role_name = $5, is_admin = $6, verified_at = $7, \
             refresh_token = COALESCE($8, refresh_token) \
             WHERE installation_id = $1 AND id = $2 AND revoked_at IS NULL";
        let sealed = refresh_token.map(|token| {
            self.cipher.encrypt(
                token.expose_secret().as_bytes(),
                &agent_session_aad(id, session_id),
            )
        });
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(session_id.to_string())
            .bind(&role.agent_name)
            .bind(&role.role_id)
            .bind(&role.role_name)
            .bind(i64::from(role.is_admin))
            .bind(ms(now))
            .bind(sealed)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "agent session")
    }

    async fn revoke_agent_session(
        &self,
        id: InstallationId,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE agent_sessions SET revoked_at = COALESCE(revoked_at, $3), \
             refresh_token = NULL WHERE installation_id = $1 AND id = $2";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(session_id.to_string())
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "agent session")
    }

    // ----- links -----------------------------------------------------------------------------

    async fn upsert_link(
        &self,
        id: InstallationId,
        link: &Link,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO links (installation_id, object, sf_id, desk_id, sf_hash, \
             desk_hash, sf_version, desk_version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (installation_id, object, sf_id) DO UPDATE SET \
             desk_id = excluded.desk_id, sf_hash = excluded.sf_hash, \
             desk_hash = excluded.desk_hash, sf_version = excluded.sf_version, \
             desk_version = excluded.desk_version, updated_at = excluded.updated_at";
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(link.object.as_str())
            .bind(&link.sf_id)
            .bind(&link.desk_id)
            .bind(&link.sf_hash)
            .bind(&link.desk_hash)
            .bind(link.sf_version.map(ms))
            .bind(link.desk_version.map(ms))
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn get_link_by_sf_id(
        &self,
        id: InstallationId,
        object: SyncObject,
        sf_id: &str,
    ) -> Result<Option<Link>, StoreError> {
        const SQL: &str = "SELECT object, sf_id, desk_id, sf_hash, desk_hash, sf_version, \
             desk_version, updated_at FROM links \
             WHERE installation_id = $1 AND object = $2 AND sf_id = $3";
        let row: Option<rows::LinkRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(object.as_str())
            .bind(sf_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    async fn get_link_by_desk_id(
        &self,
        id: InstallationId,
        object: SyncObject,
        desk_id: &str,
    ) -> Result<Option<Link>, StoreError> {
        const SQL: &str = "SELECT object, sf_id, desk_id, sf_hash, desk_hash, sf_version, \
             desk_version, updated_at FROM links \
             WHERE installation_id = $1 AND object = $2 AND desk_id = $3";
        let row: Option<rows::LinkRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(object.as_str())
            .bind(desk_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    // ----- watermarks ------------------------------------------------------------------------

    async fn get_watermark(
        &self,
        id: InstallationId,
        side: Side,
        object: SyncObject,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        const SQL: &str = "SELECT value FROM watermarks \
             WHERE installation_id = $1 AND side = $2 AND object = $3";
        let value: Option<i64> = sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(side.as_str())
            .bind(object.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt_time("watermarks.value", value)
    }

    async fn set_watermark(
        &self,
        id: InstallationId,
        side: Side,
        object: SyncObject,
        value: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO watermarks (installation_id, side, object, value, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (installation_id, side, object) \
             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
        sqlx::query(SQL)
            .bind(id.to_string())
            .bind(side.as_str())
            .bind(object.as_str())
            .bind(ms(value))
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    // ----- jobs ------------------------------------------------------------------------------

    async fn enqueue_job(
        &self,
        id: InstallationId,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> Result<Enqueued, StoreError> {
        // The only unique index besides the key is the queued-dedupe one, so a conflict means
        // "already queued".
        const INSERT: &str = "INSERT INTO jobs (installation_id, kind, payload, dedupe_key, state, \
             attempts, run_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6) \
             ON CONFLICT DO NOTHING RETURNING id";
        const EXISTING: &str = "SELECT id FROM jobs \
             WHERE installation_id = $1 AND dedupe_key = $2 AND state = 'queued'";
        // The queued duplicate may be claimed between our insert and our look-up; then a retry
        // inserts. Three rounds are plenty.
        for _ in 0..3 {
            let created: Option<i64> = sqlx::query_scalar(INSERT)
                .bind(id.to_string())
                .bind(&job.kind)
                .bind(job.payload.to_string())
                .bind(&job.dedupe_key)
                .bind(ms(job.run_at))
                .bind(ms(now))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
            if let Some(job_id) = created {
                return Ok(Enqueued::Created(JobId(job_id)));
            }
            let existing: Option<i64> = sqlx::query_scalar(EXISTING)
                .bind(id.to_string())
                .bind(&job.dedupe_key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
            if let Some(job_id) = existing {
                return Ok(Enqueued::Duplicate(JobId(job_id)));
            }
        }
        Err(StoreError::Conflict {
            constraint: Some("jobs_dedupe_key_queued".to_owned()),
        })
    }

    async fn claim_job(
        &self,
        id: InstallationId,
        lease_owner: &str,
        lease: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        // The one statement whose text differs: each backend keeps claimers apart its own way.
        let row: Option<rows::JobRow> = sqlx::query_as(DB::CLAIM_JOB)
            .bind(id.to_string())
            .bind(lease_owner)
            .bind(ms(now + lease))
            .bind(ms(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    async fn extend_job_lease(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE jobs SET lease_expires_at = $4, updated_at = $5 \
             WHERE installation_id = $1 AND id = $2 AND state = 'running' AND lease_owner = $3";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(job_id.0)
            .bind(lease_owner)
            .bind(ms(until))
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_lease(DB::rows_affected(&done), job_id)
    }

    async fn complete_job(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE jobs SET state = 'done', lease_owner = NULL, \
             lease_expires_at = NULL, updated_at = $4 \
             WHERE installation_id = $1 AND id = $2 AND state = 'running' AND lease_owner = $3";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(job_id.0)
            .bind(lease_owner)
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_lease(DB::rows_affected(&done), job_id)
    }

    async fn fail_job(
        &self,
        id: InstallationId,
        job_id: JobId,
        lease_owner: &str,
        failure: &JobFailure,
        now: DateTime<Utc>,
    ) -> Result<JobState, StoreError> {
        const SQL: &str = "UPDATE jobs SET state = $4, attempts = attempts + 1, \
             run_at = COALESCE($5, run_at), last_error = $6, lease_owner = NULL, \
             lease_expires_at = NULL, updated_at = $7 \
             WHERE installation_id = $1 AND id = $2 AND state = 'running' AND lease_owner = $3";
        let mut state = match failure.retry_at {
            Some(_) => JobState::Queued,
            None => JobState::Dead,
        };
        loop {
            let result = sqlx::query(SQL)
                .bind(id.to_string())
                .bind(job_id.0)
                .bind(lease_owner)
                .bind(state.as_str())
                .bind(failure.retry_at.map(ms))
                .bind(&failure.error)
                .bind(ms(now))
                .execute(&self.pool)
                .await
                .map_err(db_err);
            match result {
                Ok(done) => {
                    expect_lease(DB::rows_affected(&done), job_id)?;
                    return Ok(state);
                }
                // A newer job with the same dedupe key is queued: it does the work.
                Err(StoreError::Conflict { .. }) if state == JobState::Queued => {
                    state = JobState::Superseded;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn get_job(&self, id: InstallationId, job_id: JobId) -> Result<Option<Job>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::job_columns!(),
            " FROM jobs WHERE installation_id = $1 AND id = $2"
        );
        let row: Option<rows::JobRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(job_id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        rows::opt(row)
    }

    async fn list_jobs(
        &self,
        id: InstallationId,
        state: Option<JobState>,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::job_columns!(),
            " FROM jobs WHERE installation_id = $1 AND ($2 IS NULL OR state = $2) \
             ORDER BY id LIMIT $3"
        );
        let found: Vec<rows::JobRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(state.map(JobState::as_str))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }

    // ----- sync runs -------------------------------------------------------------------------

    async fn start_sync_run(
        &self,
        id: InstallationId,
        run: &NewSyncRun,
        now: DateTime<Utc>,
    ) -> Result<SyncRunId, StoreError> {
        const SQL: &str = "INSERT INTO sync_runs \
             (installation_id, source, object, triggered_by, status, started_at) \
             VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id";
        let run_id: i64 = sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(run.source.as_str())
            .bind(run.object.as_str())
            .bind(&run.triggered_by)
            .bind(ms(now))
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(SyncRunId(run_id))
    }

    async fn finish_sync_run(
        &self,
        id: InstallationId,
        run_id: SyncRunId,
        outcome: &SyncRunOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE sync_runs SET status = $3, finished_at = $4, added = $5, \
             updated = $6, failed = $7, error = $8 \
             WHERE installation_id = $1 AND id = $2 AND status = 'running'";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(run_id.0)
            .bind(outcome.status.as_str())
            .bind(ms(now))
            .bind(to_i64(outcome.added))
            .bind(to_i64(outcome.updated))
            .bind(to_i64(outcome.failed))
            .bind(&outcome.error)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "sync run")
    }

    async fn list_sync_runs(
        &self,
        id: InstallationId,
        since: DateTime<Utc>,
    ) -> Result<Vec<SyncRun>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::sync_run_columns!(),
            " FROM sync_runs WHERE installation_id = $1 AND started_at >= $2 \
             ORDER BY started_at DESC, id DESC"
        );
        let found: Vec<rows::SyncRunRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(ms(since))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }

    // ----- failures --------------------------------------------------------------------------

    async fn record_failure(
        &self,
        id: InstallationId,
        failure: &NewFailure,
        now: DateTime<Utc>,
    ) -> Result<FailureId, StoreError> {
        const SQL: &str = "INSERT INTO failures (installation_id, object, source, record_id, \
             record_name, reason, message, sync_run_id, occurred_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let failure_id: i64 = sqlx::query_scalar(SQL)
            .bind(id.to_string())
            .bind(failure.object.as_str())
            .bind(failure.source.as_str())
            .bind(&failure.record_id)
            .bind(&failure.record_name)
            .bind(&failure.reason)
            .bind(&failure.message)
            .bind(failure.sync_run_id.map(|r| r.0))
            .bind(ms(now))
            .fetch_one(&self.pool)
            .await
            .map_err(db_error("installation or sync run"))?;
        Ok(FailureId(failure_id))
    }

    async fn list_failures(
        &self,
        id: InstallationId,
        include_resolved: bool,
    ) -> Result<Vec<Failure>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            rows::failure_columns!(),
            " FROM failures WHERE installation_id = $1 AND ($2 OR resolved_at IS NULL) \
             ORDER BY occurred_at, id"
        );
        let found: Vec<rows::FailureRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(include_resolved)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }

    async fn resolve_failure(
        &self,
        id: InstallationId,
        failure_id: FailureId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE failures SET resolved_at = COALESCE(resolved_at, $3) \
             WHERE installation_id = $1 AND id = $2";
        let done = sqlx::query(SQL)
            .bind(id.to_string())
            .bind(failure_id.0)
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        expect_row(DB::rows_affected(&done), "failure")
    }

    // ----- audit log -------------------------------------------------------------------------

    async fn append_audit(
        &self,
        id: InstallationId,
        entry: &NewAuditEntry,
        now: DateTime<Utc>,
    ) -> Result<AuditId, StoreError> {
        let audit_id: i64 = sqlx::query_scalar(INSERT_AUDIT)
            .bind(id.to_string())
            .bind(ms(now))
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(entry.details.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(AuditId(audit_id))
    }

    async fn list_audit(
        &self,
        id: InstallationId,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        const SQL: &str = "SELECT id, occurred_at, actor, action, details FROM audit_log \
             WHERE installation_id = $1 ORDER BY id DESC LIMIT $2";
        let found: Vec<rows::AuditRow> = sqlx::query_as(SQL)
            .bind(id.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows::all(found)
    }
}
