//! Serde wire types of the Salesforce REST API, exactly as the service writes them
//! (`shared/docs/salesforce-api.md`).
//!
//! Tolerances the docs call for: error bodies are a JSON array or a bare object, `fields` is
//! optional, the duplicate-rule block is spelled `duplicateResult` or `duplicateResut`, token
//! bodies may omit `signature`/`issued_at`/`refresh_token`, datetimes carry `+0000` (no colon).
//! Records stay [`Record`] (a JSON object): the sync engine maps them to domain types.
//! Token-bearing types hand-write `Debug` so secrets never reach logs.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One record as returned by a query or a retrieve: `attributes` plus the selected fields.
pub type Record = Map<String, Value>;

/// One element of a REST error body: `{"message", "errorCode"[, "fields"]}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorItem {
    /// The service's message, unchanged.
    #[serde(default)]
    pub message: String,
    /// `errorCode` (REST) — collection rows call it `statusCode`, accepted too.
    #[serde(alias = "statusCode", default)]
    pub error_code: String,
    /// Fields involved; often absent.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    /// The duplicate-rule block of `DUPLICATES_DETECTED` (real key misspelled `duplicateResut`).
    #[serde(
        default,
        alias = "duplicateResut",
        skip_serializing_if = "Option::is_none"
    )]
    pub duplicate_result: Option<DuplicateResult>,
}

/// A REST error body: an array of items, or (some endpoints) one bare item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ApiErrorBody {
    /// `[{…}, …]`
    Many(Vec<ApiErrorItem>),
    /// `{…}`
    One(ApiErrorItem),
}

impl ApiErrorBody {
    /// The items, whatever the shape.
    #[must_use]
    pub fn into_items(self) -> Vec<ApiErrorItem> {
        match self {
            Self::Many(items) => items,
            Self::One(item) => vec![item],
        }
    }
}

/// The duplicate-rule block of a `DUPLICATES_DETECTED` error.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DuplicateResult {
    /// Whether the rule allows saving anyway (with the duplicate-rule header).
    pub allow_save: bool,
    /// The rule's API name.
    pub duplicate_rule: String,
    /// The object the rule is on.
    pub duplicate_rule_entity_type: String,
    /// The rule's message.
    pub error_message: String,
    /// Matches per matching rule.
    pub match_results: Vec<MatchResult>,
}

impl DuplicateResult {
    /// Ids of every matched record.
    #[must_use]
    pub fn duplicate_ids(&self) -> Vec<String> {
        self.match_results
            .iter()
            .flat_map(|m| &m.match_records)
            .filter_map(|r| {
                r.record
                    .get("Id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect()
    }
}

/// Matches of one matching rule.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchResult {
    /// Object of the matched records.
    pub entity_type: String,
    /// The matching rule's API name.
    pub rule: String,
    /// The matched records.
    pub match_records: Vec<MatchRecord>,
}

/// One matched record.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchRecord {
    /// 0–100.
    pub match_confidence: f64,
    /// The record (`attributes` + `Id`).
    pub record: Record,
}

/// OAuth error body: `{"error", "error_description"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OAuthErrorBody {
    /// `invalid_grant`, `invalid_client_id`, …
    pub error: String,
    /// Human-readable reason.
    #[serde(default)]
    pub error_description: String,
}

/// A token endpoint success body. No `expires_in`: lifetime is the org's session timeout.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: SecretString,
    /// Only with scope `refresh_token` (code exchange) or rotation (refresh).
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    /// Base64(HMAC-SHA256(client_secret, id + issued_at)); absent on JWT bearer.
    #[serde(default)]
    pub signature: Option<String>,
    /// Granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// Where to call the API.
    pub instance_url: String,
    /// Identity URL `…/id/<00D org>/<005 user>`.
    pub id: String,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Epoch **milliseconds**, as a string.
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl TokenResponse {
    /// The user id: last segment of the identity URL (drives echo suppression).
    #[must_use]
    pub fn user_id(&self) -> Option<&str> {
        self.id.trim_end_matches('/').rsplit('/').next()
    }

    /// The org id: second-to-last segment of the identity URL.
    #[must_use]
    pub fn org_id(&self) -> Option<&str> {
        self.id.trim_end_matches('/').rsplit('/').nth(1)
    }

    /// `issued_at` as a time.
    #[must_use]
    pub fn issued_at_time(&self) -> Option<DateTime<Utc>> {
        let ms: i64 = self.issued_at.as_deref()?.parse().ok()?;
        DateTime::from_timestamp_millis(ms)
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

/// One page of `query` / `queryAll`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse {
    /// Rows in the whole result (the count for `COUNT()`).
    pub total_size: u64,
    /// No more pages.
    pub done: bool,
    /// Relative URL of the next page.
    #[serde(default)]
    pub next_records_url: Option<String>,
    /// This page's rows.
    #[serde(default)]
    pub records: Vec<Record>,
}

/// One error of a collections row (`statusCode`, not `errorCode`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// `REQUIRED_FIELD_MISSING`, `ALL_OR_NONE_OPERATION_ROLLED_BACK`, …
    #[serde(alias = "errorCode", default)]
    pub status_code: String,
    /// The service's message.
    #[serde(default)]
    pub message: String,
    /// Fields involved.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Duplicate-rule block, when the row hit one.
    #[serde(
        default,
        alias = "duplicateResut",
        skip_serializing_if = "Option::is_none"
    )]
    pub duplicate_result: Option<DuplicateResult>,
}

/// One row of an sObject Collections answer (also the single-record create body).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SaveResult {
    /// Record id; absent on failed rows.
    #[serde(default)]
    pub id: Option<String>,
    /// Whether the row was saved.
    pub success: bool,
    /// Why not.
    #[serde(default)]
    pub errors: Vec<RowError>,
    /// Upsert only: inserted (`true`) or updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
}

