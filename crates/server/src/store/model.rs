//! Domain types the [`Store`](super::Store) reads and writes.
//!
//! These are storage-level types: plain data with documented meaning, no behaviour beyond parsing.
//! Enumerations are stored as lower_snake_case text; the same spelling is their serde form and
//! their `Display`, so logs, JSON and SQL agree.
//!
//! Timestamps are stored with millisecond precision: a `DateTime<Utc>` read back equals the one
//! written truncated to whole milliseconds.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares a fieldless enum stored as text, with `as_str`, `Display` and `FromStr`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and serialized) spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        type_name: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }
    };
}

/// A text value that does not name any variant of the enumeration `type_name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {type_name} value {value:?}")]
pub struct UnknownValue {
    /// The enumeration that was being parsed.
    pub type_name: &'static str,
    /// The text that did not match.
    pub value: String,
}

/// Identifies an installation (one Desk org joined to one Salesforce org); a UUID, stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstallationId(pub Uuid);

impl InstallationId {
    /// A new random, time-ordered (UUID v7) id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for InstallationId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for InstallationId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Declares an `i64` row-id newtype.
macro_rules! int_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

int_id!(
    /// Identifies a background job (unique across installations).
    JobId
);
int_id!(
    /// Identifies a sync run (one row of the sync history).
    SyncRunId
);
int_id!(
    /// Identifies an entry of the failure log.
    FailureId
);
int_id!(
    /// Identifies an audit log entry.
    AuditId
);

text_enum! {
    /// Lifecycle of an installation.
    pub enum InstallationStatus {
        /// Created; the admin has not started the sync yet.
        Pending = "pending",
        /// Syncing.
        Active = "active",
        /// The admin paused the sync: no data is exchanged until resumed.
        Paused = "paused",
    }
}

text_enum! {
    /// Which way records flow.
    pub enum SyncDirection {
        /// Both ways (the default).
        TwoWay = "two_way",
        /// Salesforce → Desk only.
        SalesforceToDesk = "salesforce_to_desk",
    }
}

text_enum! {
    /// One of the two connected systems.
    pub enum Side {
        /// The Salesforce org.
        Salesforce = "salesforce",
        /// The Zoho Desk org.
        Desk = "desk",
    }
}

text_enum! {
    /// A kind of record that is synced.
    pub enum SyncObject {
        /// Salesforce Contact ↔ Desk contact.
        Contact = "contact",
        /// Salesforce Account ↔ Desk account.
        Account = "account",
    }
}

text_enum! {
    /// Which secret a stored credential is.
    pub enum CredentialKind {
        /// Salesforce OAuth access token.
        SalesforceAccessToken = "salesforce_access_token",
        /// Salesforce OAuth refresh token.
        SalesforceRefreshToken = "salesforce_refresh_token",
        /// Zoho Desk OAuth access token.
        DeskAccessToken = "desk_access_token",
        /// Zoho Desk OAuth refresh token.
        DeskRefreshToken = "desk_refresh_token",
        /// Secret that authenticates Desk webhook deliveries.
        DeskWebhookSecret = "desk_webhook_secret",
    }
}

text_enum! {
    /// Which way one mapped field is copied.
    pub enum MappingDirection {
        /// Both ways (subject to the installation's [`SyncDirection`]).
        Both = "both",
        /// Salesforce → Desk only.
        SalesforceToDesk = "salesforce_to_desk",
        /// Desk → Salesforce only.
        DeskToSalesforce = "desk_to_salesforce",
    }
}

text_enum! {
    /// State of a background job.
    pub enum JobState {
        /// Waiting for `run_at`.
        Queued = "queued",
        /// Leased by a worker until `lease_expires_at`; reclaimable after that.
        Running = "running",
        /// Finished successfully.
        Done = "done",
        /// Failed for good (permanent error or attempts exhausted).
        Dead = "dead",
        /// Failed while a newer job with the same dedupe key was already queued; that job does
        /// the work instead.
        Superseded = "superseded",
    }
}

text_enum! {
    /// State of a sync run.
    pub enum SyncRunStatus {
        /// In progress.
        Running = "running",
        /// Finished (individual records may still have failed; see the counts).
        Succeeded = "succeeded",
        /// Stopped by an error before finishing.
        Failed = "failed",
        /// Stopped on purpose (pause, delete).
        Cancelled = "cancelled",
    }
}

/// Fields of a new installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstallation {
    /// The Desk `orgId`; one installation per Desk org (unique).
    pub desk_org_id: String,
    /// The Desk data centre (e.g. `com`, `eu`, `in`), which picks the Desk API host.
    pub desk_data_centre: String,
    /// The Salesforce org id, when already connected.
    pub salesforce_org_id: Option<String>,
    /// The Salesforce instance URL, when already connected.
    pub salesforce_instance_url: Option<String>,
    /// Initial sync direction.
    pub sync_direction: SyncDirection,
}

