//! The Zoho accounts server (doc §2): consent, token exchange, refresh, revoke.
//!
//! The real one is a separate host per data centre (`accounts.zoho.<tld>`); the simulator serves it
//! on the API's listener but hands out `accounts_url` separately so clients keep them apart.
//! - `GET /oauth/v2/auth` auto-approves: it redirects at once to
//!   `redirect_uri?code=…&location=us&accounts-server=…&state=…`. `login_hint=<agent email>` picks
//!   which seeded agent signs in (default: the first administrator).
//! - `POST /oauth/v2/token` (form or query parameters): `authorization_code` (one use, 2 minutes)
//!   and `refresh_token` grants. Failures are **HTTP 200** with `{"error":"invalid_code"}` or
//!   `{"error":"invalid_client"}`, as Zoho does. The refresh answer has no `refresh_token`.
//! - `POST /oauth/v2/token/revoke?token=<refresh token>` revokes it and its access tokens.
//!
//! Access tokens live one hour of simulated time; refresh tokens until revoked, at most 20 per
//! agent and client (the oldest is dropped silently).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::state::Ctx;

/// Lifetime of an access token.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// Refresh tokens kept per agent and client.
const MAX_REFRESH_PER_USER: usize = 20;
/// Lifetime of an authorization code.
const CODE_TTL_SECS: i64 = 120;

/// Every scope the simulator knows; handed to the ready-made tokens.
pub const ALL_SCOPES: &[&str] = &[
    "Desk.contacts.ALL",
    "Desk.search.READ",
    "Desk.tickets.READ",
    "Desk.basic.READ",
    "Desk.settings.ALL",
    "Desk.events.ALL",
    "Desk.extensions.ALL",
];

#[derive(Debug)]
struct Grant {
    agent_id: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    offline: bool,
    expires_at: DateTime<Utc>,
}

/// A live access token.
#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub(crate) agent_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
    refresh: Option<String>,
}

#[derive(Debug)]
struct RefreshToken {
    agent_id: String,
    client_id: String,
    scopes: Vec<String>,
    seq: u64,
}

/// Codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct OAuthDb {
    codes: HashMap<String, Grant>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    seq: u64,
}

fn token_text() -> String {
    format!(
        "1000.{:032x}.{:032x}",
        rand::random::<u128>(),
        rand::random::<u128>()
    )
}

impl OAuthDb {
    /// Mints an access token for `agent_id`.
    pub(crate) fn mint_access(
        &mut self,
        agent_id: &str,
        scopes: &[String],
        now: DateTime<Utc>,
        refresh: Option<&str>,
    ) -> String {
        let token = token_text();
        let ttl = TimeDelta::from_std(ACCESS_TOKEN_TTL).unwrap_or(TimeDelta::hours(1));
        self.access.insert(
            token.clone(),
            AccessToken {
                agent_id: agent_id.to_owned(),
                scopes: scopes.to_vec(),
                expires_at: now + ttl,
                refresh: refresh.map(str::to_owned),
            },
        );
        token
    }

    /// Issues a refresh token, dropping the agent's oldest for this client beyond 20.
    pub(crate) fn issue_refresh(
        &mut self,
        agent_id: &str,
        client_id: &str,
        scopes: &[String],
    ) -> String {
        let mut mine: Vec<(u64, String)> = self
            .refresh
            .iter()
            .filter(|(_, r)| r.agent_id == agent_id && r.client_id == client_id)
            .map(|(t, r)| (r.seq, t.clone()))
            .collect();
        mine.sort();
        while mine.len() >= MAX_REFRESH_PER_USER {
            let (_, oldest) = mine.remove(0);
            self.refresh.remove(&oldest);
        }
        self.seq += 1;
        let token = token_text();
        self.refresh.insert(
            token.clone(),
            RefreshToken {
                agent_id: agent_id.to_owned(),
                client_id: client_id.to_owned(),
                scopes: scopes.to_vec(),
                seq: self.seq,
            },
        );
        token
    }

    /// The access token if it exists and has not expired at `now`.
    pub(crate) fn access(&self, token: &str, now: DateTime<Utc>) -> Option<&AccessToken> {
        self.access.get(token).filter(|t| t.expires_at > now)
    }

    /// Expires an access token at once (for the "expired token" fault used on a specific token).
    pub(crate) fn expire(&mut self, token: &str, now: DateTime<Utc>) -> bool {
        match self.access.get_mut(token) {
            Some(t) => {
                t.expires_at = now;
                true
            }
            None => false,
        }
    }

    fn revoke(&mut self, token: &str) {
        if self.refresh.remove(token).is_some() {
            self.access
                .retain(|_, a| a.refresh.as_deref() != Some(token));
        }
        self.access.remove(token);
    }
}

fn error(kind: &str) -> Response {
    // Zoho answers token errors with HTTP 200 and an `error` key.
    (StatusCode::OK, Json(json!({"error": kind}))).into_response()
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<html><body><p>{text}</p></body></html>"),
    )
        .into_response()
}

