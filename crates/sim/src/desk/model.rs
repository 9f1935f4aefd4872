//! The simulated org's data types and their JSON renderings.
//!
//! Records ([`Record`]) keep their standard fields as a JSON map keyed by API name and their custom
//! fields as the `cf` map; the renderers here turn them into the exact shapes of doc §5–§6: the full
//! record (get / create / update / search / webhook payloads) and the slim list row (only the keys
//! the real list returns: no `modifiedTime`, no `cf`).

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// A record module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Module {
    /// `/contacts`.
    Contacts,
    /// `/accounts`.
    Accounts,
}

impl Module {
    /// The path segment and `module=` value: `contacts` / `accounts`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Accounts => "accounts",
        }
    }

    /// The recycle bin's `type`: `Contacts` / `Accounts`.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Accounts => "Accounts",
        }
    }

    /// The webhook event prefix: `Contact` / `Account`.
    pub fn event_prefix(self) -> &'static str {
        match self {
            Self::Contacts => "Contact",
            Self::Accounts => "Account",
        }
    }

    /// The simulated module id (for `moduleId=` filters).
    pub fn module_id(self) -> &'static str {
        match self {
            Self::Contacts => "1892000000000057",
            Self::Accounts => "1892000000000059",
        }
    }

    /// The standard field that names a record (`lastName` / `accountName`).
    pub fn name_field(self) -> &'static str {
        match self {
            Self::Contacts => "lastName",
            Self::Accounts => "accountName",
        }
    }

    /// The key of the id list in a `moveToTrash` body.
    pub fn trash_key(self) -> &'static str {
        match self {
            Self::Contacts => "contactIds",
            Self::Accounts => "accountIds",
        }
    }

    /// Both modules.
    pub const ALL: [Module; 2] = [Module::Contacts, Module::Accounts];
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// A field `type` of the metadata API (doc §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum FieldType {
    Text,
    Textarea,
    LargeText,
    Email,
    Phone,
    Fax,
    Url,
    Number,
    Decimal,
    Percent,
    Currency,
    Date,
    DateTime,
    Boolean,
    Picklist,
    Multiselect,
    LookUp,
}

impl FieldType {
    /// The metadata API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Textarea => "Textarea",
            Self::LargeText => "LargeText",
            Self::Email => "Email",
            Self::Phone => "Phone",
            Self::Fax => "Fax",
            Self::Url => "URL",
            Self::Number => "Number",
            Self::Decimal => "Decimal",
            Self::Percent => "Percent",
            Self::Currency => "Currency",
            Self::Date => "Date",
            Self::DateTime => "DateTime",
            Self::Boolean => "Boolean",
            Self::Picklist => "Picklist",
            Self::Multiselect => "Multiselect",
            Self::LookUp => "LookUp",
        }
    }
}

/// One field definition (standard or custom).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// Field id.
    pub id: String,
    /// API name (`lastName`, `cf_sf_id`).
    pub api_name: String,
    /// Label (`Last Name`, `SF Id`); keys the read-only `customFields` map.
    pub label: String,
    /// Type.
    pub kind: FieldType,
    /// Maximum length in characters, for text-like types.
    pub max_length: Option<usize>,
    /// Required on create.
    pub mandatory: bool,
    /// A `cf_` field.
    pub custom: bool,
    /// Picklist values.
    pub allowed_values: Option<Vec<String>>,
    /// Default value as Desk shows it (booleans as `"true"`/`"false"`).
    pub default_value: Option<String>,
}

impl FieldDef {
    /// A custom field; `api_name` must start with `cf_`.
    pub fn custom(
        id: &str,
        api_name: &str,
        label: &str,
        kind: FieldType,
        max_length: Option<usize>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            api_name: api_name.to_owned(),
            label: label.to_owned(),
            kind,
            max_length,
            mandatory: false,
            custom: true,
            allowed_values: None,
            default_value: None,
        }
    }

    /// The metadata JSON of doc §9.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "apiName": self.api_name,
            "displayLabel": self.label,
            "type": self.kind.as_str(),
            "maxLength": self.max_length,
            "isMandatory": self.mandatory,
            "isCustomField": self.custom,
            "isEncryptedField": false,
            "sourceType": if self.custom { "USERDEFINED" } else { "SYSTEM" },
            "allowedValues": self.allowed_values.as_ref().map(|values| {
                values.iter().map(|v| json!({"value": v})).collect::<Vec<_>>()
            }),
            "defaultValue": self.default_value,
        })
    }
}

/// `(apiName, label, type, maxLength, mandatory)` of the writable standard fields.
type StdField = (&'static str, &'static str, FieldType, Option<usize>, bool);

