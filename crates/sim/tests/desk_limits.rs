//! Desk simulator over real HTTP: credits and their headers, the daily threshold, the concurrency
//! cap, and fault injection.

mod desk_support;

use std::time::Duration;

use axum::http::Method;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use desk_support::*;
use serde_json::json;
use sfdesk_sim::common::SimClock;
use sfdesk_sim::common::{Fault, Latency};
use sfdesk_sim::desk::{DeskSeed, DeskSimOptions, Edition};

#[expect(clippy::unwrap_used, reason = "test helper")]
fn remaining(r: &reqwest::Response) -> u64 {
    r.headers()["X-Rate-Limit-Remaining-v3"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[expect(clippy::unwrap_used, reason = "test helper")]
fn weight(r: &reqwest::Response) -> u64 {
    r.headers()["X-Rate-Limit-Request-Weight-v3"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn credits_headers_threshold_and_daily_reset() {
    let start: DateTime<Utc> = "2024-03-05T23:00:00Z".parse().unwrap();
    let sim = sim_with(DeskSimOptions {
        edition: Edition::Free,
        clock: Some(SimClock::frozen_at(start)),
        ..DeskSimOptions::default()
    })
    .await;
    assert_eq!(sim.state().daily_credits(), 5_000);
    let id = sim.state().contacts()[0].id.clone();

    let list = get(&sim, "contacts").await;
    assert_eq!(list.status(), 200);
    assert_eq!((weight(&list), remaining(&list)), (3, 4_997));
    let one = get(&sim, &format!("contacts/{id}")).await;
    assert_eq!((weight(&one), remaining(&one)), (1, 4_996));
    assert_eq!(sim.counters().get("GET /api/v1/contacts").credits, 3);
    assert_eq!(sim.counters().get("GET /api/v1/contacts/{id}").calls, 1);

    // Two credits left: a list page (3) is refused, a get (1) is not.
    sim.state().set_credits_used(4_998);
    let r = get(&sim, "contacts").await;
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.headers()["Retry-After"],
        "3600",
        "an hour to the simulated midnight"
    );
    assert_eq!(remaining(&r), 2);
    let (_, body) = json(r).await;
    assert_eq!(body["errorCode"], "THRESHOLD_EXCEEDED");
    assert_eq!(get(&sim, &format!("contacts/{id}")).await.status(), 200);

    // Next simulated day: full budget again.
    sim.advance_clock(Duration::from_secs(3600));
    // The admin token lived exactly that hour: mint a new one.
    let token = sim.token_for(&sim.admin_agent_id).unwrap();
    let r = req(&sim, Method::GET, "contacts", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(remaining(&r), 4_997);
}

#[tokio::test]
async fn concurrency_cap_answers_too_many_requests() {
    let sim = sim_with(DeskSimOptions {
        max_concurrent: Some(2),
        ..DeskSimOptions::default()
    })
    .await;
    sim.faults().set_latency(
        "GET /api/v1/contacts",
        Latency::fixed(Duration::from_millis(1200)),
    );
    let calls = (0..3).map(|i| {
        let r = req(&sim, Method::GET, "contacts", &sim.access_token);
        async move {
            // Stagger so the third arrives while the first two are held.
            tokio::time::sleep(Duration::from_millis(i * 250)).await;
            r.send().await.unwrap()
        }
    });
    let responses = futures_util::future::join_all(calls).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, vec![200, 200, 429]);
    let refused = responses.into_iter().nth(2).unwrap();
    assert!(refused.headers().get("Retry-After").is_none());
    let (_, body) = json(refused).await;
    assert_eq!(body["errorCode"], "TOO_MANY_REQUESTS");
    assert_eq!(sim.in_flight(), 0);
    sim.faults().clear();
    assert_eq!(get(&sim, "contacts").await.status(), 200);
}

#[tokio::test]
async fn injected_faults_fail_next_then_recover() {
    let sim = sim_seeded(DeskSeed::default()).await;
    sim.faults()
        .fail_next("GET /api/v1/contacts", 2, Fault::ServerError);
    for _ in 0..2 {
        let (status, body) = json(get(&sim, "contacts").await).await;
        assert_eq!(
            (status, body["errorCode"].as_str()),
            (500, Some("INTERNAL_SERVER_ERROR"))
        );
    }
    assert_eq!(get(&sim, "contacts").await.status(), 200);
    assert_eq!(sim.counters().get("GET /api/v1/contacts").calls, 3);

    sim.faults().fail_next("*", 1, Fault::ExpiredToken);
    let (status, body) = json(get(&sim, "myinfo").await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (401, Some("INVALID_OAUTH"))
    );

    sim.faults()
        .fail_next("/api/v1/accounts", 1, Fault::RateLimit);
    let r = get(&sim, "accounts").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("Retry-After").is_some());

    sim.faults()
        .fail_next("GET /api/v1/contacts", 1, Fault::DropConnection);
    // The connection closes before any status line: the send itself fails.
    let err = req(&sim, Method::GET, "contacts", &sim.access_token)
        .send()
        .await;
    assert!(
        err.is_err(),
        "a dropped connection must surface as an error"
    );
    assert_eq!(get(&sim, "contacts").await.status(), 200);

    sim.faults().fail_next(
        "POST /api/v1/contacts",
        1,
        Fault::custom(|| {
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"errorCode": "MAINTENANCE"})),
            )
                .into_response()
        }),
    );
    let (status, body) = json(post(&sim, "contacts", &json!({"lastName": "X"})).await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (503, Some("MAINTENANCE"))
    );

    // A short timeout fault: the client gives up first.
    let sim2 = sim_with(DeskSimOptions {
        timeout_fault_delay: Duration::from_secs(3),
        ..DeskSimOptions::default()
    })
    .await;
    sim2.faults()
        .fail_next("GET /api/v1/contacts", 1, Fault::Timeout);
    let r = req(&sim2, Method::GET, "contacts", &sim2.access_token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
}
