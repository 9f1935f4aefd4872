//! The behaviour every [`Store`] backend must have, as one suite of async checks.
//!
//! Each case takes a migrated, empty store and panics on the first violation. The suite is plain
//! library code (not `#[cfg(test)]`) so the integration test `tests/store_backends.rs` can run
//! every case against SQLite *and* PostgreSQL; [`CASES`] lists the case names so that test can
//! prove none is forgotten. Times are fixed ([`t0`]) so leases and windows are deterministic.
//!
//! The cases cover: migrations are idempotent; tenancy isolation; credentials are ciphertext at
//! rest and bound to their installation; unique conflicts are [`StoreError::Conflict`]; job
//! dedupe, leases (concurrent claimers, expiry, owner checks) and retries; watermarks; the sync
//! history window; the failure and audit logs; cascade on delete.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;

use super::{SYNC_HISTORY_WINDOW, Store, StoreError, agent_session_aad, credential_aad, model::*};
use crate::crypto::Cipher;

/// Names of every case in this module, in the order they are declared.
pub const CASES: &[&str] = &[
    "migrations_are_idempotent",
    "installations_round_trip",
    "credentials_are_encrypted_at_rest",
    "field_mappings_replace_atomically",
    "role_permissions_round_trip",
    "role_permissions_update_with_their_audit_entry",
    "settings_round_trip",
    "agent_sessions_verify_and_revoke",
    "links_upsert_lookup_and_conflict",
    "watermarks_round_trip",
    "jobs_are_deduplicated",
    "job_leases_guard_every_transition",
    "failed_jobs_retry_later_or_die",
    "concurrent_claimers_never_share_a_job",
    "sync_runs_list_the_history_window",
    "failures_record_list_resolve",
    "audit_log_appends_and_lists",
    "tenancy_isolation",
    "deleting_an_installation_cascades",
];

/// The fixed base64 key of [`test_cipher`].
const TEST_KEY: &str = "c2ZkZXNrLWNvbmZvcm1hbmNlLXRlc3Qta2V5LTMyYiE=";

/// The cipher conformance stores must be built with (a fixed key, so cases can decrypt raw
/// ciphertext themselves).
///
/// # Panics
/// Never: the key is a valid constant.
pub fn test_cipher() -> Cipher {
    Cipher::from_base64_key(&SecretString::from(TEST_KEY)).expect("TEST_KEY is a valid key")
}

/// A fixed "now" at a whole millisecond (stored timestamps have millisecond precision).
pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_750_000_000_123).expect("valid timestamp")
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

async fn new_installation(store: &dyn Store, desk_org_id: &str) -> Installation {
    store
        .create_installation(
            &NewInstallation {
                desk_org_id: desk_org_id.to_owned(),
                desk_data_centre: "com".to_owned(),
                salesforce_org_id: None,
                salesforce_instance_url: None,
                sync_direction: SyncDirection::TwoWay,
            },
            t0(),
        )
        .await
        .expect("create installation")
}

fn job(kind: &str, dedupe_key: Option<&str>, run_at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: kind.to_owned(),
        payload: json!({ "kind": kind, "key": dedupe_key }),
        dedupe_key: dedupe_key.map(str::to_owned),
        run_at,
    }
}

fn link(object: SyncObject, sf_id: &str, desk_id: &str) -> Link {
    Link {
        object,
        sf_id: sf_id.to_owned(),
        desk_id: desk_id.to_owned(),
        sf_hash: Some(format!("sfhash-{sf_id}")),
        desk_hash: Some(format!("deskhash-{desk_id}")),
        sf_version: Some(t0() - secs(60)),
        desk_version: Some(t0() - secs(30)),
        updated_at: t0(),
    }
}

fn failure(record_id: &str, sync_run_id: Option<SyncRunId>) -> NewFailure {
    NewFailure {
        object: SyncObject::Contact,
        source: Side::Desk,
        record_id: record_id.to_owned(),
        record_name: Some(format!("Record {record_id}")),
        reason: "type_mismatch".to_owned(),
        message: "Text value given for an integer field".to_owned(),
        sync_run_id,
    }
}

fn sync_run(source: Side, object: SyncObject, triggered_by: &str) -> NewSyncRun {
    NewSyncRun {
        source,
        object,
        triggered_by: triggered_by.to_owned(),
    }
}

/// Gives `installation` a credential, a link, a queued job (`sync`, key `k`), a sync run and a
/// failure of that run; returns the job, the run and the failure.
async fn seed_rows(
    store: &dyn Store,
    installation: InstallationId,
    (kind, token): (CredentialKind, &str),
    link: &Link,
    run: &NewSyncRun,
) -> (JobId, SyncRunId, FailureId) {
    store
        .put_credential(installation, kind, &SecretString::from(token), t0())
        .await
        .expect("cred");
    store
        .upsert_link(installation, link, t0())
        .await
        .expect("link");
    let job_id = store
        .enqueue_job(installation, &job("sync", Some("k"), t0()), t0())
        .await
        .expect("job")
        .id();
    let run = store
        .start_sync_run(installation, run, t0())
        .await
        .expect("run");
    let failure_id = store
        .record_failure(installation, &failure("1", Some(run)), t0())
        .await
        .expect("failure");
    (job_id, run, failure_id)
}

