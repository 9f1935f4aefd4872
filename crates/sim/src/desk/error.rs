//! [`DeskError`]: every error answer of the Desk API, with its exact status and body.
//!
//! Body shape (doc §4): `{"errorCode":"…","message":"…"}`, plus `errors` for field validation and
//! the licence details for `LICENSE_ACCESS_LIMITED`. Messages quoted in the doc are reproduced
//! verbatim; the others are plausible wordings (clients must key on `errorCode`, never on text).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Message of `INVALID_DATA` (doc §4).
pub const INVALID_DATA_MESSAGE: &str =
    "The data does not comply to the validation restrictions defined.";

/// One entry of a validation error's `errors` array.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Pointer-style path: `/email`, `/cf/cf_sf_id`.
    pub field_name: String,
    /// `invalid`, `duplicate` or `missing`.
    pub error_type: String,
    /// Human-readable detail.
    pub error_message: String,
}

impl FieldError {
    /// An `invalid` error on `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(path, "invalid", message)
    }

    /// A `missing` error on `path`.
    pub fn missing(path: impl Into<String>) -> Self {
        let path = path.into();
        let message = format!("The field '{}' is mandatory.", path.trim_start_matches('/'));
        Self::new(path, "missing", message)
    }

    fn new(path: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self {
            field_name: path.into(),
            error_type: kind.to_owned(),
            error_message: message.into(),
        }
    }
}

/// An error answer of the simulated Desk API.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    /// 400 `BAD_REQUEST`: malformed request (e.g. a body that is not JSON).
    #[error("BAD_REQUEST")]
    BadRequest,
    /// 401 `UNAUTHORIZED`: no credentials.
    #[error("UNAUTHORIZED")]
    Unauthorized,
    /// 401 `INVALID_OAUTH`: unknown, revoked or expired token.
    #[error("INVALID_OAUTH")]
    InvalidOauth,
    /// 401 `SCOPE_MISMATCH`: the token lacks every scope the call accepts.
    #[error("SCOPE_MISMATCH")]
    ScopeMismatch,
    /// 401 `OAUTH_ORG_MISMATCH`: the token is not valid for the `orgId` header.
    #[error("OAUTH_ORG_MISMATCH")]
    OrgMismatch,
    /// 403 `FORBIDDEN`.
    #[error("FORBIDDEN")]
    Forbidden,
    /// 403 `LICENSE_ACCESS_LIMITED`: the edition does not allow more of `feature`.
    #[error("LICENSE_ACCESS_LIMITED")]
    LicenseLimited {
        /// How many the edition allows.
        max_allowed: u32,
        /// The limited feature.
        feature: String,
        /// The org's edition name.
        edition: String,
    },
    /// 404 `URL_NOT_FOUND` (also unknown or trashed ids).
    #[error("URL_NOT_FOUND")]
    NotFound,
    /// 405 `METHOD_NOT_ALLOWED`.
    #[error("METHOD_NOT_ALLOWED")]
    MethodNotAllowed,
    /// 422 `INVALID_DATA` with field errors (possibly none) and a message.
    #[error("INVALID_DATA: {message}")]
    InvalidData {
        /// Usually [`INVALID_DATA_MESSAGE`].
        message: String,
        /// Per-field details; omitted from the body when empty.
        errors: Vec<FieldError>,
    },
    /// 422 `EMPTY_PAYLOAD`: a body was required.
    #[error("EMPTY_PAYLOAD")]
    EmptyPayload,
    /// 422 `UNPROCESSABLE_ENTITY`: a query value out of range (e.g. search `from` ≥ 5000).
    #[error("UNPROCESSABLE_ENTITY: {0}")]
    Unprocessable(String),
    /// 429 `THRESHOLD_EXCEEDED`: daily credits spent; `Retry-After` = seconds to the reset.
    #[error("THRESHOLD_EXCEEDED")]
    ThresholdExceeded {
        /// Seconds until the simulated day resets.
        retry_after: u64,
    },
    /// 429 `TOO_MANY_REQUESTS`: concurrency cap; no `Retry-After`.
    #[error("TOO_MANY_REQUESTS")]
    TooManyRequests,
    /// 500 `INTERNAL_SERVER_ERROR`.
    #[error("INTERNAL_SERVER_ERROR")]
    Internal,
}

