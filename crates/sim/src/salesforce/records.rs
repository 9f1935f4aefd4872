//! Record writes (create, update, delete, upsert, undelete) with describe-driven validation and
//! the system fields Salesforce maintains.
//!
//! Validation order: unknown fields (`INVALID_FIELD`, first one only) → read-only fields
//! (`INVALID_FIELD_FOR_INSERT_UPDATE`, all of them) → value checks per field (type,
//! `STRING_TOO_LONG`, `INVALID_EMAIL_ADDRESS`, restricted picklists, `MALFORMED_ID`,
//! `INVALID_CROSS_REFERENCE_KEY`) → required fields (`REQUIRED_FIELD_MISSING`) → the optional
//! Contact duplicate rule. System fields: audit fields at second precision with the caller as
//! `CreatedById` / `LastModifiedById`, `Name` from first/last name, compound addresses, stage
//! derived opportunity fields, `Task.IsClosed`, activity `AccountId`.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::errors::ErrorItem;
use super::ids;
use super::meta::{self, FieldMeta, STAGES};
use super::schema::{FieldSchema, FieldType, ObjectSchema};
use super::sim::{Ctx, Db};
use super::soql::{Dataset, Record, RowRef, Val};

/// Who writes.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// User id written to `CreatedById` / `LastModifiedById`.
    pub(crate) user_id: String,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub(crate) allow_duplicates: bool,
}

/// Why a write failed.
#[derive(Debug, Clone)]
pub(crate) enum DmlError {
    /// 400 with these errors.
    Invalid(Vec<ErrorItem>),
    /// 404 with this error (`NOT_FOUND`, `ENTITY_IS_DELETED`).
    NotFound(ErrorItem),
    /// 300: the external id matched these record URLs.
    Multiple(Vec<String>),
}

impl DmlError {
    pub(crate) fn into_items(self) -> Vec<ErrorItem> {
        match self {
            Self::Invalid(items) => items,
            Self::NotFound(item) => vec![item],
            Self::Multiple(urls) => vec![ErrorItem::new(
                "DUPLICATE_EXTERNAL_ID",
                format!("Multiple records matched: {}", urls.join(", ")),
            )],
        }
    }
}

impl From<Vec<ErrorItem>> for DmlError {
    fn from(items: Vec<ErrorItem>) -> Self {
        Self::Invalid(items)
    }
}

/// Now at second precision in the wire format (`…T…:SS.000+0000`).
pub(crate) fn audit_now(ctx: &Ctx) -> String {
    format_datetime(ctx.clock.now())
}

/// A datetime in the wire format with whole seconds.
pub(crate) fn format_datetime(t: DateTime<Utc>) -> String {
    let t = t.with_timezone(&Utc);
    format!("{}.000+0000", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Parses an input datetime (`Z`, `±hh:mm`, `±hhmm`).
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn not_found() -> ErrorItem {
    ErrorItem::new("NOT_FOUND", "The requested resource does not exist")
}

fn deleted() -> ErrorItem {
    ErrorItem::new("ENTITY_IS_DELETED", "entity is deleted")
}

fn schema_of<'a>(db: &'a Db, object: &str) -> Result<&'a ObjectSchema, DmlError> {
    db.store.schema(object).ok_or_else(|| {
        DmlError::NotFound(ErrorItem::new(
            "NOT_FOUND",
            "The requested resource does not exist",
        ))
    })
}

fn is_deleted(record: &Record) -> bool {
    record.get("IsDeleted").and_then(Value::as_bool) == Some(true)
}

fn row_deleted(row: RowRef<'_>) -> bool {
    row.get("IsDeleted").and_then(Val::as_bool) == Some(true)
}

fn row_text<'a>(row: RowRef<'a>, field: &str) -> Option<&'a str> {
    row.str(field).filter(|s| !s.is_empty())
}

fn valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';')
        && !domain.contains('@')
}

fn json_parse_error(t: &str, value: &Value) -> ErrorItem {
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    ErrorItem::new(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {t} from VALUE_STRING value {shown} or request may be missing a required field"
        ),
    )
}

