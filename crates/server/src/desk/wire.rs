//! Serde types of the Desk API v1 bodies (doc §5–§12), as sent and received.
//!
//! Field names follow the API (camelCase). Ids are decimal strings wrapped in [`DeskId`] (they
//! overflow JS numbers). Keys a type does not model are kept in its `extra` map, so nothing the
//! service sends is lost. Writes are [`Patch`]es: only the keys being set, custom fields under
//! `cf`, because Desk updates are `PATCH`es of changed keys only.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Desk record id (16–19 decimal digits, kept as text).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeskId(pub String);

impl DeskId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DeskId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for DeskId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// The two record modules the sync touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordModule {
    /// `/contacts`.
    Contacts,
    /// `/accounts`.
    Accounts,
}

impl RecordModule {
    /// The path segment and `module=` value: `contacts` / `accounts`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Accounts => "accounts",
        }
    }

    /// The key of the id list in a `moveToTrash` body.
    pub fn trash_key(self) -> &'static str {
        match self {
            Self::Contacts => "contactIds",
            Self::Accounts => "accountIds",
        }
    }
}

/// Modules with field metadata (`GET /fields?module=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldModule {
    /// Contacts.
    Contacts,
    /// Accounts.
    Accounts,
    /// Tickets.
    Tickets,
}

impl FieldModule {
    /// The `module=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Accounts => "accounts",
            Self::Tickets => "tickets",
        }
    }
}

/// `{id, firstName, lastName}` of an owner (`include=owner`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRef {
    /// Agent id.
    pub id: DeskId,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
}

/// `{id, accountName, website}` of a contact's account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    /// Account id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
}