const CONTACT_FIELDS: &[StdField] = &[
    ("firstName", "First Name", FieldType::Text, Some(40), false),
    ("lastName", "Last Name", FieldType::Text, Some(200), true),
    ("email", "Email", FieldType::Email, Some(255), false),
    (
        "secondaryEmail",
        "Secondary Email",
        FieldType::Email,
        Some(100),
        false,
    ),
    ("phone", "Phone", FieldType::Phone, Some(50), false),
    ("mobile", "Mobile", FieldType::Phone, Some(50), false),
    ("accountId", "Account Name", FieldType::LookUp, None, false),
    ("ownerId", "Contact Owner", FieldType::LookUp, None, false),
    ("type", "Type", FieldType::Picklist, Some(120), false),
    ("title", "Title", FieldType::Text, Some(100), false),
    (
        "description",
        "Description",
        FieldType::Textarea,
        Some(65535),
        false,
    ),
    ("facebook", "Facebook", FieldType::Text, Some(100), false),
    ("twitter", "Twitter", FieldType::Text, Some(100), false),
    ("street", "Street", FieldType::Text, Some(250), false),
    ("city", "City", FieldType::Text, Some(30), false),
    ("state", "State", FieldType::Text, Some(30), false),
    ("zip", "Zip", FieldType::Text, Some(30), false),
    ("country", "Country", FieldType::Text, Some(30), false),
];

const ACCOUNT_FIELDS: &[StdField] = &[
    (
        "accountName",
        "Account Name",
        FieldType::Text,
        Some(200),
        true,
    ),
    ("website", "Website", FieldType::Url, Some(120), false),
    ("phone", "Phone", FieldType::Phone, Some(30), false),
    ("fax", "Fax", FieldType::Fax, Some(30), false),
    ("email", "Email", FieldType::Email, Some(255), false),
    ("industry", "Industry", FieldType::Text, Some(120), false),
    (
        "annualrevenue",
        "Annual Revenue",
        FieldType::Currency,
        Some(30),
        false,
    ),
    (
        "description",
        "Description",
        FieldType::Textarea,
        Some(65535),
        false,
    ),
    ("street", "Street", FieldType::Text, Some(250), false),
    ("city", "City", FieldType::Text, Some(30), false),
    ("state", "State", FieldType::Text, Some(30), false),
    ("code", "Code", FieldType::Text, Some(30), false),
    ("country", "Country", FieldType::Text, Some(30), false),
    ("ownerId", "Account Owner", FieldType::LookUp, None, false),
];

const TICKET_FIELDS: &[StdField] = &[
    ("subject", "Subject", FieldType::Text, Some(255), true),
    ("contactId", "Contact Name", FieldType::LookUp, None, true),
    ("accountId", "Account Name", FieldType::LookUp, None, false),
    ("email", "Email", FieldType::Email, Some(255), false),
    ("phone", "Phone", FieldType::Phone, Some(50), false),
    ("status", "Status", FieldType::Picklist, Some(120), false),
    ("assigneeId", "Ticket Owner", FieldType::LookUp, None, false),
    ("departmentId", "Department", FieldType::LookUp, None, true),
];

/// Fields whose create-time cap is larger than the update-time one (doc §5: 30, 100 on create).
pub(crate) const CREATE_CAP_100: &[&str] = &["city", "state", "country"];

fn std_defs(table: &[StdField], id_base: u64) -> Vec<FieldDef> {
    table
        .iter()
        .enumerate()
        .map(|(i, &(api, label, kind, max, mandatory))| FieldDef {
            id: (id_base + i as u64).to_string(),
            api_name: api.to_owned(),
            label: label.to_owned(),
            kind,
            max_length: max,
            mandatory,
            custom: false,
            allowed_values: None,
            default_value: None,
        })
        .collect()
}

/// The standard (SYSTEM) fields of `module`.
pub fn standard_fields(module: Module) -> Vec<FieldDef> {
    match module {
        Module::Contacts => std_defs(CONTACT_FIELDS, 1_892_000_000_000_101),
        Module::Accounts => std_defs(ACCOUNT_FIELDS, 1_892_000_000_000_201),
    }
}

/// The standard fields of tickets (metadata only; tickets are read-only here).
pub fn ticket_fields() -> Vec<FieldDef> {
    std_defs(TICKET_FIELDS, 1_892_000_000_000_301)
}

/// The standard field table of `module`, in `/fields` order (also the order of the full record).
fn std_table(module: Module) -> &'static [StdField] {
    match module {
        Module::Contacts => CONTACT_FIELDS,
        Module::Accounts => ACCOUNT_FIELDS,
    }
}

/// Whether `key` is a writable standard field of `module`.
pub(crate) fn is_standard(module: Module, key: &str) -> bool {
    std_table(module).iter().any(|f| f.0 == key)
}

