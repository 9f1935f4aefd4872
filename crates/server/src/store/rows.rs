//! Row structs shared by both backends, and their decoding into [`model`](super::model) types.
//!
//! Both schemas use the same column shapes (text, 64-bit integers, bytes), so one `FromRow`
//! struct per query result serves SQLite and PostgreSQL alike. Decoding that can fail (enum text,
//! timestamps, JSON) happens here, once, returning [`StoreError::InvalidValue`] or
//! [`StoreError::InvalidJson`] instead of panicking on a bad row.

use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::StoreError;
use super::model::*;

/// Columns selected for [`InstallationRow`], in both backends (a macro so `concat!` can build
/// `&'static str` SQL from it).
macro_rules! installation_columns {
    () => {
        "id, desk_org_id, desk_data_centre, salesforce_org_id, \
     salesforce_instance_url, status, sync_direction, created_at, updated_at"
    };
}
pub(super) use installation_columns;

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Decodes a stored timestamp.
pub(super) fn time(column: &'static str, v: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| StoreError::InvalidValue {
        column,
        value: v.to_string(),
    })
}

/// Decodes an optional stored timestamp.
pub(super) fn opt_time(
    column: &'static str,
    v: Option<i64>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    v.map(|v| time(column, v)).transpose()
}

/// Decodes a stored enumeration text.
pub(super) fn parse<T: FromStr>(column: &'static str, v: &str) -> Result<T, StoreError> {
    v.parse().map_err(|_| StoreError::InvalidValue {
        column,
        value: v.to_owned(),
    })
}

/// Decodes a stored non-negative count.
pub(super) fn count<T: TryFrom<i64>>(column: &'static str, v: i64) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| StoreError::InvalidValue {
        column,
        value: v.to_string(),
    })
}

/// Encodes a count for storage (saturating: counts never get near `i64::MAX`).
pub(super) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Decodes a stored JSON document.
pub(super) fn json(column: &'static str, v: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(v).map_err(|source| StoreError::InvalidJson { column, source })
}

/// `installations` row.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct InstallationRow {
    id: String,
    desk_org_id: String,
    desk_data_centre: String,
    salesforce_org_id: Option<String>,
    salesforce_instance_url: Option<String>,
    status: String,
    sync_direction: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<InstallationRow> for Installation {
    type Error = StoreError;

    fn try_from(r: InstallationRow) -> Result<Self, StoreError> {
        Ok(Installation {
            id: parse("installations.id", &r.id)?,
            desk_org_id: r.desk_org_id,
            desk_data_centre: r.desk_data_centre,
            salesforce_org_id: r.salesforce_org_id,
            salesforce_instance_url: r.salesforce_instance_url,
            status: parse("installations.status", &r.status)?,
            sync_direction: parse("installations.sync_direction", &r.sync_direction)?,
            created_at: time("installations.created_at", r.created_at)?,
            updated_at: time("installations.updated_at", r.updated_at)?,
        })
    }
}

/// `field_mappings` row (without keys).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct FieldMappingRow {
    desk_field: String,
    sf_field: String,
    direction: String,
}

impl TryFrom<FieldMappingRow> for FieldMapping {
    type Error = StoreError;

    fn try_from(r: FieldMappingRow) -> Result<Self, StoreError> {
        Ok(FieldMapping {
            desk_field: r.desk_field,
            sf_field: r.sf_field,
            direction: parse("field_mappings.direction", &r.direction)?,
        })
    }
}

/// `links` row (without the installation id).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct LinkRow {
    object: String,
    sf_id: String,
    desk_id: String,
    sf_hash: Option<String>,
    desk_hash: Option<String>,
    sf_version: Option<i64>,
    desk_version: Option<i64>,
    updated_at: i64,
}

impl TryFrom<LinkRow> for Link {
    type Error = StoreError;

    fn try_from(r: LinkRow) -> Result<Self, StoreError> {
        Ok(Link {
            object: parse("links.object", &r.object)?,
            sf_id: r.sf_id,
            desk_id: r.desk_id,
            sf_hash: r.sf_hash,
            desk_hash: r.desk_hash,
            sf_version: opt_time("links.sf_version", r.sf_version)?,
            desk_version: opt_time("links.desk_version", r.desk_version)?,
            updated_at: time("links.updated_at", r.updated_at)?,
        })
    }
}

/// Columns selected for [`JobRow`], in both backends (a macro so `concat!` can build
/// `&'static str` SQL from it).
macro_rules! job_columns {
    () => {
        "id, installation_id, kind, payload, dedupe_key, state, attempts, \
     run_at, lease_owner, lease_expires_at, last_error, created_at, updated_at"
    };
}
pub(super) use job_columns;

/// `jobs` row.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct JobRow {
    id: i64,
    installation_id: String,
    kind: String,
    payload: String,
    dedupe_key: Option<String>,
    state: String,
    attempts: i64,
    run_at: i64,
    lease_owner: Option<String>,
    lease_expires_at: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(Job {
            id: JobId(r.id),
            installation_id: parse("jobs.installation_id", &r.installation_id)?,
            kind: r.kind,
            payload: json("jobs.payload", &r.payload)?,
            dedupe_key: r.dedupe_key,
            state: parse("jobs.state", &r.state)?,
            attempts: count("jobs.attempts", r.attempts)?,
            run_at: time("jobs.run_at", r.run_at)?,
            lease_owner: r.lease_owner,
            lease_expires_at: opt_time("jobs.lease_expires_at", r.lease_expires_at)?,
            last_error: r.last_error,
            created_at: time("jobs.created_at", r.created_at)?,
            updated_at: time("jobs.updated_at", r.updated_at)?,
        })
    }
}

