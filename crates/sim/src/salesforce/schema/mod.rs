//! Object and field descriptions: what a describe call reports and what SOQL checks names and
//! literal types against.
//!
//! Names are stored in their canonical API casing; every lookup here is case-insensitive, the
//! way Salesforce resolves names in queries and bodies. [`standard_objects`] has the objects the
//! project reads and writes (section 9 of the API notes).

mod standard;

pub use standard::standard_objects;

/// The data type of a field, as describe names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// The record's own id (`Id`).
    Id,
    /// Short text.
    String,
    /// Text area (long text areas included).
    TextArea,
    /// E-mail address.
    Email,
    /// Phone number.
    Phone,
    /// URL.
    Url,
    /// Picklist (single select).
    Picklist,
    /// Combobox: a picklist that also takes free text (`Task.Subject`).
    Combobox,
    /// Checkbox; never null.
    Boolean,
    /// Integer number.
    Int,
    /// Floating point number.
    Double,
    /// Currency amount.
    Currency,
    /// Percentage.
    Percent,
    /// Calendar date, `2024-01-02`.
    Date,
    /// UTC timestamp, `2024-01-02T03:04:05.000+0000`.
    DateTime,
    /// Lookup to another record; see [`FieldSchema::reference_to`].
    Reference,
    /// Compound address (`MailingAddress`): read-only, not filterable.
    Address,
    /// Base64-encoded binary content.
    Base64,
}

impl FieldType {
    /// The name describe uses: `id`, `string`, `textarea`, `datetime`, `reference`…
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::String => "string",
            Self::TextArea => "textarea",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Url => "url",
            Self::Picklist => "picklist",
            Self::Combobox => "combobox",
            Self::Boolean => "boolean",
            Self::Int => "int",
            Self::Double => "double",
            Self::Currency => "currency",
            Self::Percent => "percent",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Reference => "reference",
            Self::Address => "address",
            Self::Base64 => "base64",
        }
    }
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSchema {
    /// Canonical API name, e.g. `AccountId`.
    pub name: String,
    /// Data type.
    pub field_type: FieldType,
    /// For [`FieldType::Reference`]: the objects the lookup can point to (several for a
    /// polymorphic lookup such as `Task.WhatId`). Empty otherwise.
    pub reference_to: Vec<String>,
    /// For a lookup usable in relationship paths: its name (`Account` for `AccountId`, `What`
    /// for `WhatId`). `None` for plain fields and for lookups without one
    /// (`Opportunity.ContactId`).
    pub relationship_name: Option<String>,
}

impl FieldSchema {
    /// A plain field.
    #[must_use]
    pub fn new(name: &str, field_type: FieldType) -> Self {
        Self {
            name: name.to_owned(),
            field_type,
            reference_to: Vec::new(),
            relationship_name: None,
        }
    }

    /// A lookup to `reference_to`, with an optional relationship name.
    #[must_use]
    pub fn reference(name: &str, reference_to: &[&str], relationship_name: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            field_type: FieldType::Reference,
            reference_to: reference_to.iter().map(|&s| s.to_owned()).collect(),
            relationship_name: relationship_name.map(str::to_owned),
        }
    }
}

/// A child relationship of an object: `Contact.Tasks` is the `Task` rows whose `WhoId` points
/// at the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    /// Canonical relationship name used in subqueries, e.g. `Tasks`.
    pub relationship_name: String,
    /// The child object, e.g. `Task`.
    pub child_object: String,
    /// The lookup field on the child that points at the parent, e.g. `WhoId`.
    pub field: String,
}

/// Description of one object: its fields and child relationships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSchema {
    /// Canonical API name, e.g. `OpportunityContactRole`.
    pub name: String,
    /// The 3-character id prefix (case matters: `00K`), if the object has a fixed one.
    pub key_prefix: Option<String>,
    /// Fields in describe order; this is also the order `FIELDS(ALL)` expands to.
    pub fields: Vec<FieldSchema>,
    /// Child relationships usable as subqueries.
    pub child_relationships: Vec<ChildRelationship>,
}

impl ObjectSchema {
    /// An object with no fields yet.
    #[must_use]
    pub fn new(name: &str, key_prefix: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            key_prefix: key_prefix.map(str::to_owned),
            fields: Vec::new(),
            child_relationships: Vec::new(),
        }
    }

    /// Builder: appends a field.
    #[must_use]
    pub fn with_field(mut self, field: FieldSchema) -> Self {
        self.fields.push(field);
        self
    }

    /// Builder: appends a child relationship `relationship_name` = the `child_object` rows whose
    /// `field` points at this object.
    #[must_use]
    pub fn with_child(mut self, relationship_name: &str, child_object: &str, field: &str) -> Self {
        self.child_relationships.push(ChildRelationship {
            relationship_name: relationship_name.to_owned(),
            child_object: child_object.to_owned(),
            field: field.to_owned(),
        });
        self
    }

    /// The field called `name`, any casing.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The lookup whose relationship name is `relationship`, any casing (`account` → `AccountId`).
    #[must_use]
    pub fn relationship(&self, relationship: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
        })
    }

    /// The child relationship called `name`, any casing.
    #[must_use]
    pub fn child_relationship(&self, name: &str) -> Option<&ChildRelationship> {
        self.child_relationships
            .iter()
            .find(|c| c.relationship_name.eq_ignore_ascii_case(name))
    }

    /// Whether records of this object can be soft-deleted (the object has `IsDeleted`).
    #[must_use]
    pub fn has_recycle_bin(&self) -> bool {
        self.field("IsDeleted").is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive_and_return_canonical_names() {
        let objects = standard_objects();
        let contact = objects.iter().find(|o| o.name == "Contact").unwrap();
        assert_eq!(contact.field("EMAIL").unwrap().name, "Email");
        assert_eq!(contact.relationship("account").unwrap().name, "AccountId");
        assert_eq!(
            contact.child_relationship("tasks").unwrap(),
            &ChildRelationship {
                relationship_name: "Tasks".into(),
                child_object: "Task".into(),
                field: "WhoId".into()
            }
        );
        assert!(contact.field("Foo").is_none());
        assert!(contact.has_recycle_bin());
    }

    #[test]
    fn standard_objects_are_consistent() {
        let objects = standard_objects();
        let find = |name: &str| objects.iter().find(|o| o.name == name);
        for object in &objects {
            assert!(object.field("Id").is_some(), "{} has no Id", object.name);
            for child in &object.child_relationships {
                let child_object = find(&child.child_object).unwrap_or_else(|| {
                    panic!("{}: unknown child {}", object.name, child.child_object)
                });
                let field = child_object.field(&child.field).unwrap();
                assert!(
                    field.reference_to.contains(&object.name),
                    "{}.{} does not point at {}",
                    child.child_object,
                    child.field,
                    object.name
                );
            }
        }
        assert_eq!(
            find("OpportunityContactRole")
                .unwrap()
                .key_prefix
                .as_deref(),
            Some("00K")
        );
        let opportunity_contact = find("Opportunity").unwrap().field("ContactId").unwrap();
        assert_eq!(opportunity_contact.relationship_name, None);
    }
}