/// One tenant: a Desk org joined to a Salesforce org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installation {
    /// Id, chosen by the store at creation.
    pub id: InstallationId,
    /// The Desk `orgId`.
    pub desk_org_id: String,
    /// The Desk data centre.
    pub desk_data_centre: String,
    /// The Salesforce org id, once connected.
    pub salesforce_org_id: Option<String>,
    /// The Salesforce instance URL, once connected.
    pub salesforce_instance_url: Option<String>,
    /// Lifecycle state.
    pub status: InstallationStatus,
    /// Which way records flow.
    pub sync_direction: SyncDirection,
    /// When the installation was created.
    pub created_at: DateTime<Utc>,
    /// When any of its fields last changed.
    pub updated_at: DateTime<Utc>,
}

/// One row of an object's field mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// API name of the Desk field (unique within the object's mapping).
    pub desk_field: String,
    /// API name of the Salesforce field.
    pub sf_field: String,
    /// Which way the value is copied.
    pub direction: MappingDirection,
}

/// A link between a Salesforce record and a Desk record of the same [`SyncObject`].
///
/// Within one installation and object, each `sf_id` and each `desk_id` is linked at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The kind of record.
    pub object: SyncObject,
    /// The Salesforce record id.
    pub sf_id: String,
    /// The Desk record id.
    pub desk_id: String,
    /// Hash of the mapped values last synced to or from Salesforce (echo suppression).
    pub sf_hash: Option<String>,
    /// Hash of the mapped values last synced to or from Desk (echo suppression).
    pub desk_hash: Option<String>,
    /// Salesforce `SystemModstamp` of the record as last synced.
    pub sf_version: Option<DateTime<Utc>>,
    /// Desk `modifiedTime` of the record as last synced.
    pub desk_version: Option<DateTime<Utc>>,
    /// When the link was last written (set by the store; ignored on upsert).
    pub updated_at: DateTime<Utc>,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The job type (the handler registry key).
    pub kind: String,
    /// Handler input, stored as JSON.
    pub payload: serde_json::Value,
    /// When set, at most one *queued* job per installation has this key; enqueueing again while
    /// one waits returns [`Enqueued::Duplicate`].
    pub dedupe_key: Option<String>,
    /// Earliest time the job may run.
    pub run_at: DateTime<Utc>,
}

/// Result of [`Store::enqueue_job`](super::Store::enqueue_job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job row was created.
    Created(JobId),
    /// A queued job with the same dedupe key already existed; nothing was written.
    Duplicate(JobId),
}

impl Enqueued {
    /// The id of the job that will do the work, new or existing.
    pub fn id(self) -> JobId {
        match self {
            Enqueued::Created(id) | Enqueued::Duplicate(id) => id,
        }
    }
}

/// A background job row.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Id.
    pub id: JobId,
    /// Owning installation.
    pub installation_id: InstallationId,
    /// The job type.
    pub kind: String,
    /// Handler input.
    pub payload: serde_json::Value,
    /// Dedupe key, if any.
    pub dedupe_key: Option<String>,
    /// Current state.
    pub state: JobState,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Earliest time the job may (next) run.
    pub run_at: DateTime<Utc>,
    /// The worker holding the lease (while running).
    pub lease_owner: Option<String>,
    /// When the lease ends; after that another worker may claim the job.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Message of the last failure.
    pub last_error: Option<String>,
    /// When the job was enqueued.
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

/// How a failed job continues; see [`Store::fail_job`](super::Store::fail_job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// Readable reason, stored as `last_error`.
    pub error: String,
    /// `Some(t)`: queue again to run at `t` (the caller computes backoff); `None`: the job is dead.
    pub retry_at: Option<DateTime<Utc>>,
}

/// Fields of a sync run being started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSyncRun {
    /// The side records are read from (the other side is written).
    pub source: Side,
    /// The kind of record synced.
    pub object: SyncObject,
    /// What started it (e.g. `initial`, `webhook`, `poll`, `manual`).
    pub triggered_by: String,
}

/// How a sync run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRunOutcome {
    /// Final status (not [`SyncRunStatus::Running`]).
    pub status: SyncRunStatus,
    /// Records created on the target side.
    pub added: u64,
    /// Records updated on the target side.
    pub updated: u64,
    /// Records that failed (each has a failure log entry).
    pub failed: u64,
    /// Why the run stopped, for [`SyncRunStatus::Failed`].
    pub error: Option<String>,
}

