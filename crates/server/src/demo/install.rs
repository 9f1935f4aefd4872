//! The demo installation: the Desk simulator's org joined to the Salesforce simulator's org, as
//! if an admin had just finished connecting both.
//!
//! Active, two-way; the Desk admin's and the Salesforce integration user's tokens stored
//! encrypted (the same credential kinds the OAuth flows write); one permission document per
//! Desk role ([`permissions_for`]) and the profile settings (highlight
//! `Account.Subscription_Type__c`).

use chrono::Utc;
use secrecy::SecretString;
use sfdesk_shared::permissions::{Access, ProfileSettings, RolePermissions};

use super::DemoError;
use super::seed::Simulators;
use crate::store::{
    CredentialKind, InstallationId, InstallationStatus, NewInstallation, Store, SyncDirection,
};

/// The Desk data centre recorded for the simulator's org (its hosts are overridden by config).
const DATA_CENTRE: &str = "us";

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

/// Creates and fills the installation.
///
/// # Errors
/// [`DemoError::Store`] when a write fails.
pub(super) async fn connect(
    store: &dyn Store,
    sims: &Simulators,
) -> Result<InstallationId, DemoError> {
    let now = Utc::now();
    let sf = &sims.salesforce;
    let desk = &sims.desk;
    let installation = store
        .create_installation(
            &NewInstallation {
                desk_org_id: desk.org_id.clone(),
                desk_data_centre: DATA_CENTRE.to_owned(),
                salesforce_org_id: Some(sf.org_id.clone()),
                // As Salesforce reports it: no trailing slash.
                salesforce_instance_url: Some(
                    sf.instance_url.as_str().trim_end_matches('/').to_owned(),
                ),
                sync_direction: SyncDirection::TwoWay,
            },
            now,
        )
        .await?
        .id;
    store
        .set_installation_status(installation, InstallationStatus::Active, now)
        .await?;
    let tokens = [
        (CredentialKind::DeskAccessToken, &desk.access_token),
        (CredentialKind::DeskRefreshToken, &desk.refresh_token),
        (CredentialKind::SalesforceAccessToken, &sf.access_token),
        (CredentialKind::SalesforceRefreshToken, &sf.refresh_token),
    ];
    for (kind, token) in tokens {
        store
            .put_credential(installation, kind, &SecretString::from(token.clone()), now)
            .await?;
    }
    for agent in &sims.agents {
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
    Ok(installation)
}