/// `{id, name}` of a role, profile or department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    /// Id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A full contact (get, create, update, search, webhook payloads).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Id.
    pub id: DeskId,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name (required on create).
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Secondary email.
    #[serde(default)]
    pub secondary_email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// The account's id.
    #[serde(default)]
    pub account_id: Option<DeskId>,
    /// The owning agent's id.
    #[serde(default)]
    pub owner_id: Option<DeskId>,
    /// Contact type (`paid`, …).
    #[serde(default, rename = "type")]
    pub contact_type: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Street.
    #[serde(default)]
    pub street: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Postal code (contacts: `zip`).
    #[serde(default)]
    pub zip: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// Custom fields by API name (`cf_…`), writable.
    #[serde(default)]
    pub cf: Map<String, Value>,
    /// Custom fields by label, read-only.
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Last modified.
    #[serde(default)]
    pub modified_time: Option<DateTime<Utc>>,
    /// In the recycle bin.
    #[serde(default)]
    pub is_trashed: Option<bool>,
    /// Deleted.
    #[serde(default)]
    pub is_deleted: Option<bool>,
    /// Layout id.
    #[serde(default)]
    pub layout_id: Option<DeskId>,
    /// Link to the record in Desk.
    #[serde(default)]
    pub web_url: Option<String>,
    /// The owner (`include=owner`).
    #[serde(default)]
    pub owner: Option<OwnerRef>,
    /// The account (`include=accounts`).
    #[serde(default)]
    pub account: Option<AccountRef>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A slim contact list row: no `modifiedTime`, no `cf` (doc §5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    /// Id.
    pub id: DeskId,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Secondary email.
    #[serde(default)]
    pub secondary_email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// The account's id.
    #[serde(default)]
    pub account_id: Option<DeskId>,
    /// The owner's id.
    #[serde(default)]
    pub owner_id: Option<DeskId>,
    /// Contact type.
    #[serde(default, rename = "type")]
    pub contact_type: Option<String>,
    /// Link to the record in Desk.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A full account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Id.
    pub id: DeskId,
    /// Name (required on create).
    #[serde(default)]
    pub account_name: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Fax.
    #[serde(default)]
    pub fax: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<String>,
    /// Annual revenue (a numeric string).
    #[serde(default)]
    pub annualrevenue: Option<Value>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Street.
    #[serde(default)]
    pub street: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Postal code (accounts: `code`, not `zip`).
    #[serde(default)]
    pub code: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// The owner's id.
    #[serde(default)]
    pub owner_id: Option<DeskId>,
    /// Custom fields by API name.
    #[serde(default)]
    pub cf: Map<String, Value>,
    /// Custom fields by label, read-only.
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Last modified.
    #[serde(default)]
    pub modified_time: Option<DateTime<Utc>>,
    /// In the recycle bin.
    #[serde(default)]
    pub is_trashed: Option<bool>,
    /// Link to the record in Desk.
    #[serde(default)]
    pub web_url: Option<String>,
    /// The owner (`include=owner`).
    #[serde(default)]
    pub owner: Option<OwnerRef>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A slim account list row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    /// Id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Link to the record in Desk.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An agent (`/myinfo`, `/agents/{id}`, `/agents` rows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// Id.
    pub id: DeskId,
    /// Zoho user id.
    #[serde(default)]
    pub zuid: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email_id: Option<String>,
    /// `ACTIVE` / `DISABLED`.
    #[serde(default)]
    pub status: Option<String>,
    /// Role id (our access rules key on it).
    #[serde(default)]
    pub role_id: Option<DeskId>,
    /// The role (`include=role`).
    #[serde(default)]
    pub role: Option<NamedRef>,
    /// Profile id.
    #[serde(default)]
    pub profile_id: Option<DeskId>,
    /// The profile (`include=profile`).
    #[serde(default)]
    pub profile: Option<NamedRef>,
    /// `AgentPublic`, `AgentPersonal`, `AgentTeamPersonal`, `Admin`, `Custom`, `Light`.
    #[serde(default)]
    pub role_permission_type: Option<String>,
    /// Departments.
    #[serde(default)]
    pub associated_department_ids: Vec<DeskId>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Agent {
    /// Whether the agent's role is an administrator's.
    pub fn is_admin(&self) -> bool {
        self.role_permission_type.as_deref() == Some("Admin")
    }
}

/// A role (`GET /roles`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// Id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// The parent role's id.
    #[serde(default)]
    pub reports_to: Option<Value>,
    /// Whether it is the default role.
    #[serde(default)]
    pub is_default: Option<bool>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A profile (`GET /profiles`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Profile type.
    #[serde(default, rename = "type")]
    pub profile_type: Option<String>,
    /// Whether it is the default profile.
    #[serde(default)]
    pub default: Option<bool>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One allowed picklist value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllowedValue {
    /// The value.
    pub value: String,
}

/// A field definition (`GET /fields?module=`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Id.
    pub id: DeskId,
    /// API name (`cf_…` for custom fields).
    pub api_name: String,
    /// Label.
    #[serde(default)]
    pub display_label: Option<String>,
    /// `Text`, `Email`, `Picklist`, … (kept as text: unknown types must not fail).
    #[serde(default, rename = "type")]
    pub field_type: Option<String>,
    /// Maximum length.
    #[serde(default)]
    pub max_length: Option<u64>,
    /// Required.
    #[serde(default)]
    pub is_mandatory: Option<bool>,
    /// Custom.
    #[serde(default)]
    pub is_custom_field: Option<bool>,
    /// `SYSTEM`, `USERDEFINED`, `EXTENSION`.
    #[serde(default)]
    pub source_type: Option<String>,
    /// Picklist values.
    #[serde(default)]
    pub allowed_values: Option<Vec<AllowedValue>>,
    /// Default value (booleans as `"true"`/`"false"`).
    #[serde(default)]
    pub default_value: Option<Value>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The contact embedded in a ticket (`include=contacts`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketContact {
    /// Id.
    pub id: DeskId,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Current email of the contact.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Its account.
    #[serde(default)]
    pub account: Option<AccountRef>,
}

/// A ticket (read only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// Id.
    pub id: DeskId,
    /// Ticket number.
    #[serde(default)]
    pub ticket_number: Option<String>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<String>,
    /// `Open`, `On Hold`, `Closed`.
    #[serde(default)]
    pub status_type: Option<String>,
    /// Department.
    #[serde(default)]
    pub department_id: Option<DeskId>,
    /// The requester contact.
    #[serde(default)]
    pub contact_id: Option<DeskId>,
    /// The account.
    #[serde(default)]
    pub account_id: Option<DeskId>,
    /// Requester email at creation (may differ from the contact's current email).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Assignee.
    #[serde(default)]
    pub assignee_id: Option<DeskId>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Last modified.
    #[serde(default)]
    pub modified_time: Option<DateTime<Utc>>,
    /// Link in Desk.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Custom fields.
    #[serde(default)]
    pub cf: Map<String, Value>,
    /// The contact (`include=contacts`).
    #[serde(default)]
    pub contact: Option<TicketContact>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The event filters of a webhook: event type → filter (`null` for Add/Delete).
pub type Subscriptions = Map<String, Value>;

/// A webhook subscription as stored by Desk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Id.
    pub id: DeskId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Delivery URL.
    pub url: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Enabled.
    #[serde(default)]
    pub is_enabled: Option<bool>,
    /// Calls carrying this id in the source-id header cause no events.
    #[serde(default)]
    pub ignore_source_id: Option<String>,
    /// Event filters.
    #[serde(default)]
    pub subscriptions: Subscriptions,
    /// `CUSTOMER_WEBHOOK` / `EXTENSION_WEBHOOK`.
    #[serde(default, rename = "type")]
    pub webhook_type: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_time: Option<DateTime<Utc>>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /webhooks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewWebhook {
    /// Name (≤ 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Our delivery URL (≤ 500); Desk validates it with a bodiless GET/POST first.
    pub url: String,
    /// Description (≤ 3000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enabled.
    pub is_enabled: bool,
    /// Our source id (a UUID): our own writes then cause no events.
    pub ignore_source_id: String,
    /// Event filters.
    pub subscriptions: Subscriptions,
    /// `["AUTOMATION"]` to also get workflow-made changes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub include_events_from: Vec<String>,
}

impl NewWebhook {
    /// The subscriptions the sync needs: add / update (with previous state) / delete of
    /// contacts and accounts.
    pub fn sync_subscriptions() -> Subscriptions {
        let mut subs = Map::new();
        for module in ["Contact", "Account"] {
            subs.insert(format!("{module}_Add"), Value::Null);
            subs.insert(
                format!("{module}_Update"),
                serde_json::json!({"includePrevState": true}),
            );
            subs.insert(format!("{module}_Delete"), Value::Null);
        }
        subs
    }
}

/// One delivered webhook event (deliveries are JSON arrays of these).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// `Contact_Update`, …
    pub event_type: String,
    /// The org.
    #[serde(default)]
    pub org_id: Option<String>,
    /// Epoch milliseconds, as a string.
    #[serde(default)]
    pub event_time: Option<String>,
    /// The record (at least `id`).
    #[serde(default)]
    pub payload: Value,
    /// Previous values (Update events that asked for them; treat as partial).
    #[serde(default)]
    pub prev_state: Option<Value>,
}

/// A recycle-bin row (`GET /recycleBin`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecycleBinItem {
    /// The trashed record's id.
    pub id: DeskId,
    /// Its name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Contacts`, `Accounts`, …
    #[serde(default, rename = "type")]
    pub item_type: Option<String>,
    /// Who trashed it.
    #[serde(default)]
    pub deleted_by_id: Option<DeskId>,
    /// When.
    #[serde(default)]
    pub deleted_time: Option<DateTime<Utc>>,
}

/// One per-id result of a bulk call (`updateMany`, recycle-bin restore / delete).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    /// Whether this id succeeded.
    pub success: bool,
    /// The id.
    pub id: DeskId,
    /// `{errorCode, httpCode}` on failure.
    #[serde(default)]
    pub errors: Option<Value>,
}

