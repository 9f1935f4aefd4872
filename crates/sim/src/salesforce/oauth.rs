//! OAuth 2.0 endpoints (`/services/oauth2/authorize`, `/token`, `/revoke`, `/userinfo`) and the
//! identity URL (`/id/00D…/005…`).
//!
//! Token bodies follow section 1 of the API notes: no `expires_in`, `issued_at` in epoch
//! milliseconds as a string, `signature` = Base64(HMAC-SHA256(client_secret, id + issued_at)).
//! Access tokens live [`SalesforceSimOptions::session_timeout`](super::SalesforceSimOptions) on
//! the simulated clock. The authorize endpoint approves at once (no login page) and redirects
//! to `redirect_uri?code=…&state=…`; a `code_challenge` without method is S256.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::errors::{Reply, oauth_error};
use super::sim::{CodeGrant, Ctx, Db, RefreshGrant};
use super::soql::Dataset;

/// A live access token.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) user_id: String,
    pub(crate) expires_at: DateTime<Utc>,
    /// The refresh token it came from (revoking that one ends this session too).
    pub(crate) refresh: Option<String>,
}

fn random(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn timeout(ctx: &Ctx) -> TimeDelta {
    TimeDelta::from_std(ctx.options.session_timeout).unwrap_or(TimeDelta::hours(2))
}

/// Mints an access token for `user_id`.
pub(crate) fn issue_access(ctx: &Ctx, db: &mut Db, user_id: &str, refresh: Option<&str>) -> String {
    let org15 = ctx.org_id.get(..15).unwrap_or(&ctx.org_id);
    let token = format!("{org15}!AQ{}", random(96));
    db.sessions.insert(
        token.clone(),
        Session {
            user_id: user_id.to_owned(),
            expires_at: ctx.clock.now() + timeout(ctx),
            refresh: refresh.map(str::to_owned),
        },
    );
    token
}

/// Mints a refresh token for `user_id`.
pub(crate) fn issue_refresh(ctx: &Ctx, db: &mut Db, user_id: &str, scope: &str) -> String {
    let token = format!("5Aep861{}", random(80));
    db.refresh.insert(
        token.clone(),
        RefreshGrant {
            client_id: ctx.options.client_id.clone(),
            user_id: user_id.to_owned(),
            scope: scope.to_owned(),
        },
    );
    token
}

/// The user of a live session, extending it when sessions slide.
pub(crate) fn session_user(
    ctx: &Ctx,
    db: &mut Db,
    token: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    let session = db.sessions.get_mut(token)?;
    if session.expires_at <= now {
        db.sessions.remove(token);
        return None;
    }
    if ctx.options.switches.sliding_sessions {
        session.expires_at = now + timeout(ctx);
    }
    Some(session.user_id.clone())
}

/// Base64(HMAC-SHA256(key = client_secret, msg = id + issued_at)).
#[must_use]
pub fn signature(client_secret: &str, id: &str, issued_at: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn token_body(ctx: &Ctx, access: &str, refresh: Option<&str>, user: &str, scope: &str) -> Value {
    let id = ctx.identity_url(user);
    let issued_at = ctx.clock.now().timestamp_millis().to_string();
    let mut map = Map::new();
    map.insert("access_token".to_owned(), json!(access));
    if let Some(r) = refresh {
        map.insert("refresh_token".to_owned(), json!(r));
    }
    map.insert(
        "signature".to_owned(),
        json!(signature(&ctx.options.client_secret, &id, &issued_at)),
    );
    map.insert("scope".to_owned(), json!(scope));
    map.insert("instance_url".to_owned(), json!(ctx.instance));
    map.insert("id".to_owned(), json!(id));
    map.insert("token_type".to_owned(), json!("Bearer"));
    map.insert("issued_at".to_owned(), json!(issued_at));
    Value::Object(map)
}

fn form(query: Option<&str>) -> Map<String, Value> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// The query-string and form-body parameters together (a body value wins).
fn query_and_form(query: Option<&str>, body: &[u8]) -> Map<String, Value> {
    let mut params = form(query);
    params.extend(form(std::str::from_utf8(body).ok()));
    params
}

fn get<'a>(params: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    params
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// `GET|POST /services/oauth2/authorize`: auto-approves and redirects with a code.
pub(crate) async fn authorize(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let params = query_and_form(q.as_deref(), &body);
    if get(&params, "client_id") != Some(ctx.options.client_id.as_str()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_id",
            "client identifier invalid",
        )
        .into_response();
    }
    let Some(redirect_uri) = get(&params, "redirect_uri").map(str::to_owned) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri_missing",
            "redirect_uri must be provided",
        )
        .into_response();
    };
    if !ctx.options.redirect_uris.is_empty() && !ctx.options.redirect_uris.contains(&redirect_uri) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        )
        .into_response();
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let state = get(&params, "state").map(str::to_owned);
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    if get(&params, "response_type") != Some("code") {
        let mut location = format!(
            "{redirect_uri}{separator}error=unsupported_response_type&error_description=response%20type%20not%20supported"
        );
        if let Some(s) = &state {
            location.push_str(&format!("&state={}", encode(s)));
        }
        return Redirect::to(&location).into_response();
    }
    let challenge = get(&params, "code_challenge").map(|c| {
        // A challenge without a method is S256.
        let method = get(&params, "code_challenge_method")
            .unwrap_or("S256")
            .to_owned();
        (c.to_owned(), method)
    });
    let code = format!("aPrx{}", random(60));
    let user = ctx.integration_user.clone();
    let scope = get(&params, "scope")
        .unwrap_or("api refresh_token")
        .replace('+', " ");
    let mut db = ctx.db();
    db.codes.insert(
        code.clone(),
        CodeGrant {
            client_id: ctx.options.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            challenge,
            scope,
            user_id: user,
            expires_at: ctx.clock.now() + TimeDelta::minutes(15),
        },
    );
    drop(db);
    let mut location = format!("{redirect_uri}{separator}code={}", encode(&code));
    if let Some(s) = &state {
        location.push_str(&format!("&state={}", encode(s)));
    }
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `POST /services/oauth2/token`.
pub(crate) async fn token(
    State(ctx): State<Arc<Ctx>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    ctx.counters.record_call("POST /services/oauth2/token");
    let mut params = query_and_form(q.as_deref(), &body);
    if let Some((id, secret)) = basic_credentials(&headers) {
        params.entry("client_id").or_insert(json!(id));
        params.entry("client_secret").or_insert(json!(secret));
    }
    token_reply(&ctx, &params).into_response()
}

