//! [`Error`]: everything a Desk call can fail with, one variant per documented `errorCode`.
//!
//! Bodies look like `{"errorCode":"…","message":"…"}`, validation adds
//! `errors:[{fieldName, errorType, errorMessage}]`, and the licence limit adds its details
//! ([`ErrorBody`]). The service's message is kept unchanged. OAuth failures arrive from the
//! accounts server, often as HTTP 200 with an `error` key ([`Error::OAuth`]).
//!
//! Nothing here ever holds a token: transport errors are stripped of their URL (a revoke URL
//! carries the refresh token in its query).

use std::time::Duration;

use serde::Deserialize;

use crate::remote::retry::Retryable;
use crate::store::StoreError;

/// One entry of an `INVALID_DATA` answer's `errors` array.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Pointer-style path of the field: `/email`, `/cf/cf_sf_id`.
    #[serde(default)]
    pub field_name: String,
    /// `invalid`, `duplicate` or `missing`.
    #[serde(default)]
    pub error_type: String,
    /// The service's explanation.
    #[serde(default)]
    pub error_message: String,
}

/// The JSON body of a Desk error answer.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// `INVALID_OAUTH`, `URL_NOT_FOUND`, …
    #[serde(default)]
    pub error_code: String,
    /// The service's message.
    #[serde(default)]
    pub message: String,
    /// Field errors (validation only).
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// `LICENSE_ACCESS_LIMITED`: how many the edition allows.
    #[serde(default)]
    pub max_allowed_entity: Option<u64>,
    /// `LICENSE_ACCESS_LIMITED`: the limited feature.
    #[serde(default)]
    pub feature: Option<String>,
    /// `LICENSE_ACCESS_LIMITED`: the org's edition.
    #[serde(default)]
    pub edition_type: Option<String>,
    /// `LICENSE_ACCESS_LIMITED`: whether the org is on a trial.
    #[serde(default)]
    pub is_trial: Option<bool>,
}

/// Details of a `LICENSE_ACCESS_LIMITED` answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LicenseLimit {
    /// How many the edition allows.
    pub max_allowed: Option<u64>,
    /// The limited feature (`WEBHOOKS`, …).
    pub feature: Option<String>,
    /// The edition (`FREE`, `ENTERPRISE`, …).
    pub edition: Option<String>,
    /// Whether the org is on a trial.
    pub is_trial: Option<bool>,
}

