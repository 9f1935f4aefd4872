//! The `sfdesk` binary as a user meets it: bad input exits non-zero with one clear line and
//! creates nothing; good input migrates, serves and shuts down cleanly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// `sfdesk` run in `dir` with a clean `SFDESK__` environment plus `env`.
fn sfdesk(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sfdesk"));
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("SFDESK__") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    command
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    sfdesk(dir, args, env).output().expect("sfdesk runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts a failed run: non-zero exit, exactly one stderr line containing every `needle`.
fn assert_fails_with(output: &Output, needles: &[&str]) {
    let text = stderr(output);
    assert!(
        !output.status.success(),
        "expected failure, got success: {text}"
    );
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one line expected: {text:?}"
    );
    for needle in needles {
        assert!(text.contains(needle), "stderr lacks {needle:?}: {text}");
    }
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn malformed_config_file_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[database\nurl = ").unwrap();
    let output = run(dir.path(), &["serve", "--config", "bad.toml"], &[]);
    assert_fails_with(&output, &["invalid configuration"]);
    assert_eq!(entries(dir.path()), vec!["bad.toml".to_owned()]);
}

#[test]
fn unknown_config_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "[server]\nlisten_on = \"1\"\n").unwrap();
    let output = run(
        dir.path(),
        &["serve", "-c", "c.toml"],
        &[("SFDESK__SECURITY__ENCRYPTION_KEY", KEY)],
    );
    assert_fails_with(&output, &["server", "listen_on"]);
}

#[test]
fn missing_encryption_key_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["serve"], &[]);
    assert_fails_with(&output, &["security.encryption_key", "keygen"]);
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn malformed_encryption_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["serve"],
        &[("SFDESK__SECURITY__ENCRYPTION_KEY", "short")],
    );
    assert_fails_with(&output, &["encryption_key"]);
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn unsupported_database_scheme_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["serve"],
        &[
            ("SFDESK__SECURITY__ENCRYPTION_KEY", KEY),
            ("SFDESK__DATABASE__URL", "mysql://root@127.0.0.1/test"),
            ("SFDESK__SERVER__LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_fails_with(&output, &["mysql"]);
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn unreachable_database_fails_without_leaking_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["serve"],
        &[
            ("SFDESK__SECURITY__ENCRYPTION_KEY", KEY),
            (
                "SFDESK__DATABASE__URL",
                "postgres://app:hunter2@127.0.0.1:1/test",
            ),
            ("SFDESK__SERVER__LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_fails_with(&output, &["database"]);
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));
}

#[test]
fn keygen_prints_a_fresh_32_byte_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(dir.path(), &["keygen"], &[]);
    let second = run(dir.path(), &["keygen"], &[]);
    assert!(first.status.success());
    let key = String::from_utf8(first.stdout).unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .expect("base64");
    assert_eq!(bytes.len(), 32);
    assert_ne!(key, String::from_utf8(second.stdout).unwrap());
}

#[test]
fn migrate_creates_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["migrate"],
        &[
            ("SFDESK__SECURITY__ENCRYPTION_KEY", KEY),
            ("SFDESK__DATABASE__URL", "sqlite://state.db"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("state.db").is_file());
    // Running it again is a no-op, not an error.
    let again = run(
        dir.path(),
        &["migrate"],
        &[
            ("SFDESK__SECURITY__ENCRYPTION_KEY", KEY),
            ("SFDESK__DATABASE__URL", "sqlite://state.db"),
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
}

/// Kills the child on drop so a failing test leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads JSON log lines from the server's stderr until one carries the bound address.
fn wait_for_listen_addr(child: &mut Child) -> String {
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(addr) = event.get("listen").and_then(|v| v.as_str())
            {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("server logs its address")
}

#[tokio::test]
async fn serve_answers_probes_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let child = sfdesk(
        dir.path(),
        &["serve"],
        &[
            ("SFDESK__SECURITY__ENCRYPTION_KEY", KEY),
            ("SFDESK__DATABASE__URL", "sqlite://serve.db"),
            ("SFDESK__SERVER__LISTEN", "127.0.0.1:0"),
            ("SFDESK__TELEMETRY__LOG_FORMAT", "json"),
        ],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .expect("spawn");
    let mut server = Server(child);
    let addr = wait_for_listen_addr(&mut server.0);

    let http = reqwest::Client::new();
    let ready = http
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], true);

    let pid = server.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "graceful exit expected, got {status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn demo_prints_the_url_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let child = sfdesk(dir.path(), &["demo", "--port", "0"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let page = reqwest::get(url).await.expect("GET host page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("sfdesk-frame"),
        "host page embeds the widget frame"
    );
}

/// Reads the first stdout line of a spawned `sfdesk` as JSON.
fn first_json_line(child: &mut Child) -> serde_json::Value {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read stdout");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
}

/// Asserts each of `keys` is a non-empty string in `section`.
fn assert_non_empty(section: &serde_json::Value, keys: &[&str]) {
    for key in keys {
        assert!(
            section[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} missing or empty in {section}"
        );
    }
}

/// Sends `request` and decodes its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON answer")
}

#[tokio::test]
async fn sim_prints_working_credentials_for_both_simulators() {
    let dir = tempfile::tempdir().unwrap();
    let child = sfdesk(
        dir.path(),
        &["sim", "--contacts", "30", "--accounts", "6", "--seed", "7"],
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn");
    let mut sims = Server(child);
    let info = first_json_line(&mut sims.0);
    let http = reqwest::Client::new();

    let sf = &info["salesforce"];
    assert_non_empty(
        sf,
        &[
            "instance_url",
            "access_token",
            "client_id",
            "client_secret",
            "api_version",
        ],
    );
    let count = json_of(
        http.get(format!(
            "{}services/data/v{}/query",
            sf["instance_url"].as_str().unwrap(),
            sf["api_version"].as_str().unwrap()
        ))
        .query(&[("q", "SELECT COUNT() FROM Contact")])
        .bearer_auth(sf["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(count["totalSize"], 30, "{count}");

    let desk = &info["desk"];
    assert_non_empty(
        desk,
        &[
            "api_url",
            "accounts_url",
            "org_id",
            "access_token",
            "client_id",
            "client_secret",
        ],
    );
    let count = json_of(
        http.get(format!(
            "{}api/v1/contacts/count",
            desk["api_url"].as_str().unwrap()
        ))
        .header("orgId", desk["org_id"].as_str().unwrap())
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", desk["access_token"].as_str().unwrap()),
        ),
    )
    .await;
    assert_eq!(count["count"], "30", "{count}");
}

#[test]
fn sim_refuses_a_taken_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["sim", "--desk-port", &port], &[]);
    assert_fails_with(&output, &["Desk simulator", &port, "in use"]);
}

#[test]
fn bench_sim_reports_every_measure_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[
            "bench",
            "sim",
            "--contacts",
            "5000",
            "--rounds",
            "2",
            "--json",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    for key in [
        "query_batch_ms",
        "collection_write_ms",
        "records_per_s",
        "rss_mb_1m",
        "query_batch_ratio",
        "rss_ratio",
    ] {
        let value = report[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {report}"));
        assert!(value > 0.0, "{key} = {value}");
    }
    assert_eq!(report["contacts"], 5000);
}
