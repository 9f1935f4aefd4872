//! Salesforce simulator over real HTTP: versions, routing, headers, limits, fault injection.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::time::Duration;

use reqwest::Method;
use salesforce_support::*;
use serde_json::json;
use sfdesk_sim::common::{Fault, Latency};
use sfdesk_sim::salesforce::lock_row_fault;

#[tokio::test]
async fn versions_are_public_unmetered_and_old_versions_are_gone() {
    let sim = empty_sim().await;
    let url = sim.instance_url.join("services/data/").unwrap();
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("Sforce-Limit-Info").is_none());
    assert_eq!(
        r.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let list: serde_json::Value = r.json().await.unwrap();
    let last = list.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        json!({"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"})
    );
    assert_eq!(list[0]["version"], "31.0");
    assert_eq!(sim.api_usage().0, 0);

    let r = get(&sim, "/services/data/v30.0/limits").await;
    assert_eq!(r.status, 410);
    let r = get(&sim, "/services/data/v99.0/limits").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn unknown_paths_trailing_slashes_and_content_type() {
    let sim = empty_sim().await;
    let r = get(&sim, "nothing/here").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
    );
    let r = get(&sim, "/not/services").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()[0]["errorCode"], "NOT_FOUND");

    for path in [
        "limits",
        "limits/",
        "sobjects/Contact/",
        "query/?q=SELECT+Id+FROM+Contact",
    ] {
        let r = get(&sim, path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/json;charset=UTF-8"
        );
    }
    // A JSON body with another content type: 415.
    let url = sim.api_base().join("sobjects/Contact").unwrap();
    let r = client()
        .post(url)
        .bearer_auth(&sim.access_token)
        .header("Content-Type", "text/plain")
        .body(r#"{"LastName":"X"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // 414 for a URI over 16,384 bytes.
    let long = "x".repeat(17_000);
    let r = get(&sim, &format!("query?q={long}")).await;
    assert_eq!(r.status, 414);
}

#[tokio::test]
async fn limit_info_header_limits_endpoint_and_daily_allowance() {
    let sim = with(|o| {
        o.daily_api_requests = 5;
        o.seed = sfdesk_sim::salesforce::SalesforceSeed::empty();
    })
    .await;
    let r = get(&sim, "limits").await;
    assert_eq!(r.header("Sforce-Limit-Info").unwrap(), "api-usage=1/5");
    assert_eq!(
        r.json()["DailyApiRequests"],
        json!({"Max": 5, "Remaining": 4})
    );
    let r = get(&sim, "sobjects").await;
    assert_eq!(r.header("Sforce-Limit-Info").unwrap(), "api-usage=2/5");
    for _ in 0..3 {
        assert_eq!(get(&sim, "limits").await.status, 200);
    }
    let r = get(&sim, "limits").await;
    assert_eq!(r.status, 403);
    assert!(r.header("Retry-After").is_none());
    assert_eq!(
        r.json(),
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(sim.api_usage(), (5, 5));
    // The window is rolling: 24 h later it has drained.
    sim.advance_clock(Duration::from_secs(24 * 3600 + 1));
    // The token expired meanwhile (2 h session): mint a fresh one.
    let token = sim.mint_token(&sim.user_id);
    let r = call_with(&sim, Method::GET, "limits", None, &token, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Sforce-Limit-Info").unwrap(), "api-usage=1/5");
}

#[tokio::test]
async fn long_running_requests_are_capped() {
    let sim = with(|o| {
        o.long_request_threshold = Duration::from_millis(150);
        o.max_long_requests = 2;
        o.seed = sfdesk_sim::salesforce::SalesforceSeed::empty();
    })
    .await;
    sim.faults()
        .set_latency("GET /query", Latency::fixed(Duration::from_millis(900)));
    let slow = |sim: &sfdesk_sim::salesforce::SalesforceSimHandle| {
        let url = sim
            .api_base()
            .join("query?q=SELECT+Id+FROM+Contact")
            .unwrap();
        client().get(url).bearer_auth(&sim.access_token).send()
    };
    let a = tokio::spawn(slow(&sim));
    let b = tokio::spawn(slow(&sim));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = get(&sim, "limits").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!([{"message": "ConcurrentPerOrgLongTxn Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(a.await.unwrap().unwrap().status(), 200);
    assert_eq!(b.await.unwrap().unwrap().status(), 200);
    assert_eq!(get(&sim, "limits").await.status, 200);
}

#[tokio::test]
async fn injected_faults_then_success() {
    let sim = sim().await;
    sim.faults().fail_next("GET /query", 1, Fault::ServerError);
    let soql = "SELECT Id FROM Account";
    let r = query(&sim, soql).await;
    assert_eq!(r.status, 503);
    assert_eq!(query(&sim, soql).await.status, 200);
    assert_eq!(sim.counters().get("GET /query").calls, 2);

    sim.faults()
        .fail_next("PATCH /sobjects/{sobject}/{id}", 1, lock_row_fault());
    let id = sim.create("Contact", json!({"LastName": "Lock"})).unwrap();
    let path = format!("sobjects/Contact/{id}");
    let r = patch(&sim, &path, json!({"Title": "x"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["errorCode"], "UNABLE_TO_LOCK_ROW");
    let r = patch(&sim, &path, json!({"Title": "x"})).await;
    assert_eq!(r.status, 204);

    sim.faults().fail_next("*", 1, Fault::RateLimit);
    let r = get(&sim, "limits").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    sim.faults().fail_next("*", 1, Fault::ExpiredToken);
    assert_eq!(get(&sim, "limits").await.status, 401);
    assert_eq!(get(&sim, "limits").await.status, 200);
}
