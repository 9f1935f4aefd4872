//! Shared helpers of the Salesforce simulator tests: spawning, an HTTP client, JSON calls.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sfdesk_sim::salesforce::{
    SalesforceSeed, SalesforceSim, SalesforceSimHandle, SalesforceSimOptions,
};

/// A plain client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A simulator with the default seed.
pub async fn sim() -> SalesforceSimHandle {
    SalesforceSim::spawn(SalesforceSimOptions::default())
        .await
        .unwrap()
}

/// A simulator with no data besides the users.
pub async fn empty_sim() -> SalesforceSimHandle {
    with(|o| o.seed = SalesforceSeed::empty()).await
}

/// A simulator with adjusted options.
pub async fn with(f: impl FnOnce(&mut SalesforceSimOptions)) -> SalesforceSimHandle {
    let mut options = SalesforceSimOptions::default();
    f(&mut options);
    SalesforceSim::spawn(options).await.unwrap()
}

/// A response read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

/// Calls `path` (relative to the API base, or absolute from `/`) with the handle's token.
pub async fn call(
    sim: &SalesforceSimHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    call_with(sim, method, path, body, &sim.access_token, &[]).await
}

pub async fn call_with(
    sim: &SalesforceSimHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
    token: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let url = if let Some(p) = path.strip_prefix('/') {
        sim.instance_url.join(p).unwrap()
    } else {
        sim.api_base().join(path).unwrap()
    };
    let mut req = client().request(method, url).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    Answer {
        status: r.status(),
        headers: r.headers().clone(),
        text: r.text().await.unwrap(),
    }
}

pub async fn get(sim: &SalesforceSimHandle, path: &str) -> Answer {
    call(sim, Method::GET, path, None).await
}

/// `POST path` with a JSON body.
pub async fn post(sim: &SalesforceSimHandle, path: &str, body: Value) -> Answer {
    call(sim, Method::POST, path, Some(body)).await
}

/// `PATCH path` with a JSON body.
pub async fn patch(sim: &SalesforceSimHandle, path: &str, body: Value) -> Answer {
    call(sim, Method::PATCH, path, Some(body)).await
}

/// `DELETE path` (no body).
pub async fn delete(sim: &SalesforceSimHandle, path: &str) -> Answer {
    call(sim, Method::DELETE, path, None).await
}

/// `GET query?q=…` with the SOQL URL-encoded.
pub async fn query(sim: &SalesforceSimHandle, soql: &str) -> Answer {
    let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    get(sim, &format!("query?q={q}")).await
}
