//! The session routes ([`routes`]):
//!
//! - `GET /auth/desk/start`, `GET /auth/desk/callback`: the sign-in popup (`signin`).
//! - `GET /api/v1/session`: the [`SessionAgent`] of the bearer token (200).
//! - `POST /api/v1/session/refresh`: a new [`SessionGrant`] for a genuine token, expired or
//!   not, while its stored session is live: the agent's Desk refresh token mints an access
//!   token, `/myinfo` is read again and the new token carries the agent's *current* role. A
//!   missing, signed-out or too old session, a refresh token Desk no longer accepts, or an agent
//!   Desk reports as disabled is `401 sign_in_required` (and the stored session is signed out).
//! - `DELETE /api/v1/session`: signs the stored session out (204) and revokes the agent's Desk
//!   refresh token. Tokens already issued verify by signature alone, so they keep working on
//!   other routes until their short expiry (`session.ttl_secs`); they can no longer be
//!   refreshed, and `GET /api/v1/session` refuses them at once.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use sfdesk_shared::session::{SessionAgent, SessionGrant};

use super::extract::{AgentSession, bearer, sign_in_required};
use super::grant::{self, DeskError};
use super::signin;
use super::token::SessionClaims;
use crate::api::error::AppError;
use crate::desk::DeskApi as _;
use crate::state::AppState;
use crate::store::{AgentSession as StoredSession, Installation, StoreError};

/// Every session route, for [`crate::api::router`] to merge.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/desk/start", get(signin::start))
        .route("/auth/desk/callback", get(signin::callback))
        .route("/api/v1/session", get(current).delete(sign_out))
        .route("/api/v1/session/refresh", post(refresh))
}

/// `GET /api/v1/session`: who the token belongs to. The role name is the stored session's when
/// the token carries the same role, else empty (an older token after a role change).
async fn current(
    State(state): State<AppState>,
    AgentSession(claims): AgentSession,
) -> Result<Json<SessionAgent>, AppError> {
    let session = live_session(&state, &claims, Utc::now()).await?;
    let same_role = session.role_id == claims.role_id;
    Ok(Json(SessionAgent {
        agent_id: claims.agent_id,
        name: session.agent_name,
        role_id: claims.role_id,
        role_name: if same_role {
            session.role_name
        } else {
            String::new()
        },
        is_admin: claims.is_admin,
    }))
}

