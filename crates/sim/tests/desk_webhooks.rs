//! Desk simulator webhooks over real HTTP: subscription validation handshake, batched delivery
//! with `prevState`, the `X-ZDesk-JWT` signature against the served JWKS, retries, 410, and
//! `ignoreSourceId`.

mod desk_support;

use std::time::Duration;

use axum::http::Method;
use desk_support::*;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::{Value, json};
use sfdesk_sim::desk::{DeskSimHandle, DeskSimOptions, DeskSwitches, Module};

const SOURCE_ID: &str = "6f1c2d4e-9a4b-4c1e-8d2f-0a1b2c3d4e5f";

fn fast_retries() -> DeskSimOptions {
    DeskSimOptions {
        switches: DeskSwitches {
            webhook_retry_delays: vec![Duration::from_millis(100), Duration::from_millis(100)],
            ..DeskSwitches::default()
        },
        ..DeskSimOptions::default()
    }
}

fn subscription(url: &str) -> Value {
    json!({
        "name": "sf-sync",
        "url": url,
        "description": "contact+account sync",
        "ignoreSourceId": SOURCE_ID,
        "subscriptions": {
            "Contact_Add": null, "Contact_Update": {"includePrevState": true}, "Contact_Delete": null,
            "Account_Add": null, "Account_Update": {"includePrevState": true}, "Account_Delete": null
        }
    })
}