fn token_reply(ctx: &Ctx, params: &Map<String, Value>) -> Reply {
    let bad =
        |error: &str, description: &str| oauth_error(StatusCode::BAD_REQUEST, error, description);
    let client_id = get(params, "client_id");
    let secret = get(params, "client_secret");
    let grant = get(params, "grant_type").unwrap_or_default();
    if !matches!(
        grant,
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        return bad("unsupported_grant_type", "grant type not supported");
    }
    if client_id != Some(ctx.options.client_id.as_str()) {
        return bad("invalid_client_id", "client identifier invalid");
    }
    if secret.is_some_and(|s| s != ctx.options.client_secret) {
        return bad("invalid_client", "invalid client credentials");
    }
    let mut db = ctx.db();
    match grant {
        "authorization_code" => {
            let Some(code) = get(params, "code") else {
                return bad("invalid_grant", "authentication failure");
            };
            let Some(grant) = db.codes.remove(code) else {
                return bad("invalid_grant", "invalid authorization code");
            };
            if grant.client_id != ctx.options.client_id || grant.expires_at <= ctx.clock.now() {
                return bad("invalid_grant", "expired authorization code");
            }
            if get(params, "redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad(
                    "redirect_uri_mismatch",
                    "redirect_uri must match configuration",
                );
            }
            match (&grant.challenge, get(params, "code_verifier")) {
                (Some((challenge, method)), Some(verifier)) => {
                    let computed = if method.eq_ignore_ascii_case("plain") {
                        verifier.to_owned()
                    } else {
                        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
                    };
                    if &computed != challenge {
                        return bad("invalid_grant", "invalid code verifier");
                    }
                }
                (Some(_), None) => return bad("invalid_grant", "invalid code verifier"),
                (None, _) if secret.is_none() => {
                    return bad("invalid_client", "invalid client credentials");
                }
                (None, _) => {}
            }
            let wants_refresh = grant
                .scope
                .split([' ', ','])
                .any(|s| matches!(s, "refresh_token" | "offline_access" | "full"));
            let refresh =
                wants_refresh.then(|| issue_refresh(ctx, &mut db, &grant.user_id, &grant.scope));
            let access = issue_access(ctx, &mut db, &grant.user_id, refresh.as_deref());
            Reply::json(
                StatusCode::OK,
                token_body(
                    ctx,
                    &access,
                    refresh.as_deref(),
                    &grant.user_id,
                    &grant.scope,
                ),
            )
        }
        "refresh_token" => {
            let Some(old) = get(params, "refresh_token") else {
                return bad("invalid_grant", "expired access/refresh token");
            };
            let Some(grant) = db.refresh.get(old).cloned() else {
                return bad("invalid_grant", "expired access/refresh token");
            };
            if grant.client_id != ctx.options.client_id {
                return bad("invalid_grant", "expired access/refresh token");
            }
            let new_refresh = if ctx.options.refresh_token_rotation {
                db.refresh.remove(old);
                Some(issue_refresh(ctx, &mut db, &grant.user_id, &grant.scope))
            } else {
                None
            };
            let parent = new_refresh.clone().unwrap_or_else(|| old.to_owned());
            let access = issue_access(ctx, &mut db, &grant.user_id, Some(&parent));
            Reply::json(
                StatusCode::OK,
                token_body(
                    ctx,
                    &access,
                    new_refresh.as_deref(),
                    &grant.user_id,
                    &grant.scope,
                ),
            )
        }
        _ => {
            if !ctx.options.my_domain {
                return bad("invalid_grant", "request not supported on this domain");
            }
            if secret.is_none() {
                return bad("invalid_client", "invalid client credentials");
            }
            let user = ctx.integration_user.clone();
            let access = issue_access(ctx, &mut db, &user, None);
            Reply::json(StatusCode::OK, token_body(ctx, &access, None, &user, "api"))
        }
    }
}