/// Asserts that `installation` holds no credential of `kind`, no link of `object` from `sf_id`,
/// no job and no failure (another installation's, or its own after a delete).
async fn assert_holds_nothing(
    store: &dyn Store,
    installation: InstallationId,
    kind: CredentialKind,
    object: SyncObject,
    sf_id: &str,
) {
    assert_eq!(
        store
            .get_credential_ciphertext(installation, kind)
            .await
            .expect("cred"),
        None
    );
    assert_eq!(
        store
            .get_link_by_sf_id(installation, object, sf_id)
            .await
            .expect("link"),
        None
    );
    assert!(
        store
            .list_jobs(installation, None, 100)
            .await
            .expect("jobs")
            .is_empty()
    );
    assert!(
        store
            .list_failures(installation, true)
            .await
            .expect("failures")
            .is_empty()
    );
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound { .. }))
}

fn is_conflict<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict { .. }))
}

fn is_lease_lost<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::LeaseLost { .. }))
}

/// Running the migrations again (twice) changes nothing and keeps data.
pub async fn migrations_are_idempotent(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-migrate").await;
    store.migrate().await.expect("second migrate");
    store.migrate().await.expect("third migrate");
    store.ping().await.expect("ping");
    assert_eq!(store.get_installation(a.id).await.expect("get"), Some(a));
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
}

/// Create, read, list and update installations; duplicates conflict; missing ids are NotFound.
pub async fn installations_round_trip(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    assert_eq!(a.status, InstallationStatus::Pending);
    assert_eq!(a.sync_direction, SyncDirection::TwoWay);
    assert_eq!(a.created_at, t0());
    assert_eq!(a.updated_at, t0());
    assert_eq!(
        store.get_installation(a.id).await.expect("get"),
        Some(a.clone())
    );
    assert_eq!(
        store
            .get_installation_by_desk_org("org-a")
            .await
            .expect("by org"),
        Some(a.clone())
    );
    assert_eq!(
        store
            .get_installation_by_desk_org("org-x")
            .await
            .expect("by org"),
        None
    );

    let dup = store
        .create_installation(
            &NewInstallation {
                desk_org_id: "org-a".to_owned(),
                desk_data_centre: "eu".to_owned(),
                salesforce_org_id: Some("00D000000000001".to_owned()),
                salesforce_instance_url: None,
                sync_direction: SyncDirection::SalesforceToDesk,
            },
            t0(),
        )
        .await;
    assert!(is_conflict(&dup), "duplicate desk org: {dup:?}");

    let later = t0() + secs(5);
    store
        .set_installation_status(a.id, InstallationStatus::Active, later)
        .await
        .expect("status");
    store
        .set_sync_direction(a.id, SyncDirection::SalesforceToDesk, later)
        .await
        .expect("direction");
    store
        .set_salesforce_org(
            a.id,
            "00D5g000000abcd",
            "https://acme.my.salesforce.com",
            later,
        )
        .await
        .expect("sf org");
    let got = store
        .get_installation(a.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(got.status, InstallationStatus::Active);
    assert_eq!(got.sync_direction, SyncDirection::SalesforceToDesk);
    assert_eq!(got.salesforce_org_id.as_deref(), Some("00D5g000000abcd"));
    assert_eq!(
        got.salesforce_instance_url.as_deref(),
        Some("https://acme.my.salesforce.com")
    );
    assert_eq!(got.created_at, t0());
    assert_eq!(got.updated_at, later);

    let b = new_installation(&*store, "org-b").await;
    let all = store.list_installations().await.expect("list");
    let ids: Vec<_> = all.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![a.id, b.id]);

    let missing = InstallationId::new();
    assert_eq!(store.get_installation(missing).await.expect("get"), None);
    assert!(is_not_found(
        &store
            .set_installation_status(missing, InstallationStatus::Paused, later)
            .await
    ));
    assert!(is_not_found(&store.delete_installation(missing).await));
}

/// Credentials are stored as ciphertext bound to (installation, kind) and decrypt back.
pub async fn credentials_are_encrypted_at_rest(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let b = new_installation(&*store, "org-b").await;
    let kind = CredentialKind::SalesforceRefreshToken;
    let plaintext = "5Aep861-very-secret-refresh-token-for-org-a";

    assert!(
        store
            .get_credential(a.id, kind)
            .await
            .expect("get")
            .is_none()
    );
    store
        .put_credential(a.id, kind, &SecretString::from(plaintext), t0())
        .await
        .expect("put");

    let raw = store
        .get_credential_ciphertext(a.id, kind)
        .await
        .expect("raw")
        .expect("stored");
    assert!(
        !raw.windows(plaintext.len())
            .any(|w| w == plaintext.as_bytes()),
        "plaintext found in the stored column"
    );
    assert!(
        !raw.windows(12).any(|w| w == &plaintext.as_bytes()[..12]),
        "a plaintext prefix found in the stored column"
    );
    let got = store
        .get_credential(a.id, kind)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(got.expose_secret(), plaintext);

    // The ciphertext is bound to its row: another installation's or kind's associated data fails.
    let cipher = test_cipher();
    assert!(cipher.decrypt(&raw, &credential_aad(a.id, kind)).is_ok());
    assert!(cipher.decrypt(&raw, &credential_aad(b.id, kind)).is_err());
    assert!(
        cipher
            .decrypt(
                &raw,
                &credential_aad(a.id, CredentialKind::DeskRefreshToken)
            )
            .is_err()
    );

    // Replace, then delete (idempotently).
    store
        .put_credential(a.id, kind, &SecretString::from("rotated"), t0() + secs(1))
        .await
        .expect("replace");
    let again = store
        .get_credential(a.id, kind)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(again.expose_secret(), "rotated");
    assert_ne!(
        store
            .get_credential_ciphertext(a.id, kind)
            .await
            .expect("raw"),
        Some(raw)
    );
    store.delete_credential(a.id, kind).await.expect("delete");
    store
        .delete_credential(a.id, kind)
        .await
        .expect("delete again");
    assert!(
        store
            .get_credential(a.id, kind)
            .await
            .expect("get")
            .is_none()
    );

    let missing = store
        .put_credential(InstallationId::new(), kind, &SecretString::from("x"), t0())
        .await;
    assert!(is_not_found(&missing), "unknown installation: {missing:?}");
}