/// A composite request (`POST /composite`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeRequest {
    /// Roll everything back when one subrequest fails.
    pub all_or_none: bool,
    /// Let the service reorder unrelated subrequests (default true on the service).
    pub collate_subrequests: bool,
    /// At most 25 subrequests (≤ 5 queries/collections).
    pub composite_request: Vec<CompositeSubrequest>,
}

/// One subrequest; `url` includes `/services/data/vNN.0/`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubrequest {
    /// `GET`, `POST`, `PATCH`, `DELETE`.
    pub method: String,
    /// Full path from `/services/data/…`.
    pub url: String,
    /// Name other subrequests use in `@{ref.id}`.
    pub reference_id: String,
    /// JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A composite answer (outer status is always 200).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeResponse {
    /// One result per subrequest.
    pub composite_response: Vec<CompositeSubresponse>,
}

/// One subrequest's result.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubresponse {
    /// Its body (`null` for 304/204).
    #[serde(default)]
    pub body: Value,
    /// Its headers.
    #[serde(default)]
    pub http_headers: BTreeMap<String, String>,
    /// Its status.
    pub http_status_code: u16,
    /// The subrequest's `referenceId`.
    pub reference_id: String,
}

/// `GET /sobjects/{Type}/updated/`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedResponse {
    /// Ids changed in the window.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Start the next window here.
    #[serde(deserialize_with = "de_datetime")]
    pub latest_date_covered: DateTime<Utc>,
}

/// `GET /sobjects/{Type}/deleted/`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedResponse {
    /// Deleted records in the window.
    #[serde(default)]
    pub deleted_records: Vec<DeletedRecord>,
    /// Oldest time the recycle bin still covers.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub earliest_date_available: Option<DateTime<Utc>>,
    /// Start the next window here.
    #[serde(deserialize_with = "de_datetime")]
    pub latest_date_covered: DateTime<Utc>,
}

/// One deleted record.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecord {
    /// Its id.
    pub id: String,
    /// When it was deleted.
    #[serde(deserialize_with = "de_datetime")]
    pub deleted_date: DateTime<Utc>,
}

/// One entry of `GET /limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct LimitValue {
    /// The allowance.
    #[serde(rename = "Max")]
    pub max: i64,
    /// What is left.
    #[serde(rename = "Remaining")]
    pub remaining: i64,
}

/// `GET /limits`: `{"DailyApiRequests": {"Max", "Remaining"}, …}`.
pub type Limits = BTreeMap<String, LimitValue>;

/// A Bulk API 2.0 job as the service reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJobInfo {
    /// `750…`.
    pub id: String,
    /// `query`, `queryAll`, `insert`, …
    #[serde(default)]
    pub operation: String,
    /// `UploadComplete`, `InProgress`, `JobComplete`, `Failed`, `Aborted`, `Open`.
    pub state: String,
    /// Why it failed.
    #[serde(default)]
    pub error_message: Option<String>,
}

/// `GET /sobjects/{Type}/describe` (the keys we read).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SObjectDescribe {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Plural label.
    pub label_plural: String,
    /// Id prefix (`003`).
    pub key_prefix: Option<String>,
    /// Can create.
    pub createable: bool,
    /// Can update.
    pub updateable: bool,
    /// Can delete.
    pub deletable: bool,
    /// Can query.
    pub queryable: bool,
    /// Fields.
    pub fields: Vec<FieldDescribe>,
    /// Child relationships.
    pub child_relationships: Vec<ChildRelationship>,
    /// `urls{}` (incl. `uiDetailTemplate`).
    pub urls: BTreeMap<String, String>,
}

impl SObjectDescribe {
    /// The field named `name` (case-insensitive, like the API).
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldDescribe {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// `string`, `email`, `picklist`, `reference`, …
    #[serde(rename = "type")]
    pub field_type: String,
    /// Text length (0 for non-text, 18 for ids).
    pub length: u32,
    /// Number precision.
    pub precision: u32,
    /// Number scale.
    pub scale: u32,
    /// Accepts null.
    pub nillable: bool,
    /// Writable on create.
    pub createable: bool,
    /// Writable on update.
    pub updateable: bool,
    /// Gets a default on create.
    pub defaulted_on_create: bool,
    /// External id field.
    pub external_id: bool,
    /// Picklist entries.
    pub picklist_values: Vec<PicklistEntry>,
    /// Only listed values allowed.
    pub restricted_picklist: bool,
    /// Target objects of a reference.
    pub reference_to: Vec<String>,
    /// Relationship name of a reference.
    pub relationship_name: Option<String>,
}

impl FieldDescribe {
    /// Required on create ⇔ `createable && !nillable && !defaultedOnCreate`.
    #[must_use]
    pub fn required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }
}

/// One picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PicklistEntry {
    /// Active.
    pub active: bool,
    /// Default value.
    pub default_value: bool,
    /// Label.
    pub label: String,
    /// API value.
    pub value: String,
}

/// One child relationship.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChildRelationship {
    /// Child object.
    pub child_s_object: String,
    /// Lookup field on the child.
    pub field: String,
    /// Name used in subqueries.
    pub relationship_name: Option<String>,
}

/// Parses a Salesforce datetime: `2024-01-02T03:04:05.000+0000`, or RFC 3339 (`Z`/`±hh:mm`).
#[must_use]
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn de_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    parse_datetime(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("invalid datetime {text:?}")))
}

fn de_opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| {
            parse_datetime(&text)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid datetime {text:?}")))
        })
        .transpose()
}
