//! The sign-in protocol, pure: the popup's URL, the message it posts back, where a session is
//! kept, and what to do with an API answer's status (the 401 state machine).
//!
//! Flow: the agent clicks "Sign in with Zoho Desk" → a popup opens [`sign_in_url`] → the server
//! does Desk OAuth and the popup posts a [`PopupMessage`] to its opener (accepted only from our
//! own origin, checked in `browser.rs`) → the grant is kept in memory and in `sessionStorage`
//! under [`storage_key`]. Every API call then follows [`next_step`]: an expired session is
//! refreshed once and the call replayed; a refused one means signing in again.

use sfdesk_shared::session::{
    CODE_SESSION_EXPIRED, MESSAGE_SESSION, MESSAGE_SESSION_ERROR, SessionGrant,
};

/// Where the popup starts Desk OAuth.
const SIGN_IN_PATH: &str = "/auth/desk/start";

/// `sessionStorage` key of the session of Desk user `user_id`: per user, so another agent
/// signed in to the same browser tab never reuses it.
pub(crate) fn storage_key(user_id: &str) -> String {
    format!("sfdesk.session.{user_id}")
}

/// The popup's URL: `/auth/desk/start?org_id=…&login_hint=…` (the hint only when known).
pub(crate) fn sign_in_url(org_id: &str, login_hint: Option<&str>) -> String {
    let mut url = format!("{SIGN_IN_PATH}?org_id={}", encode(org_id));
    if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
        url.push_str("&login_hint=");
        url.push_str(&encode(hint));
    }
    url
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// What the sign-in popup posted to its opener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PopupMessage {
    /// `sfdesk-session`: the new session.
    Session(SessionGrant),
    /// `sfdesk-session-error`: why sign-in failed.
    Error(String),
}

/// The kinds of popup message, by their `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageKind {
    /// [`MESSAGE_SESSION`]: the rest of the message is a [`SessionGrant`].
    Session,
    /// [`MESSAGE_SESSION_ERROR`]: the message has a `message`.
    Error,
}

impl MessageKind {
    /// The kind of a message whose `type` is `kind`; `None` for messages that are not ours
    /// (the SDK shim's, say); the `type` picks how the rest of the message is read.
    pub(crate) fn of(kind: &str) -> Option<Self> {
        match kind {
            MESSAGE_SESSION => Some(Self::Session),
            MESSAGE_SESSION_ERROR => Some(Self::Error),
            _ => None,
        }
    }
}

/// Whether a grant from the popup belongs to the Desk user the SDK reports: a session of
/// another agent (someone else signed in in the popup) is refused, never stored.
pub(crate) fn grant_fits(grant: &SessionGrant, desk_user_id: &str) -> bool {
    grant.agent.agent_id == desk_user_id
}

/// What to do with an API answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// 2xx or 304: use it.
    Accept,
    /// The session expired: refresh it, then replay the call once.
    Refresh,
    /// Forget the session and show the sign-in button.
    SignIn,
    /// Show the server's message with a retry.
    Fail,
}

/// Decides from the status, the error body's `code` and whether this call already refreshed.
/// Any 401 other than a first `session_expired` means signing in again (including
/// `sign_in_required`, an expired refreshed token, or a 401 without a body).
pub(crate) fn next_step(status: u16, code: Option<&str>, refreshed: bool) -> Step {
    match status {
        200..=299 | 304 => Step::Accept,
        401 if code == Some(CODE_SESSION_EXPIRED) && !refreshed => Step::Refresh,
        401 => Step::SignIn,
        _ => Step::Fail,
    }
}

#[cfg(test)]
mod tests {
    use sfdesk_shared::session::CODE_SIGN_IN_REQUIRED;

    use super::*;

    #[test]
    fn sessions_are_kept_per_desk_user() {
        assert_eq!(storage_key("42"), "sfdesk.session.42");
        assert_ne!(storage_key("42"), storage_key("43"));
    }

    #[test]
    fn sign_in_url_encodes_org_and_hint() {
        assert_eq!(
            sign_in_url("60001", Some("jade+desk@zylker.com")),
            "/auth/desk/start?org_id=60001&login_hint=jade%2Bdesk%40zylker.com"
        );
        assert_eq!(
            sign_in_url("6 0&1", None),
            "/auth/desk/start?org_id=6%200%261"
        );
        assert_eq!(sign_in_url("1", Some("")), "/auth/desk/start?org_id=1");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn popup_messages_are_known_by_type() {
        assert_eq!(MessageKind::of(MESSAGE_SESSION), Some(MessageKind::Session));
        assert_eq!(
            MessageKind::of("sfdesk-session-error"),
            Some(MessageKind::Error)
        );
        assert_eq!(MessageKind::of(""), None);
        assert_eq!(MessageKind::of("sfdeskSdk"), None);

        let grant: SessionGrant = serde_json::from_str(
            r#"{"type":"sfdesk-session","token":"t","expires_at":"2026-11-26T10:00:00Z",
                "agent":{"agent_id":"1","name":"Jade","role_id":"9","role_name":"Agent","is_admin":false}}"#,
        )
        .expect("a session message is a grant plus its type");
        assert!(grant_fits(&grant, "1"));
        assert!(!grant_fits(&grant, "2"));
    }

    #[test]
    fn expired_sessions_refresh_once_then_sign_in() {
        let expired = Some(CODE_SESSION_EXPIRED);
        assert_eq!(next_step(200, None, false), Step::Accept);
        assert_eq!(next_step(201, None, true), Step::Accept);
        assert_eq!(next_step(304, None, false), Step::Accept);
        assert_eq!(next_step(401, expired, false), Step::Refresh);
        assert_eq!(next_step(401, expired, true), Step::SignIn);
        assert_eq!(
            next_step(401, Some(CODE_SIGN_IN_REQUIRED), false),
            Step::SignIn
        );
        assert_eq!(next_step(401, None, false), Step::SignIn);
        for status in [400, 403, 404, 409, 429, 500, 502] {
            assert_eq!(next_step(status, expired, false), Step::Fail, "{status}");
        }
    }
}