fn pairs(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The query-string and form-body parameters of a token call together (a body value wins).
fn query_and_form(raw: Option<String>, body: &[u8]) -> HashMap<String, String> {
    let mut p = pairs(raw.unwrap_or_default().as_bytes());
    p.extend(pairs(body));
    p
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `GET /oauth/v2/auth`: the auto-approving consent page.
pub(crate) async fn authorize(State(ctx): State<Arc<Ctx>>, RawQuery(raw): RawQuery) -> Response {
    let q = pairs(raw.unwrap_or_default().as_bytes());
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if get("response_type") != "code" {
        return page(
            StatusCode::BAD_REQUEST,
            "Invalid response_type: only 'code' is supported.",
        );
    }
    if get("client_id") != ctx.options.client_id {
        return page(StatusCode::BAD_REQUEST, "Invalid Client");
    }
    let redirect_uri = get("redirect_uri");
    let Ok(mut target) = url::Url::parse(redirect_uri) else {
        return page(StatusCode::BAD_REQUEST, "Invalid Redirect Uri");
    };
    if !ctx.options.redirect_uris.is_empty()
        && !ctx.options.redirect_uris.iter().any(|u| u == redirect_uri)
    {
        return page(StatusCode::BAD_REQUEST, "Invalid Redirect Uri");
    }
    let scopes = split_scopes(get("scope"));
    if scopes.is_empty() {
        return page(StatusCode::BAD_REQUEST, "Invalid OAuth Scope");
    }
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let agent_id = match q.get("login_hint") {
        Some(email) => match db
            .agents
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))
        {
            Some(agent) => agent.id.clone(),
            None => return page(StatusCode::BAD_REQUEST, "No such user"),
        },
        None => db.admin_id(),
    };
    let code = token_text();
    db.oauth.codes.insert(
        code.clone(),
        Grant {
            agent_id,
            client_id: get("client_id").to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            offline: get("access_type") == "offline",
            expires_at: now + TimeDelta::seconds(CODE_TTL_SECS),
        },
    );
    drop(db);
    {
        let accounts = ctx.base_url.as_str().trim_end_matches('/').to_owned();
        let mut query = target.query_pairs_mut();
        query.append_pair("code", &code);
        query.append_pair("location", "us");
        query.append_pair("accounts-server", &accounts);
        if let Some(state) = q.get("state") {
            query.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// A token endpoint answer; `refresh_token` only when one was issued.
fn token_answer(access: &str, refresh: Option<String>, api_domain: &str) -> Response {
    let mut answer = json!({"access_token": access});
    if let Some(refresh) = refresh {
        answer["refresh_token"] = Value::String(refresh);
    }
    answer["api_domain"] = json!(api_domain);
    answer["token_type"] = json!("Bearer");
    answer["expires_in"] = json!(ACCESS_TOKEN_TTL.as_secs());
    Json(answer).into_response()
}

/// `POST /oauth/v2/token`.
pub(crate) async fn token(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let p = query_and_form(raw, &body);
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != ctx.options.client_id
        || get("client_secret") != ctx.options.client_secret
    {
        return error("invalid_client");
    }
    let now = ctx.clock.now();
    // Real answers name `https://www.zohoapis.<tld>`, which Desk clients must not use; the
    // simulator names itself so nothing a test does can ever reach a real host.
    let api_domain = ctx.base_url.as_str().trim_end_matches('/').to_owned();
    let mut db = ctx.db();
    match get("grant_type") {
        "authorization_code" => {
            let Some(grant) = db.oauth.codes.remove(get("code")) else {
                return error("invalid_code");
            };
            if grant.expires_at <= now
                || grant.client_id != get("client_id")
                || grant.redirect_uri != get("redirect_uri")
            {
                return error("invalid_code");
            }
            let refresh = grant.offline.then(|| {
                db.oauth
                    .issue_refresh(&grant.agent_id, &grant.client_id, &grant.scopes)
            });
            let access =
                db.oauth
                    .mint_access(&grant.agent_id, &grant.scopes, now, refresh.as_deref());
            token_answer(&access, refresh, &api_domain)
        }
        "refresh_token" => {
            let token = get("refresh_token");
            let Some(r) = db
                .oauth
                .refresh
                .get(token)
                .filter(|r| r.client_id == get("client_id"))
            else {
                return error("invalid_code");
            };
            let (agent, scopes) = (r.agent_id.clone(), r.scopes.clone());
            let access = db.oauth.mint_access(&agent, &scopes, now, Some(token));
            token_answer(&access, None, &api_domain)
        }
        _ => error("unsupported_grant_type"),
    }
}

/// `POST /oauth/v2/token/revoke?token=…`.
pub(crate) async fn revoke(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let p = query_and_form(raw, &body);
    if let Some(token) = p.get("token") {
        ctx.db().oauth.revoke(token);
    }
    Json(json!({"status": "success"})).into_response()
}
