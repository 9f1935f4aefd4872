//! Bodies of the operational endpoints `/healthz` and `/readyz`.

use serde::{Deserialize, Serialize};

/// Answer of `/healthz` (the process is alive) and `/readyz` (its dependencies are reachable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthStatus {
    /// `"ok"` when healthy, `"unavailable"` otherwise.
    pub status: String,
    /// For `/readyz`: whether the database answered a ping. Absent on `/healthz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<bool>,
}