/// A failed Desk call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `BAD_REQUEST`: the request was malformed.
    #[error("Desk BAD_REQUEST: {message}")]
    BadRequest {
        /// The service's message.
        message: String,
    },
    /// 401 `UNAUTHORIZED`: no credentials were sent.
    #[error("Desk UNAUTHORIZED: {message}")]
    Unauthorized {
        /// The service's message.
        message: String,
    },
    /// 401 `INVALID_OAUTH`: the access token is expired, revoked or unknown. The client refreshes
    /// once and replays; callers only see it when the refreshed token is rejected too.
    #[error("Desk INVALID_OAUTH: {message}")]
    InvalidOauth {
        /// The service's message.
        message: String,
    },
    /// 401 `SCOPE_MISMATCH`: the token lacks the scope the call needs.
    #[error("Desk SCOPE_MISMATCH: {message}")]
    ScopeMismatch {
        /// The service's message.
        message: String,
    },
    /// 401 `OAUTH_ORG_MISMATCH`: the token is not valid for the `orgId` sent.
    #[error("Desk OAUTH_ORG_MISMATCH: {message}")]
    OrgMismatch {
        /// The service's message.
        message: String,
    },
    /// 403 `FORBIDDEN`: the agent may not access the resource.
    #[error("Desk FORBIDDEN: {message}")]
    Forbidden {
        /// The service's message.
        message: String,
    },
    /// 403 `LICENSE_ACCESS_LIMITED`: the edition does not allow it.
    #[error("Desk LICENSE_ACCESS_LIMITED: {message}")]
    LicenseLimited {
        /// The service's message.
        message: String,
        /// What the edition allows.
        limit: LicenseLimit,
    },
    /// 404 `URL_NOT_FOUND`: unknown path, or an unknown or trashed id.
    #[error("Desk URL_NOT_FOUND: {message}")]
    NotFound {
        /// The service's message.
        message: String,
    },
    /// 405 `METHOD_NOT_ALLOWED`.
    #[error("Desk METHOD_NOT_ALLOWED: {message}")]
    MethodNotAllowed {
        /// The service's message.
        message: String,
    },
    /// 422 `INVALID_DATA`: validation failed; `errors` says where.
    #[error("Desk INVALID_DATA: {message}{}", fields_suffix(errors))]
    InvalidData {
        /// The service's message.
        message: String,
        /// Per-field errors.
        errors: Vec<FieldError>,
    },
    /// 422 `EMPTY_PAYLOAD`: a body was required.
    #[error("Desk EMPTY_PAYLOAD: {message}")]
    EmptyPayload {
        /// The service's message.
        message: String,
    },
    /// 422 `UNPROCESSABLE_ENTITY`: a query value was out of range (e.g. search `from` ≥ 5000).
    #[error("Desk UNPROCESSABLE_ENTITY: {message}")]
    Unprocessable {
        /// The service's message.
        message: String,
    },
    /// 429 `THRESHOLD_EXCEEDED`: the org's daily credits are spent; `Retry-After` says when
    /// they reset.
    #[error("Desk THRESHOLD_EXCEEDED: {message}")]
    ThresholdExceeded {
        /// The service's message.
        message: String,
        /// The `Retry-After` header.
        retry_after: Option<Duration>,
    },
    /// 429 `TOO_MANY_REQUESTS`: the org's concurrency cap was hit.
    #[error("Desk TOO_MANY_REQUESTS: {message}")]
    TooManyRequests {
        /// The service's message.
        message: String,
        /// The `Retry-After` header, if one was sent (Desk usually sends none).
        retry_after: Option<Duration>,
    },
    /// 500 `INTERNAL_SERVER_ERROR` or any other 5xx.
    #[error("Desk server error (HTTP {status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The service's message, or the start of the body when it was not a Desk error body.
        message: String,
    },
    /// Any other error answer (another status or an undocumented `errorCode`).
    #[error("Desk {code} (HTTP {status}): {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The `errorCode`, or empty.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The accounts server refused an OAuth request (`invalid_code`, `invalid_client`, …); Zoho
    /// often answers these with HTTP 200.
    #[error("Zoho OAuth error: {error}")]
    OAuth {
        /// The `error` value.
        error: String,
        /// The HTTP status it came with.
        status: u16,
    },
    /// The installation has no Desk refresh token stored: it must be connected (again).
    #[error("no Desk refresh token is stored for this installation")]
    NotConnected,
    /// The call did not finish within the configured timeout.
    #[error("Desk call timed out")]
    Timeout,
    /// The connection failed or broke before a complete answer arrived.
    #[error("Desk connection failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer did not have the documented shape.
    #[error("unexpected Desk answer for {what}: {source}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// More than 5,000 records were modified within one millisecond: a time-range search cannot
    /// be split further to reach them all.
    #[error("more than 5000 Desk records modified between {start} and {end}")]
    SearchWindowTooDense {
        /// Start of the range.
        start: chrono::DateTime<chrono::Utc>,
        /// End of the range.
        end: chrono::DateTime<chrono::Utc>,
    },
    /// A configured base URL could not be joined with a path.
    #[error("invalid Desk URL: {0}")]
    Url(#[from] url::ParseError),
    /// Reading or writing stored tokens failed.
    #[error("Desk token storage: {0}")]
    Store(#[from] StoreError),
}

fn fields_suffix(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {}: {}", e.field_name, e.error_type, e.error_message))
        .collect();
    format!(" ({})", parts.join("; "))
}

impl Error {
    /// Builds the error for an error answer (`status` ≥ 400) from its body and `Retry-After`.
    pub fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_slice(body)
            .ok()
            .filter(|b: &ErrorBody| !b.error_code.is_empty());
        let Some(body) = parsed else {
            let message = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            return match status {
                429 => Self::TooManyRequests {
                    message,
                    retry_after,
                },
                500..=599 => Self::Server { status, message },
                _ => Self::Api {
                    status,
                    code: String::new(),
                    message,
                },
            };
        };
        let message = body.message;
        match body.error_code.as_str() {
            "BAD_REQUEST" => Self::BadRequest { message },
            "UNAUTHORIZED" => Self::Unauthorized { message },
            "INVALID_OAUTH" => Self::InvalidOauth { message },
            "SCOPE_MISMATCH" => Self::ScopeMismatch { message },
            "OAUTH_ORG_MISMATCH" => Self::OrgMismatch { message },
            "FORBIDDEN" => Self::Forbidden { message },
            "LICENSE_ACCESS_LIMITED" => Self::LicenseLimited {
                message,
                limit: LicenseLimit {
                    max_allowed: body.max_allowed_entity,
                    feature: body.feature,
                    edition: body.edition_type,
                    is_trial: body.is_trial,
                },
            },
            "URL_NOT_FOUND" => Self::NotFound { message },
            "METHOD_NOT_ALLOWED" => Self::MethodNotAllowed { message },
            "INVALID_DATA" => Self::InvalidData {
                message,
                errors: body.errors,
            },
            "EMPTY_PAYLOAD" => Self::EmptyPayload { message },
            "UNPROCESSABLE_ENTITY" => Self::Unprocessable { message },
            "THRESHOLD_EXCEEDED" => Self::ThresholdExceeded {
                message,
                retry_after,
            },
            "TOO_MANY_REQUESTS" => Self::TooManyRequests {
                message,
                retry_after,
            },
            "INTERNAL_SERVER_ERROR" => Self::Server { status, message },
            _ if status >= 500 => Self::Server { status, message },
            code => Self::Api {
                status,
                code: code.to_owned(),
                message,
            },
        }
    }

    /// Classifies a `reqwest` failure, dropping its URL.
    pub fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(error.without_url())
        }
    }

    /// The `errorCode` this error stands for, when it came from the API.
    pub fn code(&self) -> Option<&str> {
        Some(match self {
            Self::BadRequest { .. } => "BAD_REQUEST",
            Self::Unauthorized { .. } => "UNAUTHORIZED",
            Self::InvalidOauth { .. } => "INVALID_OAUTH",
            Self::ScopeMismatch { .. } => "SCOPE_MISMATCH",
            Self::OrgMismatch { .. } => "OAUTH_ORG_MISMATCH",
            Self::Forbidden { .. } => "FORBIDDEN",
            Self::LicenseLimited { .. } => "LICENSE_ACCESS_LIMITED",
            Self::NotFound { .. } => "URL_NOT_FOUND",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::InvalidData { .. } => "INVALID_DATA",
            Self::EmptyPayload { .. } => "EMPTY_PAYLOAD",
            Self::Unprocessable { .. } => "UNPROCESSABLE_ENTITY",
            Self::ThresholdExceeded { .. } => "THRESHOLD_EXCEEDED",
            Self::TooManyRequests { .. } => "TOO_MANY_REQUESTS",
            Self::Server { .. } => "INTERNAL_SERVER_ERROR",
            Self::Api { code, .. } => code,
            _ => return None,
        })
    }

    /// The service's message, unchanged, when the error came from the service.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::BadRequest { message }
            | Self::Unauthorized { message }
            | Self::InvalidOauth { message }
            | Self::ScopeMismatch { message }
            | Self::OrgMismatch { message }
            | Self::Forbidden { message }
            | Self::LicenseLimited { message, .. }
            | Self::NotFound { message }
            | Self::MethodNotAllowed { message }
            | Self::InvalidData { message, .. }
            | Self::EmptyPayload { message }
            | Self::Unprocessable { message }
            | Self::ThresholdExceeded { message, .. }
            | Self::TooManyRequests { message, .. }
            | Self::Server { message, .. }
            | Self::Api { message, .. } => Some(message),
            Self::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl Error {
    /// Whether the service certainly did not act on the request: a 429 (refused before any
    /// work) or a connection that was never established. Writes are only replayed after these.
    pub fn was_not_processed(&self) -> bool {
        match self {
            Self::ThresholdExceeded { .. } | Self::TooManyRequests { .. } => true,
            Self::Api { status, .. } => *status == 429,
            Self::Transport(e) => e.is_connect(),
            _ => false,
        }
    }
}

impl Retryable for Error {
    /// 429s, 5xx, timeouts and broken connections are transient; everything else is permanent.
    fn is_retryable(&self) -> bool {
        match self {
            Self::ThresholdExceeded { .. }
            | Self::TooManyRequests { .. }
            | Self::Server { .. }
            | Self::Timeout
            | Self::Transport(_) => true,
            Self::Api { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::ThresholdExceeded { retry_after, .. }
            | Self::TooManyRequests { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Parses a `Retry-After` header given in seconds.
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}