/// Checks and normalises one value; `Ok(Value::Null)` for null.
fn check_value(
    db: &Db,
    field: &FieldSchema,
    m: &FieldMeta,
    value: &Value,
) -> Result<Value, ErrorItem> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let name = &field.name;
    let fields = || vec![name.clone()];
    let text = || match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match field.field_type {
        FieldType::String
        | FieldType::TextArea
        | FieldType::Email
        | FieldType::Phone
        | FieldType::Url
        | FieldType::Picklist
        | FieldType::Combobox
        | FieldType::Base64 => {
            let Some(s) = text() else {
                return Err(json_parse_error("String", value));
            };
            if s.is_empty() {
                return Ok(Value::Null);
            }
            if m.length > 0 && s.chars().count() > m.length as usize {
                return Err(ErrorItem::with_fields(
                    "STRING_TOO_LONG",
                    format!(
                        "{}: data value too large: {s} (max length={})",
                        m.label, m.length
                    ),
                    fields(),
                ));
            }
            if field.field_type == FieldType::Email && !valid_email(&s) {
                return Err(ErrorItem::with_fields(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {s}", m.label),
                    fields(),
                ));
            }
            if m.restricted && !m.picklist.contains(&s.as_str()) {
                return Err(ErrorItem::with_fields(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!("{}: bad value for restricted picklist field: {s}", m.label),
                    fields(),
                ));
            }
            Ok(Value::String(s))
        }
        FieldType::Boolean => match value {
            Value::Bool(b) => Ok(json!(b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(json!(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(json!(false)),
            _ => Err(json_parse_error("boolean", value)),
        },
        FieldType::Int => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| json!(f as i64))
                .ok_or_else(|| json_parse_error("int", value)),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(|n| json!(n))
                .map_err(|_| json_parse_error("int", value)),
            _ => Err(json_parse_error("int", value)),
        },
        FieldType::Double | FieldType::Currency | FieldType::Percent => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| json_parse_error("double", value)),
            _ => Err(json_parse_error("double", value)),
        },
        FieldType::Date => {
            let Some(s) = value.as_str() else {
                return Err(json_parse_error("date", value));
            };
            let day = s.get(..10).unwrap_or(s);
            NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map(|d| json!(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| json_parse_error("date", value))
        }
        FieldType::DateTime => {
            let Some(s) = value.as_str() else {
                return Err(json_parse_error("datetime", value));
            };
            parse_datetime(s)
                .map(|t| {
                    json!(format!(
                        "{}+0000",
                        t.to_rfc3339_opts(SecondsFormat::Millis, true)
                            .trim_end_matches('Z')
                    ))
                })
                .ok_or_else(|| json_parse_error("datetime", value))
        }
        FieldType::Reference | FieldType::Id => {
            let Some(s) = value.as_str() else {
                return Err(json_parse_error("id", value));
            };
            if s.is_empty() {
                return Ok(Value::Null);
            }
            let malformed = || {
                ErrorItem::with_fields(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {s}", m.label),
                    fields(),
                )
            };
            let id = ids::to_18(s).ok_or_else(malformed)?;
            let target = db.store.object_of_id(&id).ok_or_else(malformed)?;
            if !field.reference_to.iter().any(|r| r == target) {
                return Err(malformed());
            }
            match db.store.get(target, &id) {
                Some(row) if !row_deleted(row) => Ok(Value::String(id)),
                _ => Err(ErrorItem::with_fields(
                    "INVALID_CROSS_REFERENCE_KEY",
                    "invalid cross reference id",
                    Vec::new(),
                )),
            }
        }
        FieldType::Address => Ok(value.clone()),
    }
}

