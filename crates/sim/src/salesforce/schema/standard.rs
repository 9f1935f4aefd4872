//! The standard objects the project touches (API notes, section 9), with their system fields,
//! lookups and child relationships.
//!
//! Only names, types, lookups and relationships are described; lengths, picklist values and
//! required flags belong to describe and validation, which extend these definitions.

use super::{FieldSchema, FieldType, ObjectSchema};

use FieldType::{
    Address, Boolean, Combobox, Currency, Date, DateTime, Email, Int, Percent, Phone, Picklist,
    String as Text, TextArea, Url,
};

/// Account, Contact, Opportunity, OpportunityContactRole, Task, Event, Note, User,
/// ContentDocument and ContentDocumentLink.
#[must_use]
pub fn standard_objects() -> Vec<ObjectSchema> {
    vec![
        account(),
        contact(),
        opportunity(),
        opportunity_contact_role(),
        task(),
        event(),
        note(),
        user(),
        content_document(),
        content_document_link(),
    ]
}

fn f(name: &str, field_type: FieldType) -> FieldSchema {
    FieldSchema::new(name, field_type)
}

fn lookup(name: &str, to: &[&str], relationship: &str) -> FieldSchema {
    FieldSchema::reference(name, to, Some(relationship))
}

/// `Id` first, then the named fields, then owner (if `owned`) and the audit fields.
fn object(name: &str, prefix: &str, fields: Vec<FieldSchema>, owned: bool) -> ObjectSchema {
    let mut object = ObjectSchema::new(name, Some(prefix)).with_field(f("Id", FieldType::Id));
    object.fields.extend(fields);
    if owned {
        object = object.with_field(lookup("OwnerId", &["User"], "Owner"));
    }
    object
        .with_field(f("IsDeleted", Boolean))
        .with_field(f("CreatedDate", DateTime))
        .with_field(lookup("CreatedById", &["User"], "CreatedBy"))
        .with_field(f("LastModifiedDate", DateTime))
        .with_field(lookup("LastModifiedById", &["User"], "LastModifiedBy"))
        .with_field(f("SystemModstamp", DateTime))
}

/// The child relationships every activity-bearing parent has.
fn with_activity_children(object: ObjectSchema, via_what: bool) -> ObjectSchema {
    let field = if via_what { "WhatId" } else { "WhoId" };
    object
        .with_child("Tasks", "Task", field)
        .with_child("Events", "Event", field)
        .with_child("Notes", "Note", "ParentId")
        .with_child(
            "ContentDocumentLinks",
            "ContentDocumentLink",
            "LinkedEntityId",
        )
}

fn address_fields(prefix: &str) -> Vec<FieldSchema> {
    [
        ("Street", TextArea),
        ("City", Text),
        ("State", Text),
        ("PostalCode", Text),
        ("Country", Text),
        ("Address", Address),
    ]
    .into_iter()
    .map(|(suffix, field_type)| f(&format!("{prefix}{suffix}"), field_type))
    .collect()
}

fn account() -> ObjectSchema {
    let mut fields = vec![
        f("Name", Text),
        f("Type", Picklist),
        f("Industry", Picklist),
        f("Website", Url),
        f("Phone", Phone),
    ];
    fields.extend(address_fields("Billing"));
    fields.extend(address_fields("Shipping"));
    fields.extend([
        f("AnnualRevenue", Currency),
        f("NumberOfEmployees", Int),
        f("Description", TextArea),
    ]);
    let account = object("Account", "001", fields, true)
        .with_child("Contacts", "Contact", "AccountId")
        .with_child("Opportunities", "Opportunity", "AccountId");
    with_activity_children(account, true)
}

fn contact() -> ObjectSchema {
    let mut fields = vec![
        lookup("AccountId", &["Account"], "Account"),
        f("FirstName", Text),
        f("LastName", Text),
        f("Name", Text),
        f("Email", Email),
        f("Phone", Phone),
        f("MobilePhone", Phone),
        f("Title", Text),
        f("Department", Text),
    ];
    fields.extend(address_fields("Mailing"));
    fields.push(f("Description", TextArea));
    let contact = object("Contact", "003", fields, true)
        .with_child(
            "OpportunityContactRoles",
            "OpportunityContactRole",
            "ContactId",
        )
        .with_child("Opportunities", "Opportunity", "ContactId");
    with_activity_children(contact, false)
}

