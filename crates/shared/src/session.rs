//! Agent sessions: how the widget proves which Desk agent is asking.
//!
//! Desk gives widgets no signed identity, so the agent signs in once with Desk OAuth in a popup
//! (`GET /auth/desk/start?org_id=…`); the server exchanges the code, reads Desk's `/myinfo`
//! (agent, role, profile) and answers the popup with a page that posts a [`SessionGrant`] to
//! the widget (`window.opener.postMessage`, same origin only), then closes. The widget sends
//! `Authorization: Bearer <token>` on every API call. Tokens are short-lived; when one expires
//! (`401` with code [`CODE_SESSION_EXPIRED`]) the widget calls `POST /api/v1/session/refresh`
//! with it, and the server re-reads the agent's role from Desk before issuing a new one. When
//! that is refused (code [`CODE_SIGN_IN_REQUIRED`]) the agent signs in again.

use serde::{Deserialize, Serialize};

/// `postMessage` `type` of a successful sign-in.
pub const MESSAGE_SESSION: &str = "sfdesk-session";
/// `postMessage` `type` of a failed sign-in (with a `message`).
pub const MESSAGE_SESSION_ERROR: &str = "sfdesk-session-error";

/// Error code: the session token expired; refresh it.
pub const CODE_SESSION_EXPIRED: &str = "session_expired";
/// Error code: no usable session (missing, forged, revoked or too old); sign in again.
pub const CODE_SIGN_IN_REQUIRED: &str = "sign_in_required";

/// A new session: the popup's message (`{"type":"sfdesk-session", ...}`) and the body of
/// `POST /api/v1/session/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionGrant {
    /// The bearer token (opaque to the widget).
    pub token: String,
    /// When it expires (RFC 3339); refresh after that.
    pub expires_at: String,
    /// Who signed in.
    pub agent: SessionAgent,
}

/// The agent a session belongs to, as Desk reported it (`GET /api/v1/session` answers this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAgent {
    /// Desk agent id.
    pub agent_id: String,
    /// Display name.
    pub name: String,
    /// Desk role id (permissions key on it).
    pub role_id: String,
    /// Desk role name.
    pub role_name: String,
    /// Whether the agent is a Desk administrator (may use `/api/v1/admin/*`).
    pub is_admin: bool,
}