/// Keys of the full record that are read-only: accepted in a body (a client echoing a GET) and
/// ignored.
pub(crate) fn is_read_only(key: &str) -> bool {
    matches!(
        key,
        "id" | "createdTime"
            | "modifiedTime"
            | "customFields"
            | "isDeleted"
            | "isTrashed"
            | "isSpam"
            | "isFollowing"
            | "webUrl"
            | "photoURL"
            | "layoutId"
            | "layoutDetails"
            | "zohoCRMContact"
            | "zohoCRMAccount"
            | "owner"
            | "account"
            | "associatedSLAIds"
    )
}

/// A contact or account.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Decimal id.
    pub id: String,
    /// Its module.
    pub module: Module,
    /// Writable standard fields by API name (absent = `null`).
    pub fields: Map<String, Value>,
    /// Custom field values by `cf_` name (absent = `null`).
    pub cf: Map<String, Value>,
    /// Creation time.
    pub created_time: DateTime<Utc>,
    /// Last modification time.
    pub modified_time: DateTime<Utc>,
    /// Set while the record is in the recycle bin.
    pub trashed: Option<Trashed>,
}

/// Recycle-bin facts of a trashed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trashed {
    /// When it was trashed.
    pub deleted_time: DateTime<Utc>,
    /// Agent who trashed it.
    pub deleted_by: String,
}

impl Record {
    /// A standard field as a string (`None` when absent, null or not a string).
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// A custom field as a string.
    pub fn cf_str(&self, key: &str) -> Option<&str> {
        self.cf.get(key).and_then(Value::as_str)
    }

    /// Whether it is in the recycle bin.
    pub fn is_trashed(&self) -> bool {
        self.trashed.is_some()
    }

    fn field(&self, key: &str) -> Value {
        self.fields.get(key).cloned().unwrap_or(Value::Null)
    }

    /// The record's display name (`First Last` / account name).
    pub fn display_name(&self) -> String {
        match self.module {
            Module::Contacts => {
                let first = self.str("firstName").unwrap_or_default();
                let last = self.str("lastName").unwrap_or_default();
                format!("{first} {last}").trim().to_owned()
            }
            Module::Accounts => self.str("accountName").unwrap_or_default().to_owned(),
        }
    }
}

/// Formats a time as Desk does: `2024-03-05T10:15:30.000Z`.
pub fn desk_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An agent (doc §10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// Agent id.
    pub id: String,
    /// Zoho user id.
    pub zuid: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Sign-in email (`emailId`).
    pub email: String,
    /// `ACTIVE` or `DISABLED`.
    pub status: String,
    /// Role id.
    pub role_id: String,
    /// Profile id.
    pub profile_id: String,
    /// `Admin`, `AgentPublic`, …, `Light`.
    pub role_permission_type: String,
    /// Departments.
    pub department_ids: Vec<String>,
}

impl Agent {
    /// Full name.
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// A light agent (adds no credits).
    pub fn is_light(&self) -> bool {
        self.role_permission_type == "Light"
    }
}

/// A role (data-visibility hierarchy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Role id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Parent role.
    pub reports_to: Option<String>,
    /// The default role of new agents.
    pub is_default: bool,
}

impl Role {
    /// The `/roles` row.
    pub fn to_json(&self, roles: &[Role]) -> Value {
        let subs: Vec<&str> = roles
            .iter()
            .filter(|r| r.reports_to.as_deref() == Some(self.id.as_str()))
            .map(|r| r.id.as_str())
            .collect();
        json!({"id": self.id, "name": self.name, "description": self.description,
               "reportsTo": self.reports_to, "isDefault": self.is_default, "isVisible": true,
               "shareDataWithPeers": false, "immediateSubRoles": subs})
    }
}

/// A profile (permission set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Profile id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type (`Administrator`, `Agent`, `Light`, …).
    pub kind: String,
    /// The default profile.
    pub is_default: bool,
    /// Description.
    pub description: String,
}

impl Profile {
    /// The `/profiles` row.
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "type": self.kind, "isVisible": true,
               "default": self.is_default, "description": self.description})
    }
}

/// A department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A ticket (read only).
#[derive(Clone, Debug, PartialEq)]
pub struct Ticket {
    /// Id.
    pub id: String,
    /// Ticket number.
    pub ticket_number: String,
    /// Subject.
    pub subject: String,
    /// `Open`, `On Hold`, `Closed`.
    pub status: String,
    /// Department.
    pub department_id: String,
    /// Requester contact.
    pub contact_id: Option<String>,
    /// Requester account.
    pub account_id: Option<String>,
    /// Requester address at creation (may differ from the contact's current email).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Assigned agent.
    pub assignee_id: Option<String>,
    /// Created.
    pub created_time: DateTime<Utc>,
    /// Modified.
    pub modified_time: DateTime<Utc>,
}