/// `POST|GET /services/oauth2/revoke` (`token=`): ends an access token, or a refresh token and
/// every session minted from it.
pub(crate) async fn revoke(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let params = query_and_form(q.as_deref(), &body);
    let Some(token) = get(&params, "token").map(str::to_owned) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            "this token type is not supported",
        )
        .into_response();
    };
    let mut db = ctx.db();
    let access = db.sessions.remove(&token).is_some();
    let refresh = db.refresh.remove(&token).is_some();
    if refresh {
        db.sessions
            .retain(|_, s| s.refresh.as_deref() != Some(token.as_str()));
    }
    if access || refresh {
        StatusCode::OK.into_response()
    } else {
        oauth_error(StatusCode::BAD_REQUEST, "invalid_token", "invalid token").into_response()
    }
}

fn bearer_user(ctx: &Ctx, headers: &HeaderMap, q: Option<&str>) -> Option<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim().to_owned())
        .or_else(|| get(&form(q), "oauth_token").map(str::to_owned))?;
    let now = ctx.clock.now();
    let mut db = ctx.db();
    session_user(ctx, &mut db, &token, now)
}

fn user_info(ctx: &Ctx, user: &str) -> Value {
    let db = ctx.db();
    let record = db.store.record("User", user).unwrap_or_default();
    let field = |k: &str| record.get(k).cloned().unwrap_or(Value::Null);
    let base = format!("{}/services/data/v{{version}}/", ctx.instance);
    json!({
        "id": ctx.identity_url(user),
        "asserted_user": true,
        "user_id": user,
        "organization_id": ctx.org_id,
        "username": field("Username"),
        "nick_name": field("Username"),
        "display_name": field("Name"),
        "email": field("Email"),
        "email_verified": true,
        "first_name": field("FirstName"),
        "last_name": field("LastName"),
        "timezone": "GMT",
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": field("LastModifiedDate"),
        "is_app_installed": true,
        "urls": {
            "enterprise": format!("{}/services/Soap/c/{{version}}/{}", ctx.instance, ctx.org_id),
            "partner": format!("{}/services/Soap/u/{{version}}/{}", ctx.instance, ctx.org_id),
            "rest": base,
            "sobjects": format!("{base}sobjects/"),
            "query": format!("{base}query/"),
            "limits": format!("{base}limits/"),
            "profile": format!("{}/{user}", ctx.instance),
        },
    })
}

/// `GET /id/{org}/{user}`: the identity document (needs a bearer token).
pub(crate) async fn identity(
    State(ctx): State<Arc<Ctx>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if bearer_user(&ctx, &headers, q.as_deref()).is_none() {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    }
    if org != ctx.org_id || ctx.db().store.get("User", &user).is_none() {
        return (StatusCode::NOT_FOUND, "Bad_Id").into_response();
    }
    Reply::json(StatusCode::OK, user_info(&ctx, &user)).into_response()
}

/// `GET /services/oauth2/userinfo`.
pub(crate) async fn userinfo(
    State(ctx): State<Arc<Ctx>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    match bearer_user(&ctx, &headers, q.as_deref()) {
        Some(user) => {
            let mut info = user_info(&ctx, &user);
            info["sub"] = json!(ctx.identity_url(&user));
            Reply::json(StatusCode::OK, info).into_response()
        }
        None => (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response(),
    }
}