/// A mapping put replaces the object's whole mapping, keeps order, and is all-or-nothing.
pub async fn field_mappings_replace_atomically(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let m = |desk: &str, sf: &str, direction| FieldMapping {
        desk_field: desk.to_owned(),
        sf_field: sf.to_owned(),
        direction,
    };
    let first = vec![
        m("lastName", "LastName", MappingDirection::Both),
        m("email", "Email", MappingDirection::Both),
        m("phone", "Phone", MappingDirection::SalesforceToDesk),
    ];
    assert!(
        store
            .list_field_mappings(a.id, SyncObject::Contact)
            .await
            .expect("list")
            .is_empty()
    );
    store
        .put_field_mappings(a.id, SyncObject::Contact, &first, t0())
        .await
        .expect("put");
    assert_eq!(
        store
            .list_field_mappings(a.id, SyncObject::Contact)
            .await
            .expect("list"),
        first
    );
    assert!(
        store
            .list_field_mappings(a.id, SyncObject::Account)
            .await
            .expect("list")
            .is_empty()
    );

    let second = vec![
        m("email", "Email", MappingDirection::DeskToSalesforce),
        m("lastName", "LastName", MappingDirection::Both),
    ];
    store
        .put_field_mappings(a.id, SyncObject::Contact, &second, t0())
        .await
        .expect("replace");
    assert_eq!(
        store
            .list_field_mappings(a.id, SyncObject::Contact)
            .await
            .expect("list"),
        second
    );

    let duplicate = vec![
        m("email", "Email", MappingDirection::Both),
        m("email", "Other__c", MappingDirection::Both),
    ];
    let r = store
        .put_field_mappings(a.id, SyncObject::Contact, &duplicate, t0())
        .await;
    assert!(is_conflict(&r), "duplicate desk field: {r:?}");
    assert_eq!(
        store
            .list_field_mappings(a.id, SyncObject::Contact)
            .await
            .expect("list"),
        second,
        "a failed put must leave the previous mapping in place"
    );

    store
        .put_field_mappings(a.id, SyncObject::Contact, &[], t0())
        .await
        .expect("clear");
    assert!(
        store
            .list_field_mappings(a.id, SyncObject::Contact)
            .await
            .expect("list")
            .is_empty()
    );
    let r = store
        .put_field_mappings(InstallationId::new(), SyncObject::Contact, &[], t0())
        .await;
    assert!(is_not_found(&r), "unknown installation: {r:?}");
}

/// Role permission documents round-trip as JSON and are replaced on put.
pub async fn role_permissions_round_trip(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let doc = json!({
        "visible": true,
        "contacts": true,
        "accounts": false,
        "sections": { "opportunities": "none", "notes": "limited", "info": "full" },
        "activities": ["tasks", "calls"],
    });
    assert_eq!(
        store
            .get_role_permissions(a.id, "role-1")
            .await
            .expect("get"),
        None
    );
    store
        .put_role_permissions(a.id, "role-1", &doc, t0())
        .await
        .expect("put");
    assert_eq!(
        store
            .get_role_permissions(a.id, "role-1")
            .await
            .expect("get"),
        Some(doc)
    );
    let hidden = json!({ "visible": false });
    store
        .put_role_permissions(a.id, "role-1", &hidden, t0())
        .await
        .expect("replace");
    assert_eq!(
        store
            .get_role_permissions(a.id, "role-1")
            .await
            .expect("get"),
        Some(hidden)
    );
    assert_eq!(
        store
            .get_role_permissions(a.id, "role-2")
            .await
            .expect("get"),
        None
    );
}

/// Several roles' documents and their audit entry are stored together; for a missing
/// installation nothing is.
pub async fn role_permissions_update_with_their_audit_entry(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let audit = NewAuditEntry {
        actor: "agent-1".to_owned(),
        action: "permissions.updated".to_owned(),
        details: json!({ "roles": ["role-1", "role-2"] }),
    };
    let documents = vec![
        ("role-1".to_owned(), json!({ "visible": true })),
        ("role-2".to_owned(), json!({ "visible": false })),
    ];
    let audit_id = store
        .update_role_permissions(a.id, &documents, &audit, t0())
        .await
        .expect("update");
    for (role_id, document) in &documents {
        assert_eq!(
            store
                .get_role_permissions(a.id, role_id)
                .await
                .expect("get")
                .as_ref(),
            Some(document)
        );
    }
    let logged = store.list_audit(a.id, 10).await.expect("audit");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].id, audit_id);
    assert_eq!(logged[0].action, "permissions.updated");

    let missing = InstallationId::new();
    let err = store
        .update_role_permissions(missing, &documents, &audit, t0())
        .await
        .expect_err("missing installation");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store
            .get_role_permissions(missing, "role-1")
            .await
            .expect("get"),
        None
    );
    assert!(
        store
            .list_audit(missing, 10)
            .await
            .expect("audit")
            .is_empty()
    );
}

/// Settings documents replace by key and stay within their installation.
pub async fn settings_round_trip(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let b = new_installation(&*store, "org-b").await;
    assert_eq!(store.get_setting(a.id, "profile").await.expect("get"), None);
    let first = json!({ "highlight_account_field": "Subscription_Type__c" });
    store
        .put_setting(a.id, "profile", &first, t0())
        .await
        .expect("put");
    let second = json!({ "highlight_account_field": null });
    store
        .put_setting(a.id, "profile", &second, t0() + secs(1))
        .await
        .expect("replace");
    assert_eq!(
        store.get_setting(a.id, "profile").await.expect("get"),
        Some(second)
    );
    assert_eq!(store.get_setting(b.id, "profile").await.expect("get"), None);
    let missing = store
        .put_setting(InstallationId::new(), "profile", &first, t0())
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
}

