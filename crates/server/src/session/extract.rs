//! Axum extractors that admit a request only with a valid session token:
//! [`AgentSession`] (any signed-in agent) and [`AdminSession`] (a Desk administrator).
//!
//! The token comes from `Authorization: Bearer …` and nowhere else (never a cookie or a query
//! parameter, so it cannot leak through links or be sent cross-site by the browser). Failures
//! are `401` with code `session_expired` (the widget renews) or `sign_in_required`, and `403`
//! for a non-admin on admin routes.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;
use sfdesk_shared::session::{CODE_SESSION_EXPIRED, CODE_SIGN_IN_REQUIRED};

use super::token::{SessionClaims, TokenError};
use crate::api::error::AppError;
use crate::state::AppState;

/// The verified agent behind a request.
#[derive(Debug, Clone)]
pub struct AgentSession(pub SessionClaims);

/// The verified agent behind a request, who is a Desk administrator.
#[derive(Debug, Clone)]
pub struct AdminSession(pub SessionClaims);

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A `401 sign_in_required` with `message`.
pub(crate) fn sign_in_required(message: impl Into<String>) -> AppError {
    AppError::Unauthorized {
        code: CODE_SIGN_IN_REQUIRED,
        message: message.into(),
    }
}

impl FromRequestParts<AppState> for AgentSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .ok_or_else(|| sign_in_required("sign in with Zoho Desk: no session token was sent"))?;
        match state.sessions.verify(token, Utc::now()) {
            Ok(claims) => Ok(Self(claims)),
            Err(TokenError::Expired(_)) => Err(AppError::Unauthorized {
                code: CODE_SESSION_EXPIRED,
                message: "the session expired; renew it at POST /api/v1/session/refresh".into(),
            }),
            Err(e) => Err(sign_in_required(format!(
                "{e}; sign in with Zoho Desk again"
            ))),
        }
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AgentSession(claims) = AgentSession::from_request_parts(parts, state).await?;
        if claims.is_admin {
            Ok(Self(claims))
        } else {
            Err(AppError::Forbidden(
                "only Zoho Desk administrators may change sfdesk settings".into(),
            ))
        }
    }
}
