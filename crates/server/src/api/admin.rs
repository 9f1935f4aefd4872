//! The admin API of the sidebar: role permissions and profile settings. Desk administrators
//! only (`403` otherwise); the installation comes from the token.
//!
//! - `GET /api/v1/admin/permissions` → every Desk role with its document or the defaults.
//! - `PUT /api/v1/admin/permissions` (`PermissionsUpdate`) → all or nothing, audited, answers
//!   the new view; an unknown role is `422` naming it, a body that does not parse `400`/`422`
//!   with serde's message naming the field.
//! - `GET`/`PUT /api/v1/admin/profile-settings` (`ProfileSettings`); a highlight field must
//!   exist on Account (`422`).

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sfdesk_shared::permissions::{PermissionsUpdate, PermissionsView, ProfileSettings};

use super::error::AppError;
use super::profile::json_body;
use crate::session::AdminSession;
use crate::state::AppState;

/// The admin routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/permissions",
            get(permissions).put(put_permissions),
        )
        .route(
            "/api/v1/admin/profile-settings",
            get(settings).put(put_settings),
        )
}

async fn permissions(
    AdminSession(claims): AdminSession,
    State(state): State<AppState>,
) -> Result<Json<PermissionsView>, AppError> {
    Ok(Json(state.profiles.permissions_view(&claims).await?))
}

async fn put_permissions(
    AdminSession(claims): AdminSession,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<PermissionsView>, AppError> {
    let update: PermissionsUpdate = json_body(&body)?;
    Ok(Json(
        state.profiles.update_permissions(&claims, &update).await?,
    ))
}

async fn settings(
    AdminSession(claims): AdminSession,
    State(state): State<AppState>,
) -> Result<Json<ProfileSettings>, AppError> {
    Ok(Json(state.profiles.settings(&claims).await?))
}

async fn put_settings(
    AdminSession(claims): AdminSession,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<ProfileSettings>, AppError> {
    let settings: ProfileSettings = json_body(&body)?;
    Ok(Json(
        state.profiles.update_settings(&claims, &settings).await?,
    ))
}
