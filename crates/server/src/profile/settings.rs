//! The admin side: role permissions (every Desk role of the org with its document or the
//! defaults; updates all-or-nothing with their audit entry, in one transaction) and the installation's [`ProfileSettings`] (a
//! highlight field must exist on Account). Both drop the caches they affect.

use std::collections::HashSet;

use chrono::Utc;
use sfdesk_shared::permissions::{PermissionsUpdate, PermissionsView, ProfileSettings, RoleEntry};

use crate::api::error::AppError;
use crate::desk::DeskApi;
use crate::desk::wire::Role;
use crate::salesforce::SalesforceApi;
use crate::session::SessionClaims;
use crate::store::NewAuditEntry;

use super::errors;
use super::service::{ProfileService, SETTINGS_KEY};

impl ProfileService {
    /// The Desk org's roles, in Desk's order.
    async fn roles(&self, claims: &SessionClaims) -> Result<Vec<Role>, AppError> {
        let context = self.installation(claims.installation_id).await?;
        let desk = self
            .connections
            .desk(&context.installation)
            .map_err(errors::connection)?;
        desk.roles().await.map_err(errors::desk)
    }

    async fn view_of(
        &self,
        claims: &SessionClaims,
        roles: &[Role],
    ) -> Result<PermissionsView, AppError> {
        let mut entries = Vec::with_capacity(roles.len());
        for role in roles {
            let stored = self
                .stored_permissions(claims.installation_id, role.id.as_str())
                .await?;
            entries.push(RoleEntry {
                role_id: role.id.to_string(),
                role_name: role.name.clone().unwrap_or_default(),
                customized: stored.is_some(),
                permissions: stored.unwrap_or_default(),
            });
        }
        Ok(PermissionsView { roles: entries })
    }

    /// `GET /api/v1/admin/permissions`.
    ///
    /// # Errors
    /// Desk failures; a stored document that does not parse (`500`).
    pub async fn permissions_view(
        &self,
        claims: &SessionClaims,
    ) -> Result<PermissionsView, AppError> {
        let roles = self.roles(claims).await?;
        self.view_of(claims, &roles).await
    }

    /// `PUT /api/v1/admin/permissions`: every role must be a role of the org (else `422`
    /// naming it, nothing stored); then all are stored with their audit entry in one
    /// transaction, and the new view returned.
    ///
    /// # Errors
    /// `422` for an unknown or repeated role, Desk or storage failures.
    pub async fn update_permissions(
        &self,
        claims: &SessionClaims,
        update: &PermissionsUpdate,
    ) -> Result<PermissionsView, AppError> {
        let roles = self.roles(claims).await?;
        let known: HashSet<&str> = roles.iter().map(|r| r.id.as_str()).collect();
        let mut seen = HashSet::new();
        for entry in &update.roles {
            if !known.contains(entry.role_id.as_str()) {
                return Err(AppError::Unprocessable(format!(
                    "role_id {:?} is not a role of this Desk org",
                    entry.role_id
                )));
            }
            if !seen.insert(entry.role_id.as_str()) {
                return Err(AppError::Unprocessable(format!(
                    "role_id {:?} is listed twice",
                    entry.role_id
                )));
            }
        }
        let installation = claims.installation_id;
        let documents = update
            .roles
            .iter()
            .map(|entry| Ok((entry.role_id.clone(), to_value(&entry.permissions)?)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let changes: Vec<serde_json::Value> = update
            .roles
            .iter()
            .map(|r| serde_json::json!({"role_id": r.role_id, "permissions": r.permissions}))
            .collect();
        let audit = NewAuditEntry {
            actor: claims.agent_id.clone(),
            action: "permissions.updated".to_owned(),
            details: serde_json::json!({ "roles": changes }),
        };
        self.store
            .update_role_permissions(installation, &documents, &audit, Utc::now())
            .await?;
        for entry in &update.roles {
            self.caches.invalidate_role(installation, &entry.role_id);
        }
        self.view_of(claims, &roles).await
    }

    /// `GET /api/v1/admin/profile-settings`.
    ///
    /// # Errors
    /// A deleted installation; a stored document that does not parse.
    pub async fn settings(&self, claims: &SessionClaims) -> Result<ProfileSettings, AppError> {
        Ok(self
            .installation(claims.installation_id)
            .await?
            .settings
            .clone())
    }

    /// `PUT /api/v1/admin/profile-settings`: a highlight field must exist on Account (its
    /// describe's casing is stored).
    ///
    /// # Errors
    /// `422` for a field Account does not have; Salesforce or storage failures.
    pub async fn update_settings(
        &self,
        claims: &SessionClaims,
        settings: &ProfileSettings,
    ) -> Result<ProfileSettings, AppError> {
        let context = self.installation(claims.installation_id).await?;
        let mut stored = settings.clone();
        if let Some(name) = settings.highlight_account_field.as_deref() {
            let name = name.trim();
            if name.is_empty() {
                stored.highlight_account_field = None;
            } else {
                let salesforce = self.salesforce(&context)?;
                let describe = salesforce
                    .describe("Account")
                    .await
                    .map_err(errors::salesforce)?;
                let field = describe.field(name).ok_or_else(|| {
                    AppError::Unprocessable(format!(
                        "highlight_account_field: Account has no field {name:?}"
                    ))
                })?;
                stored.highlight_account_field = Some(field.name.clone());
            }
        }
        let now = Utc::now();
        let installation = claims.installation_id;
        self.store
            .put_setting(installation, SETTINGS_KEY, &to_value(&stored)?, now)
            .await?;
        self.caches.invalidate_settings(installation);
        self.store
            .append_audit(
                installation,
                &NewAuditEntry {
                    actor: claims.agent_id.clone(),
                    action: "profile_settings.updated".to_owned(),
                    details: to_value(&stored)?,
                },
                now,
            )
            .await?;
        Ok(stored)
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(value).map_err(|e| AppError::BadRequest(format!("cannot encode: {e}")))
}
