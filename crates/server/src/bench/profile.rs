//! `sfdesk bench profile`: how fast the sidebar's profile answers, uncached and cached, and how
//! big the widget is.
//!
//! Starts a [`Sandbox`] whose Salesforce simulator answers every call after `sf_latency_ms`,
//! signs in the Desk administrator (full permissions) and asks `GET /api/v1/profile` over real
//! HTTP for a ticket whose requester has a Salesforce profile:
//! - uncached: with `refresh=true`, which skips the server's cache; the Salesforce calls made
//!   per view are read from the simulator's counters. Target: p95 ≤ one Salesforce call's
//!   latency + 30 ms.
//! - cached: one request at a time (p50/p95, target p95 < 5 ms), then a load generator of
//!   `concurrency` keep-alive connections for `load_secs` (target ≥ 5,000 requests/s). The load
//!   generator shares the machine's cores with the server, so the figure is a lower bound.
//! - the widget's `.wasm` gzipped at the default level, in KB of 1,024 bytes, as `cargo xtask`
//!   reports it (target ≤ 100 KB).

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;
use sfdesk_sim::common::{ANY_ENDPOINT, Latency};
use sfdesk_sim::desk::DeskSimHandle;
use sfdesk_sim::salesforce::SalesforceSimHandle;
use url::Url;

use super::stats::percentile_ms;
use crate::salesforce::soql::string_literal;
use crate::sandbox::{Sandbox, SandboxOptions};
use crate::web::widget::widget_wasm;

/// Allowed overhead of an uncached view over one Salesforce call.
const UNCACHED_OVERHEAD_MS: f64 = 30.0;
/// Target p95 of a cached view.
const CACHED_P95_TARGET_MS: f64 = 5.0;
/// Target throughput of cached views.
const CACHED_RPS_TARGET: f64 = 5_000.0;
/// Target size of the widget's WebAssembly, gzipped.
const WASM_GZ_TARGET_KB: f64 = 100.0;

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct ProfileBenchOptions {
    /// Latency the Salesforce simulator adds to every call, ms.
    pub sf_latency_ms: u64,
    /// Uncached views measured.
    pub uncached_rounds: usize,
    /// Cached views measured one at a time.
    pub cached_rounds: usize,
    /// Concurrent connections of the load generator.
    pub concurrency: usize,
    /// How long the load generator runs, seconds.
    pub load_secs: u64,
}

impl Default for ProfileBenchOptions {
    fn default() -> Self {
        Self {
            sf_latency_ms: 50,
            uncached_rounds: 40,
            cached_rounds: 2_000,
            concurrency: 32,
            load_secs: 5,
        }
    }
}

/// The measured values (`--json` prints this object).
#[derive(Debug, Serialize)]
pub struct ProfileBenchReport {
    /// Latency added to each Salesforce call, ms.
    pub sf_latency_ms: f64,
    /// Median uncached view, ms.
    pub uncached_p50_ms: f64,
    /// 95th percentile uncached view, ms.
    pub uncached_p95_ms: f64,
    /// Salesforce API calls per uncached view (from the simulator's counters).
    pub sf_calls_per_view: f64,
    /// Median cached view, ms.
    pub cached_p50_ms: f64,
    /// 95th percentile cached view, ms.
    pub cached_p95_ms: f64,
    /// Cached views per second under load.
    pub cached_rps: f64,
    /// The widget's `.wasm`, gzipped, KB of 1,024 bytes (`null` when the widget was not built).
    pub wasm_gz_kb: Option<f64>,
    /// `uncached_p95_ms` / (`sf_latency_ms` + 30) (≤ 1 meets the target).
    pub uncached_ratio: f64,
    /// `cached_p95_ms` / 5 (≤ 1 meets the target).
    pub cached_p95_ratio: f64,
    /// 5,000 / `cached_rps` (≤ 1 meets the target).
    pub cached_rps_ratio: f64,
    /// `wasm_gz_kb` / 100 (≤ 1 meets the target).
    pub wasm_ratio: Option<f64>,
}

impl ProfileBenchReport {
    /// Human-readable lines: value, target, ratio.
    pub fn lines(&self) -> Vec<String> {
        let uncached_target = self.sf_latency_ms + UNCACHED_OVERHEAD_MS;
        let mut lines = vec![
            format!(
                "uncached view: p50 {:.1} ms, p95 {:.1} ms (target p95 ≤ {uncached_target:.0} ms = \
                 Salesforce latency {:.0} ms + {UNCACHED_OVERHEAD_MS:.0}; ratio {:.2}); \
                 {:.2} Salesforce calls per view",
                self.uncached_p50_ms,
                self.uncached_p95_ms,
                self.sf_latency_ms,
                self.uncached_ratio,
                self.sf_calls_per_view,
            ),
            format!(
                "cached view: p50 {:.2} ms, p95 {:.2} ms (target < {CACHED_P95_TARGET_MS} ms; \
                 ratio {:.2})",
                self.cached_p50_ms, self.cached_p95_ms, self.cached_p95_ratio
            ),
            format!(
                "cached throughput: {:.0} requests/s (target ≥ {CACHED_RPS_TARGET:.0}; ratio {:.2})",
                self.cached_rps, self.cached_rps_ratio
            ),
        ];
        lines.push(match (self.wasm_gz_kb, self.wasm_ratio) {
            (Some(kb), Some(ratio)) => format!(
                "widget wasm: {kb:.1} KB gzipped (target ≤ {WASM_GZ_TARGET_KB:.0} KB; ratio {ratio:.2})"
            ),
            _ => "widget wasm: not built (run `cargo xtask dist` first)".to_owned(),
        });
        lines
    }
}

