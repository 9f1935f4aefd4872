//! Runs every `store::conformance` case on SQLite and on PostgreSQL, plus `store::connect` edge
//! cases and the migration-folder rule.
//!
//! - SQLite: a fresh database file in a temporary directory per test.
//! - PostgreSQL: the server at `postgres://postgres@127.0.0.1:5432/test` (override with
//!   `SFDESK_TEST_POSTGRES_URL`), a fresh schema `t_<uuid>` per test selected through the
//!   connection's `search_path`, dropped afterwards; so tests run in parallel. A missing server
//!   fails these tests: it is never a skip.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sfdesk_server::store::{self, PgStore, SqliteStore, Store, StoreError, conformance};
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// A conformance case, boxed so one runner serves them all.
type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

fn postgres_url() -> String {
    std::env::var("SFDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `case` on its own task so a panic still lets the caller clean up, then re-raises it.
async fn run_case(store: Arc<dyn Store>, case: fn(Arc<dyn Store>) -> CaseFuture) {
    let outcome = tokio::spawn(case(store)).await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn on_sqlite(case: fn(Arc<dyn Store>) -> CaseFuture) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sfdesk.db").display());
    let store = store::connect(&url, conformance::test_cipher())
        .await
        .expect("open SQLite");
    assert_eq!(store.backend_name(), "sqlite");
    store.migrate().await.expect("migrate SQLite");
    run_case(store, case).await;
}

/// An admin connection to the test PostgreSQL server; failing to reach it fails the test.
async fn postgres_admin() -> PgConnection {
    let url = postgres_url();
    match tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(&url)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!(
            "PostgreSQL at {url} is required for these tests (set SFDESK_TEST_POSTGRES_URL): {e}"
        ),
        Err(_) => panic!("PostgreSQL at {url} did not answer within 10 s"),
    }
}

/// Creates or drops the schema named by `schema` without building SQL text at run time: the name
/// travels as a bound parameter into a session setting that a static `DO` block reads.
async fn schema_ddl(conn: &mut PgConnection, schema: &str, create: bool) {
    sqlx::query("SELECT set_config('sfdesk_test.schema', $1, false)")
        .bind(schema)
        .execute(&mut *conn)
        .await
        .expect("set schema name");
    let sql = if create {
        "DO $$ BEGIN EXECUTE format('CREATE SCHEMA %I', current_setting('sfdesk_test.schema')); END $$"
    } else {
        "DO $$ BEGIN EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', \
         current_setting('sfdesk_test.schema')); END $$"
    };
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .expect("schema DDL");
}

async fn on_postgres(case: fn(Arc<dyn Store>) -> CaseFuture) {
    let url = postgres_url();
    let mut admin = postgres_admin().await;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    schema_ddl(&mut admin, &schema, true).await;

    let options = PgConnectOptions::from_str(&url)
        .expect("valid PostgreSQL URL")
        .options([("search_path", schema.as_str())]);
    let store = PgStore::connect_with(options, conformance::test_cipher())
        .await
        .expect("connect PgStore");
    let pool = store.pool().clone();
    let current: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&pool)
        .await
        .expect("current_schema");
    assert_eq!(
        current, schema,
        "the store must work inside the per-test schema"
    );
    let store: Arc<dyn Store> = Arc::new(store);
    assert_eq!(store.backend_name(), "postgres");
    store.migrate().await.expect("migrate PostgreSQL");

    let outcome = tokio::spawn(case(store)).await;
    pool.close().await;
    schema_ddl(&mut admin, &schema, false).await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares one SQLite and one PostgreSQL test per conformance case, and checks none is missing.
macro_rules! conformance_tests {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::on_sqlite(|s| Box::pin(super::conformance::$case(s))).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::on_postgres(|s| Box::pin(super::conformance::$case(s))).await;
                }
            )+
        }

        #[test]
        fn every_conformance_case_runs_on_both_backends() {
            let mut wired = vec![$(stringify!($case)),+];
            wired.sort_unstable();
            let mut all = conformance::CASES.to_vec();
            all.sort_unstable();
            assert_eq!(wired, all, "wire every conformance::CASES entry into conformance_tests!");
        }
    };
}

conformance_tests!(
    migrations_are_idempotent,
    installations_round_trip,
    credentials_are_encrypted_at_rest,
    field_mappings_replace_atomically,
    role_permissions_round_trip,
    role_permissions_update_with_their_audit_entry,
    settings_round_trip,
    agent_sessions_verify_and_revoke,
    links_upsert_lookup_and_conflict,
    watermarks_round_trip,
    jobs_are_deduplicated,
    job_leases_guard_every_transition,
    failed_jobs_retry_later_or_die,
    concurrent_claimers_never_share_a_job,
    sync_runs_list_the_history_window,
    failures_record_list_resolve,
    audit_log_appends_and_lists,
    tenancy_isolation,
    deleting_an_installation_cascades,
);