/// `{"results":[…]}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Results {
    #[serde(default)]
    pub(crate) results: Vec<BulkResult>,
}

/// `{"data":[…]}` of a list, or `{"data":[…],"count":N}` of a search.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct DataPage<T> {
    #[serde(default = "Vec::new")]
    pub(crate) data: Vec<T>,
    #[serde(default)]
    pub(crate) count: Option<Value>,
}

/// `{"count":"42"}` (a string; numbers are accepted too).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CountAnswer {
    pub(crate) count: Value,
}

/// An organization the token reaches (`GET /organizations`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The `orgId`.
    pub id: Value,
    /// Company name.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Portal name.
    #[serde(default)]
    pub portal_name: Option<String>,
    /// Edition.
    #[serde(default)]
    pub edition: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A write body: only the keys being set; custom fields go under `cf`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Patch(pub Map<String, Value>);

impl Patch {
    /// An empty patch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a standard field (`Value::Null` clears it).
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Sets a custom field by API name (`cf_…`).
    pub fn set_cf(mut self, api_name: &str, value: impl Into<Value>) -> Self {
        let cf = self
            .0
            .entry("cf")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(cf) = cf {
            cf.insert(api_name.to_owned(), value.into());
        }
        self
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys of `after` whose values differ from `before` (custom fields compared one by
    /// one), ready to be sent as a `PATCH`. Keys only in `before` are left alone.
    pub fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Self {
        let mut patch = Self::new();
        for (key, new) in after {
            if key == "cf" {
                let (Some(old_cf), Some(new_cf)) =
                    (before.get("cf").and_then(Value::as_object), new.as_object())
                else {
                    if before.get(key) != Some(new) {
                        patch.0.insert(key.clone(), new.clone());
                    }
                    continue;
                };
                for (name, value) in new_cf {
                    if old_cf.get(name) != Some(value) {
                        patch = patch.set_cf(name, value.clone());
                    }
                }
            } else if before.get(key) != Some(new) {
                patch.0.insert(key.clone(), new.clone());
            }
        }
        patch
    }
}

/// Parses a count that Desk sends as a string (`"42"`) or a number.
pub(crate) fn count_value(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}
