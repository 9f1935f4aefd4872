//! Describe metadata: the per-field facts validation and `describe` need on top of
//! [`schema`](super::schema) (labels, lengths, numeric precision, nillable / createable /
//! updateable / defaulted flags, external ids, picklist values), and the `describe` bodies.
//!
//! Facts follow section 9 of the API notes. Which standard picklists are *restricted* is not in
//! the notes: only `TaskSubtype`, `EventSubtype` and `ForecastCategoryName` are treated as
//! restricted (they are in real orgs), plus the seeded custom `Account.Subscription_Type__c`.

use serde_json::{Value, json};

use super::schema::{FieldSchema, FieldType, ObjectSchema};

/// Describe facts of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMeta {
    /// Human label (`Last Name`).
    pub label: String,
    /// Max characters for text types, 18 for ids, 0 otherwise.
    pub length: u32,
    /// Digits for numbers.
    pub precision: u32,
    /// Decimal places for numbers.
    pub scale: u32,
    /// Can be null.
    pub nillable: bool,
    /// Writable on create.
    pub createable: bool,
    /// Writable on update.
    pub updateable: bool,
    /// Gets a value when none is given.
    pub defaulted_on_create: bool,
    /// External id (upsert key).
    pub external_id: bool,
    /// Picklist values (picklist / combobox).
    pub picklist: Vec<&'static str>,
    /// Values outside [`picklist`](Self::picklist) are refused.
    pub restricted: bool,
    /// A custom field (`__c`).
    pub custom: bool,
}

impl FieldMeta {
    /// Required on create: createable, not nillable, not defaulted.
    #[must_use]
    pub fn required(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }
}

const SYSTEM: &[&str] = &[
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
];

const ACCOUNT_TYPES: &[&str] = &[
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
];

const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];

/// Opportunity stages with (probability, closed, won, forecast category).
pub const STAGES: &[(&str, u32, bool, bool, &str)] = &[
    ("Prospecting", 10, false, false, "Pipeline"),
    ("Qualification", 10, false, false, "Pipeline"),
    ("Needs Analysis", 20, false, false, "Pipeline"),
    ("Value Proposition", 50, false, false, "Pipeline"),
    ("Id. Decision Makers", 60, false, false, "Pipeline"),
    ("Perception Analysis", 70, false, false, "Pipeline"),
    ("Proposal/Price Quote", 75, false, false, "Pipeline"),
    ("Negotiation/Review", 90, false, false, "Pipeline"),
    ("Closed Won", 100, true, true, "Closed"),
    ("Closed Lost", 0, true, false, "Omitted"),
];

const OCR_ROLES: &[&str] = &[
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
];

/// Task statuses; only `Completed` is a closed status.
pub const TASK_STATUSES: &[&str] = &[
    "Not Started",
    "In Progress",
    "Completed",
    "Waiting on someone else",
    "Deferred",
];

/// The seeded custom picklist `Account.Subscription_Type__c`.
pub const SUBSCRIPTION_TYPES: &[&str] = &["Free", "Standard", "Professional", "Enterprise"];

fn picklist_of(object: &str, field: &str) -> (Vec<&'static str>, bool) {
    let values: &[&str] = match (object, field) {
        ("Account", "Type") => ACCOUNT_TYPES,
        ("Account", "Industry") => INDUSTRIES,
        ("Account", "Subscription_Type__c") => return (SUBSCRIPTION_TYPES.to_vec(), true),
        ("Opportunity", "StageName") => return (STAGES.iter().map(|s| s.0).collect(), false),
        ("Opportunity", "Type") => &["Existing Business", "New Business"],
        ("Opportunity", "LeadSource") => &["Web", "Phone Inquiry", "Partner Referral", "Other"],
        ("Opportunity", "ForecastCategoryName") => {
            return (
                vec!["Omitted", "Pipeline", "Best Case", "Commit", "Closed"],
                true,
            );
        }
        ("OpportunityContactRole", "Role") => OCR_ROLES,
        ("Task", "Status") => TASK_STATUSES,
        ("Task", "Priority") => &["High", "Normal", "Low"],
        ("Task", "Subject") => &["Call", "Send Letter", "Send Quote", "Other"],
        ("Task", "TaskSubtype") => {
            return (vec!["Task", "Email", "ListEmail", "Cadence", "Call"], true);
        }
        ("Event", "Subject") => &["Call", "Email", "Meeting", "Send Letter/Quote", "Other"],
        ("Event", "EventSubtype") => return (vec!["Event"], true),
        ("ContentDocumentLink", "ShareType") => &["V", "C", "I"],
        ("ContentDocumentLink", "Visibility") => &["AllUsers", "InternalUsers", "SharedUsers"],
        _ => &[],
    };
    (values.to_vec(), false)
}