/// Rendering context: what a renderer needs besides the record.
pub(crate) struct RenderCtx<'a> {
    pub(crate) web_base: &'a str,
    pub(crate) custom_fields: &'a [FieldDef],
    pub(crate) layout_id: &'a str,
}

impl RenderCtx<'_> {
    fn web_url(&self, module: Module, id: &str) -> String {
        let section = match module {
            Module::Contacts => "Contacts",
            Module::Accounts => "Accounts",
        };
        format!("{}#{section}/dv/{id}", self.web_base)
    }

    fn cf_maps(&self, record: &Record) -> (Value, Value) {
        let mut cf = Map::new();
        let mut by_label = Map::new();
        for def in self.custom_fields {
            let v = record.cf.get(&def.api_name).cloned().unwrap_or(Value::Null);
            by_label.insert(def.label.clone(), v.clone());
            cf.insert(def.api_name.clone(), v);
        }
        (Value::Object(cf), Value::Object(by_label))
    }
}

/// The full record of get / create / update / search / webhook payloads (without includes).
pub(crate) fn full_record(record: &Record, ctx: &RenderCtx<'_>) -> Map<String, Value> {
    let (cf, custom_fields) = ctx.cf_maps(record);
    let f = |k: &str| record.field(k);
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("id", json!(record.id));
    for &(k, ..) in std_table(record.module) {
        put(k, f(k));
    }
    match record.module {
        Module::Contacts => put("photoURL", Value::Null),
        Module::Accounts => put("associatedSLAIds", json!([])),
    }
    put("webUrl", json!(ctx.web_url(record.module, &record.id)));
    put("cf", cf);
    put("customFields", custom_fields);
    put("createdTime", json!(desk_time(record.created_time)));
    put("modifiedTime", json!(desk_time(record.modified_time)));
    put("isDeleted", json!(false));
    put("isTrashed", json!(record.is_trashed()));
    if record.module == Module::Contacts {
        put("isSpam", json!(false));
    }
    put("isFollowing", json!("false"));
    put("layoutId", json!(ctx.layout_id));
    put(
        "layoutDetails",
        json!({"id": ctx.layout_id, "layoutName": "Standard"}),
    );
    match record.module {
        Module::Contacts => put("zohoCRMContact", Value::Null),
        Module::Accounts => put("zohoCRMAccount", Value::Null),
    }
    m
}

/// The slim list row (doc §5 / §6): exactly the keys the real list returns, those of
/// [`slim_keys`] in that order.
pub(crate) fn slim_row(record: &Record, ctx: &RenderCtx<'_>) -> Map<String, Value> {
    slim_keys(record.module)
        .iter()
        .map(|&k| {
            let v = match k {
                "id" => json!(record.id),
                "webUrl" => json!(ctx.web_url(record.module, &record.id)),
                "createdTime" => json!(desk_time(record.created_time)),
                "photoURL" | "zohoCRMContact" | "zohoCRMAccount" => Value::Null,
                "isAnonymous" | "isEndUser" | "isSpam" => json!(false),
                "accountCount" => {
                    json!(usize::from(record.str("accountId").is_some()).to_string())
                }
                "customerHappiness" => {
                    json!({"badPercentage": "0", "okPercentage": "0", "goodPercentage": "0"})
                }
                // The rest are standard fields.
                _ => record.field(k),
            };
            (k.to_owned(), v)
        })
        .collect()
}

/// The slim list row keys of a module, in order: what the list rows render (also used by tests and
/// by `fields=` checks).
pub fn slim_keys(module: Module) -> &'static [&'static str] {
    match module {
        Module::Contacts => &[
            "id",
            "firstName",
            "lastName",
            "email",
            "secondaryEmail",
            "phone",
            "mobile",
            "accountId",
            "ownerId",
            "type",
            "photoURL",
            "webUrl",
            "createdTime",
            "isAnonymous",
            "isEndUser",
            "isSpam",
            "accountCount",
            "zohoCRMContact",
            "customerHappiness",
        ],
        Module::Accounts => &[
            "id",
            "accountName",
            "email",
            "phone",
            "website",
            "webUrl",
            "createdTime",
            "zohoCRMAccount",
            "customerHappiness",
        ],
    }
}

/// The `owner` include: `{id, firstName, lastName}` of the record's owner.
pub(crate) fn owner_json(agent: Option<&Agent>) -> Value {
    agent.map_or(
        Value::Null,
        |a| json!({"id": a.id, "firstName": a.first_name, "lastName": a.last_name}),
    )
}

/// The `account` include: `{id, accountName, website}`.
pub(crate) fn account_ref(account: Option<&Record>) -> Value {
    account.map_or(Value::Null, |a| {
        json!({"id": a.id, "accountName": a.field("accountName"), "website": a.field("website")})
    })
}