fn migration_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn migration_folders_match() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(
        sqlite, postgres,
        "every migration needs the same version and name in migrations/sqlite and migrations/postgres"
    );
    for name in &sqlite {
        let (version, rest) = name.split_once('_').expect("<version>_<name>.sql");
        assert!(
            version.len() == 4 && version.bytes().all(|b| b.is_ascii_digit()),
            "{name}: version must be 4 digits"
        );
        assert!(rest.ends_with(".sql"), "{name}: must be a .sql file");
    }
}

#[tokio::test]
async fn unsupported_schemes_are_rejected_and_create_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.db");
    let urls = [
        format!("mysql://root@localhost/{}", path.display()),
        format!("mysql:{}", path.display()),
        format!("{}", path.display()),
        format!("file://{}", path.display()),
    ];
    for url in &urls {
        match store::connect(url, conformance::test_cipher()).await {
            Err(StoreError::UnsupportedUrl(scheme)) => {
                assert!(
                    ["mysql", "", "file"].contains(&scheme.as_str()),
                    "{url}: {scheme}"
                );
            }
            other => panic!("{url}: expected UnsupportedUrl, got {other:?}"),
        }
    }
    let err = store::connect("mysql://root:hunter2@db/sfdesk", conformance::test_cipher())
        .await
        .expect_err("mysql is unsupported");
    let message = err.to_string();
    assert!(message.contains("\"mysql\""), "{message}");
    assert!(
        !message.contains("hunter2"),
        "the error must not echo credentials: {message}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
    assert!(left.is_empty(), "nothing may be created: {left:?}");
}

#[tokio::test]
async fn sqlite_in_a_missing_directory_is_a_clear_error() {
    let err = store::connect("sqlite:///nonexistent-dir/x.db", conformance::test_cipher())
        .await
        .expect_err("the directory does not exist");
    match &err {
        StoreError::Connect {
            backend: "sqlite",
            target,
            ..
        } => assert_eq!(target, "/nonexistent-dir/x.db"),
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "could not connect to sqlite database /nonexistent-dir/x.db"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
    assert!(!Path::new("/nonexistent-dir").exists());
}

#[tokio::test]
async fn sqlite_file_is_created_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url, conformance::test_cipher())
        .await
        .expect("open");
    assert!(path.exists(), "the database file is created");
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .expect("journal_mode");
    assert_eq!(journal, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .expect("foreign_keys");
    assert_eq!(foreign_keys, 1);
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(store.pool())
        .await
        .expect("busy_timeout");
    assert!(busy >= 1000, "busy_timeout is {busy} ms");
}

#[tokio::test]
async fn sqlite_memory_url_keeps_its_data() {
    let store = store::connect("sqlite::memory:", conformance::test_cipher())
        .await
        .expect("open in-memory");
    store.migrate().await.expect("migrate");
    conformance::migrations_are_idempotent(Arc::clone(&store)).await;
    assert_eq!(store.list_installations().await.expect("list").len(), 1);
}

#[tokio::test]
async fn postgres_urls_connect() {
    for scheme in ["postgres", "postgresql"] {
        let url = postgres_url().replacen("postgres", scheme, 1);
        let store = store::connect(&url, conformance::test_cipher())
            .await
            .unwrap_or_else(|e| panic!("{scheme}: PostgreSQL must be reachable: {e:?}"));
        assert_eq!(store.backend_name(), "postgres");
        store.ping().await.expect("ping");
    }
}

#[tokio::test]
async fn unreachable_postgres_is_a_quick_connect_error() {
    let started = Instant::now();
    let err = store::connect(
        "postgres://postgres@127.0.0.1:1/test",
        conformance::test_cipher(),
    )
    .await
    .expect_err("nothing listens on port 1");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    match &err {
        StoreError::Connect {
            backend: "postgres",
            target,
            ..
        } => assert_eq!(target, "127.0.0.1:1/test"),
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_postgres_url_is_invalid() {
    let err = store::connect("postgres://[::1/test", conformance::test_cipher())
        .await
        .expect_err("malformed");
    assert!(
        matches!(
            err,
            StoreError::InvalidUrl {
                backend: "postgres",
                ..
            }
        ),
        "{err:?}"
    );
}