fn label_of(name: &str) -> String {
    if name == "Id" {
        return "Record ID".to_owned();
    }
    let custom = name.ends_with("__c");
    let base = name.strip_suffix("__c").unwrap_or(name);
    let (base, id_suffix) = match base.strip_suffix("Id") {
        Some(b) if !custom && !b.is_empty() => (b, true),
        _ => (base, false),
    };
    let mut label = String::new();
    let mut prev: Option<char> = None;
    for c in base.chars() {
        if c == '_' {
            label.push(' ');
        } else {
            if c.is_ascii_uppercase() && prev.is_some_and(|p| p.is_ascii_lowercase()) {
                label.push(' ');
            }
            label.push(c);
        }
        prev = Some(c);
    }
    if id_suffix {
        label.push_str(" ID");
    }
    label
}

fn text_length(object: &str, field: &str, field_type: FieldType) -> u32 {
    let specific = match (object, field) {
        ("Contact", "FirstName") | ("User", "FirstName") => Some(40),
        ("Contact", "LastName") | ("User", "LastName") => Some(80),
        ("Contact", "Name") => Some(121),
        ("Contact", "Title") => Some(128),
        ("Contact", "Department") => Some(80),
        ("Opportunity", "Name") => Some(120),
        ("Event", "Location") => Some(255),
        ("Contact" | "Account" | "User", "Desk_Id__c") => Some(40),
        _ => None,
    };
    if let Some(n) = specific {
        return n;
    }
    if field.ends_with("City") {
        return 40;
    }
    if field.ends_with("State") || field.ends_with("Country") {
        return 80;
    }
    if field.ends_with("PostalCode") {
        return 20;
    }
    if field.ends_with("Street") {
        return 255;
    }
    match field_type {
        FieldType::Id | FieldType::Reference => 18,
        FieldType::TextArea => 32_000,
        FieldType::Email => 80,
        FieldType::Phone => 40,
        FieldType::String | FieldType::Url | FieldType::Picklist | FieldType::Combobox => 255,
        _ => 0,
    }
}