impl DeskError {
    /// `INVALID_DATA` with the standard message and these field errors.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        Self::InvalidData {
            message: INVALID_DATA_MESSAGE.to_owned(),
            errors,
        }
    }

    /// `INVALID_DATA` with a single `invalid` field error.
    pub fn invalid_field(path: &str, message: impl Into<String>) -> Self {
        Self::invalid_fields(vec![FieldError::invalid(path, message)])
    }

    /// `INVALID_DATA` for an unknown query parameter, worded as Desk words it.
    pub fn extra_query_param(name: &str) -> Self {
        Self::InvalidData {
            message: format!("Extra query parameter '{name}' is present in the input."),
            errors: Vec::new(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidOauth | Self::ScopeMismatch | Self::OrgMismatch => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden | Self::LicenseLimited { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidData { .. } | Self::EmptyPayload | Self::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::ThresholdExceeded { .. } | Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `errorCode` string.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest => "BAD_REQUEST",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::InvalidOauth => "INVALID_OAUTH",
            Self::ScopeMismatch => "SCOPE_MISMATCH",
            Self::OrgMismatch => "OAUTH_ORG_MISMATCH",
            Self::Forbidden => "FORBIDDEN",
            Self::LicenseLimited { .. } => "LICENSE_ACCESS_LIMITED",
            Self::NotFound => "URL_NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::InvalidData { .. } => "INVALID_DATA",
            Self::EmptyPayload => "EMPTY_PAYLOAD",
            Self::Unprocessable(_) => "UNPROCESSABLE_ENTITY",
            Self::ThresholdExceeded { .. } => "THRESHOLD_EXCEEDED",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::Internal => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let message = match self {
            Self::BadRequest => "The request could not be understood: it is malformed.".to_owned(),
            Self::Unauthorized => "You are not authenticated to perform this operation.".to_owned(),
            Self::InvalidOauth => "The OAuth Token you provided is invalid.".to_owned(),
            Self::ScopeMismatch => {
                "The OAuth token does not have the scope required for this operation.".to_owned()
            }
            Self::OrgMismatch => {
                "The OAuth Token you provided is not valid for the given orgId.".to_owned()
            }
            Self::Forbidden => "You are not authorized to access this resource.".to_owned(),
            Self::LicenseLimited { .. } => {
                "You have reached the limit allowed by your edition.".to_owned()
            }
            Self::NotFound => "The URL you requested could not be found.".to_owned(),
            Self::MethodNotAllowed => "The HTTP method is not allowed for this URL.".to_owned(),
            Self::InvalidData { message, .. } => message.clone(),
            Self::EmptyPayload => "The request body is empty.".to_owned(),
            Self::Unprocessable(message) => message.clone(),
            Self::ThresholdExceeded { .. } => {
                "You have exceeded the API credits allowed for the day.".to_owned()
            }
            Self::TooManyRequests => {
                "Too many concurrent requests. Please try again later.".to_owned()
            }
            Self::Internal => "An internal server error occurred.".to_owned(),
        };
        let mut body = json!({"errorCode": self.code(), "message": message});
        match self {
            Self::InvalidData { errors, .. } if !errors.is_empty() => {
                body["errors"] = json!(errors);
            }
            Self::LicenseLimited {
                max_allowed,
                feature,
                edition,
            } => {
                body["maxAllowedEntity"] = json!(max_allowed);
                body["feature"] = json!(feature);
                body["editionType"] = json!(edition);
                body["isTrial"] = json!(false);
            }
            _ => {}
        }
        body
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if let Self::ThresholdExceeded { retry_after } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_doc() {
        assert_eq!(
            DeskError::InvalidOauth.body(),
            json!({"errorCode":"INVALID_OAUTH","message":"The OAuth Token you provided is invalid."})
        );
        let e = DeskError::invalid_field("/email", "bad");
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e.body(),
            json!({"errorCode":"INVALID_DATA","message":INVALID_DATA_MESSAGE,
                   "errors":[{"fieldName":"/email","errorType":"invalid","errorMessage":"bad"}]})
        );
        assert_eq!(
            DeskError::extra_query_param("x").body()["message"],
            "Extra query parameter 'x' is present in the input."
        );
    }
}
