//! [`Error`]: everything a Salesforce call can fail with, and whether trying again may help.
//!
//! REST errors become [`Error::Api`] with the documented `errorCode` as an [`ErrorCode`] variant
//! (unknown codes are kept as [`ErrorCode::Other`]) and the service's message unchanged. OAuth
//! errors are [`Error::OAuth`]. Retryable ([`Retryable`]): `REQUEST_LIMIT_EXCEEDED`,
//! `UNABLE_TO_LOCK_ROW`, `QUERY_TIMEOUT`, any 5xx, timeouts and transport failures. Salesforce
//! never sends `Retry-After`, so [`Retryable::retry_after`] is always `None`.
//!
//! Messages never contain a token, a secret or an `Authorization` header: transport errors drop
//! the URL, and no request data is copied into an error.

use std::fmt;
use std::time::Duration;

use crate::remote::retry::Retryable;
use crate::store::StoreError;

use super::wire::{ApiErrorItem, DuplicateResult, RowError};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A documented Salesforce `errorCode` / `statusCode`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// Any code not listed above, as sent.
            Other(String),
        }

        impl ErrorCode {
            /// Parses the code as the service writes it.
            #[must_use]
            pub fn parse(code: &str) -> Self {
                match code {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The code as the service writes it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }
    };
}

error_codes! {
    /// 401: bad or expired bearer token.
    InvalidSessionId = "INVALID_SESSION_ID",
    /// 403: daily allowance or concurrent long-request cap exhausted.
    RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED",
    /// Record lock contention; retry quickly.
    UnableToLockRow = "UNABLE_TO_LOCK_ROW",
    /// The query ran too long.
    QueryTimeout = "QUERY_TIMEOUT",
    /// SOQL syntax error.
    MalformedQuery = "MALFORMED_QUERY",
    /// Unknown field.
    InvalidField = "INVALID_FIELD",
    /// Unknown object.
    InvalidType = "INVALID_TYPE",
    /// Unknown resource or record.
    NotFound = "NOT_FOUND",
    /// The record is deleted.
    EntityIsDeleted = "ENTITY_IS_DELETED",
    /// A required field is missing.
    RequiredFieldMissing = "REQUIRED_FIELD_MISSING",
    /// A duplicate rule blocked the save.
    DuplicatesDetected = "DUPLICATES_DETECTED",
    /// Unique field value already used.
    DuplicateValue = "DUPLICATE_VALUE",
    /// The org has no API access.
    ApiDisabledForOrg = "API_DISABLED_FOR_ORG",
    /// Malformed record id.
    MalformedId = "MALFORMED_ID",
    /// An id points at the wrong or no record.
    InvalidCrossReferenceKey = "INVALID_CROSS_REFERENCE_KEY",
    /// Read-only field written.
    InvalidFieldForInsertUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE",
    /// Text too long.
    StringTooLong = "STRING_TOO_LONG",
    /// Bad email address.
    InvalidEmailAddress = "INVALID_EMAIL_ADDRESS",
    /// Value not in a restricted picklist.
    InvalidOrNullForRestrictedPicklist = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    /// A validation rule failed.
    FieldCustomValidationException = "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    /// A trigger failed.
    CannotInsertUpdateActivateEntity = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
    /// Bad JSON body.
    JsonParserError = "JSON_PARSER_ERROR",
    /// A query locator is stale.
    InvalidQueryLocator = "INVALID_QUERY_LOCATOR",
    /// Composite `allOrNone` rollback of a sibling.
    ProcessingHalted = "PROCESSING_HALTED",
    /// Collections `allOrNone` rollback of a sibling.
    AllOrNoneOperationRolledBack = "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    /// An update row without an id.
    MissingArgument = "MISSING_ARGUMENT",
    /// getUpdated/getDeleted window too old.
    InvalidReplicationDate = "INVALID_REPLICATION_DATE",
    /// getUpdated over 600,000 ids.
    ExceededIdLimit = "EXCEEDED_ID_LIMIT",
    /// 500 from the service.
    UnknownException = "UNKNOWN_EXCEPTION",
    /// 503 from the service.
    ServerUnavailable = "SERVER_UNAVAILABLE",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong in the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection could be made.
    Connect,
    /// The connect or request timeout elapsed.
    Timeout,
    /// The connection broke while sending or receiving.
    Interrupted,
    /// Anything else (building the request, redirects).
    Other,
}