/// The describe facts of `field` on `object`.
#[must_use]
pub fn field_meta(object: &str, field: &FieldSchema) -> FieldMeta {
    let name = field.name.as_str();
    let t = field.field_type;
    let system = SYSTEM.contains(&name);
    let read_only = system
        || t == FieldType::Address
        || matches!(
            (object, name),
            ("Contact" | "User", "Name")
                | ("Opportunity", "IsClosed" | "IsWon")
                | ("Task", "IsClosed")
                | ("Task" | "Event", "AccountId")
                | ("Event", "ActivityDateTime" | "ActivityDate")
                | (
                    "ContentDocument",
                    "FileType" | "FileExtension" | "ContentSize"
                )
        )
        || object == "User";
    let create_only = matches!(
        (object, name),
        ("Opportunity", "ContactId")
            | ("OpportunityContactRole", "OpportunityId")
            | ("Note", "ParentId")
            | ("Task", "TaskSubtype")
            | ("Event", "EventSubtype")
            | (
                "ContentDocumentLink",
                "ContentDocumentId" | "LinkedEntityId"
            )
    );
    let required = matches!(
        (object, name),
        ("Contact", "LastName")
            | ("Account", "Name")
            | ("Opportunity", "Name" | "StageName" | "CloseDate")
            | ("OpportunityContactRole", "OpportunityId" | "ContactId")
            | ("Note", "Title" | "ParentId")
            | (
                "ContentDocumentLink",
                "ContentDocumentId" | "LinkedEntityId"
            )
    );
    let defaulted = system
        || t == FieldType::Boolean
        || name == "OwnerId"
        || matches!(
            (object, name),
            ("Opportunity", "Probability" | "ForecastCategoryName")
                | ("Task", "Status" | "Priority" | "TaskSubtype")
                | ("Event", "EventSubtype")
                | ("ContentDocumentLink", "ShareType" | "Visibility")
        );
    let nillable = !(required || t == FieldType::Boolean || system || name == "OwnerId");
    let (precision, scale) = match (object, name, t) {
        ("Opportunity", "Amount", _) => (18, 2),
        (_, _, FieldType::Currency) => (18, 0),
        (_, _, FieldType::Percent) => (3, 0),
        (_, _, FieldType::Int) => (9, 0),
        (_, _, FieldType::Double) => (18, 0),
        _ => (0, 0),
    };
    let (picklist, restricted) = picklist_of(object, name);
    FieldMeta {
        label: label_of(name),
        length: text_length(object, name, t),
        precision,
        scale,
        nillable,
        createable: !read_only,
        updateable: !read_only && !create_only,
        defaulted_on_create: defaulted,
        external_id: name == "Desk_Id__c",
        picklist,
        restricted,
        custom: name.ends_with("__c"),
    }
}

fn soap_type(t: FieldType) -> &'static str {
    match t {
        FieldType::Id | FieldType::Reference => "tns:ID",
        FieldType::Boolean => "xsd:boolean",
        FieldType::Int => "xsd:int",
        FieldType::Double | FieldType::Currency | FieldType::Percent => "xsd:double",
        FieldType::Date => "xsd:date",
        FieldType::DateTime => "xsd:dateTime",
        FieldType::Address => "urn:address",
        FieldType::Base64 => "xsd:base64Binary",
        _ => "xsd:string",
    }
}

fn label_plural(name: &str) -> String {
    match name {
        "Opportunity" => "Opportunities".to_owned(),
        "OpportunityContactRole" => "Opportunity Contact Roles".to_owned(),
        "ContentDocument" => "Content Documents".to_owned(),
        "ContentDocumentLink" => "Content Document Links".to_owned(),
        other => format!("{}s", label_of(other)),
    }
}

