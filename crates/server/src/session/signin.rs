//! The sign-in popup: Desk OAuth for one agent, ending in a session token for the widget.
//!
//! 1. `GET /auth/desk/start?org_id=…&login_hint=…` finds the installation of the Desk org and
//!    redirects (302) to its data centre's Zoho consent page, asking only for
//!    `Desk.basic.READ` (what `/myinfo` needs). `state` is signed ([`StateSigner`], its own
//!    derived key, 10 minutes) and binds the installation and the hash of a random nonce; the
//!    nonce itself goes into an `HttpOnly; SameSite=Lax` cookie scoped to `/auth/desk`.
//! 2. `GET /auth/desk/callback?code&state…` checks the signature, the expiry and that the
//!    browser holds the state's nonce (so nobody can finish a sign-in someone else started:
//!    login CSRF), exchanges the code at the installation's own accounts host (never the
//!    `accounts-server` the query names), reads `/myinfo` as the agent with the installation's
//!    `orgId` (which proves the agent belongs to that org), admits only active agents, stores
//!    the session with the agent's Desk refresh token and answers the popup page
//!    ([`super::popup`]) that hands the token to the widget.
//!
//! Every answer of these two routes is an HTML page (the popup shows it), never JSON or a
//! stack trace; failures post `sfdesk-session-error` to the widget as well. Codes, tokens and
//! the nonce are never logged.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use secrecy::zeroize::Zeroizing;
use serde::{Deserialize, Serialize};
use sfdesk_shared::session::SessionGrant;
use sha2::{Digest as _, Sha256};
use url::Url;

use super::grant::{self, DeskError};
use super::popup;
use super::token::SessionSigner;
use crate::desk::DeskApi as _;
use crate::state::AppState;
use crate::store::{Installation, InstallationId, NewAgentSession, StoreError};

/// The only scope sign-in asks for: `/myinfo` (doc §2, §10).
pub(crate) const SCOPES: &[&str] = &["Desk.basic.READ"];

/// The cookie holding the sign-in nonce.
const COOKIE: &str = "sfdesk_sign_in";

/// How long a started sign-in may take.
const STATE_TTL_SECS: i64 = 600;

/// Prefix and version of a signed `state`.
const STATE_PREFIX: &str = "sfs1.";

/// The key-derivation purpose of `state` signing keys.
const STATE_PURPOSE: &str = "desk-sign-in-state";

/// What a signed `state` asserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SignInState {
    /// The installation the sign-in is for.
    #[serde(rename = "iid")]
    installation_id: InstallationId,
    /// SHA-256 of the cookie's nonce (base64url), so the state alone reveals no cookie value.
    #[serde(rename = "nh")]
    nonce_hash: String,
    /// Unix seconds after which the state is refused.
    #[serde(rename = "exp")]
    expires_at: i64,
}

/// Signs and verifies `state` values (`sfs1.<base64url JSON>.<base64url HMAC>`).
struct StateSigner {
    key: Zeroizing<[u8; 32]>,
}

impl StateSigner {
    fn new(sessions: &SessionSigner) -> Self {
        Self {
            key: sessions.derive_key(STATE_PURPOSE),
        }
    }

    fn sign(&self, state: &SignInState) -> String {
        // An id, a string and a number always serialize.
        let json = serde_json::to_vec(state).unwrap_or_default();
        let signed = format!("{STATE_PREFIX}{}", B64.encode(json));
        let tag = B64.encode(self.hmac(signed.as_bytes()).finalize().into_bytes());
        format!("{signed}.{tag}")
    }

    /// The state if genuine and not expired at `now`.
    fn verify(&self, value: &str, now: DateTime<Utc>) -> Option<SignInState> {
        let (signed, tag) = value.rsplit_once('.')?;
        let payload = signed.strip_prefix(STATE_PREFIX)?;
        let tag = B64.decode(tag).ok()?;
        self.hmac(signed.as_bytes()).verify_slice(&tag).ok()?;
        let state: SignInState = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
        (now.timestamp() < state.expires_at).then_some(state)
    }

    fn hmac(&self, data: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key.as_ref()).expect("HMAC accepts any key length");
        mac.update(data);
        mac
    }
}

/// Why a sign-in step failed: the popup page's status and the sentence shown to the agent.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn page(&self, origin: &str) -> Response {
        tracing::info!(
            status = self.status.as_u16(),
            reason = %self.message,
            "Desk sign-in refused"
        );
        popup::failure(self.status, &self.message, origin)
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        tracing::error!(error.message = %error, error.cause_chain = ?error, "Desk sign-in failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "sfdesk could not record the sign-in; try again in a moment",
        )
    }
}

