//! Helpers shared by the `desk_*` integration tests: spawning a simulator, calling its API over
//! real HTTP, and a local webhook receiver.

// Test-only helpers: a failed set-up step should panic loudly, like the tests using them.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use reqwest::Response;
use serde_json::Value;
use sfdesk_sim::common::{ServedRouter, serve};
use sfdesk_sim::desk::{DeskSeed, DeskSim, DeskSimHandle, DeskSimOptions};

/// A client that neither follows redirects nor uses a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A simulator with default options.
pub async fn sim() -> DeskSimHandle {
    DeskSim::spawn(DeskSimOptions::default()).await.unwrap()
}

/// A simulator with `seed`, default options otherwise.
pub async fn sim_seeded(seed: DeskSeed) -> DeskSimHandle {
    sim_with(DeskSimOptions {
        seed,
        ..DeskSimOptions::default()
    })
    .await
}

/// A simulator with custom options.
pub async fn sim_with(options: DeskSimOptions) -> DeskSimHandle {
    DeskSim::spawn(options).await.unwrap()
}

/// Full URL of an API path such as `contacts?from=1`.
pub fn url(sim: &DeskSimHandle, path: &str) -> String {
    format!("{}{}", sim.api_base(), path.trim_start_matches('/'))
}

/// An authenticated request builder (`Zoho-oauthtoken` + `orgId`).
pub fn req(
    sim: &DeskSimHandle,
    method: Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    client()
        .request(method, url(sim, path))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .header("orgId", &sim.org_id)
}

/// `GET path` as the admin.
pub async fn get(sim: &DeskSimHandle, path: &str) -> Response {
    req(sim, Method::GET, path, &sim.access_token)
        .send()
        .await
        .unwrap()
}

/// `POST path` with a JSON body as the admin.
pub async fn post(sim: &DeskSimHandle, path: &str, body: &Value) -> Response {
    req(sim, Method::POST, path, &sim.access_token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// `PATCH path` with a JSON body as the admin.
pub async fn patch(sim: &DeskSimHandle, path: &str, body: &Value) -> Response {
    req(sim, Method::PATCH, path, &sim.access_token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Status and JSON body (`Value::Null` for an empty body).
pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, body)
}

/// Sends `request` and returns its status and JSON body, as [`json`].
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    json(request.send().await.unwrap()).await
}

/// One request seen by the [`Receiver`].
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct ReceiverState {
    seen: Vec<Seen>,
    get_status: Option<u16>,
    post_statuses: VecDeque<u16>,
    default_post: Option<u16>,
}

/// A local webhook endpoint recording every request.
pub struct Receiver {
    state: Arc<Mutex<ReceiverState>>,
    server: ServedRouter,
}

impl Receiver {
    /// Answers GET with `get_status` and POST with `post_status` (200 unless told otherwise).
    pub async fn start(get_status: u16, post_status: u16) -> Self {
        let state = Arc::new(Mutex::new(ReceiverState {
            get_status: Some(get_status),
            default_post: Some(post_status),
            ..ReceiverState::default()
        }));
        let router = Router::new()
            .route("/hook", any(receive))
            .with_state(state.clone());
        let server = serve(router).await.unwrap();
        Self { state, server }
    }

    /// The endpoint URL.
    pub fn url(&self) -> String {
        format!("{}hook", self.server.base_url())
    }

    /// Answers the next POSTs with these statuses, then with the default.
    pub fn queue_post_statuses(&self, statuses: &[u16]) {
        self.state.lock().unwrap().post_statuses.extend(statuses);
    }

    /// Sets the default POST status.
    pub fn set_post_status(&self, status: u16) {
        self.state.lock().unwrap().default_post = Some(status);
    }

    /// Everything received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Forgets what was received.
    pub fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    /// The POSTs with a body (deliveries), parsed.
    pub fn deliveries(&self) -> Vec<(HeaderMap, Value)> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == Method::POST && !s.body.is_empty())
            .map(|s| (s.headers, serde_json::from_slice(&s.body).unwrap()))
            .collect()
    }

    /// Waits until at least `n` deliveries arrived (panics after 10 s).
    pub async fn wait_for_deliveries(&self, n: usize) -> Vec<(HeaderMap, Value)> {
        for _ in 0..200 {
            let d = self.deliveries();
            if d.len() >= n {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.deliveries());
    }
}

async fn receive(
    State(state): State<Arc<Mutex<ReceiverState>>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut s = state.lock().unwrap();
    let status = if method == Method::GET {
        s.get_status.unwrap_or(200)
    } else if body.is_empty() {
        // The handshake POST: bodiless.
        s.default_post.unwrap_or(200)
    } else {
        s.post_statuses
            .pop_front()
            .or(s.default_post)
            .unwrap_or(200)
    };
    s.seen.push(Seen {
        method,
        headers,
        body,
    });
    StatusCode::from_u16(status).unwrap()
}