fn object_flags(object: &ObjectSchema, version: &str) -> serde_json::Map<String, Value> {
    let name = &object.name;
    let writable = name != "User";
    let base = format!("/services/data/v{version}/sobjects/{name}");
    let value = json!({
        "activateable": false,
        "createable": writable,
        "custom": false,
        "customSetting": false,
        "deletable": writable,
        "deprecatedAndHidden": false,
        "feedEnabled": false,
        "hasSubtypes": false,
        "isSubtype": false,
        "keyPrefix": object.key_prefix,
        "label": label_of(name),
        "labelPlural": label_plural(name),
        "layoutable": true,
        "mergeable": matches!(name.as_str(), "Account" | "Contact"),
        "mruEnabled": true,
        "name": name,
        "queryable": true,
        "replicateable": true,
        "retrieveable": true,
        "searchable": true,
        "triggerable": true,
        "undeletable": object.has_recycle_bin(),
        "updateable": writable,
        "urls": {
            "rowTemplate": format!("{base}/{{ID}}"),
            "defaultValues": format!("{base}/defaultValues?recordTypeId&fields"),
            "describe": format!("{base}/describe"),
            "sobject": base,
        },
    });
    match value {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// One entry of describe global (`GET /sobjects`).
#[must_use]
pub fn global_entry(object: &ObjectSchema, version: &str) -> Value {
    Value::Object(object_flags(object, version))
}

fn field_json(object: &str, field: &FieldSchema) -> Value {
    let m = field_meta(object, field);
    let t = field.field_type;
    let picklist: Vec<Value> = m
        .picklist
        .iter()
        .map(|v| json!({"active": true, "defaultValue": false, "label": v, "validFor": null, "value": v}))
        .collect();
    json!({
        "aggregatable": t != FieldType::TextArea && t != FieldType::Address,
        "autoNumber": false,
        "byteLength": m.length * 3,
        "calculated": false,
        "cascadeDelete": false,
        "caseSensitive": false,
        "createable": m.createable,
        "custom": m.custom,
        "defaultValue": if t == FieldType::Boolean { json!(false) } else { Value::Null },
        "defaultedOnCreate": m.defaulted_on_create,
        "dependentPicklist": false,
        "deprecatedAndHidden": false,
        "digits": 0,
        "externalId": m.external_id,
        "filterable": t != FieldType::TextArea && t != FieldType::Address,
        "groupable": !matches!(t, FieldType::TextArea | FieldType::Address | FieldType::Double | FieldType::Currency | FieldType::Percent | FieldType::DateTime),
        "htmlFormatted": false,
        "idLookup": field.name == "Id" || m.external_id || (t == FieldType::Email),
        "label": m.label,
        "length": m.length,
        "name": field.name,
        "nameField": field.name == "Name",
        "namePointing": field.reference_to.len() > 1,
        "nillable": m.nillable,
        "permissionable": m.nillable && m.createable,
        "picklistValues": picklist,
        "polymorphicForeignKey": field.reference_to.len() > 1,
        "precision": m.precision,
        "referenceTo": field.reference_to,
        "relationshipName": field.relationship_name,
        "restrictedPicklist": m.restricted,
        "scale": m.scale,
        "soapType": soap_type(t),
        "sortable": t != FieldType::TextArea && t != FieldType::Address,
        "type": t.as_str(),
        "unique": false,
        "updateable": m.updateable,
    })
}

/// The `describe` body of `object`; `child_objects` is every schema (for child relationships).
#[must_use]
pub fn describe(object: &ObjectSchema, version: &str, instance_url: &str) -> Value {
    let mut map = object_flags(object, version);
    let name = &object.name;
    let instance = instance_url.trim_end_matches('/');
    if let Some(Value::Object(urls)) = map.get_mut("urls") {
        urls.insert(
            "uiDetailTemplate".to_owned(),
            json!(format!("{instance}/{{ID}}")),
        );
        urls.insert(
            "uiEditTemplate".to_owned(),
            json!(format!("{instance}/{{ID}}/e")),
        );
        urls.insert(
            "uiNewRecord".to_owned(),
            json!(format!(
                "{instance}/{}/e",
                object.key_prefix.as_deref().unwrap_or("")
            )),
        );
    }
    let fields: Vec<Value> = object.fields.iter().map(|f| field_json(name, f)).collect();
    let children: Vec<Value> = object
        .child_relationships
        .iter()
        .map(|c| {
            json!({
                "cascadeDelete": matches!(c.child_object.as_str(), "OpportunityContactRole" | "Note" | "ContentDocumentLink"),
                "childSObject": c.child_object,
                "deprecatedAndHidden": false,
                "field": c.field,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": c.relationship_name,
                "restrictedDelete": false,
            })
        })
        .collect();
    map.insert("fields".to_owned(), Value::Array(fields));
    map.insert("childRelationships".to_owned(), Value::Array(children));
    map.insert(
        "recordTypeInfos".to_owned(),
        json!([{
            "active": true, "available": true, "defaultRecordTypeMapping": true,
            "developerName": "Master", "master": true, "name": "Master",
            "recordTypeId": "012000000000000AAA",
            "urls": {"layout": format!("/services/data/v{version}/sobjects/{name}/describe/layouts/012000000000000AAA")}
        }]),
    );
    map.insert(
        "supportedScopes".to_owned(),
        json!([{"label": "All", "name": "everything"}]),
    );
    Value::Object(map)
}