/// Errors of the Salesforce client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The REST API answered with an error body.
    #[error("Salesforce {code} (HTTP {status}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// `errorCode`.
        code: ErrorCode,
        /// The service's message, unchanged.
        message: String,
        /// Fields named by the error.
        fields: Vec<String>,
        /// The duplicate-rule block of `DUPLICATES_DETECTED`.
        duplicate: Option<Box<DuplicateResult>>,
    },
    /// The OAuth endpoints answered `{error, error_description}`.
    #[error("Salesforce OAuth {error} (HTTP {status}): {description}")]
    OAuth {
        /// HTTP status.
        status: u16,
        /// `error`.
        error: String,
        /// `error_description`, unchanged.
        description: String,
    },
    /// A non-success answer whose body is not a Salesforce error body.
    #[error("Salesforce answered HTTP {status}")]
    Status {
        /// HTTP status.
        status: u16,
    },
    /// The request did not complete.
    #[error("Salesforce request failed ({kind:?})")]
    Transport {
        /// What broke.
        kind: TransportKind,
        /// The underlying error, URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// A success answer did not parse.
    #[error("unexpected Salesforce {what} body: {message}")]
    Decode {
        /// Which answer.
        what: &'static str,
        /// Parser complaint (never the body itself).
        message: String,
    },
    /// A Bulk API 2.0 job ended `Failed` or `Aborted`.
    #[error("Salesforce bulk job {job_id} ended {state}: {message}")]
    BulkJob {
        /// The job.
        job_id: String,
        /// Its final state.
        state: String,
        /// The service's `errorMessage`.
        message: String,
    },
    /// No token to call with (nothing stored, no way to get one).
    #[error("no Salesforce token available: {0}")]
    NoToken(&'static str),
    /// Reading or writing the stored tokens failed.
    #[error("Salesforce token storage failed")]
    TokenStore(#[source] StoreError),
    /// The caller asked for something the API cannot do (bad name, empty input, …).
    #[error("invalid Salesforce request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// The error code, for REST errors.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status the service answered, if it answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::OAuth { status, .. } | Self::Status { status } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Whether this is the 401 `INVALID_SESSION_ID` that a token refresh cures.
    #[must_use]
    pub fn is_invalid_session(&self) -> bool {
        matches!(
            self,
            Self::Api {
                code: ErrorCode::InvalidSessionId,
                ..
            }
        ) || matches!(self, Self::Status { status: 401 })
    }

    /// An error from the first item of a REST error body.
    #[must_use]
    pub fn from_item(status: u16, item: ApiErrorItem) -> Self {
        Self::Api {
            status,
            code: ErrorCode::parse(&item.error_code),
            message: item.message,
            fields: item.fields.unwrap_or_default(),
            duplicate: item.duplicate_result.map(Box::new),
        }
    }

    /// An error from a failed collections row (the row's own status is 200).
    #[must_use]
    pub fn from_row(error: RowError) -> Self {
        Self::Api {
            status: 400,
            code: ErrorCode::parse(&error.status_code),
            message: error.message,
            fields: error.fields,
            duplicate: error.duplicate_result.map(Box::new),
        }
    }

    /// A transport error, stripped of its URL.
    #[must_use]
    pub fn transport(source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else if source.is_request() || source.is_body() || source.is_decode() {
            TransportKind::Interrupted
        } else {
            TransportKind::Other
        };
        Self::Transport {
            kind,
            source: source.without_url(),
        }
    }
}

impl Retryable for Error {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, code, .. } => {
                *status >= 500
                    || matches!(
                        code,
                        ErrorCode::RequestLimitExceeded
                            | ErrorCode::UnableToLockRow
                            | ErrorCode::QueryTimeout
                            | ErrorCode::ServerUnavailable
                    )
            }
            Self::OAuth { status, .. } | Self::Status { status } => *status >= 500,
            Self::Transport { kind, .. } => *kind != TransportKind::Other,
            _ => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        // Salesforce sends no Retry-After (API notes, section 2).
        None
    }
}
