//! `AppError`: the only error type handlers return, and its mapping to status + JSON body.
//!
//! Every error answers with [`ErrorBody`] `{code, message, request_id}`. Client errors explain
//! what is wrong; server errors stay generic in the body and their cause chain is logged once,
//! here, with the request id so the two can be matched.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sfdesk_shared::error::ErrorBody;

use crate::api::request_id;
use crate::store::StoreError;

/// What went wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No route or no record matches.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is malformed or invalid.
    #[error("{0}")]
    BadRequest(String),
    /// The body is well-formed but a value is not acceptable (unknown role, unknown field).
    #[error("{0}")]
    Unprocessable(String),
    /// No valid agent session: `code` tells the widget whether to refresh
    /// ([`CODE_SESSION_EXPIRED`](sfdesk_shared::session::CODE_SESSION_EXPIRED)) or sign in
    /// again ([`CODE_SIGN_IN_REQUIRED`](sfdesk_shared::session::CODE_SIGN_IN_REQUIRED)).
    #[error("{message}")]
    Unauthorized {
        /// The error code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// The agent is known but may not do this (for example a non-admin calling the admin API).
    #[error("{0}")]
    Forbidden(String),
    /// The installation cannot show Salesforce data: not connected, not active yet, or paused
    /// (`403`, code `not_connected`, which the widget shows as "not connected").
    #[error("{0}")]
    NotConnected(String),
    /// The request would duplicate something that exists (for example a Salesforce record that
    /// already matches).
    #[error("{0}")]
    Conflict(String),
    /// Salesforce or Desk refused or failed a call; the message is theirs, made readable.
    #[error("{0}")]
    Upstream(String),
    /// A dependency (database, remote API) cannot be reached right now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A storage failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::NotFound(_) | Self::Store(StoreError::NotFound { .. }) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotConnected(_) => (StatusCode::FORBIDDEN, "not_connected"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Upstream(_) => (StatusCode::BAD_GATEWAY, "upstream"),
            Self::Store(StoreError::Conflict { .. }) => (StatusCode::CONFLICT, "conflict"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let request_id = request_id::current();
        let message = if status.is_server_error() {
            tracing::error!(
                error.message = %self,
                error.cause_chain = ?self,
                request_id = request_id.as_deref().unwrap_or("-"),
                "request failed"
            );
            match status {
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::BAD_GATEWAY => self.to_string(),
                _ => "internal error; the request id identifies it in the server log".to_owned(),
            }
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            code: code.to_owned(),
            message,
            request_id,
        };
        (status, Json(body)).into_response()
    }
}