/// Runs the benchmark.
///
/// # Errors
/// The sandbox does not start, or the profile endpoint fails.
pub async fn run(options: ProfileBenchOptions) -> anyhow::Result<ProfileBenchReport> {
    let sandbox = Sandbox::start(SandboxOptions::default()).await?;
    let admin = sandbox
        .agents()
        .iter()
        .find(|agent| agent.is_admin)
        .context("the Desk org has no administrator")?
        .email
        .clone();
    let token = sandbox.mint_session(&admin).await?;
    let ticket = ticket_with_profile(&sandbox.desk, &sandbox.salesforce)
        .context("no seeded ticket's requester exists in Salesforce")?;
    let url = sandbox.endpoint(&format!("api/v1/profile?ticket_id={ticket}"))?;
    let refresh = sandbox.endpoint(&format!("api/v1/profile?ticket_id={ticket}&refresh=true"))?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .build()?;
    let sf_latency = Duration::from_millis(options.sf_latency_ms);
    sandbox
        .salesforce
        .faults()
        .set_latency(ANY_ENDPOINT, Latency::fixed(sf_latency));

    // Warm up: connections, token, describe caches.
    fetch(&http, &refresh, &token).await?;
    let calls_before = sandbox.salesforce.counters().total().calls;
    let mut uncached = Vec::with_capacity(options.uncached_rounds);
    for _ in 0..options.uncached_rounds {
        uncached.push(fetch(&http, &refresh, &token).await?);
    }
    let sf_calls = sandbox.salesforce.counters().total().calls - calls_before;

    fetch(&http, &url, &token).await?;
    let mut cached = Vec::with_capacity(options.cached_rounds);
    for _ in 0..options.cached_rounds {
        cached.push(fetch(&http, &url, &token).await?);
    }
    let cached_rps = load(&http, &url, &token, options).await?;

    let wasm_gz_kb = widget_wasm().map(|wasm| gzip_len(&wasm) as f64 / 1024.0);
    let sf_latency_ms = sf_latency.as_secs_f64() * 1000.0;
    let uncached_p95_ms = percentile_ms(&uncached, 95.0);
    let cached_p95_ms = percentile_ms(&cached, 95.0);
    Ok(ProfileBenchReport {
        sf_latency_ms,
        uncached_p50_ms: percentile_ms(&uncached, 50.0),
        uncached_p95_ms,
        sf_calls_per_view: sf_calls as f64 / options.uncached_rounds.max(1) as f64,
        cached_p50_ms: percentile_ms(&cached, 50.0),
        cached_p95_ms,
        cached_rps,
        wasm_gz_kb,
        uncached_ratio: uncached_p95_ms / (sf_latency_ms + UNCACHED_OVERHEAD_MS),
        cached_p95_ratio: cached_p95_ms / CACHED_P95_TARGET_MS,
        cached_rps_ratio: CACHED_RPS_TARGET / cached_rps.max(f64::MIN_POSITIVE),
        wasm_ratio: wasm_gz_kb.map(|kb| kb / WASM_GZ_TARGET_KB),
    })
}

/// The id of the first seeded ticket whose requester's email has a Salesforce contact.
fn ticket_with_profile(desk: &DeskSimHandle, salesforce: &SalesforceSimHandle) -> Option<String> {
    let state = desk.state();
    state.tickets().into_iter().find_map(|ticket| {
        let contact = state.contact(ticket.contact_id.as_deref()?)?;
        let soql = format!(
            "SELECT Id FROM Contact WHERE Email = {}",
            string_literal(contact.str("email")?)
        );
        let found = salesforce.query(&soql, false).ok()?;
        (found["totalSize"].as_u64()? > 0).then(|| ticket.id.clone())
    })
}

/// One `GET` with the bearer token; its duration, or an error unless the answer is 200.
async fn fetch(http: &reqwest::Client, url: &Url, token: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = http.get(url.clone()).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        status.is_success(),
        "GET {} answered {status}: {}",
        url.path(),
        String::from_utf8_lossy(&body)
    );
    Ok(elapsed)
}

/// Cached views per second from `concurrency` tasks over `load_secs`.
async fn load(
    http: &reqwest::Client,
    url: &Url,
    token: &str,
    options: ProfileBenchOptions,
) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.load_secs);
    let started = Instant::now();
    let mut workers = Vec::with_capacity(options.concurrency);
    for _ in 0..options.concurrency {
        let (http, url, token, done) = (
            http.clone(),
            url.clone(),
            token.to_owned(),
            Arc::clone(&done),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                fetch(&http, &url, &token).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for worker in workers {
        worker.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// Length of `bytes` gzipped at the default level.
fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().map_or(0, |gz| gz.len())
}