#[expect(clippy::unwrap_used, reason = "test helper")]
async fn subscribe(sim: &DeskSimHandle, receiver: &Receiver) -> String {
    let (status, hook) = json(post(sim, "webhooks", &subscription(&receiver.url())).await).await;
    assert_eq!(status, 200, "{hook}");
    receiver.clear();
    hook["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_validates_the_url_with_get_then_post() {
    let sim = sim().await;
    // GET is refused, the bodiless POST accepted: the subscription is created.
    let receiver = Receiver::start(405, 200).await;
    let (status, hook) = json(post(&sim, "webhooks", &subscription(&receiver.url())).await).await;
    assert_eq!(status, 200, "{hook}");
    let methods: Vec<Method> = receiver.seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, vec![Method::GET, Method::POST]);
    assert!(receiver.seen().iter().all(|s| s.body.is_empty()));
    assert_eq!(hook["type"], "CUSTOMER_WEBHOOK");
    assert_eq!(hook["isEnabled"], true);
    assert_eq!(hook["ignoreSourceId"], SOURCE_ID);
    let id = hook["id"].as_str().unwrap();
    let (_, listed) = json(get(&sim, "webhooks").await).await;
    assert_eq!(listed["data"][0]["id"], id);

    // Neither answers 200: 422.
    let dead = Receiver::start(500, 500).await;
    let (status, body) = json(post(&sim, "webhooks", &subscription(&dead.url())).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["fieldName"], "/url");
    // A URL change re-validates.
    let (status, _) =
        json(patch(&sim, &format!("webhooks/{id}"), &json!({"url": dead.url()})).await).await;
    assert_eq!(status, 422);
    let (status, patched) = json(
        patch(
            &sim,
            &format!("webhooks/{id}"),
            &json!({"isEnabled": false}),
        )
        .await,
    )
    .await;
    assert_eq!((status, patched["isEnabled"].as_bool()), (200, Some(false)));

    // Required keys.
    let (status, body) = json(post(&sim, "webhooks", &json!({"name": "x"})).await).await;
    assert_eq!(status, 422);
    let missing: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fieldName"].as_str().unwrap())
        .collect();
    assert_eq!(missing, vec!["/url", "/subscriptions"]);

    let r = req(
        &sim,
        Method::DELETE,
        &format!("webhooks/{id}"),
        &sim.access_token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get(&sim, "webhooks").await.status(), 204);
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

#[tokio::test]
async fn deliveries_are_batched_signed_and_carry_prev_state() {
    // A wide batching window so two HTTP calls of a loaded debug build surely fall in it.
    let sim = sim_with(DeskSimOptions {
        webhook_batch_window: Duration::from_millis(750),
        ..DeskSimOptions::default()
    })
    .await;
    let receiver = Receiver::start(200, 200).await;
    let hook_id = subscribe(&sim, &receiver).await;

    // A create and an update within the batching window arrive as one array.
    let (_, created) = json(
        post(
            &sim,
            "contacts",
            &json!({"lastName": "Tywin", "phone": "91020080878"}),
        )
        .await,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, _) = json(
        patch(
            &sim,
            &format!("contacts/{id}"),
            &json!({"phone": "555", "cf": {"cf_sf_id": "003X"}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let deliveries = receiver.wait_for_deliveries(1).await;
    let (headers, body) = &deliveries[0];
    let events = body.as_array().expect("a JSON array");
    assert_eq!(events.len(), 2, "{body}");
    assert_eq!(events[0]["eventType"], "Contact_Add");
    assert!(events[0].get("prevState").is_none());
    assert_eq!(events[1]["eventType"], "Contact_Update");
    assert_eq!(events[1]["orgId"], sim.org_id.as_str());
    assert_eq!(events[1]["payload"]["id"], id.as_str());
    assert_eq!(events[1]["payload"]["phone"], "555");
    assert_eq!(
        events[1]["prevState"],
        json!({"phone": "91020080878", "cf": {"cf_sf_id": null}})
    );
    let event_time = events[1]["eventTime"].as_str().unwrap();
    assert!(
        event_time.parse::<i64>().unwrap() > 1_600_000_000_000,
        "epoch millis as a string"
    );

    // The JWT verifies against the JWKS the simulator serves.
    let jwt = headers["X-ZDesk-JWT"].to_str().unwrap();
    let jwks: JwkSet = client()
        .get(format!("{}.well-known/jwks.json", sim.api_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in the JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[format!("webhookId:{hook_id}")]);
    validation.set_issuer(&[format!("orgId:{}", sim.org_id)]);
    let claims = decode::<Claims>(jwt, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims;
    assert_eq!(claims.iss, format!("orgId:{}", sim.org_id));
    assert_eq!(claims.aud, format!("webhookId:{hook_id}"));
    assert!(
        claims.exp > claims.iat && claims.iat < 100_000_000_000,
        "seconds"
    );
    // A wrong audience does not verify.
    let mut wrong = Validation::new(Algorithm::RS256);
    wrong.set_audience(&["webhookId:1"]);
    assert!(decode::<Claims>(jwt, &DecodingKey::from_jwk(jwk).unwrap(), &wrong).is_err());

    // Trash → Contact_Delete with at least the id.
    receiver.clear();
    let r = post(&sim, "contacts/moveToTrash", &json!({"contactIds": [id]})).await;
    assert_eq!(r.status(), 204);
    let deliveries = receiver.wait_for_deliveries(1).await;
    assert_eq!(deliveries[0].1[0]["eventType"], "Contact_Delete");
    assert_eq!(deliveries[0].1[0]["payload"]["id"], id.as_str());
}

#[tokio::test]
async fn failed_deliveries_are_retried_and_410_unsubscribes() {
    let sim = sim_with(fast_retries()).await;
    let receiver = Receiver::start(200, 200).await;
    let hook_id = subscribe(&sim, &receiver).await;
    receiver.queue_post_statuses(&[500]);
    let account = sim.state().accounts()[0].id.clone();
    sim.state()
        .ui_update(Module::Accounts, &account, json!({"phone": "+49 1"}))
        .unwrap();
    let deliveries = receiver.wait_for_deliveries(2).await;
    assert_eq!(
        deliveries[0].1, deliveries[1].1,
        "the retry resends the same batch"
    );
    assert_eq!(deliveries[0].1[0]["eventType"], "Account_Update");
    let attempts = sim.webhook_attempts();
    assert_eq!(attempts.len(), 2);
    assert_eq!((attempts[0].attempt, attempts[0].status), (1, Some(500)));
    assert_eq!((attempts[1].attempt, attempts[1].status), (2, Some(200)));
    assert_eq!(attempts[1].webhook_id, hook_id);

    // 410 Gone deletes the subscription.
    receiver.set_post_status(410);
    sim.state()
        .ui_update(Module::Accounts, &account, json!({"phone": "+49 2"}))
        .unwrap();
    receiver.wait_for_deliveries(3).await;
    for _ in 0..50 {
        if sim.state().webhooks().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(sim.state().webhooks().is_empty());
    assert_eq!(receiver.deliveries().len(), 3, "no retry after 410");
}

#[tokio::test]
async fn ignore_source_id_suppresses_our_own_changes() {
    let sim = sim().await;
    let receiver = Receiver::start(200, 200).await;
    subscribe(&sim, &receiver).await;
    let contact = sim.state().contacts()[0].id.clone();

    // Our write, tagged with the subscription's ignoreSourceId: not delivered.
    let r = req(
        &sim,
        Method::PATCH,
        &format!("contacts/{contact}"),
        &sim.access_token,
    )
    .header("sourceId", SOURCE_ID)
    .json(&json!({"title": "Ours"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    // An agent's edit in the Desk UI: delivered.
    sim.state()
        .ui_update(Module::Contacts, &contact, json!({"title": "Theirs"}))
        .unwrap();
    let deliveries = receiver.wait_for_deliveries(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let all: Vec<Value> = receiver
        .deliveries()
        .into_iter()
        .flat_map(|(_, b)| b.as_array().unwrap().clone())
        .collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["payload"]["title"], "Theirs");
    assert_eq!(all[0]["prevState"], json!({"title": "Ours"}));
    drop(deliveries);

    // A different source id is delivered.
    let r = req(
        &sim,
        Method::PATCH,
        &format!("contacts/{contact}"),
        &sim.access_token,
    )
    .header("sourceId", "00000000-0000-4000-8000-000000000000")
    .json(&json!({"title": "Other"}))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    receiver.wait_for_deliveries(2).await;
}

#[tokio::test]
async fn editions_without_webhooks_are_refused() {
    let sim = sim_with(DeskSimOptions {
        edition: sfdesk_sim::desk::Edition::Standard,
        ..DeskSimOptions::default()
    })
    .await;
    let receiver = Receiver::start(200, 200).await;
    let (status, body) = json(post(&sim, "webhooks", &subscription(&receiver.url())).await).await;
    assert_eq!(status, 403);
    assert_eq!(body["errorCode"], "LICENSE_ACCESS_LIMITED");
    assert_eq!(body["maxAllowedEntity"], 0);
    assert_eq!(body["editionType"], "STANDARD");
    assert!(receiver.seen().is_empty());
}
