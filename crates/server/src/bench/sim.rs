//! `sfdesk bench sim`: how fast the Salesforce simulator serves what the sync engine asks of it,
//! and how much memory a large org costs.
//!
//! Loads an org of `contacts` contacts (default 1,000,000), then over real HTTP on loopback:
//! follows `nextRecordsUrl` through 2,000-record query batches, and writes 200-record sObject
//! Collections. Targets: a 2,000-record batch under 50 ms, the process under 2 GB resident.

use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};
use sfdesk_sim::salesforce::{SalesforceSeed, SalesforceSim, SalesforceSimOptions};
use url::Url;

use super::stats::{percentile_ms, rss_mib};

/// Target for one 2,000-record query batch.
const QUERY_BATCH_TARGET_MS: f64 = 50.0;
/// Target for the simulator's resident memory with a million contacts.
const RSS_TARGET_MB: f64 = 2048.0;
/// Records per sObject Collections call (the API's maximum).
const COLLECTION_SIZE: usize = 200;
/// The query the sync engine's Salesforce reader pages through.
const CONTACT_QUERY: &str = "SELECT Id, FirstName, LastName, Email, Phone, AccountId, \
     SystemModstamp FROM Contact ORDER BY SystemModstamp, Id";

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct SimBenchOptions {
    /// Contacts in the simulated org.
    pub contacts: usize,
    /// Query batches and collection writes measured (each).
    pub rounds: usize,
}

/// The measured values (`--json` prints this object).
#[derive(Debug, Serialize)]
pub struct SimBenchReport {
    /// Contacts loaded.
    pub contacts: usize,
    /// Seconds to generate and load the org.
    pub load_s: f64,
    /// The first page of the query (runs the whole query and sorts it), ms.
    pub query_first_ms: f64,
    /// Median time of one following 2,000-record batch, ms.
    pub query_batch_ms: f64,
    /// 95th percentile of the batch time, ms.
    pub query_batch_p95_ms: f64,
    /// Records per second while paging (2,000 / median batch time).
    pub records_per_s: f64,
    /// Median time of one 200-record Collections create, ms.
    pub collection_write_ms: f64,
    /// Resident memory of the process with the org loaded, MiB.
    pub rss_mb_1m: f64,
    /// `query_batch_ms` / target (≤ 1 meets it).
    pub query_batch_ratio: f64,
    /// `rss_mb_1m` / target (≤ 1 meets it).
    pub rss_ratio: f64,
}

