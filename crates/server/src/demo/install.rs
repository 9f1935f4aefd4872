//! What the demo adds to the sandbox's installation (which already joins the Desk simulator's
//! org to the Salesforce simulator's org, active, with both sides' tokens): one permission
//! document per Desk role ([`permissions_for`]) and the profile settings (highlight
//! `Account.Subscription_Type__c`).

use chrono::Utc;
use sfdesk_shared::permissions::{Access, ProfileSettings, RolePermissions};

use super::{DemoAgent, DemoError};
use crate::store::{InstallationId, Store};

/// The settings key of [`ProfileSettings`].
const PROFILE_SETTINGS_KEY: &str = "profile";

/// What the demo lets each Desk role see: the Administrator's role (`CEO`) everything, the
/// `Support Agent` role the limited field set of every section, the `Light Agent` role no
/// opportunities and no notes. Other roles get the defaults.
#[must_use]
pub(super) fn permissions_for(role_name: &str) -> RolePermissions {
    let full = RolePermissions::default();
    match role_name {
        "Support Agent" => RolePermissions {
            info: Access::Limited,
            opportunities: Access::Limited,
            notes: Access::Limited,
            activities: Access::Limited,
            ..full
        },
        "Light Agent" => RolePermissions {
            opportunities: Access::None,
            notes: Access::None,
            ..full
        },
        _ => full,
    }
}

/// Stores the permissions of every agent's role and the profile settings.
///
/// # Errors
/// [`DemoError::Store`] when a write fails.
pub(super) async fn configure(
    store: &dyn Store,
    installation: InstallationId,
    agents: &[DemoAgent],
) -> Result<(), DemoError> {
    let now = Utc::now();
    for agent in agents {
        let permissions = serde_json::to_value(permissions_for(&agent.role_name))
            .map_err(|e| DemoError::Seed(format!("permissions: {e}")))?;
        store
            .put_role_permissions(installation, &agent.role_id, &permissions, now)
            .await?;
    }
    let settings = serde_json::to_value(ProfileSettings {
        highlight_account_field: Some("Subscription_Type__c".to_owned()),
    })
    .map_err(|e| DemoError::Seed(format!("profile settings: {e}")))?;
    store
        .put_setting(installation, PROFILE_SETTINGS_KEY, &settings, now)
        .await?;
    Ok(())
}
