//! Real open-source clients pointed unchanged at the Salesforce simulator.
//!
//! `simple-salesforce` (pinned) is installed from PyPI into a venv under the target directory's
//! test scratch space on first run (`python3 -m venv …/pyclients && pip install …`), then
//! `tests/clients/simple_salesforce_check.py` drives the simulator with it: login by token,
//! query / query_more / query_all, Bulk 2.0 query and insert, CRUD, upsert, describe, composite,
//! collections, limits.
//! A missing `python3` (or `openssl`, for the harness's TLS proxy) is a failure, not a skip.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::path::{Path, PathBuf};

use salesforce_support::*;
use sfdesk_sim::salesforce::SalesforceSeed;
use tokio::process::Command;

const SIMPLE_SALESFORCE: &str = "simple-salesforce==1.12.10";

async fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// The venv's python with the pinned client installed.
async fn python_with_client() -> PathBuf {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let venv = scratch.join("pyclients");
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!("{SIMPLE_SALESFORCE}.installed"));
    if marker.exists() {
        return python;
    }
    let probe = run(Command::new("python3").arg("--version")).await;
    assert!(
        probe.status.success(),
        "python3 is required for the client tests"
    );
    let out = run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).await;
    assert!(
        out.status.success(),
        "venv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        SIMPLE_SALESFORCE,
    ]))
    .await;
    assert!(
        out.status.success(),
        "pip install: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&marker, b"ok").unwrap();
    python
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/simple_salesforce_check.py")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_salesforce_works_unchanged() {
    let python = python_with_client().await;
    let contacts = 450;
    let sim = with(|o| {
        o.seed = SalesforceSeed {
            contacts,
            accounts: 20,
            overlap: 200,
            activities: true,
            ..SalesforceSeed::default()
        }
    })
    .await;
    let out = run(Command::new(python)
        .arg(script())
        .env(
            "SF_INSTANCE_URL",
            sim.instance_url.as_str().trim_end_matches('/'),
        )
        .env("SF_ACCESS_TOKEN", &sim.access_token)
        .env("SF_API_VERSION", &sim.api_version)
        .env("SF_EXPECTED_CONTACTS", contacts.to_string()))
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("OK"),
        "simple-salesforce check failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    // Every call went through the metered API.
    assert!(sim.api_usage().0 > 10);
}
