//! Agent sign-in and sessions over real HTTP: the sfdesk server of a [`Sandbox`], its Desk
//! simulator's consent and accounts server, a browser played by hand (redirects not followed,
//! the nonce cookie carried explicitly).
//!
//! Covered: the whole popup flow for each seeded agent, the redirect's scope/state/cookie, the
//! popup page's CSP and message; forged, expired, signed-out and too-old tokens; renewal
//! picking up a role changed in Desk and refusing a disabled agent; login-CSRF protections
//! (missing, foreign or reused cookie, tampered state, a state of one installation finished
//! with another's cookie, an agent of one org signing in to another installation); the
//! `accounts-server` of the callback being ignored; HTML error pages for bad starts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/log_buffer.rs"]
mod log_buffer;

use log_buffer::LogBuffer;

use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use secrecy::ExposeSecret as _;
use serde_json::Value;
use sfdesk_server::config::Config;
use sfdesk_server::crypto::Cipher;
use sfdesk_server::sandbox::{Sandbox, SandboxOptions};
use sfdesk_server::session::{SessionClaims, SessionSigner};
use sfdesk_server::store::{AgentSession, InstallationStatus, NewInstallation, SyncDirection};
use sfdesk_shared::error::ErrorBody;
use sfdesk_shared::session::{
    CODE_SESSION_EXPIRED, CODE_SIGN_IN_REQUIRED, MESSAGE_SESSION, MESSAGE_SESSION_ERROR,
    SessionAgent, SessionGrant,
};
use url::Url;

const SUPPORT: &str = "Support Agent";

/// A browser that does not follow redirects (each hop is checked) and keeps no cookies.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::default()).await.unwrap()
}

async fn sandbox_with(configure: fn(&mut Config)) -> Sandbox {
    Sandbox::start(SandboxOptions {
        configure,
        ..SandboxOptions::default()
    })
    .await
    .unwrap()
}

fn email_of(sandbox: &Sandbox, role_name: &str) -> String {
    sandbox
        .agents()
        .iter()
        .find(|a| a.role_name == role_name)
        .unwrap()
        .email
        .clone()
}

/// A started sign-in: the consent URL we were sent to and the nonce cookie we were given.
struct Started {
    consent: Url,
    set_cookie: String,
    cookie: String,
}

async fn start(sandbox: &Sandbox, org_id: &str, login_hint: Option<&str>) -> Started {
    let mut url = sandbox.endpoint("auth/desk/start").unwrap();
    url.query_pairs_mut().append_pair("org_id", org_id);
    if let Some(hint) = login_hint {
        url.query_pairs_mut().append_pair("login_hint", hint);
    }
    let response = browser().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let headers = response.headers();
    let set_cookie = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let consent = Url::parse(headers[header::LOCATION].to_str().unwrap()).unwrap();
    Started {
        consent,
        set_cookie,
        cookie,
    }
}

/// Zoho's consent (the simulator approves at once): the callback URL it sends the browser to.
async fn consent(started: &Started) -> Url {
    let response = browser().get(started.consent.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "the consent approves");
    Url::parse(response.headers()[header::LOCATION].to_str().unwrap()).unwrap()
}

/// The popup page the callback answers.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    /// The message the page posts to its opener.
    fn message(&self) -> Value {
        let (_, rest) = self
            .body
            .split_once("var m=")
            .expect("the page posts a message");
        let (literal, _) = rest.split_once(";var o=").unwrap();
        serde_json::from_str(literal).unwrap()
    }

    /// The page's `postMessage` target origin.
    fn target_origin(&self) -> String {
        let (_, rest) = self.body.split_once(";var o=").unwrap();
        let (literal, _) = rest.split_once(";var c=").unwrap();
        serde_json::from_str(literal).unwrap()
    }

    fn grant(&self) -> SessionGrant {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        let message = self.message();
        assert_eq!(message["type"], MESSAGE_SESSION);
        serde_json::from_value(message).unwrap()
    }

    /// Asserts a refusal with `status` and returns the message shown.
    fn refused(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let message = self.message();
        assert_eq!(message["type"], MESSAGE_SESSION_ERROR);
        assert!(message.get("token").is_none());
        assert!(!self.body.contains("sfd1."), "no token on an error page");
        message["message"].as_str().unwrap().to_owned()
    }
}