/// `DELETE /api/v1/session`: signs the session out (an expired but genuine token may do it).
async fn sign_out(State(state): State<AppState>, parts: Parts) -> Result<StatusCode, AppError> {
    let claims = genuine_claims(&state, &parts)?;
    let now = Utc::now();
    let stored = state
        .store
        .get_agent_session(claims.installation_id, claims.session_id)
        .await?;
    match state
        .store
        .revoke_agent_session(claims.installation_id, claims.session_id, now)
        .await
    {
        Ok(()) | Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    if let Some(refresh_token) = stored
        .filter(|s| s.revoked_at.is_none())
        .and_then(|s| s.refresh_token)
    {
        revoke_desk_grant(&state, &claims, &refresh_token).await;
    }
    tracing::info!(agent_id = %claims.agent_id, "agent signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/session/refresh`: a new token with the role Desk reports now.
async fn refresh(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Json<SessionGrant>, AppError> {
    let claims = genuine_claims(&state, &parts)?;
    let now = Utc::now();
    let session = live_session(&state, &claims, now).await?;
    let installation = installation(&state, &claims).await?;
    let (agent, rotated) = match reverify(&state, &installation, &session).await {
        Ok(verified) => verified,
        Err(Renewal::Refused(message)) => {
            return Err(end(&state, &installation, &session, &message, now).await);
        }
        Err(Renewal::Error(e)) => return Err(e),
    };
    let recorded = state
        .store
        .verify_agent_session(
            installation.id,
            session.id,
            &agent.role,
            rotated.as_ref(),
            now,
        )
        .await;
    match recorded {
        Ok(()) => {}
        Err(StoreError::NotFound { .. }) => {
            return Err(sign_in_required(
                "the session was signed out; sign in with Zoho Desk again",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(agent_id = %agent.agent_id, role_id = %agent.role.role_id, "session renewed");
    Ok(Json(grant::issue(
        &state,
        &installation,
        session.id,
        &agent,
        now,
    )))
}

/// Why a renewal did not get a verified agent.
enum Renewal {
    /// Desk refused the grant, or the agent may not use sfdesk now: sign in again.
    Refused(String),
    /// Anything else (Desk unreachable, configuration): the session stays, the caller may
    /// retry.
    Error(AppError),
}

/// Desk's current word on the agent of `session` (through its refresh token), and the rotated
/// refresh token if Zoho issued one.
async fn reverify(
    state: &AppState,
    installation: &Installation,
    session: &StoredSession,
) -> Result<(grant::DeskAgent, Option<SecretString>), Renewal> {
    let refresh_token = session
        .refresh_token
        .as_ref()
        .ok_or_else(|| Renewal::Refused("this session cannot be renewed".to_owned()))?;
    let config_error = |e: crate::connections::ConnectionError| {
        Renewal::Error(AppError::Unavailable(format!(
            "Zoho Desk sign-in is not configured: {e}"
        )))
    };
    let tokens = state
        .connections
        .desk_oauth(installation)
        .map_err(config_error)?
        .refresh(refresh_token)
        .await
        .map_err(|e| desk_failure(&e, "Zoho no longer accepts this sign-in"))?;
    let me = state
        .connections
        .desk_as_agent(installation, tokens.access_token)
        .map_err(config_error)?
        .myinfo()
        .await
        .map_err(|e| desk_failure(&e, "Zoho Desk did not confirm your agent account"))?;
    let agent = grant::admit(&me).map_err(Renewal::Refused)?;
    if agent.agent_id != session.agent_id {
        return Err(Renewal::Refused(
            "Zoho Desk names another agent for this session".to_owned(),
        ));
    }
    Ok((agent, tokens.refresh_token))
}

/// Ends a session Desk no longer vouches for; the error that tells the widget to sign in.
async fn end(
    state: &AppState,
    installation: &Installation,
    session: &StoredSession,
    reason: &str,
    now: DateTime<Utc>,
) -> AppError {
    if let Err(e) = state
        .store
        .revoke_agent_session(installation.id, session.id, now)
        .await
    {
        tracing::warn!(error = %e, "cannot record the end of a refused session");
    }
    tracing::info!(agent_id = %session.agent_id, reason, "session renewal refused");
    sign_in_required(format!("{reason}; sign in with Zoho Desk again"))
}

fn desk_failure(error: &crate::desk::Error, context: &str) -> Renewal {
    match grant::classify(error, context) {
        DeskError::Refused(message) => Renewal::Refused(message),
        DeskError::Unreachable(message) => Renewal::Error(AppError::Unavailable(message)),
        DeskError::Failed(message) => Renewal::Error(AppError::Upstream(message)),
    }
}

/// The claims of the request's bearer token if our signature is on it, expired or not.
fn genuine_claims(state: &AppState, parts: &Parts) -> Result<SessionClaims, AppError> {
    let token = bearer(parts)
        .ok_or_else(|| sign_in_required("sign in with Zoho Desk: no session token was sent"))?;
    state
        .sessions
        .verify_signature(token)
        .map_err(|e| sign_in_required(format!("{e}; sign in with Zoho Desk again")))
}

/// The stored session of `claims` if it is not signed out and not past its maximum age.
async fn live_session(
    state: &AppState,
    claims: &SessionClaims,
    now: DateTime<Utc>,
) -> Result<StoredSession, AppError> {
    let session = state
        .store
        .get_agent_session(claims.installation_id, claims.session_id)
        .await?
        .filter(|s| s.agent_id == claims.agent_id)
        .ok_or_else(|| sign_in_required("this session is unknown; sign in with Zoho Desk again"))?;
    if session.revoked_at.is_some() {
        return Err(sign_in_required(
            "this session was signed out; sign in with Zoho Desk again",
        ));
    }
    if session.expires_at <= now {
        return Err(sign_in_required(
            "this session is too old to renew; sign in with Zoho Desk again",
        ));
    }
    Ok(session)
}

/// The installation of `claims`.
async fn installation(state: &AppState, claims: &SessionClaims) -> Result<Installation, AppError> {
    state
        .store
        .get_installation(claims.installation_id)
        .await?
        .ok_or_else(|| {
            sign_in_required("sfdesk is no longer installed for this Zoho Desk organisation")
        })
}

/// Revokes the agent's Desk refresh token at Zoho; a failure is logged, not returned (the
/// stored session is already signed out, so the token is never used again).
async fn revoke_desk_grant(state: &AppState, claims: &SessionClaims, refresh_token: &SecretString) {
    let Ok(Some(installation)) = state.store.get_installation(claims.installation_id).await else {
        return;
    };
    let result = match state.connections.desk_oauth(&installation) {
        Ok(oauth) => oauth.revoke(refresh_token).await,
        Err(e) => {
            tracing::warn!(error = %e, "cannot revoke the agent's Desk grant at sign-out");
            return;
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "revoking the agent's Desk grant at sign-out failed");
    }
}