fn opportunity() -> ObjectSchema {
    let fields = vec![
        f("Name", Text),
        f("StageName", Picklist),
        f("CloseDate", Date),
        f("Amount", Currency),
        f("Probability", Percent),
        f("IsClosed", Boolean),
        f("IsWon", Boolean),
        lookup("AccountId", &["Account"], "Account"),
        FieldSchema::reference("ContactId", &["Contact"], None),
        f("Type", Picklist),
        f("LeadSource", Picklist),
        f("NextStep", Text),
        f("ForecastCategoryName", Picklist),
        f("Description", TextArea),
    ];
    let opportunity = object("Opportunity", "006", fields, true).with_child(
        "OpportunityContactRoles",
        "OpportunityContactRole",
        "OpportunityId",
    );
    with_activity_children(opportunity, true)
}

fn opportunity_contact_role() -> ObjectSchema {
    let fields = vec![
        lookup("OpportunityId", &["Opportunity"], "Opportunity"),
        lookup("ContactId", &["Contact"], "Contact"),
        f("Role", Picklist),
        f("IsPrimary", Boolean),
    ];
    object("OpportunityContactRole", "00K", fields, false)
}

fn activity_links() -> [FieldSchema; 3] {
    [
        lookup("WhoId", &["Contact", "Lead"], "Who"),
        lookup("WhatId", &["Account", "Opportunity"], "What"),
        lookup("AccountId", &["Account"], "Account"),
    ]
}

fn task() -> ObjectSchema {
    let mut fields = vec![
        f("Subject", Combobox),
        f("Status", Picklist),
        f("Priority", Picklist),
        f("ActivityDate", Date),
    ];
    fields.extend(activity_links());
    fields.extend([
        f("TaskSubtype", Picklist),
        f("IsClosed", Boolean),
        f("CompletedDateTime", DateTime),
        f("Description", TextArea),
    ]);
    object("Task", "00T", fields, true)
}

fn event() -> ObjectSchema {
    let mut fields = vec![
        f("Subject", Combobox),
        f("StartDateTime", DateTime),
        f("EndDateTime", DateTime),
        f("ActivityDateTime", DateTime),
        f("ActivityDate", Date),
        f("DurationInMinutes", Int),
        f("IsAllDayEvent", Boolean),
        f("Location", Text),
    ];
    fields.extend(activity_links());
    fields.extend([f("EventSubtype", Picklist), f("Description", TextArea)]);
    object("Event", "00U", fields, true)
}

fn note() -> ObjectSchema {
    let fields = vec![
        f("Title", Text),
        f("Body", TextArea),
        lookup("ParentId", &["Account", "Contact", "Opportunity"], "Parent"),
        f("IsPrivate", Boolean),
    ];
    object("Note", "002", fields, true)
}

fn user() -> ObjectSchema {
    let fields = vec![
        f("Username", Text),
        f("FirstName", Text),
        f("LastName", Text),
        f("Name", Text),
        f("Email", Email),
        f("IsActive", Boolean),
    ];
    let mut user = object("User", "005", fields, false);
    // Users are deactivated, never deleted: no recycle bin.
    user.fields.retain(|field| field.name != "IsDeleted");
    user.with_child(
        "ContentDocumentLinks",
        "ContentDocumentLink",
        "LinkedEntityId",
    )
}

fn content_document() -> ObjectSchema {
    let fields = vec![
        f("Title", Text),
        f("FileType", Text),
        f("FileExtension", Text),
        f("ContentSize", Int),
        f("Description", TextArea),
    ];
    object("ContentDocument", "069", fields, true).with_child(
        "ContentDocumentLinks",
        "ContentDocumentLink",
        "ContentDocumentId",
    )
}

fn content_document_link() -> ObjectSchema {
    let fields = vec![
        lookup("ContentDocumentId", &["ContentDocument"], "ContentDocument"),
        lookup(
            "LinkedEntityId",
            &["Account", "Contact", "Opportunity", "User"],
            "LinkedEntity",
        ),
        f("ShareType", Picklist),
        f("Visibility", Picklist),
    ];
    object("ContentDocumentLink", "06A", fields, false)
}
