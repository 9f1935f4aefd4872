//! What a Desk role may see in the sidebar: [`RolePermissions`], and the admin API's bodies.
//!
//! One document per Desk role and installation. A role without a stored document gets
//! [`RolePermissions::default`]: everything visible, full access. The server applies a
//! document **before** it asks Salesforce: a section at [`Access::None`] is neither fetched nor
//! present in the profile; [`Access::Limited`] fetches and returns a reduced field set (the sets
//! are listed on each [`crate::profile`] type and in `ARCHITECTURE.md`).

use serde::{Deserialize, Serialize};

/// How much of one section a role sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Every field of the section.
    #[default]
    Full,
    /// The section's reduced field set.
    Limited,
    /// The section is not fetched and not in the response.
    None,
}

impl Access {
    /// Whether the section is fetched at all.
    #[must_use]
    pub fn allows(self) -> bool {
        self != Self::None
    }

    /// Whether the full field set is shown.
    #[must_use]
    pub fn is_full(self) -> bool {
        self == Self::Full
    }
}

/// Which kinds of activity a role sees (when its activities access is not [`Access::None`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityKinds {
    /// Tasks that are not calls.
    pub tasks: bool,
    /// Tasks with subtype `Call`.
    pub calls: bool,
    /// Events (meetings).
    pub meetings: bool,
}

impl Default for ActivityKinds {
    fn default() -> Self {
        Self {
            tasks: true,
            calls: true,
            meetings: true,
        }
    }
}

/// What one Desk role may see and do in the sidebar.
///
/// Every key is required in a `PUT` (a missing key is an error, so a typo never silently
/// widens access); unknown keys are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePermissions {
    /// Unticked: the widget shows nothing at all for this role.
    pub visible: bool,
    /// Whether the role sees the Salesforce contact profile.
    pub contacts: bool,
    /// Whether the role sees the Salesforce account profile.
    pub accounts: bool,
    /// Contact and account information.
    pub info: Access,
    /// Open opportunities.
    pub opportunities: Access,
    /// Notes (classic and Lightning).
    pub notes: Access,
    /// Tasks, calls and meetings.
    pub activities: Access,
    /// Which activities, when `activities` allows any.
    pub activity_kinds: ActivityKinds,
    /// May create the requester in Salesforce when no record matches.
    pub create_in_salesforce: bool,
    /// May log a ticket as a completed Salesforce task.
    pub log_ticket_as_task: bool,
}

impl Default for RolePermissions {
    /// Everything visible, full access, both actions allowed.
    fn default() -> Self {
        Self {
            visible: true,
            contacts: true,
            accounts: true,
            info: Access::Full,
            opportunities: Access::Full,
            notes: Access::Full,
            activities: Access::Full,
            activity_kinds: ActivityKinds::default(),
            create_in_salesforce: true,
            log_ticket_as_task: true,
        }
    }
}

/// One Desk role in `GET /api/v1/admin/permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEntry {
    /// The Desk role id.
    pub role_id: String,
    /// The Desk role name.
    pub role_name: String,
    /// Whether an admin stored a document for this role (`false`: the defaults apply).
    pub customized: bool,
    /// The permissions in force.
    pub permissions: RolePermissions,
}

/// `GET /api/v1/admin/permissions`: every Desk role of the org, in Desk's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionsView {
    /// The roles.
    pub roles: Vec<RoleEntry>,
}

/// One role's new document in `PUT /api/v1/admin/permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    /// The Desk role id (must be a role of the org).
    pub role_id: String,
    /// Its new permissions.
    pub permissions: RolePermissions,
}

/// `PUT /api/v1/admin/permissions`: all updates apply, or none (answer: the new
/// [`PermissionsView`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsUpdate {
    /// The roles to change; roles not listed keep their document.
    pub roles: Vec<RoleUpdate>,
}

/// `GET`/`PUT /api/v1/admin/profile-settings`: installation-wide sidebar settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// API name of the Account field shown highlighted on the account card (for example
    /// `Subscription_Type__c`); must exist on Account. `None`: no highlight.
    pub highlight_account_field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_show_everything() {
        let p = RolePermissions::default();
        assert!(p.visible && p.contacts && p.accounts);
        assert!(p.info.is_full() && p.opportunities.is_full());
        assert!(p.notes.is_full() && p.activities.is_full());
        assert_eq!(p.activity_kinds, ActivityKinds::default());
    }

    #[test]
    fn documents_round_trip_and_reject_typos() {
        let json = serde_json::to_value(RolePermissions::default()).expect("serialize");
        assert_eq!(json["info"], "full");
        let back: RolePermissions = serde_json::from_value(json.clone()).expect("parse");
        assert_eq!(back, RolePermissions::default());

        let mut typo = json.clone();
        typo["opportunites"] = serde_json::json!("none");
        assert!(serde_json::from_value::<RolePermissions>(typo).is_err());

        let mut missing = json.clone();
        missing.as_object_mut().expect("object").remove("notes");
        assert!(serde_json::from_value::<RolePermissions>(missing).is_err());

        let mut bad_level = json;
        bad_level["notes"] = serde_json::json!("partial");
        assert!(serde_json::from_value::<RolePermissions>(bad_level).is_err());
    }
}
