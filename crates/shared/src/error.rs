//! The JSON body of every error the sfdesk API answers with.

use serde::{Deserialize, Serialize};

/// Body of every 4xx/5xx answer: a stable machine-readable `code`, a human `message`, and the
/// request id that also appears in the server's logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, machine-readable error code, e.g. `bad_request` or `not_found`.
    pub code: String,
    /// Human-readable explanation of what is wrong with the request.
    pub message: String,
    /// The request id of the failed request (also sent as the `x-request-id` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