/// One row of the sync history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRun {
    /// Id.
    pub id: SyncRunId,
    /// The side records were read from.
    pub source: Side,
    /// The kind of record synced.
    pub object: SyncObject,
    /// What started it.
    pub triggered_by: String,
    /// Current or final status.
    pub status: SyncRunStatus,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time, once finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Records created on the target side.
    pub added: u64,
    /// Records updated on the target side.
    pub updated: u64,
    /// Records that failed.
    pub failed: u64,
    /// Why the run stopped, if it failed.
    pub error: Option<String>,
}

/// A failed sync operation to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFailure {
    /// The kind of record.
    pub object: SyncObject,
    /// The side the record was read from.
    pub source: Side,
    /// The record's id on the source side.
    pub record_id: String,
    /// A display name for the record (contact name, account name), if known.
    pub record_name: Option<String>,
    /// Stable reason code (e.g. `already_linked`, `type_mismatch`).
    pub reason: String,
    /// Readable explanation shown to the admin.
    pub message: String,
    /// The sync run that hit it, if any (must belong to the same installation).
    pub sync_run_id: Option<SyncRunId>,
}

/// An entry of the failure log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Id.
    pub id: FailureId,
    /// The kind of record.
    pub object: SyncObject,
    /// The side the record was read from.
    pub source: Side,
    /// The record's id on the source side.
    pub record_id: String,
    /// A display name for the record, if known.
    pub record_name: Option<String>,
    /// Stable reason code.
    pub reason: String,
    /// Readable explanation.
    pub message: String,
    /// The sync run that hit it, if any.
    pub sync_run_id: Option<SyncRunId>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When it was resolved (retried successfully or dismissed), if it was.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// An audit log entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who acted: a Desk user id, `system`, or an operator name.
    pub actor: String,
    /// What happened, as a stable dotted name (e.g. `mapping.updated`).
    pub action: String,
    /// Details as JSON (never secrets).
    pub details: serde_json::Value,
}

/// An audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Id (increasing in insertion order).
    pub id: AuditId,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub action: String,
    /// Details.
    pub details: serde_json::Value,
}

/// A widget sign-in to record: who Desk says the agent is.
#[derive(Debug, Clone)]
pub struct NewAgentSession {
    /// Desk agent id.
    pub agent_id: String,
    /// Display name.
    pub agent_name: String,
    /// Desk role id.
    pub role_id: String,
    /// Desk role name.
    pub role_name: String,
    /// Whether the agent is a Desk administrator.
    pub is_admin: bool,
    /// The agent's Desk refresh token (stored encrypted), used to re-read the role.
    pub refresh_token: Option<SecretString>,
    /// Until when the session may be renewed without signing in again.
    pub expires_at: DateTime<Utc>,
}

/// A widget sign-in.
#[derive(Debug, Clone)]
pub struct AgentSession {
    /// Session id (also inside every token issued for it).
    pub id: Uuid,
    /// Desk agent id.
    pub agent_id: String,
    /// Display name.
    pub agent_name: String,
    /// Desk role id, as of `verified_at`.
    pub role_id: String,
    /// Desk role name.
    pub role_name: String,
    /// Whether the agent is a Desk administrator.
    pub is_admin: bool,
    /// The agent's Desk refresh token, decrypted.
    pub refresh_token: Option<SecretString>,
    /// When the agent signed in.
    pub created_at: DateTime<Utc>,
    /// When Desk last confirmed agent and role.
    pub verified_at: DateTime<Utc>,
    /// Until when the session may be renewed.
    pub expires_at: DateTime<Utc>,
    /// When it was signed out, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What Desk said about an agent when a session was renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRole {
    /// Display name.
    pub agent_name: String,
    /// Desk role id.
    pub role_id: String,
    /// Desk role name.
    pub role_name: String,
    /// Whether the agent is a Desk administrator.
    pub is_admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_enums_round_trip() {
        for v in JobState::ALL {
            assert_eq!(v.as_str().parse::<JobState>().unwrap(), *v);
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in CredentialKind::ALL {
            assert_eq!(v.to_string().parse::<CredentialKind>().unwrap(), *v);
        }
        let err = "sideways".parse::<Side>().unwrap_err();
        assert_eq!(err.to_string(), "unknown Side value \"sideways\"");
    }

    #[test]
    fn installation_id_is_hyphenated_uuid_text() {
        let id = InstallationId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<InstallationId>().unwrap(), id);
    }
}