/// Columns selected for [`SyncRunRow`], in both backends (a macro so `concat!` can build
/// `&'static str` SQL from it).
macro_rules! sync_run_columns {
    () => {
        "id, source, object, triggered_by, status, started_at, \
     finished_at, added, updated, failed, error"
    };
}
pub(super) use sync_run_columns;

/// `sync_runs` row (without the installation id).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct SyncRunRow {
    id: i64,
    source: String,
    object: String,
    triggered_by: String,
    status: String,
    started_at: i64,
    finished_at: Option<i64>,
    added: i64,
    updated: i64,
    failed: i64,
    error: Option<String>,
}

impl TryFrom<SyncRunRow> for SyncRun {
    type Error = StoreError;

    fn try_from(r: SyncRunRow) -> Result<Self, StoreError> {
        Ok(SyncRun {
            id: SyncRunId(r.id),
            source: parse("sync_runs.source", &r.source)?,
            object: parse("sync_runs.object", &r.object)?,
            triggered_by: r.triggered_by,
            status: parse("sync_runs.status", &r.status)?,
            started_at: time("sync_runs.started_at", r.started_at)?,
            finished_at: opt_time("sync_runs.finished_at", r.finished_at)?,
            added: count("sync_runs.added", r.added)?,
            updated: count("sync_runs.updated", r.updated)?,
            failed: count("sync_runs.failed", r.failed)?,
            error: r.error,
        })
    }
}

/// Columns selected for [`FailureRow`], in both backends (a macro so `concat!` can build
/// `&'static str` SQL from it).
macro_rules! failure_columns {
    () => {
        "id, object, source, record_id, record_name, reason, message, \
     sync_run_id, occurred_at, resolved_at"
    };
}
pub(super) use failure_columns;

/// `failures` row (without the installation id).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct FailureRow {
    id: i64,
    object: String,
    source: String,
    record_id: String,
    record_name: Option<String>,
    reason: String,
    message: String,
    sync_run_id: Option<i64>,
    occurred_at: i64,
    resolved_at: Option<i64>,
}

impl TryFrom<FailureRow> for Failure {
    type Error = StoreError;

    fn try_from(r: FailureRow) -> Result<Self, StoreError> {
        Ok(Failure {
            id: FailureId(r.id),
            object: parse("failures.object", &r.object)?,
            source: parse("failures.source", &r.source)?,
            record_id: r.record_id,
            record_name: r.record_name,
            reason: r.reason,
            message: r.message,
            sync_run_id: r.sync_run_id.map(SyncRunId),
            occurred_at: time("failures.occurred_at", r.occurred_at)?,
            resolved_at: opt_time("failures.resolved_at", r.resolved_at)?,
        })
    }
}

/// `audit_log` row (without the installation id).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct AuditRow {
    id: i64,
    occurred_at: i64,
    actor: String,
    action: String,
    details: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;

    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            id: AuditId(r.id),
            occurred_at: time("audit_log.occurred_at", r.occurred_at)?,
            actor: r.actor,
            action: r.action,
            details: json("audit_log.details", &r.details)?,
        })
    }
}

/// Decodes every row of a result set.
pub(super) fn all<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Decodes an optional row.
pub(super) fn opt<R, T>(row: Option<R>) -> Result<Option<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    row.map(T::try_from).transpose()
}

/// Columns selected for [`AgentSessionRow`], in both backends.
macro_rules! agent_session_columns {
    () => {
        "id, agent_id, agent_name, role_id, role_name, is_admin, refresh_token, created_at, \
     verified_at, expires_at, revoked_at"
    };
}
pub(super) use agent_session_columns;

/// `agent_sessions` row; the refresh token is still sealed.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct AgentSessionRow {
    id: String,
    agent_id: String,
    agent_name: String,
    role_id: String,
    role_name: String,
    is_admin: i64,
    pub(super) refresh_token: Option<Vec<u8>>,
    created_at: i64,
    verified_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl AgentSessionRow {
    /// The session, with its refresh token decrypted by the caller.
    pub(super) fn into_session(
        self,
        refresh_token: Option<secrecy::SecretString>,
    ) -> Result<AgentSession, StoreError> {
        Ok(AgentSession {
            id: parse("agent_sessions.id", &self.id)?,
            agent_id: self.agent_id,
            agent_name: self.agent_name,
            role_id: self.role_id,
            role_name: self.role_name,
            is_admin: self.is_admin != 0,
            refresh_token,
            created_at: time("agent_sessions.created_at", self.created_at)?,
            verified_at: time("agent_sessions.verified_at", self.verified_at)?,
            expires_at: time("agent_sessions.expires_at", self.expires_at)?,
            revoked_at: opt_time("agent_sessions.revoked_at", self.revoked_at)?,
        })
    }
}