async fn page(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

async fn callback(url: Url, cookie: Option<&str>) -> Page {
    let mut request = browser().get(url);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    page(request.send().await.unwrap()).await
}

/// The whole popup for the agent with `email`.
async fn sign_in(sandbox: &Sandbox, email: &str) -> SessionGrant {
    let started = start(sandbox, &sandbox.desk.org_id, Some(email)).await;
    let back = consent(&started).await;
    callback(back, Some(&started.cookie)).await.grant()
}

async fn session(sandbox: &Sandbox, token: &str) -> reqwest::Response {
    browser()
        .get(sandbox.endpoint("api/v1/session").unwrap())
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn refresh(sandbox: &Sandbox, token: &str) -> reqwest::Response {
    browser()
        .post(sandbox.endpoint("api/v1/session/refresh").unwrap())
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn sign_out(sandbox: &Sandbox, token: &str) -> StatusCode {
    browser()
        .delete(sandbox.endpoint("api/v1/session").unwrap())
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Asserts a 401 with `code`.
async fn unauthorized(response: reqwest::Response, code: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, code, "{}", body.message);
}

/// The claims of a token that verifies now.
fn live_claims(sandbox: &Sandbox, token: &str) -> SessionClaims {
    sandbox.state.sessions.verify(token, Utc::now()).unwrap()
}

/// The stored session behind `claims`.
async fn stored_session(sandbox: &Sandbox, claims: &SessionClaims) -> AgentSession {
    sandbox
        .state
        .store
        .get_agent_session(sandbox.installation.id, claims.session_id)
        .await
        .unwrap()
        .unwrap()
}

/// The same session's token, expired a minute ago.
fn expired(sandbox: &Sandbox, token: &str) -> String {
    let mut claims = sandbox.state.sessions.verify_signature(token).unwrap();
    claims.expires_at = (Utc::now() - TimeDelta::minutes(1)).timestamp();
    sandbox.state.sessions.sign(&claims)
}

#[tokio::test]
async fn each_agent_signs_in_with_their_desk_role() {
    let sandbox = sandbox().await;
    assert_eq!(sandbox.agents().len(), 3);
    for agent in sandbox.agents() {
        let grant = sign_in(&sandbox, &agent.email).await;
        let expected = SessionAgent {
            agent_id: agent.agent_id.clone(),
            name: agent.name.clone(),
            role_id: agent.role_id.clone(),
            role_name: agent.role_name.clone(),
            is_admin: agent.is_admin,
        };
        assert_eq!(grant.agent, expected);
        let claims = live_claims(&sandbox, &grant.token);
        assert_eq!(claims.installation_id, sandbox.installation.id);
        let expires = chrono::DateTime::parse_from_rfc3339(&grant.expires_at).unwrap();
        assert_eq!(expires.timestamp(), claims.expires_at);

        let response = session(&sandbox, &grant.token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<SessionAgent>().await.unwrap(), expected);

        let stored = stored_session(&sandbox, &claims).await;
        assert!(
            stored.refresh_token.is_some(),
            "the Desk grant is kept to renew"
        );
        assert!(stored.expires_at > Utc::now() + TimeDelta::hours(11));
    }
}

#[tokio::test]
async fn the_start_asks_for_myinfo_only_and_binds_the_browser() {
    let sandbox = sandbox().await;
    let started = start(&sandbox, &sandbox.desk.org_id, Some("x@example.com")).await;
    let consent = &started.consent;
    assert_eq!(consent.origin(), sandbox.desk.accounts_url.origin());
    assert_eq!(consent.path(), "/oauth/v2/auth");
    let q = |k: &str| {
        consent
            .query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("scope").as_deref(), Some("Desk.basic.READ"));
    assert_eq!(q("login_hint").as_deref(), Some("x@example.com"));
    assert_eq!(
        q("redirect_uri").as_deref(),
        Some(sandbox.endpoint("auth/desk/callback").unwrap().as_str())
    );
    let state = q("state").unwrap();
    let nonce = started.cookie.strip_prefix("sfdesk_sign_in=").unwrap();
    assert!(nonce.len() >= 40, "a 256-bit nonce");
    assert!(
        !state.contains(nonce),
        "the state carries only the nonce's hash"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/auth/desk", "Max-Age=600"] {
        assert!(
            started.set_cookie.contains(attribute),
            "{}",
            started.set_cookie
        );
    }
    assert!(
        !started.set_cookie.contains("Secure"),
        "plain http in tests"
    );
}

#[tokio::test]
async fn the_popup_page_is_locked_down_and_posts_to_our_origin_only() {
    let sandbox = sandbox().await;
    let email = email_of(&sandbox, SUPPORT);
    let started = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    let back = consent(&started).await;
    let page = callback(back, Some(&started.cookie)).await;
    let grant = page.grant();
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.starts_with("default-src 'none'; script-src 'nonce-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
    assert!(page.headers.get(header::LOCATION).is_none());
    let cleared = page.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("sfdesk_sign_in=;") && cleared.contains("Max-Age=0"));
    let origin = sandbox.url.origin().ascii_serialization();
    assert_eq!(page.target_origin(), origin);
    assert!(grant.token.starts_with("sfd1."));
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let sandbox = sandbox().await;
    let grant = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;

    // The payload edited to claim admin, the signature kept.
    let (signed, tag) = grant.token.rsplit_once('.').unwrap();
    let payload = signed.strip_prefix("sfd1.").unwrap();
    let json = String::from_utf8(B64.decode(payload).unwrap()).unwrap();
    let promoted = json.replace("\"adm\":false", "\"adm\":true");
    assert_ne!(json, promoted);
    let edited = format!("sfd1.{}.{tag}", B64.encode(promoted));

    // Genuine-looking claims signed under another key.
    let claims = sandbox
        .state
        .sessions
        .verify_signature(&grant.token)
        .unwrap();
    let other =
        SessionSigner::new(&Cipher::from_base64_key(&Cipher::generate_base64_key()).unwrap());
    let foreign = other.sign(&SessionClaims {
        is_admin: true,
        ..claims
    });

    for token in [edited.as_str(), &foreign, "garbage", "sfd1.e30.AAAA"] {
        unauthorized(session(&sandbox, token).await, CODE_SIGN_IN_REQUIRED).await;
        unauthorized(refresh(&sandbox, token).await, CODE_SIGN_IN_REQUIRED).await;
        assert_eq!(sign_out(&sandbox, token).await, StatusCode::UNAUTHORIZED);
    }
    let missing = browser()
        .post(sandbox.endpoint("api/v1/session/refresh").unwrap())
        .send()
        .await
        .unwrap();
    unauthorized(missing, CODE_SIGN_IN_REQUIRED).await;
    // The genuine token still works.
    assert_eq!(
        session(&sandbox, &grant.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn expired_tokens_renew_through_the_stored_session() {
    let sandbox = sandbox().await;
    let grant = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;
    let old = expired(&sandbox, &grant.token);
    unauthorized(session(&sandbox, &old).await, CODE_SESSION_EXPIRED).await;

    let response = refresh(&sandbox, &old).await;
    assert_eq!(response.status(), StatusCode::OK);
    let renewed: SessionGrant = response.json().await.unwrap();
    assert_eq!(renewed.agent, grant.agent);
    let before = sandbox
        .state
        .sessions
        .verify_signature(&grant.token)
        .unwrap();
    let after = live_claims(&sandbox, &renewed.token);
    assert_eq!(
        after.session_id, before.session_id,
        "the same stored session"
    );
    let response = session(&sandbox, &renewed.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<SessionAgent>().await.unwrap(), grant.agent);
}

#[tokio::test]
async fn renewal_carries_the_role_desk_reports_now() {
    let sandbox = sandbox().await;
    let email = email_of(&sandbox, SUPPORT);
    let grant = sign_in(&sandbox, &email).await;
    let light = sandbox
        .agents()
        .iter()
        .find(|a| a.role_name == "Light Agent")
        .unwrap()
        .clone();
    assert!(sandbox.desk.update_agent(&email, |a| {
        a.role_id.clone_from(&light.role_id);
        a.role_permission_type = "Light".to_owned();
    }));
    let demoted: SessionGrant = refresh(&sandbox, &grant.token).await.json().await.unwrap();
    assert_eq!(demoted.agent.role_id, light.role_id);
    assert_eq!(demoted.agent.role_name, "Light Agent");
    assert!(!demoted.agent.is_admin);
    let claims = live_claims(&sandbox, &demoted.token);
    assert_eq!(claims.role_id, light.role_id);
    let shown: SessionAgent = session(&sandbox, &demoted.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown, demoted.agent);

    // Promoted to administrator in Desk: the next token may use the admin API.
    let admin = sandbox
        .agents()
        .iter()
        .find(|a| a.is_admin)
        .unwrap()
        .clone();
    sandbox.desk.update_agent(&email, |a| {
        a.role_id.clone_from(&admin.role_id);
        a.role_permission_type = "Admin".to_owned();
    });
    let promoted: SessionGrant = refresh(&sandbox, &demoted.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(promoted.agent.is_admin);
    assert_eq!(promoted.agent.role_id, admin.role_id);
    assert!(live_claims(&sandbox, &promoted.token).is_admin);
}

#[tokio::test]
async fn disabled_agents_can_neither_renew_nor_sign_in() {
    let sandbox = sandbox().await;
    let email = email_of(&sandbox, SUPPORT);
    let grant = sign_in(&sandbox, &email).await;
    sandbox
        .desk
        .update_agent(&email, |a| a.status = "DISABLED".to_owned());
    unauthorized(refresh(&sandbox, &grant.token).await, CODE_SIGN_IN_REQUIRED).await;
    // The stored session was ended: re-enabling the agent does not revive it.
    sandbox
        .desk
        .update_agent(&email, |a| a.status = "ACTIVE".to_owned());
    unauthorized(refresh(&sandbox, &grant.token).await, CODE_SIGN_IN_REQUIRED).await;

    sandbox
        .desk
        .update_agent(&email, |a| a.status = "DISABLED".to_owned());
    let started = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    let back = consent(&started).await;
    let message = callback(back, Some(&started.cookie))
        .await
        .refused(StatusCode::FORBIDDEN);
    assert!(message.contains("not active"), "{message}");
}

#[tokio::test]
async fn signed_out_sessions_cannot_renew() {
    let sandbox = sandbox().await;
    let grant = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;
    let claims = live_claims(&sandbox, &grant.token);
    let stored = stored_session(&sandbox, &claims).await;

    assert_eq!(
        sign_out(&sandbox, &grant.token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sign_out(&sandbox, &grant.token).await,
        StatusCode::NO_CONTENT,
        "signing out twice is fine"
    );
    unauthorized(refresh(&sandbox, &grant.token).await, CODE_SIGN_IN_REQUIRED).await;
    unauthorized(
        refresh(&sandbox, &expired(&sandbox, &grant.token)).await,
        CODE_SIGN_IN_REQUIRED,
    )
    .await;
    unauthorized(session(&sandbox, &grant.token).await, CODE_SIGN_IN_REQUIRED).await;
    // The agent's Desk grant was revoked at Zoho as well.
    let oauth = sandbox
        .state
        .connections
        .desk_oauth(&sandbox.installation)
        .unwrap();
    assert!(oauth.refresh(&stored.refresh_token.unwrap()).await.is_err());
}

#[tokio::test]
async fn sessions_past_their_maximum_age_cannot_renew() {
    let sandbox = sandbox_with(|config| config.session.max_age_secs = 0).await;
    let grant = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;
    unauthorized(refresh(&sandbox, &grant.token).await, CODE_SIGN_IN_REQUIRED).await;
}

#[tokio::test]
async fn short_token_lifetimes_come_from_the_configuration() {
    let sandbox = sandbox_with(|config| config.session.ttl_secs = 2).await;
    let grant = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;
    let claims = sandbox
        .state
        .sessions
        .verify_signature(&grant.token)
        .unwrap();
    assert!(claims.expires_at <= Utc::now().timestamp() + 2);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    unauthorized(session(&sandbox, &grant.token).await, CODE_SESSION_EXPIRED).await;
    let renewed: SessionGrant = refresh(&sandbox, &grant.token).await.json().await.unwrap();
    assert_eq!(
        session(&sandbox, &renewed.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_callback_needs_the_browser_that_started_it() {
    let sandbox = sandbox().await;
    let email = email_of(&sandbox, SUPPORT);
    let started = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    let back = consent(&started).await;

    // Missing cookie, someone else's cookie: refused before the code is spent.
    callback(back.clone(), None)
        .await
        .refused(StatusCode::BAD_REQUEST);
    let other = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    callback(back.clone(), Some(&other.cookie))
        .await
        .refused(StatusCode::BAD_REQUEST);

    // A tampered state: refused.
    let mut tampered = back.clone();
    let pairs: Vec<(String, String)> = back
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                let (signed, tag) = v.rsplit_once('.').unwrap();
                let mut payload = B64.decode(signed.strip_prefix("sfs1.").unwrap()).unwrap();
                let json = String::from_utf8(payload.clone()).unwrap();
                payload = json.replace("\"exp\":", "\"exp\":9").into_bytes();
                format!("sfs1.{}.{tag}", B64.encode(payload))
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    callback(tampered, Some(&started.cookie))
        .await
        .refused(StatusCode::BAD_REQUEST);

    // The genuine pair still works (nothing above spent the code)…
    let page = callback(back.clone(), Some(&started.cookie)).await;
    page.grant();
    // …once: the code is spent and the browser's cookie was cleared.
    callback(back.clone(), Some(&started.cookie))
        .await
        .refused(StatusCode::FORBIDDEN);
    callback(back, None).await.refused(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_state_of_one_installation_does_not_sign_in_to_another() {
    let sandbox = sandbox().await;
    let email = email_of(&sandbox, SUPPORT);
    let now = Utc::now();
    let other = sandbox
        .state
        .store
        .create_installation(
            &NewInstallation {
                desk_org_id: "99887766".to_owned(),
                desk_data_centre: "us".to_owned(),
                salesforce_org_id: None,
                salesforce_instance_url: None,
                sync_direction: SyncDirection::TwoWay,
            },
            now,
        )
        .await
        .unwrap();
    sandbox
        .state
        .store
        .set_installation_status(other.id, InstallationStatus::Active, now)
        .await
        .unwrap();

    // The same browser starts A, then B: B's cookie replaced A's, so A's state is refused.
    let for_a = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    let for_b = start(&sandbox, "99887766", Some(&email)).await;
    let back_a = consent(&for_a).await;
    callback(back_a.clone(), Some(&for_b.cookie))
        .await
        .refused(StatusCode::BAD_REQUEST);

    // B's own flow: Desk says the agent is not in B's org (the `orgId` header check).
    let back_b = consent(&for_b).await;
    let message = callback(back_b, Some(&for_b.cookie))
        .await
        .refused(StatusCode::FORBIDDEN);
    assert!(
        message.contains("not an agent of this Zoho Desk organisation"),
        "{message}"
    );

    // A's state with A's cookie still signs in to A only.
    let grant = callback(back_a, Some(&for_a.cookie)).await.grant();
    let claims = live_claims(&sandbox, &grant.token);
    assert_eq!(claims.installation_id, sandbox.installation.id);
}

#[tokio::test]
async fn the_accounts_server_named_by_the_callback_is_ignored() {
    let sandbox = sandbox().await;
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_url = format!("http://{}", trap.local_addr().unwrap());
    let started = start(
        &sandbox,
        &sandbox.desk.org_id,
        Some(&email_of(&sandbox, SUPPORT)),
    )
    .await;
    let back = consent(&started).await;
    let pairs: Vec<(String, String)> = back
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "accounts-server" {
                trap_url.clone()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut redirected = back.clone();
    redirected.query_pairs_mut().clear().extend_pairs(pairs);
    assert!(
        redirected
            .as_str()
            .contains("accounts-server=http%3A%2F%2F127.0.0.1")
    );
    callback(redirected, Some(&started.cookie)).await.grant();
    let contacted = tokio::time::timeout(Duration::from_millis(200), trap.accept()).await;
    assert!(
        contacted.is_err(),
        "the code was never sent to the named host"
    );
}

#[tokio::test]
async fn bad_starts_answer_html_pages() {
    let sandbox = sandbox().await;
    let cases = [
        ("", StatusCode::BAD_REQUEST),
        ("org_id=", StatusCode::BAD_REQUEST),
        ("org_id=abc", StatusCode::BAD_REQUEST),
        ("org_id=1%3Cscript%3E", StatusCode::BAD_REQUEST),
        ("org_id=12345", StatusCode::NOT_FOUND),
        (
            &format!("org_id={}&login_hint=a%20b%40c", sandbox.desk.org_id),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (query, status) in cases {
        let mut url = sandbox.endpoint("auth/desk/start").unwrap();
        url.set_query(Some(query));
        let page = page(browser().get(url).send().await.unwrap()).await;
        let message = page.refused(status);
        assert!(!message.is_empty());
        assert!(page.headers.get(header::SET_COOKIE).is_none(), "{query}");
    }
}

#[tokio::test]
async fn a_refused_consent_is_explained_and_escaped() {
    let sandbox = sandbox().await;
    let mut url = sandbox.endpoint("auth/desk/callback").unwrap();
    url.query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("state", "whatever");
    let message = callback(url, None).await.refused(StatusCode::FORBIDDEN);
    assert!(message.contains("access_denied"), "{message}");

    let mut url = sandbox.endpoint("auth/desk/callback").unwrap();
    url.query_pairs_mut()
        .append_pair("error", "</script><script>alert(1)</script>");
    let page = callback(url, None).await;
    let message = page.refused(StatusCode::FORBIDDEN);
    assert!(
        message.contains("<script>alert(1)"),
        "the message arrives intact"
    );
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
}

#[tokio::test]
async fn while_paused_only_administrators_sign_in() {
    let sandbox = sandbox().await;
    let running = sign_in(&sandbox, &email_of(&sandbox, SUPPORT)).await;
    sandbox
        .state
        .store
        .set_installation_status(
            sandbox.installation.id,
            InstallationStatus::Paused,
            Utc::now(),
        )
        .await
        .unwrap();
    let email = email_of(&sandbox, SUPPORT);
    let started = start(&sandbox, &sandbox.desk.org_id, Some(&email)).await;
    let back = consent(&started).await;
    let message = callback(back, Some(&started.cookie))
        .await
        .refused(StatusCode::FORBIDDEN);
    assert!(message.contains("paused"), "{message}");

    let admin = sandbox
        .agents()
        .iter()
        .find(|a| a.is_admin)
        .unwrap()
        .clone();
    assert!(sign_in(&sandbox, &admin.email).await.agent.is_admin);
    // A pause does not end sessions that were running: they still renew.
    assert_eq!(
        refresh(&sandbox, &running.token).await.status(),
        StatusCode::OK
    );
}

// ----- logs ------------------------------------------------------------------------------------

/// A global subscriber interested in every event, so no callsite is cached as disabled by
/// another test's thread before the capture below registers.
fn init_tracing() {
    static INIT: LazyLock<()> = LazyLock::new(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::sink)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    LazyLock::force(&INIT);
}

/// Current-thread runtime: `set_default` is per thread, and server and simulators run on it.
#[tokio::test(flavor = "current_thread")]
async fn no_code_token_or_nonce_reaches_the_logs() {
    init_tracing();
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox().await;
    let started = start(
        &sandbox,
        &sandbox.desk.org_id,
        Some(&email_of(&sandbox, SUPPORT)),
    )
    .await;
    let back = consent(&started).await;
    let param = |k: &str| {
        back.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let mut secrets = vec![
        param("code"),
        param("state"),
        started.cookie.split_once('=').unwrap().1.to_owned(),
    ];
    callback(back.clone(), None)
        .await
        .refused(StatusCode::BAD_REQUEST);
    let grant = callback(back, Some(&started.cookie)).await.grant();
    let claims = live_claims(&sandbox, &grant.token);
    let stored = stored_session(&sandbox, &claims).await;
    secrets.push(stored.refresh_token.unwrap().expose_secret().to_owned());
    let renewed: SessionGrant = refresh(&sandbox, &expired(&sandbox, &grant.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        sign_out(&sandbox, &renewed.token).await,
        StatusCode::NO_CONTENT
    );
    secrets.extend([grant.token, renewed.token]);

    let logs = buffer.text();
    assert!(logs.contains("agent signed in with Desk"), "{logs}");
    assert!(logs.contains("session renewed"));
    for secret in &secrets {
        assert!(secret.len() > 20);
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs");
    }
}