/// Validates a body for `object`; returns the normalised changes keyed by canonical names.
fn validate(
    db: &Db,
    schema: &ObjectSchema,
    body: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<Map<String, Value>, Vec<ErrorItem>> {
    let object = &schema.name;
    let is_create = existing.is_none();
    let mut resolved = Vec::new();
    for (key, value) in body {
        if key == "attributes" {
            continue;
        }
        let Some(field) = schema.field(key) else {
            return Err(vec![ErrorItem::new(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {object}"),
            )]);
        };
        resolved.push((field, value));
    }
    let read_only: Vec<String> = resolved
        .iter()
        .filter(|(field, value)| {
            let m = meta::field_meta(object, field);
            let writable = if is_create {
                m.createable
            } else {
                m.updateable
            };
            // Echoing the record's own Id in an update body is tolerated.
            let own_id = !is_create
                && field.name == "Id"
                && value
                    .as_str()
                    .zip(existing.and_then(|e| e.get("Id")?.as_str()))
                    .is_some_and(|(a, b)| ids::key(a) == ids::key(b));
            !writable && !own_id
        })
        .map(|(field, _)| field.name.clone())
        .collect();
    if !read_only.is_empty() {
        return Err(vec![ErrorItem::with_fields(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                read_only.join(", ")
            ),
            read_only,
        )]);
    }
    let mut changes = Map::new();
    let mut errors = Vec::new();
    for (field, value) in resolved {
        if field.name == "Id" {
            continue;
        }
        let m = meta::field_meta(object, field);
        match check_value(db, field, &m, value) {
            Ok(v) => {
                changes.insert(field.name.clone(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let missing: Vec<String> = schema
        .fields
        .iter()
        .filter(|f| meta::field_meta(object, f).required())
        .filter(|f| match changes.get(&f.name) {
            Some(v) => v.is_null(),
            None => {
                is_create
                    || existing
                        .and_then(|e| e.get(&f.name))
                        .is_none_or(Value::is_null)
            }
        })
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(vec![ErrorItem::with_fields(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
            missing,
        )]);
    }
    Ok(changes)
}

fn text_of<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    record
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn compound_address(record: &Record, prefix: &str) -> Value {
    let part = |suffix: &str| {
        record
            .get(&format!("{prefix}{suffix}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let parts = [
        part("City"),
        part("Country"),
        part("PostalCode"),
        part("State"),
        part("Street"),
    ];
    if parts.iter().all(Value::is_null) {
        return Value::Null;
    }
    let [city, country, postal, state, street] = parts;
    json!({
        "city": city, "country": country, "geocodeAccuracy": null, "latitude": null,
        "longitude": null, "postalCode": postal, "state": state, "street": street,
    })
}

/// Recomputes the derived fields of `record`; `changed` are the keys the write set.
fn derive(db: &Db, object: &str, record: &mut Record, changed: &Map<String, Value>) {
    match object {
        "Contact" => {
            let name = [text_of(record, "FirstName"), text_of(record, "LastName")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            record.insert("Name".to_owned(), json!(name));
            let address = compound_address(record, "Mailing");
            record.insert("MailingAddress".to_owned(), address);
        }
        "Account" => {
            for prefix in ["Billing", "Shipping"] {
                let address = compound_address(record, prefix);
                record.insert(format!("{prefix}Address"), address);
            }
        }
        "Opportunity" => {
            let stage = text_of(record, "StageName").unwrap_or_default().to_owned();
            if let Some(&(_, probability, closed, won, forecast)) =
                STAGES.iter().find(|s| s.0 == stage)
            {
                if changed.contains_key("StageName") && !changed.contains_key("Probability") {
                    record.insert("Probability".to_owned(), json!(probability));
                }
                if changed.contains_key("StageName")
                    && !changed.contains_key("ForecastCategoryName")
                {
                    record.insert("ForecastCategoryName".to_owned(), json!(forecast));
                }
                record.insert("IsClosed".to_owned(), json!(closed));
                record.insert("IsWon".to_owned(), json!(won));
            }
        }
        "Task" | "Event" => {
            if object == "Task" {
                let closed = text_of(record, "Status") == Some("Completed");
                record.insert("IsClosed".to_owned(), json!(closed));
            } else {
                let start = record
                    .get("StartDateTime")
                    .and_then(Value::as_str)
                    .and_then(parse_datetime);
                if let Some(start) = start {
                    record.insert("ActivityDateTime".to_owned(), json!(format_millis(start)));
                    record.insert(
                        "ActivityDate".to_owned(),
                        json!(start.format("%Y-%m-%d").to_string()),
                    );
                    let end = record
                        .get("EndDateTime")
                        .and_then(Value::as_str)
                        .and_then(parse_datetime);
                    let duration = record.get("DurationInMinutes").and_then(Value::as_i64);
                    if changed.contains_key("DurationInMinutes") || end.is_none() {
                        if let Some(d) = duration {
                            let end = start + TimeDelta::minutes(d);
                            record.insert("EndDateTime".to_owned(), json!(format_millis(end)));
                        }
                    } else if let Some(end) = end {
                        record.insert(
                            "DurationInMinutes".to_owned(),
                            json!((end - start).num_minutes()),
                        );
                    }
                }
            }
            let account = activity_account(db, record);
            record.insert("AccountId".to_owned(), account);
        }
        _ => {}
    }
}

fn format_millis(t: DateTime<Utc>) -> String {
    format!(
        "{}+0000",
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
            .trim_end_matches('Z')
    )
}

fn activity_account(db: &Db, record: &Record) -> Value {
    if let Some(what) = text_of(record, "WhatId") {
        match db.store.object_of_id(what) {
            Some("Account") => return json!(what),
            Some("Opportunity") => {
                if let Some(account) = db
                    .store
                    .get("Opportunity", what)
                    .and_then(|o| row_text(o, "AccountId"))
                {
                    return json!(account);
                }
            }
            _ => {}
        }
    }
    text_of(record, "WhoId")
        .and_then(|who| db.store.get("Contact", who))
        .and_then(|c| c.get("AccountId").map(Val::to_value))
        .unwrap_or(Value::Null)
}

fn defaults(object: &str, user: &str) -> Vec<(&'static str, Value)> {
    let mut out = vec![("OwnerId", json!(user))];
    match object {
        "Task" => out.extend([
            ("Status", json!("Not Started")),
            ("Priority", json!("Normal")),
            ("TaskSubtype", json!("Task")),
        ]),
        "Event" => out.push(("EventSubtype", json!("Event"))),
        "ContentDocumentLink" => {
            out.extend([("ShareType", json!("V")), ("Visibility", json!("AllUsers"))])
        }
        _ => {}
    }
    out
}

fn duplicate_check(
    ctx: &Ctx,
    db: &Db,
    caller: &Caller,
    object: &str,
    record: &Record,
) -> Result<(), Vec<ErrorItem>> {
    if !ctx.options.duplicate_rule || caller.allow_duplicates || object != "Contact" {
        return Ok(());
    }
    let Some(email) = text_of(record, "Email") else {
        return Ok(());
    };
    let own = record.get("Id").and_then(Value::as_str).map(ids::key);
    let matches: Vec<String> = db
        .store
        .rows("Contact")
        .filter(|r| !row_deleted(*r))
        .filter(|r| row_text(*r, "Email").is_some_and(|e| e.eq_ignore_ascii_case(email)))
        .filter_map(|r| r.str("Id").map(str::to_owned))
        .filter(|id| Some(ids::key(id)) != own)
        .collect();
    if matches.is_empty() {
        return Ok(());
    }
    let version = &ctx.options.api_version;
    let message =
        "You're creating a duplicate record. We recommend you use an existing record instead.";
    let records: Vec<Value> = matches
        .iter()
        .map(|id| {
            json!({
                "additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100,
                "record": {"attributes": {"type": "Contact", "url": format!("/services/data/v{version}/sobjects/Contact/{id}")}, "Id": id},
            })
        })
        .collect();
    let mut item = ErrorItem::new("DUPLICATES_DETECTED", message);
    // The real key is misspelled `duplicateResut`.
    item.extra.get_or_insert_default().insert(
        "duplicateResut".to_owned(),
        json!({
            "allowSave": true, "duplicateRule": "Standard_Contact_Duplicate_Rule",
            "duplicateRuleEntityType": "Contact", "errorMessage": message,
            "matchResults": [{
                "entityType": "Contact", "errors": [], "matchEngine": "ExactMatchEngine",
                "matchRecords": records, "rule": "Contact_Email_Match_Rule",
                "size": matches.len(), "success": true,
            }],
        }),
    );
    Err(vec![item])
}

fn event_check(object: &str, record: &Record) -> Result<(), Vec<ErrorItem>> {
    if object != "Event" {
        return Ok(());
    }
    let all_day = record.get("IsAllDayEvent").and_then(Value::as_bool) == Some(true);
    let has = |f: &str| record.get(f).is_some_and(|v| !v.is_null());
    if !all_day && !has("EndDateTime") && !has("DurationInMinutes") {
        return Err(vec![ErrorItem::with_fields(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [DurationInMinutes]",
            vec!["DurationInMinutes".to_owned()],
        )]);
    }
    Ok(())
}

/// Creates a record of `object`; returns its id.
pub(crate) fn create(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    object: &str,
    body: &Map<String, Value>,
) -> Result<String, Vec<ErrorItem>> {
    let schema = db
        .store
        .schema(object)
        .ok_or_else(|| {
            vec![ErrorItem::new(
                "NOT_FOUND",
                "The requested resource does not exist",
            )]
        })?
        .clone();
    let changes = validate(db, &schema, body, None)?;
    // Unset fields are simply absent (they read as null); booleans start false.
    let mut record = Record::new();
    for field in &schema.fields {
        if field.field_type == FieldType::Boolean {
            record.insert(field.name.clone(), json!(false));
        }
    }
    for (name, value) in defaults(&schema.name, &caller.user_id) {
        if schema.field(name).is_some() {
            record.insert(name.to_owned(), value);
        }
    }
    apply_changes(&schema, &mut record, &changes);
    event_check(&schema.name, &record)?;
    let prefix = schema.key_prefix.clone().unwrap_or_default();
    let id = db.next_id(&prefix);
    record.insert("Id".to_owned(), json!(id));
    let mut all_changed = changes.clone();
    if schema.name == "Opportunity" {
        all_changed.entry("StageName").or_insert(Value::Null);
    }
    derive(db, &schema.name, &mut record, &all_changed);
    duplicate_check(ctx, db, caller, &schema.name, &record)?;
    let now = audit_now(ctx);
    for field in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        record.insert(field.to_owned(), json!(now));
    }
    for field in ["CreatedById", "LastModifiedById"] {
        record.insert(field.to_owned(), json!(caller.user_id));
    }
    if schema.field("IsDeleted").is_some() {
        record.insert("IsDeleted".to_owned(), json!(false));
    }
    db.store.put(&schema.name, record);
    Ok(id)
}

/// Writes the validated `changes` into `record`; `null` clears a field, except that a boolean
/// reads `false` instead.
fn apply_changes(schema: &ObjectSchema, record: &mut Record, changes: &Map<String, Value>) {
    for (k, v) in changes {
        let v = if v.is_null()
            && schema
                .field(k)
                .is_some_and(|f| f.field_type == FieldType::Boolean)
        {
            json!(false)
        } else {
            v.clone()
        };
        record.insert(k.clone(), v);
    }
}

/// Finds a live record by id in `object` (canonical), with the 404s of the REST API.
fn live(db: &Db, object: &str, id: &str) -> Result<Record, DmlError> {
    if !ids::is_valid(id) {
        return Err(DmlError::NotFound(not_found()));
    }
    let record = db
        .store
        .get(object, id)
        .ok_or_else(|| DmlError::NotFound(not_found()))?;
    if row_deleted(record) {
        return Err(DmlError::NotFound(deleted()));
    }
    Ok(record.to_record())
}

/// Updates record `id` of `object`.
pub(crate) fn update(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    object: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), DmlError> {
    let schema = schema_of(db, object)?.clone();
    let existing = live(db, &schema.name, id)?;
    let changes = validate(db, &schema, body, Some(&existing))?;
    let mut record = existing;
    apply_changes(&schema, &mut record, &changes);
    event_check(&schema.name, &record)?;
    derive(db, &schema.name, &mut record, &changes);
    duplicate_check(ctx, db, caller, &schema.name, &record)?;
    let now = audit_now(ctx);
    record.insert("LastModifiedDate".to_owned(), json!(now));
    record.insert("SystemModstamp".to_owned(), json!(now));
    record.insert("LastModifiedById".to_owned(), json!(caller.user_id));
    db.store.put(&schema.name, record);
    Ok(())
}

/// Objects whose rows go to the recycle bin with a deleted parent: (child, lookup field).
const CASCADE: &[(&str, &str, &str)] = &[
    ("Account", "Contact", "AccountId"),
    ("Account", "Opportunity", "AccountId"),
    ("Opportunity", "OpportunityContactRole", "OpportunityId"),
    ("Contact", "OpportunityContactRole", "ContactId"),
];

/// Soft-deletes record `id` (of `object` if given, else the object its prefix names).
pub(crate) fn delete(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    object: Option<&str>,
    id: &str,
) -> Result<(), DmlError> {
    let name = match object {
        Some(o) => schema_of(db, o)?.name.clone(),
        None => ids::to_18(id)
            .and_then(|id| db.store.object_of_id(&id).map(str::to_owned))
            .ok_or_else(|| {
                DmlError::Invalid(vec![ErrorItem::new(
                    "MALFORMED_ID",
                    format!("malformed id {id}"),
                )])
            })?,
    };
    let has_bin = db
        .store
        .schema(&name)
        .is_some_and(ObjectSchema::has_recycle_bin);
    let record = live(db, &name, id)?;
    if !has_bin {
        return Err(DmlError::Invalid(vec![ErrorItem::new(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access rights on object id",
        )]));
    }
    let now_t = ctx.clock.now();
    mark_deleted(db, &name, record, caller, &format_datetime(now_t), now_t);
    Ok(())
}

fn mark_deleted(
    db: &mut Db,
    object: &str,
    mut record: Record,
    caller: &Caller,
    now: &str,
    now_t: DateTime<Utc>,
) {
    let id = record
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    record.insert("IsDeleted".to_owned(), json!(true));
    record.insert("SystemModstamp".to_owned(), json!(now));
    record.insert("LastModifiedDate".to_owned(), json!(now));
    record.insert("LastModifiedById".to_owned(), json!(caller.user_id));
    db.store.put(object, record);
    db.store.set_deleted_at(&id, Some(now_t));
    for (parent, child, field) in CASCADE {
        if *parent != object {
            continue;
        }
        let children: Vec<Record> = db
            .store
            .rows(child)
            .filter(|r| !row_deleted(*r))
            .filter(|r| row_text(*r, field).is_some_and(|v| ids::key(v) == ids::key(&id)))
            .map(RowRef::to_record)
            .collect();
        for row in children {
            mark_deleted(db, child, row, caller, now, now_t);
        }
    }
}

/// Restores a soft-deleted record (SOAP `undelete`).
pub(crate) fn undelete(ctx: &Ctx, db: &mut Db, caller: &Caller, id: &str) -> Result<(), ErrorItem> {
    let name = ids::to_18(id)
        .and_then(|id| db.store.object_of_id(&id).map(str::to_owned))
        .ok_or_else(|| ErrorItem::new("MALFORMED_ID", format!("bad id {id}")))?;
    let mut record = db.store.record(&name, id).ok_or_else(|| {
        ErrorItem::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    })?;
    if !is_deleted(&record) {
        return Err(ErrorItem::new(
            "UNDELETE_FAILED",
            "Entity is not in the recycle bin",
        ));
    }
    let now = audit_now(ctx);
    record.insert("IsDeleted".to_owned(), json!(false));
    record.insert("SystemModstamp".to_owned(), json!(now));
    record.insert("LastModifiedDate".to_owned(), json!(now));
    record.insert("LastModifiedById".to_owned(), json!(caller.user_id));
    db.store.put(&name, record);
    db.store.set_deleted_at(id, None);
    Ok(())
}

/// Live records of `object` whose `field` equals `value` (case-insensitive for text).
pub(crate) fn find_by_field(db: &Db, object: &str, field: &str, value: &str) -> Vec<String> {
    let is_id = field.eq_ignore_ascii_case("Id");
    db.store
        .rows(object)
        .filter(|r| !row_deleted(*r))
        .filter(|r| match r.get(field) {
            Some(Val::Number(n)) => n.to_string() == value,
            Some(v) => match v.as_str() {
                Some(s) if is_id => ids::key(s) == ids::key(value),
                Some(s) => s.eq_ignore_ascii_case(value),
                None => false,
            },
            None => false,
        })
        .filter_map(|r| r.str("Id").map(str::to_owned))
        .collect()
}

/// Upserts by external id: `Ok((id, created))`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn upsert(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    object: &str,
    ext_field: &str,
    value: &str,
    body: &Map<String, Value>,
    update_only: bool,
) -> Result<(String, bool), DmlError> {
    let schema = schema_of(db, object)?.clone();
    let Some(field) = schema.field(ext_field).cloned() else {
        return Err(DmlError::NotFound(ErrorItem::new(
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {ext_field}"),
        )));
    };
    let m = meta::field_meta(&schema.name, &field);
    if !(m.external_id || field.name == "Id") {
        return Err(DmlError::NotFound(ErrorItem::new(
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {ext_field}"),
        )));
    }
    if body.keys().any(|k| k.eq_ignore_ascii_case(&field.name)) && field.name != "Id" {
        // The real API accepts the field in the body only when equal; keep it simple and strict.
        let same = body
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&field.name))
            .is_some_and(|(_, v)| v.as_str() == Some(value));
        if !same {
            return Err(DmlError::Invalid(vec![ErrorItem::new(
                "INVALID_FIELD",
                format!(
                    "The external ID field {} cannot be set to a different value in the body",
                    field.name
                ),
            )]));
        }
    }
    let matches = find_by_field(db, &schema.name, &field.name, value);
    match matches.len() {
        0 if update_only => Err(DmlError::NotFound(not_found())),
        0 => {
            let mut body = body.clone();
            if field.name != "Id" {
                body.insert(field.name.clone(), json!(value));
            }
            create(ctx, db, caller, &schema.name, &body)
                .map(|id| (id, true))
                .map_err(DmlError::Invalid)
        }
        1 => {
            let id = matches[0].clone();
            let body: Map<String, Value> = body
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case(&field.name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            update(ctx, db, caller, &schema.name, &id, &body)?;
            Ok((id, false))
        }
        _ => {
            let version = &ctx.options.api_version;
            Err(DmlError::Multiple(
                matches
                    .iter()
                    .map(|id| format!("/services/data/v{version}/sobjects/{}/{id}", schema.name))
                    .collect(),
            ))
        }
    }
}

/// The REST rendering of a stored record: `attributes` then the fields (all of them, or the
/// given ones in order).
pub(crate) fn render(
    version: &str,
    object: &ObjectSchema,
    record: &Record,
    fields: Option<&[String]>,
) -> Result<Value, ErrorItem> {
    let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut map = Map::new();
    map.insert(
        "attributes".to_owned(),
        json!({"type": object.name, "url": format!("/services/data/v{version}/sobjects/{}/{id}", object.name)}),
    );
    match fields {
        None => {
            for f in &object.fields {
                map.insert(
                    f.name.clone(),
                    record.get(&f.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        Some(list) => {
            for name in list {
                let Some(f) = object.field(name.trim()) else {
                    return Err(ErrorItem::new(
                        "INVALID_FIELD",
                        format!(
                            "No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                            name.trim(),
                            object.name
                        ),
                    ));
                };
                map.insert(
                    f.name.clone(),
                    record.get(&f.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    Ok(Value::Object(map))
}

/// Stores a record without validation (seed data): booleans false, defaults, `fields`, derived
/// and audit fields stamped `stamp` by `user`. Returns the new id.
pub(crate) fn insert_unchecked(
    db: &mut Db,
    object: &str,
    fields: Map<String, Value>,
    user: &str,
    stamp: &str,
) -> String {
    let Some(schema) = db.store.schema(object).cloned() else {
        return String::new();
    };
    let mut record = Record::new();
    for field in &schema.fields {
        if field.field_type == FieldType::Boolean {
            record.insert(field.name.clone(), json!(false));
        }
    }
    for (name, value) in defaults(&schema.name, user) {
        if schema.field(name).is_some() {
            record.insert(name.to_owned(), value);
        }
    }
    let mut changed = fields.clone();
    changed.entry("StageName").or_insert(Value::Null);
    record.extend(fields);
    let id = db.next_id(schema.key_prefix.as_deref().unwrap_or("000"));
    record.insert("Id".to_owned(), json!(id));
    derive(db, &schema.name, &mut record, &changed);
    for field in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        record.insert(field.to_owned(), json!(stamp));
    }
    for field in ["CreatedById", "LastModifiedById"] {
        record.insert(field.to_owned(), json!(user));
    }
    db.store.put(&schema.name, record);
    id
}
