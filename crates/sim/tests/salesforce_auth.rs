//! Salesforce simulator over real HTTP: OAuth web-server flow with PKCE, refresh with rotation,
//! client credentials per host kind, expiry and revocation, the identity URL.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use salesforce_support::*;
use serde_json::{Value, json};
use sfdesk_sim::salesforce::{SalesforceSimHandle, signature};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://localhost:9/callback";

async fn token(sim: &SalesforceSimHandle, form: &[(&str, &str)]) -> (u16, Value) {
    let url = sim.login_url.join("services/oauth2/token").unwrap();
    let r = client().post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// Redeems an authorization `code` with its PKCE `verifier`.
async fn redeem(sim: &SalesforceSimHandle, code: &str, verifier: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &sim.client_id),
        ("client_secret", &sim.client_secret),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ];
    token(sim, &form).await
}

/// The refresh-token grant with the simulator's client.
async fn refresh(sim: &SalesforceSimHandle, refresh_token: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &sim.client_id),
        ("client_secret", &sim.client_secret),
    ];
    token(sim, &form).await
}

/// The client-credentials grant.
async fn client_credentials(
    sim: &SalesforceSimHandle,
    client_id: &str,
    client_secret: &str,
) -> (u16, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", client_secret),
    ];
    token(sim, &form).await
}

async fn authorize(sim: &SalesforceSimHandle, challenge: Option<&str>) -> String {
    let url = sim.login_url.join("services/oauth2/authorize").unwrap();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", sim.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "api refresh_token"),
        ("state", "st-1"),
    ];
    if let Some(c) = challenge {
        // No code_challenge_method: S256 is implied.
        params.push(("code_challenge", c));
    }
    let r = client().get(url).query(&params).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let q: HashMap<String, String> = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["state"], "st-1");
    q["code"].clone()
}

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn web_server_flow_with_pkce_and_token_body_shape() {
    let sim = empty_sim().await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-more-entropy";
    let challenge = challenge_of(verifier);

    // Wrong verifier: invalid_grant, and the code is spent.
    let code = authorize(&sim, Some(&challenge)).await;
    let (status, body) = redeem(&sim, &code, "not-the-verifier").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    let code = authorize(&sim, Some(&challenge)).await;
    let (status, body) = redeem(&sim, &code, verifier).await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "refresh_token",
            "signature",
            "scope",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ]
    );
    assert!(body.get("expires_in").is_none());
    let issued_at = body["issued_at"].as_str().unwrap();
    assert_eq!(issued_at.len(), 13);
    let id = body["id"].as_str().unwrap();
    assert!(
        id.ends_with(&format!("/{}/{}", sim.org_id, sim.user_id)),
        "{id}"
    );
    assert_eq!(
        body["signature"],
        signature(&sim.client_secret, id, issued_at)
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["instance_url"],
        sim.instance_url.as_str().trim_end_matches('/')
    );
    let access = body["access_token"].as_str().unwrap();
    assert!(access.starts_with(&sim.org_id[..15]));

    // The token works on the API and on the identity URL.
    let r = call_with(&sim, Method::GET, "limits", None, access, &[]).await;
    assert_eq!(r.status, 200);
    let r = client().get(id).bearer_auth(access).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let identity: Value = r.json().await.unwrap();
    assert_eq!(identity["user_id"], sim.user_id.as_str());
    assert_eq!(identity["organization_id"], sim.org_id.as_str());

    // A code is single-use.
    let (status, body) = redeem(&sim, &code, verifier).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn refresh_without_and_with_rotation() {
    let sim = empty_sim().await;
    let (status, body) = refresh(&sim, &sim.refresh_token).await;
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none(), "no rotation: {body}");

    let sim = with(|o| {
        o.refresh_token_rotation = true;
        o.seed = sfdesk_sim::salesforce::SalesforceSeed::empty();
    })
    .await;
    let old = sim.refresh_token.clone();
    let (status, body) = refresh(&sim, &old).await;
    assert_eq!(status, 200);
    let new = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let (status, body) = refresh(&sim, &old).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
    );
    assert_eq!(refresh(&sim, &new).await.0, 200);
}

#[tokio::test]
async fn client_credentials_only_on_my_domain() {
    let my_domain = empty_sim().await;
    let (status, body) =
        client_credentials(&my_domain, &my_domain.client_id, &my_domain.client_secret).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());

    let generic = with(|o| {
        o.my_domain = false;
        o.seed = sfdesk_sim::salesforce::SalesforceSeed::empty();
    })
    .await;
    let (status, body) =
        client_credentials(&generic, &generic.client_id, &generic.client_secret).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "request not supported on this domain"})
    );

    // Bad secret / unknown client / unknown grant.
    let (status, body) = client_credentials(&my_domain, &my_domain.client_id, "nope").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (_, body) = client_credentials(&my_domain, "nope", "nope").await;
    assert_eq!(body["error"], "invalid_client_id");
    let (_, body) = token(&my_domain, &[("grant_type", "password")]).await;
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn expiry_revocation_and_bad_tokens_answer_invalid_session() {
    let sim = with(|o| {
        o.session_timeout = Duration::from_secs(600);
        o.seed = sfdesk_sim::salesforce::SalesforceSeed::empty();
    })
    .await;
    let expected =
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]);
    assert_eq!(get(&sim, "limits").await.status, 200);
    sim.advance_clock(Duration::from_secs(601));
    let r = get(&sim, "limits").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), expected);

    let token = sim.mint_token(&sim.user_id);
    assert_eq!(
        call_with(&sim, Method::GET, "limits", None, &token, &[])
            .await
            .status,
        200
    );
    let url = sim.login_url.join("services/oauth2/revoke").unwrap();
    let r = client()
        .post(url)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = call_with(&sim, Method::GET, "limits", None, &token, &[]).await;
    assert_eq!((r.status.as_u16(), r.json()), (401, expected.clone()));
    let r = call_with(&sim, Method::GET, "limits", None, "garbage", &[]).await;
    assert_eq!((r.status.as_u16(), r.json()), (401, expected.clone()));
    let r = client()
        .get(sim.api_base().join("limits").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn token_form_may_arrive_chunked() {
    let sim = empty_sim().await;
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        sim.client_id, sim.client_secret
    );
    // A raw HTTP/1.1 request with a chunked body (no Content-Length).
    let mut chunked = String::new();
    for chunk in body.as_bytes().chunks(7) {
        chunked.push_str(&format!(
            "{:x}\r\n{}\r\n",
            chunk.len(),
            std::str::from_utf8(chunk).unwrap()
        ));
    }
    chunked.push_str("0\r\n\r\n");
    let host = sim.login_url.host_str().unwrap().to_owned();
    let port = sim.login_url.port().unwrap();
    let request = format!(
        "POST /services/oauth2/token HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunked}"
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("access_token"));
}