impl From<DeskError> for Failure {
    fn from(error: DeskError) -> Self {
        match error {
            DeskError::Refused(message) => Self::new(StatusCode::FORBIDDEN, message),
            DeskError::Unreachable(message) => Self::new(StatusCode::SERVICE_UNAVAILABLE, message),
            DeskError::Failed(message) => Self::new(StatusCode::BAD_GATEWAY, message),
        }
    }
}

/// `GET /auth/desk/start`: redirect to the Desk org's Zoho consent page.
pub(crate) async fn start(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    match begin(&state, raw.as_deref()).await {
        Ok((consent, cookie)) => {
            let mut response = StatusCode::FOUND.into_response();
            let headers = response.headers_mut();
            if let Ok(location) = HeaderValue::from_str(consent.as_str()) {
                headers.insert(header::LOCATION, location);
            }
            if let Ok(cookie) = HeaderValue::from_str(&cookie) {
                headers.insert(header::SET_COOKIE, cookie);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(failure) => failure.page(&origin(&state)),
    }
}

/// `GET /auth/desk/callback`: finish the sign-in and answer the popup page. The nonce cookie
/// is cleared whatever the outcome, so a `state` serves one sign-in.
pub(crate) async fn callback(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let origin = origin(&state);
    let mut response = match finish(&state, raw.as_deref(), &headers).await {
        Ok(grant) => {
            let agent = &grant.agent;
            tracing::info!(
                agent_id = %agent.agent_id,
                role_id = %agent.role_id,
                "agent signed in with Desk"
            );
            popup::success(&grant, &origin)
        }
        Err(failure) => failure.page(&origin),
    };
    if let Ok(clear) = HeaderValue::from_str(&cookie(&state, "", 0)) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

/// The consent URL and the nonce cookie for a sign-in to the org named in the query.
async fn begin(state: &AppState, raw: Option<&str>) -> Result<(Url, String), Failure> {
    let query = parse_query(raw);
    let org_id = query
        .get("org_id")
        .filter(|id| is_org_id(id))
        .ok_or_else(|| {
            Failure::bad("the sign-in link has no valid Zoho Desk organisation id (org_id)")
        })?;
    let login_hint = match query.get("login_hint").map(String::as_str) {
        Some(hint) if !is_login_hint(hint) => {
            return Err(Failure::bad("the sign-in link has an invalid login_hint"));
        }
        hint => hint.filter(|h| !h.is_empty()),
    };
    let installation = state
        .store
        .get_installation_by_desk_org(org_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                format!(
                    "sfdesk is not installed for the Zoho Desk organisation {org_id}; ask your \
                     Desk administrator to install it"
                ),
            )
        })?;
    let nonce = B64.encode(rand::random::<[u8; 32]>());
    let signed = StateSigner::new(&state.sessions).sign(&SignInState {
        installation_id: installation.id,
        nonce_hash: hash(&nonce),
        expires_at: Utc::now().timestamp() + STATE_TTL_SECS,
    });
    let consent = state
        .connections
        .desk_oauth(&installation)
        .map_err(|e| not_configured(&e))?
        .authorization_url(SCOPES, &signed, login_hint)
        .map_err(|e| not_configured(&e))?;
    Ok((consent, cookie(state, &nonce, STATE_TTL_SECS)))
}

/// The grant for a consent Zoho sent back, after every check.
async fn finish(
    state: &AppState,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<SessionGrant, Failure> {
    let query = parse_query(raw);
    if let Some(error) = query.get("error") {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!(
                "Zoho did not grant access ({}); sign in again to use sfdesk",
                short(error)
            ),
        ));
    }
    let now = Utc::now();
    let signed = StateSigner::new(&state.sessions)
        .verify(query.get("state").map_or("", String::as_str), now)
        .ok_or_else(|| {
            Failure::bad("this sign-in link is invalid or has expired; start again from sfdesk")
        })?;
    if nonce_cookie(headers).is_none_or(|nonce| hash(nonce) != signed.nonce_hash) {
        return Err(Failure::bad(
            "this sign-in was not started in this browser window (or it was already used); \
             start again from sfdesk",
        ));
    }
    let installation = state
        .store
        .get_installation(signed.installation_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                "sfdesk is no longer installed for this Zoho Desk organisation",
            )
        })?;
    let code = query
        .get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Failure::bad("Zoho sent no authorization code; start again"))?;
    warn_if_foreign_accounts_server(state, &installation, query.get("accounts-server"));
    let oauth = state
        .connections
        .desk_oauth(&installation)
        .map_err(|e| not_configured(&e))?;
    let tokens = oauth
        .exchange_code(code)
        .await
        .map_err(|e| grant::classify(&e, "Zoho did not accept the sign-in"))?;
    let me = state
        .connections
        .desk_as_agent(&installation, tokens.access_token.clone())
        .map_err(|e| not_configured(&e))?
        .myinfo()
        .await
        .map_err(|e| grant::classify(&e, "Zoho Desk did not confirm your agent account"))?;
    let agent = grant::admit(&me)
        .and_then(|agent| grant::may_sign_in(&agent, &installation).map(|()| agent))
        .map_err(|m| Failure::new(StatusCode::FORBIDDEN, m))?;
    let max_age = i64::try_from(state.config.session.max_age_secs).unwrap_or(i64::MAX);
    let session = state
        .store
        .create_agent_session(
            installation.id,
            &NewAgentSession {
                agent_id: agent.agent_id.clone(),
                agent_name: agent.role.agent_name.clone(),
                role_id: agent.role.role_id.clone(),
                role_name: agent.role.role_name.clone(),
                is_admin: agent.role.is_admin,
                refresh_token: tokens.refresh_token,
                expires_at: now
                    .checked_add_signed(TimeDelta::seconds(max_age))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            },
            now,
        )
        .await?;
    Ok(grant::issue(state, &installation, session.id, &agent, now))
}

