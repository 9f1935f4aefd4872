//! Query batch cost on a large org (ignored by default; run in release):
//! `cargo test --release -p sfdesk-sim --test salesforce_perf -- --ignored --nocapture`.
//! `SFSIM_PERF_CONTACTS` sets the org size (default 200,000).

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::time::Instant;

use reqwest::Method;
use salesforce_support::*;
use sfdesk_sim::salesforce::SalesforceSeed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run in release"]
async fn a_2000_record_batch_is_cheap() {
    let contacts: usize = std::env::var("SFSIM_PERF_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let started = Instant::now();
    let sim = with(|o| {
        o.seed = SalesforceSeed {
            contacts,
            accounts: 1000,
            overlap: contacts / 2,
            activities: false,
            ..SalesforceSeed::default()
        };
        o.daily_api_requests = 1_000_000;
    })
    .await;
    println!("seeded {contacts} contacts in {:?}", started.elapsed());
    let t = Instant::now();
    let first = query(&sim, "SELECT Id, Name, Email, Account.Name FROM Contact").await;
    assert_eq!(first.status, 200);
    println!("first batch (runs the query): {:?}", t.elapsed());
    let mut next = first.json()["nextRecordsUrl"].as_str().unwrap().to_owned();
    let mut worst = std::time::Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        let r = call(&sim, Method::GET, &next, None).await;
        let took = t.elapsed();
        worst = worst.max(took);
        let body = r.json();
        assert_eq!(body["records"].as_array().unwrap().len(), 2000);
        next = body["nextRecordsUrl"].as_str().unwrap().to_owned();
    }
    println!("worst later batch: {worst:?}");
}