/// Sessions keep their refresh token encrypted and bound to installation and session; renewals
/// update the role; revoked sessions cannot be renewed and lose their token; other
/// installations cannot see them.
pub async fn agent_sessions_verify_and_revoke(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let b = new_installation(&*store, "org-b").await;
    let new = NewAgentSession {
        agent_id: "1892000000042001".to_owned(),
        agent_name: "Ann Lee".to_owned(),
        role_id: "role-agent".to_owned(),
        role_name: "Support Agent".to_owned(),
        is_admin: false,
        refresh_token: Some(SecretString::from("1000.refresh-secret")),
        expires_at: t0() + secs(3600),
    };
    let created = store
        .create_agent_session(a.id, &new, t0())
        .await
        .expect("create");
    assert_eq!(created.role_id, "role-agent");
    assert_eq!(created.verified_at, t0());
    assert_eq!(created.expires_at, t0() + secs(3600));
    assert_eq!(
        created
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
        Some("1000.refresh-secret".to_owned())
    );
    assert!(
        store
            .get_agent_session(b.id, created.id)
            .await
            .expect("get")
            .is_none(),
        "another installation must not see the session"
    );

    let promoted = AgentRole {
        agent_name: "Ann Lee".to_owned(),
        role_id: "role-ceo".to_owned(),
        role_name: "CEO".to_owned(),
        is_admin: true,
    };
    store
        .verify_agent_session(a.id, created.id, &promoted, None, t0() + secs(60))
        .await
        .expect("verify");
    let renewed = store
        .get_agent_session(a.id, created.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        (renewed.role_id.as_str(), renewed.is_admin),
        ("role-ceo", true)
    );
    assert_eq!(renewed.verified_at, t0() + secs(60));
    assert!(
        renewed.refresh_token.is_some(),
        "no new token keeps the old one"
    );
    assert!(matches!(
        store
            .verify_agent_session(b.id, created.id, &promoted, None, t0())
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // The stored token is ciphertext bound to (installation, session).
    let bound = test_cipher().encrypt(b"x", &agent_session_aad(a.id, created.id));
    assert!(
        test_cipher()
            .decrypt(&bound, &agent_session_aad(b.id, created.id))
            .is_err()
    );

    store
        .revoke_agent_session(a.id, created.id, t0() + secs(120))
        .await
        .expect("revoke");
    store
        .revoke_agent_session(a.id, created.id, t0() + secs(180))
        .await
        .expect("revoking twice is fine");
    let revoked = store
        .get_agent_session(a.id, created.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(revoked.revoked_at, Some(t0() + secs(120)));
    assert!(revoked.refresh_token.is_none(), "sign-out drops the token");
    assert!(matches!(
        store
            .verify_agent_session(a.id, created.id, &promoted, None, t0())
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.revoke_agent_session(b.id, created.id, t0()).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Links upsert by Salesforce id, are found from either side, and a Desk id links only once.
pub async fn links_upsert_lookup_and_conflict(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let l1 = link(SyncObject::Contact, "003A", "9001");
    store.upsert_link(a.id, &l1, t0()).await.expect("insert");
    assert_eq!(
        store
            .get_link_by_sf_id(a.id, SyncObject::Contact, "003A")
            .await
            .expect("by sf"),
        Some(l1.clone())
    );
    assert_eq!(
        store
            .get_link_by_desk_id(a.id, SyncObject::Contact, "9001")
            .await
            .expect("by desk"),
        Some(l1.clone())
    );
    // Ids are per object.
    assert_eq!(
        store
            .get_link_by_sf_id(a.id, SyncObject::Account, "003A")
            .await
            .expect("by sf"),
        None
    );

    // Upsert updates hashes, versions and the Desk id of an existing Salesforce record.
    let later = t0() + secs(10);
    let mut updated = link(SyncObject::Contact, "003A", "9002");
    updated.sf_hash = None;
    updated.desk_version = Some(later);
    store
        .upsert_link(a.id, &updated, later)
        .await
        .expect("update");
    let got = store
        .get_link_by_sf_id(a.id, SyncObject::Contact, "003A")
        .await
        .expect("by sf")
        .expect("linked");
    assert_eq!(got.desk_id, "9002");
    assert_eq!(got.sf_hash, None);
    assert_eq!(got.desk_version, Some(later));
    assert_eq!(got.updated_at, later);
    assert_eq!(
        store
            .get_link_by_desk_id(a.id, SyncObject::Contact, "9001")
            .await
            .expect("by desk"),
        None
    );

    // Another Salesforce record may not take an already linked Desk record.
    let taken = store
        .upsert_link(a.id, &link(SyncObject::Contact, "003B", "9002"), later)
        .await;
    assert!(is_conflict(&taken), "desk id already linked: {taken:?}");
    assert_eq!(
        store
            .get_link_by_sf_id(a.id, SyncObject::Contact, "003B")
            .await
            .expect("by sf"),
        None
    );
    // The same ids under another object are fine.
    store
        .upsert_link(a.id, &link(SyncObject::Account, "003B", "9002"), later)
        .await
        .expect("other object");
}

/// Watermarks are per (side, object), round-trip at millisecond precision and overwrite.
pub async fn watermarks_round_trip(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    for side in Side::ALL {
        for object in SyncObject::ALL {
            assert_eq!(
                store
                    .get_watermark(a.id, *side, *object)
                    .await
                    .expect("get"),
                None
            );
        }
    }
    let w1 = t0() - secs(3600);
    store
        .set_watermark(a.id, Side::Salesforce, SyncObject::Contact, w1, t0())
        .await
        .expect("set");
    assert_eq!(
        store
            .get_watermark(a.id, Side::Salesforce, SyncObject::Contact)
            .await
            .expect("get"),
        Some(w1)
    );
    assert_eq!(
        store
            .get_watermark(a.id, Side::Desk, SyncObject::Contact)
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        store
            .get_watermark(a.id, Side::Salesforce, SyncObject::Account)
            .await
            .expect("get"),
        None
    );
    let w2 = t0() + TimeDelta::milliseconds(1);
    store
        .set_watermark(a.id, Side::Salesforce, SyncObject::Contact, w2, t0())
        .await
        .expect("overwrite");
    assert_eq!(
        store
            .get_watermark(a.id, Side::Salesforce, SyncObject::Contact)
            .await
            .expect("get"),
        Some(w2)
    );
}

/// At most one queued job per dedupe key; once it runs, the key can queue again.
pub async fn jobs_are_deduplicated(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let first = store
        .enqueue_job(a.id, &job("sync_contact", Some("contact:003A"), t0()), t0())
        .await
        .expect("enqueue");
    let Enqueued::Created(first_id) = first else {
        panic!("expected Created, got {first:?}");
    };
    let again = store
        .enqueue_job(a.id, &job("sync_contact", Some("contact:003A"), t0()), t0())
        .await
        .expect("enqueue again");
    assert_eq!(again, Enqueued::Duplicate(first_id));
    let other = store
        .enqueue_job(a.id, &job("sync_contact", Some("contact:003B"), t0()), t0())
        .await
        .expect("other key");
    assert!(matches!(other, Enqueued::Created(id) if id != first_id));
    // Jobs without a key never dedupe.
    let n1 = store
        .enqueue_job(a.id, &job("tick", None, t0()), t0())
        .await
        .expect("n1");
    let n2 = store
        .enqueue_job(a.id, &job("tick", None, t0()), t0())
        .await
        .expect("n2");
    assert!(matches!((n1, n2), (Enqueued::Created(x), Enqueued::Created(y)) if x != y));
    assert_eq!(
        store
            .list_jobs(a.id, Some(JobState::Queued), 100)
            .await
            .expect("list")
            .len(),
        4
    );

    // Once the job is running, a new change to the same record queues a fresh job.
    let claimed = store
        .claim_job(a.id, "w1", secs(60), t0())
        .await
        .expect("claim")
        .expect("due job");
    assert_eq!(claimed.id, first_id);
    assert_eq!(
        claimed.payload,
        json!({ "kind": "sync_contact", "key": "contact:003A" })
    );
    let fresh = store
        .enqueue_job(a.id, &job("sync_contact", Some("contact:003A"), t0()), t0())
        .await
        .expect("enqueue while running");
    assert!(matches!(fresh, Enqueued::Created(id) if id != first_id));
}

/// Claims respect `run_at` and leases; only the lease owner may extend, complete or fail.
pub async fn job_leases_guard_every_transition(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let later = store
        .enqueue_job(a.id, &job("later", None, t0() + secs(30)), t0())
        .await
        .expect("enqueue")
        .id();
    assert!(
        store
            .claim_job(a.id, "w1", secs(60), t0())
            .await
            .expect("claim")
            .is_none(),
        "a job is not claimable before its run_at"
    );

    let at = t0() + secs(30);
    let job = store
        .claim_job(a.id, "w1", secs(60), at)
        .await
        .expect("claim")
        .expect("due");
    assert_eq!(job.id, later);
    assert_eq!(job.state, JobState::Running);
    assert_eq!(job.lease_owner.as_deref(), Some("w1"));
    assert_eq!(job.lease_expires_at, Some(at + secs(60)));
    assert_eq!(job.attempts, 0);
    assert_eq!(job.installation_id, a.id);

    // Leased: nobody else gets it, and only w1 can extend it.
    assert!(
        store
            .claim_job(a.id, "w2", secs(60), at + secs(59))
            .await
            .expect("claim")
            .is_none()
    );
    assert!(is_lease_lost(
        &store
            .extend_job_lease(a.id, job.id, "w2", at + secs(120), at)
            .await
    ));
    store
        .extend_job_lease(a.id, job.id, "w1", at + secs(90), at + secs(10))
        .await
        .expect("extend");
    assert!(
        store
            .claim_job(a.id, "w2", secs(60), at + secs(89))
            .await
            .expect("claim")
            .is_none(),
        "an extended lease still holds"
    );

    // Expired: reclaimable by another worker, and the old owner has lost it.
    let reclaimed = store
        .claim_job(a.id, "w2", secs(60), at + secs(90))
        .await
        .expect("claim")
        .expect("expired lease is reclaimable");
    assert_eq!(reclaimed.id, job.id);
    assert_eq!(reclaimed.lease_owner.as_deref(), Some("w2"));
    let late = at + secs(91);
    assert!(is_lease_lost(
        &store.complete_job(a.id, job.id, "w1", late).await
    ));
    assert!(is_lease_lost(
        &store
            .fail_job(
                a.id,
                job.id,
                "w1",
                &JobFailure {
                    error: "boom".to_owned(),
                    retry_at: Some(late)
                },
                late
            )
            .await
    ));
    store
        .complete_job(a.id, job.id, "w2", late)
        .await
        .expect("owner completes");
    let done = store
        .get_job(a.id, job.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.lease_owner, None);
    assert!(is_lease_lost(
        &store.complete_job(a.id, job.id, "w2", late).await
    ));
    assert!(
        store
            .claim_job(a.id, "w3", secs(60), late + secs(3600))
            .await
            .expect("claim")
            .is_none(),
        "done jobs are never claimed again"
    );
}

/// A failed attempt counts, records the error and waits for `retry_at`; no retry means dead.
pub async fn failed_jobs_retry_later_or_die(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let id = store
        .enqueue_job(a.id, &job("push", Some("contact:1"), t0()), t0())
        .await
        .expect("enqueue")
        .id();
    let first = store
        .claim_job(a.id, "w1", secs(60), t0())
        .await
        .expect("claim")
        .expect("due");
    assert_eq!(first.id, id);
    let retry_at = t0() + secs(120);
    let state = store
        .fail_job(
            a.id,
            id,
            "w1",
            &JobFailure {
                error: "HTTP 503 from Desk".to_owned(),
                retry_at: Some(retry_at),
            },
            t0() + secs(1),
        )
        .await
        .expect("fail");
    assert_eq!(state, JobState::Queued);
    let failed = store.get_job(a.id, id).await.expect("get").expect("exists");
    assert_eq!(failed.state, JobState::Queued);
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.run_at, retry_at);
    assert_eq!(failed.last_error.as_deref(), Some("HTTP 503 from Desk"));
    assert_eq!(failed.lease_owner, None);
    assert_eq!(failed.lease_expires_at, None);

    assert!(
        store
            .claim_job(a.id, "w1", secs(60), retry_at - secs(1))
            .await
            .expect("claim")
            .is_none(),
        "a failed job waits for its retry time"
    );
    let second = store
        .claim_job(a.id, "w1", secs(60), retry_at)
        .await
        .expect("claim")
        .expect("due again");
    assert_eq!(second.id, id);
    assert_eq!(second.attempts, 1);
    let state = store
        .fail_job(
            a.id,
            id,
            "w1",
            &JobFailure {
                error: "invalid field".to_owned(),
                retry_at: None,
            },
            retry_at + secs(1),
        )
        .await
        .expect("fail for good");
    assert_eq!(state, JobState::Dead);
    let dead = store.get_job(a.id, id).await.expect("get").expect("exists");
    assert_eq!(dead.state, JobState::Dead);
    assert_eq!(dead.attempts, 2);
    assert_eq!(
        store
            .list_jobs(a.id, Some(JobState::Dead), 10)
            .await
            .expect("list dead")
            .iter()
            .map(|j| j.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert!(
        store
            .claim_job(a.id, "w1", secs(60), retry_at + secs(3600))
            .await
            .expect("claim")
            .is_none(),
        "dead jobs are never claimed"
    );

    // A failing job whose key was queued again meanwhile is superseded by the newer job.
    let old = store
        .enqueue_job(a.id, &job("push", Some("contact:2"), t0()), t0())
        .await
        .expect("enqueue")
        .id();
    let running = store
        .claim_job(a.id, "w1", secs(60), t0())
        .await
        .expect("claim")
        .expect("due");
    assert_eq!(running.id, old);
    let newer = store
        .enqueue_job(a.id, &job("push", Some("contact:2"), t0()), t0())
        .await
        .expect("enqueue newer");
    assert!(matches!(newer, Enqueued::Created(n) if n != old));
    let state = store
        .fail_job(
            a.id,
            old,
            "w1",
            &JobFailure {
                error: "timeout".to_owned(),
                retry_at: Some(t0() + secs(60)),
            },
            t0(),
        )
        .await
        .expect("fail");
    assert_eq!(state, JobState::Superseded);
    assert_eq!(
        store
            .list_jobs(a.id, Some(JobState::Queued), 10)
            .await
            .expect("list")
            .iter()
            .map(|j| j.id)
            .collect::<Vec<_>>(),
        vec![newer.id()]
    );
}

/// Several workers claiming at once never get the same job, and together drain the queue.
pub async fn concurrent_claimers_never_share_a_job(store: Arc<dyn Store>) {
    const JOBS: usize = 40;
    const WORKERS: usize = 6;
    let a = new_installation(&*store, "org-a").await;
    let mut enqueued = HashSet::new();
    for i in 0..JOBS {
        let key = format!("record:{i}");
        let id = store
            .enqueue_job(a.id, &job("sync", Some(&key), t0()), t0())
            .await
            .expect("enqueue")
            .id();
        enqueued.insert(id);
    }
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let store = Arc::clone(&store);
        workers.push(tokio::spawn(async move {
            let owner = format!("worker-{w}");
            let mut mine = Vec::new();
            while let Some(job) = store
                .claim_job(a.id, &owner, secs(300), t0())
                .await
                .expect("claim")
            {
                assert_eq!(job.lease_owner.as_deref(), Some(owner.as_str()));
                mine.push(job.id);
                tokio::task::yield_now().await;
            }
            (owner, mine)
        }));
    }
    let mut claims = Vec::new();
    for worker in workers {
        claims.push(worker.await.expect("worker task"));
    }
    let mut seen = HashSet::new();
    for (_, mine) in &claims {
        for id in mine {
            assert!(seen.insert(*id), "job {id} claimed twice");
        }
    }
    assert_eq!(seen, enqueued, "every job claimed exactly once");
    for (owner, mine) in &claims {
        for id in mine {
            store
                .complete_job(a.id, *id, owner, t0() + secs(1))
                .await
                .expect("complete by its owner");
        }
    }
    assert_eq!(
        store
            .list_jobs(a.id, Some(JobState::Done), 1000)
            .await
            .expect("list")
            .len(),
        JOBS
    );
}

/// Sync runs start, finish with counts, and list newest first within the window only.
pub async fn sync_runs_list_the_history_window(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let now = t0();
    let old = store
        .start_sync_run(
            a.id,
            &sync_run(Side::Salesforce, SyncObject::Account, "poll"),
            now - SYNC_HISTORY_WINDOW - secs(1),
        )
        .await
        .expect("old run");
    let edge = store
        .start_sync_run(
            a.id,
            &sync_run(Side::Desk, SyncObject::Contact, "poll"),
            now - SYNC_HISTORY_WINDOW,
        )
        .await
        .expect("edge run");
    let recent = store
        .start_sync_run(
            a.id,
            &sync_run(Side::Salesforce, SyncObject::Contact, "poll"),
            now - secs(60),
        )
        .await
        .expect("recent run");
    store
        .finish_sync_run(
            a.id,
            recent,
            &SyncRunOutcome {
                status: SyncRunStatus::Succeeded,
                added: 12,
                updated: 30,
                failed: 2,
                error: None,
            },
            now,
        )
        .await
        .expect("finish");
    let again = store
        .finish_sync_run(
            a.id,
            recent,
            &SyncRunOutcome {
                status: SyncRunStatus::Failed,
                added: 0,
                updated: 0,
                failed: 0,
                error: Some("twice".to_owned()),
            },
            now,
        )
        .await;
    assert!(
        is_not_found(&again),
        "a finished run cannot finish again: {again:?}"
    );

    let listed = store
        .list_sync_runs(a.id, now - SYNC_HISTORY_WINDOW)
        .await
        .expect("list");
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![recent, edge],
        "newest first, nothing older than the window"
    );
    let r = &listed[0];
    assert_eq!(r.status, SyncRunStatus::Succeeded);
    assert_eq!((r.added, r.updated, r.failed), (12, 30, 2));
    assert_eq!(r.source, Side::Salesforce);
    assert_eq!(r.object, SyncObject::Contact);
    assert_eq!(r.triggered_by, "poll");
    assert_eq!(r.started_at, now - secs(60));
    assert_eq!(r.finished_at, Some(now));
    let e = &listed[1];
    assert_eq!(e.status, SyncRunStatus::Running);
    assert_eq!(e.finished_at, None);
    assert_eq!((e.added, e.updated, e.failed), (0, 0, 0));
    assert!(
        store
            .list_sync_runs(a.id, now - SYNC_HISTORY_WINDOW - secs(1))
            .await
            .expect("list")
            .iter()
            .any(|r| r.id == old)
    );
}

/// Failures are recorded, listed in time order, resolved, and may reference a sync run.
pub async fn failures_record_list_resolve(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let run = store
        .start_sync_run(
            a.id,
            &sync_run(Side::Desk, SyncObject::Contact, "webhook"),
            t0(),
        )
        .await
        .expect("run");
    let f2 = store
        .record_failure(a.id, &failure("2", None), t0() + secs(2))
        .await
        .expect("record");
    let f1 = store
        .record_failure(a.id, &failure("1", Some(run)), t0() + secs(1))
        .await
        .expect("record");
    let open = store.list_failures(a.id, false).await.expect("list");
    assert_eq!(open.iter().map(|f| f.id).collect::<Vec<_>>(), vec![f1, f2]);
    assert_eq!(open[0].sync_run_id, Some(run));
    assert_eq!(open[0].record_name.as_deref(), Some("Record 1"));
    assert_eq!(open[0].message, "Text value given for an integer field");
    assert_eq!(open[0].occurred_at, t0() + secs(1));
    assert_eq!(open[0].resolved_at, None);

    store
        .resolve_failure(a.id, f1, t0() + secs(10))
        .await
        .expect("resolve");
    store
        .resolve_failure(a.id, f1, t0() + secs(20))
        .await
        .expect("resolve again");
    let open = store.list_failures(a.id, false).await.expect("list");
    assert_eq!(open.iter().map(|f| f.id).collect::<Vec<_>>(), vec![f2]);
    let all = store.list_failures(a.id, true).await.expect("list all");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].resolved_at, Some(t0() + secs(10)));

    assert!(is_not_found(
        &store.resolve_failure(a.id, FailureId(i64::MAX), t0()).await
    ));
    let r = store
        .record_failure(a.id, &failure("3", Some(SyncRunId(i64::MAX))), t0())
        .await;
    assert!(is_not_found(&r), "unknown sync run: {r:?}");
}

/// Audit entries append and list newest first, limited.
pub async fn audit_log_appends_and_lists(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = store
            .append_audit(
                a.id,
                &NewAuditEntry {
                    actor: "desk-user-1".to_owned(),
                    action: "mapping.updated".to_owned(),
                    details: json!({ "n": i }),
                },
                t0() + secs(i),
            )
            .await
            .expect("append");
        ids.push(id);
    }
    let listed = store.list_audit(a.id, 2).await.expect("list");
    assert_eq!(
        listed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    assert_eq!(listed[0].details, json!({ "n": 2 }));
    assert_eq!(listed[0].actor, "desk-user-1");
    assert_eq!(listed[0].action, "mapping.updated");
    assert_eq!(listed[0].occurred_at, t0() + secs(2));
    assert_eq!(store.list_audit(a.id, 100).await.expect("list").len(), 3);
}

/// Installation B never reads or changes anything of installation A.
pub async fn tenancy_isolation(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let b = new_installation(&*store, "org-b").await;
    let kind = CredentialKind::DeskAccessToken;

    // Give A one of everything.
    let (job_id, run, failure_id) = seed_rows(
        &*store,
        a.id,
        (kind, "a-token"),
        &link(SyncObject::Contact, "003A", "9001"),
        &sync_run(Side::Desk, SyncObject::Contact, "poll"),
    )
    .await;
    let mapping = [FieldMapping {
        desk_field: "email".to_owned(),
        sf_field: "Email".to_owned(),
        direction: MappingDirection::Both,
    }];
    store
        .put_field_mappings(a.id, SyncObject::Contact, &mapping, t0())
        .await
        .expect("mapping");
    store
        .put_role_permissions(a.id, "role-1", &json!({ "visible": true }), t0())
        .await
        .expect("perms");
    store
        .set_watermark(a.id, Side::Desk, SyncObject::Contact, t0(), t0())
        .await
        .expect("watermark");
    store
        .append_audit(
            a.id,
            &NewAuditEntry {
                actor: "a".to_owned(),
                action: "x".to_owned(),
                details: json!({}),
            },
            t0(),
        )
        .await
        .expect("audit");

    // B sees nothing.
    assert_holds_nothing(&*store, b.id, kind, SyncObject::Contact, "003A").await;
    assert!(
        store
            .get_credential(b.id, kind)
            .await
            .expect("cred")
            .is_none()
    );
    assert!(
        store
            .list_field_mappings(b.id, SyncObject::Contact)
            .await
            .expect("mapping")
            .is_empty()
    );
    assert_eq!(
        store
            .get_role_permissions(b.id, "role-1")
            .await
            .expect("perms"),
        None
    );
    assert_eq!(
        store
            .get_link_by_desk_id(b.id, SyncObject::Contact, "9001")
            .await
            .expect("link"),
        None
    );
    assert_eq!(
        store
            .get_watermark(b.id, Side::Desk, SyncObject::Contact)
            .await
            .expect("watermark"),
        None
    );
    assert_eq!(store.get_job(b.id, job_id).await.expect("job"), None);
    assert!(
        store
            .claim_job(b.id, "wb", secs(60), t0() + secs(3600))
            .await
            .expect("claim")
            .is_none(),
        "B's worker must not claim A's job"
    );
    assert!(
        store
            .list_sync_runs(b.id, t0() - secs(3600))
            .await
            .expect("runs")
            .is_empty()
    );
    assert!(store.list_audit(b.id, 100).await.expect("audit").is_empty());

    // B cannot change A's rows through A's ids.
    assert!(is_not_found(
        &store.resolve_failure(b.id, failure_id, t0()).await
    ));
    let finish = store
        .finish_sync_run(
            b.id,
            run,
            &SyncRunOutcome {
                status: SyncRunStatus::Cancelled,
                added: 0,
                updated: 0,
                failed: 0,
                error: None,
            },
            t0(),
        )
        .await;
    assert!(is_not_found(&finish));
    let cross = store
        .record_failure(b.id, &failure("2", Some(run)), t0())
        .await;
    assert!(
        is_not_found(&cross),
        "B must not reference A's sync run: {cross:?}"
    );
    let claimed = store
        .claim_job(a.id, "wa", secs(60), t0())
        .await
        .expect("claim")
        .expect("A's job");
    assert!(is_lease_lost(
        &store.complete_job(b.id, claimed.id, "wa", t0()).await
    ));
    assert!(is_lease_lost(
        &store
            .extend_job_lease(b.id, claimed.id, "wa", t0() + secs(600), t0())
            .await
    ));

    // B's own data with the same natural keys lives side by side.
    store
        .upsert_link(b.id, &link(SyncObject::Contact, "003A", "9001"), t0())
        .await
        .expect("same ids in B");
    store
        .put_credential(b.id, kind, &SecretString::from("b-token"), t0())
        .await
        .expect("B cred");
    let dedupe = store
        .enqueue_job(b.id, &job("sync", Some("k"), t0()), t0())
        .await
        .expect("B job");
    assert!(
        matches!(dedupe, Enqueued::Created(_)),
        "dedupe keys are per installation"
    );
    assert_eq!(
        store
            .get_credential(a.id, kind)
            .await
            .expect("cred")
            .expect("a")
            .expose_secret(),
        "a-token"
    );
    assert_eq!(
        store
            .get_credential(b.id, kind)
            .await
            .expect("cred")
            .expect("b")
            .expose_secret(),
        "b-token"
    );
    store
        .complete_job(a.id, claimed.id, "wa", t0())
        .await
        .expect("A completes");
}

/// Deleting an installation removes all its rows and leaves other installations alone.
pub async fn deleting_an_installation_cascades(store: Arc<dyn Store>) {
    let a = new_installation(&*store, "org-a").await;
    let b = new_installation(&*store, "org-b").await;
    for inst in [a.id, b.id] {
        seed_rows(
            &*store,
            inst,
            (CredentialKind::DeskRefreshToken, "t"),
            &link(SyncObject::Account, "001A", "42"),
            &sync_run(Side::Salesforce, SyncObject::Account, "initial"),
        )
        .await;
    }
    store.delete_installation(a.id).await.expect("delete");
    assert_eq!(store.get_installation(a.id).await.expect("get"), None);
    assert_holds_nothing(
        &*store,
        a.id,
        CredentialKind::DeskRefreshToken,
        SyncObject::Account,
        "001A",
    )
    .await;

    // B is untouched; A's Desk org may install again.
    assert!(
        store
            .get_credential(b.id, CredentialKind::DeskRefreshToken)
            .await
            .expect("cred")
            .is_some()
    );
    assert_eq!(
        store.list_jobs(b.id, None, 10).await.expect("jobs").len(),
        1
    );
    assert_eq!(
        store
            .list_failures(b.id, true)
            .await
            .expect("failures")
            .len(),
        1
    );
    let again = new_installation(&*store, "org-a").await;
    assert_ne!(again.id, a.id);
}