/// The server's own origin (`https://sfdesk.example.com`): the only page the popup posts to.
fn origin(state: &AppState) -> String {
    state
        .config
        .server
        .public_url
        .origin()
        .ascii_serialization()
}

/// The nonce cookie's `Set-Cookie` value (`max_age` 0 clears it).
fn cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let public = &state.config.server.public_url;
    let path = format!("{}/auth/desk", public.path().trim_end_matches('/'));
    let secure = if public.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={value}; Max-Age={max_age}; Path={path}; HttpOnly; SameSite=Lax{secure}")
}

/// The nonce the browser sent in our cookie.
fn nonce_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// Logs when Zoho's callback names an accounts host other than the installation's: the code is
/// exchanged at ours regardless, so a forged `accounts-server` cannot redirect it.
fn warn_if_foreign_accounts_server(
    state: &AppState,
    installation: &Installation,
    named: Option<&String>,
) {
    let (Some(named), Ok(ours)) = (named, state.connections.desk_endpoints(installation)) else {
        return;
    };
    let named_origin = Url::parse(named).map(|u| u.origin().ascii_serialization());
    if named_origin.as_deref().ok()
        != Some(ours.accounts_url.origin().ascii_serialization().as_str())
    {
        tracing::warn!(
            accounts_server = %short(named),
            ours = %ours.accounts_url,
            "the Desk callback named another accounts server: ignored, the code goes to ours"
        );
    }
}

fn not_configured(error: &dyn std::error::Error) -> Failure {
    tracing::error!(error.message = %error, "Desk sign-in is not configured");
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "sfdesk is not configured for Zoho Desk sign-in; ask your sfdesk operator",
    )
}

fn parse_query(raw: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// Desk org ids are decimal numbers.
fn is_org_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible email (what Zoho's `login_hint` takes), or empty.
fn is_login_hint(hint: &str) -> bool {
    hint.len() <= 254 && !hint.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// base64url(SHA-256(`value`)).
fn hash(value: &str) -> String {
    B64.encode(Sha256::digest(value.as_bytes()))
}

/// At most 100 characters of a value from the query, without control characters, for
/// messages and logs.
fn short(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::crypto::Cipher;

    fn signer(key: &str) -> StateSigner {
        StateSigner::new(&SessionSigner::new(
            &Cipher::from_base64_key(&SecretString::from(key.to_owned())).expect("key"),
        ))
    }

    const KEY: &str = "c2ZkZXNrLWNvbmZvcm1hbmNlLXRlc3Qta2V5LTMyYiE=";

    #[test]
    fn states_are_signed_bound_and_short_lived() {
        let now = Utc::now();
        let state = SignInState {
            installation_id: InstallationId::new(),
            nonce_hash: hash("n"),
            expires_at: now.timestamp() + STATE_TTL_SECS,
        };
        let value = signer(KEY).sign(&state);
        assert_eq!(signer(KEY).verify(&value, now), Some(state.clone()));
        assert_eq!(
            signer(KEY).verify(&value, now + TimeDelta::seconds(STATE_TTL_SECS)),
            None
        );
        let other = Cipher::generate_base64_key();
        let other = StateSigner::new(&SessionSigner::new(
            &Cipher::from_base64_key(&other).expect("key"),
        ));
        assert_eq!(other.verify(&value, now), None);
        // A session token signed with the same configured key is not a state, and back.
        assert!(!value.starts_with("sfd1."));
        for garbage in ["", "sfs1.", "sfs1.e30.AAAA", "x.y"] {
            assert_eq!(signer(KEY).verify(garbage, now), None, "{garbage}");
        }
    }

    #[test]
    fn query_values_are_validated() {
        assert!(is_org_id("55667788"));
        assert!(!is_org_id(""));
        assert!(!is_org_id("55<script>"));
        assert!(is_login_hint("jade+desk@zylker.com"));
        assert!(!is_login_hint("a b@c"));
    }
}
