//! The operational HTTP surface over a real port: probes, metrics, request ids, JSON errors.

use std::net::SocketAddr;

use sfdesk_server::api::{self, Mode};
use sfdesk_server::config::{Config, DatabaseUrl};
use sfdesk_server::server;
use sfdesk_shared::error::ErrorBody;
use tempfile::TempDir;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// A server on port 0 over `database_url`; dropped with the test's runtime.
struct TestApp {
    base: String,
    http: reqwest::Client,
    _dir: Option<TempDir>,
}

impl TestApp {
    async fn spawn_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("api.db").display());
        let mut app = Self::spawn(&url).await;
        app._dir = Some(dir);
        app
    }

    async fn spawn(database_url: &str) -> Self {
        let mut config = Config::default();
        config.database.url = DatabaseUrl::new(database_url);
        config.security.encryption_key = Some(KEY.to_owned().into());
        let state = server::open_state(config).await.expect("state opens");
        let listener = server::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("port 0 binds");
        let addr = listener.local_addr().expect("bound address");
        let app = api::router(state, Mode::Production);
        tokio::spawn(server::serve(listener, app, std::future::pending()));
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            _dir: None,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }
}

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn_sqlite().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "database": true}));
}

#[tokio::test]
async fn unknown_route_is_a_json_404_carrying_the_request_id() {
    let app = TestApp::spawn_sqlite().await;
    let response = app.get("/api/v1/nope").await;
    assert_eq!(response.status(), 404);
    let header = response
        .headers()
        .get("x-request-id")
        .expect("request id header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(header.len(), 36, "a UUID is generated: {header}");
    let body: ErrorBody = response.json().await.expect("JSON error body");
    assert_eq!(body.code, "not_found");
    assert!(body.message.contains("/api/v1/nope"), "{}", body.message);
    assert_eq!(body.request_id.as_deref(), Some(header.as_str()));
}

#[tokio::test]
async fn a_callers_request_id_is_kept() {
    let app = TestApp::spawn_sqlite().await;
    let response = app
        .http
        .get(format!("{}/missing", app.base))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.request_id.as_deref(), Some("trace-me-42"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn_sqlite().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    let _ = app.get("/no/such/route").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let healthz_line = text
        .lines()
        .find(|l| {
            l.starts_with("sfdesk_http_requests_total{")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no healthz counter in:\n{text}"));
    let count: f64 = healthz_line.rsplit(' ').next().unwrap().parse().unwrap();
    // Other tests in this process share the global recorder, so at least our three.
    assert!(count >= 3.0, "{healthz_line}");
    assert!(
        text.lines()
            .any(|l| l.contains("route=\"unmatched\"") && l.contains("status=\"404\"")),
        "unmatched routes are one label, not one per URI:\n{text}"
    );
    assert!(text.contains("sfdesk_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn readyz_reports_an_unreachable_database() {
    let admin_url = std::env::var("SFDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let name = format!("sfdesk_readyz_{}", uuid_simple());
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .expect("PostgreSQL at 127.0.0.1:5432 is required for the test suite");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let app = TestApp::spawn(&format!("{base}/{name}")).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], false);
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "alive even when not ready"
    );
}

fn uuid_simple() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
