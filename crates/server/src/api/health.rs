//! Operational probes: `/healthz` (the process answers) and `/readyz` (the database answers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sfdesk_shared::health::HealthStatus;

use crate::state::AppState;

/// `GET /healthz`: always 200 while the process serves requests.
pub(crate) async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok".to_owned(),
        database: None,
    })
}

/// `GET /readyz`: 200 when the database answers a ping, 503 otherwise.
pub(crate) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<HealthStatus>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(HealthStatus {
                status: "ok".to_owned(),
                database: Some(true),
            }),
        ),
        Err(error) => {
            tracing::warn!(error.message = %error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(HealthStatus {
                    status: "unavailable".to_owned(),
                    database: Some(false),
                }),
            )
        }
    }
}