/// Why the benchmark could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SimBenchError {
    /// The simulator could not start.
    #[error("simulator: {0}")]
    Start(#[from] std::io::Error),
    /// An HTTP call failed.
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// A URL the simulator gave does not resolve against its base.
    #[error("URL: {0}")]
    Url(#[from] url::ParseError),
    /// The simulator answered something unexpected.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

/// Runs the benchmark.
///
/// # Errors
/// [`SimBenchError`] when the simulator cannot start or answers unexpectedly.
pub async fn run(options: SimBenchOptions) -> Result<SimBenchReport, SimBenchError> {
    let loading = Instant::now();
    let sim = SalesforceSim::spawn(SalesforceSimOptions {
        seed: SalesforceSeed {
            contacts: options.contacts,
            accounts: (options.contacts / 10).max(1),
            overlap: 0,
            activities: false,
            ..SalesforceSeed::default()
        },
        // Enough allowance for the benchmark's own calls on any org size.
        daily_api_requests: 1_000_000,
        ..SalesforceSimOptions::default()
    })
    .await?;
    let load_s = loading.elapsed().as_secs_f64();
    let rss = rss_mib().unwrap_or(0.0);

    let client = Api {
        http: reqwest::Client::new(),
        instance: sim.instance_url.clone(),
        base: sim.api_base(),
        token: sim.access_token.clone(),
    };

    let first = Instant::now();
    let mut page = client
        .get(client.base.join("query")?.as_str(), &[("q", CONTACT_QUERY)])
        .await?;
    let query_first = first.elapsed();

    let mut batches = Vec::with_capacity(options.rounds);
    while batches.len() < options.rounds {
        let Some(next) = page["nextRecordsUrl"].as_str().map(str::to_owned) else {
            break;
        };
        let started = Instant::now();
        page = client
            .get(client.instance.join(&next)?.as_str(), &[])
            .await?;
        batches.push(started.elapsed());
        let records = page["records"].as_array().map_or(0, Vec::len);
        if records == 0 {
            return Err(SimBenchError::Unexpected(format!(
                "empty batch from {next}"
            )));
        }
    }

    let mut writes = Vec::with_capacity(options.rounds);
    for round in 0..options.rounds {
        let body = collection_body(round);
        let started = Instant::now();
        let rows = client
            .post(client.base.join("composite/sobjects")?.as_str(), &body)
            .await?;
        writes.push(started.elapsed());
        let ok = rows.as_array().is_some_and(|rows| {
            rows.len() == COLLECTION_SIZE && rows.iter().all(|r| r["success"] == true)
        });
        if !ok {
            return Err(SimBenchError::Unexpected(format!(
                "collection write rejected: {rows}"
            )));
        }
    }

    let query_batch_ms = percentile_ms(&batches, 50.0);
    let batch_size = 2_000.0_f64.min(options.contacts as f64);
    Ok(SimBenchReport {
        contacts: options.contacts,
        load_s,
        query_first_ms: query_first.as_secs_f64() * 1000.0,
        query_batch_ms,
        query_batch_p95_ms: percentile_ms(&batches, 95.0),
        records_per_s: if query_batch_ms > 0.0 {
            batch_size / (query_batch_ms / 1000.0)
        } else {
            0.0
        },
        collection_write_ms: percentile_ms(&writes, 50.0),
        rss_mb_1m: rss,
        query_batch_ratio: query_batch_ms / QUERY_BATCH_TARGET_MS,
        rss_ratio: rss / RSS_TARGET_MB,
    })
}

impl SimBenchReport {
    /// Human-readable lines, each value with its target ratio where there is one.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!(
                "org: {} contacts loaded in {:.1} s",
                self.contacts, self.load_s
            ),
            format!(
                "query first page (runs + sorts the query): {:.1} ms",
                self.query_first_ms
            ),
            format!(
                "query batch of 2,000: median {:.1} ms, p95 {:.1} ms  (target < {QUERY_BATCH_TARGET_MS} ms, ratio {:.2})",
                self.query_batch_ms, self.query_batch_p95_ms, self.query_batch_ratio
            ),
            format!("paging rate: {:.0} records/s", self.records_per_s),
            format!(
                "collection write of {COLLECTION_SIZE}: median {:.1} ms",
                self.collection_write_ms
            ),
            format!(
                "resident memory: {:.0} MiB  (target < {RSS_TARGET_MB} MiB, ratio {:.2})",
                self.rss_mb_1m, self.rss_ratio
            ),
        ]
    }
}

/// Authenticated JSON calls to the simulator.
struct Api {
    http: reqwest::Client,
    instance: Url,
    base: Url,
    token: String,
}

impl Api {
    async fn get(&self, url: &str, query: &[(&str, &str)]) -> Result<Value, SimBenchError> {
        let response = self
            .http
            .get(url)
            .query(query)
            .bearer_auth(&self.token)
            .send()
            .await?;
        Self::json(response).await
    }

    async fn post(&self, url: &str, body: &Value) -> Result<Value, SimBenchError> {
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        Self::json(response).await
    }

    async fn json(response: reqwest::Response) -> Result<Value, SimBenchError> {
        let status = response.status();
        let body: Value = response.json().await?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(SimBenchError::Unexpected(format!("{status}: {body}")))
        }
    }
}

/// A 200-contact Collections create; `round` keeps emails unique across rounds.
fn collection_body(round: usize) -> Value {
    let records: Vec<Value> = (0..COLLECTION_SIZE)
        .map(|i| {
            json!({
                "attributes": {"type": "Contact"},
                "FirstName": "Bench",
                "LastName": format!("Writer {round}-{i}"),
                "Email": format!("bench.{round}.{i}@example.com"),
            })
        })
        .collect();
    json!({"allOrNone": false, "records": records})
}
