//! The sidebar's profile view: `GET /api/v1/profile` answers with a [`ProfileResponse`].
//!
//! Fields a role's access level leaves out are `None` and **absent** from the JSON (never
//! `null`), sections at `Access::None` likewise. Field sets per level (also in
//! `ARCHITECTURE.md`):
//!
//! | section | full | limited |
//! |---|---|---|
//! | contact info | name, title, department, email, phone, mobile, mailing address, owner | name, title, department, email |
//! | account info | name, type, industry, website, phone, billing address, annual revenue, employees, owner, highlight | name, type, industry, website, highlight |
//! | opportunities | name, stage, amount, close date, owner | name, stage, close date |
//! | notes | title, excerpt, author, date | title, author, date |
//! | tasks / calls / meetings | subject, date, status, owner | subject, date, status |
//!
//! Every record carries `url`, its "View in Salesforce" link (the org's Lightning URL).
//! Dates are ISO-8601 strings as Salesforce sends them (`2026-11-26` or
//! `2026-11-26T10:15:30.000+0000`); lists are newest first.

use serde::{Deserialize, Serialize};

use crate::permissions::Access;

/// What the sidebar asks about: exactly one Desk record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileTarget {
    /// A ticket: its requester (and the requester's account).
    TicketId(String),
    /// A Desk contact.
    DeskContactId(String),
    /// A Desk account.
    DeskAccountId(String),
}

impl ProfileTarget {
    /// The query parameter name (`ticket_id`, `desk_contact_id`, `desk_account_id`).
    #[must_use]
    pub fn param(&self) -> &'static str {
        match self {
            Self::TicketId(_) => "ticket_id",
            Self::DeskContactId(_) => "desk_contact_id",
            Self::DeskAccountId(_) => "desk_account_id",
        }
    }

    /// The Desk id.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::TicketId(id) | Self::DeskContactId(id) | Self::DeskAccountId(id) => id,
        }
    }
}

/// The answer of `GET /api/v1/profile`, tagged by `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProfileResponse {
    /// The agent's role may not see the widget (`visible` is off, or neither contacts nor
    /// accounts are allowed for this kind of page). The widget shows nothing.
    Hidden,
    /// No Salesforce record matches the Desk record.
    NotFound(NotFound),
    /// The profile, cut to the role's permissions.
    Found(Box<Profile>),
}

/// No Salesforce record matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotFound {
    /// When the server looked (RFC 3339).
    pub fetched_at: String,
    /// What was looked up: the requester's email (contacts) or the account name (accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub looked_up: Option<String>,
    /// Which object was looked for: `Contact` or `Account`.
    pub object: String,
    /// Whether this role may create the record in Salesforce.
    pub can_create: bool,
    /// Whether this role may log the ticket as a Salesforce task (ticket pages only; creates
    /// the contact first).
    pub can_log_ticket: bool,
}

/// The role's levels, so the widget can label limited sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    /// Contact and account information.
    pub info: Access,
    /// Opportunities.
    pub opportunities: Access,
    /// Notes.
    pub notes: Access,
    /// Tasks, calls and meetings.
    pub activities: Access,
}

/// A Salesforce profile, cut to the role's permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// When the server read it from Salesforce (RFC 3339; older than now when cached).
    pub fetched_at: String,
    /// The levels applied.
    pub levels: Levels,
    /// The contact (contact and ticket pages, when the role sees contacts and info).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactInfo>,
    /// The account (when the role sees accounts and info, and there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountInfo>,
    /// Open opportunities, soonest close date first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunities: Option<Section<Opportunity>>,
    /// Notes, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Section<Note>>,
    /// Tasks (not calls), newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Section<Activity>>,
    /// Calls, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Section<Activity>>,
    /// Meetings, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meetings: Option<Section<Activity>>,
    /// Whether this role may log the ticket as a Salesforce task (ticket pages only).
    pub can_log_ticket: bool,
}

/// A list section: the first records and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section<T> {
    /// How many records Salesforce returned (at most the server's per-section cap).
    pub total: u32,
    /// Whether there are more than `total` (the cap was reached).
    pub more: bool,
    /// The records, in the section's order.
    pub items: Vec<T>,
}

/// Contact facts. Limited: name, title, department, email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    /// Salesforce id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Mobile (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// Mailing address on one line (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_address: Option<String>,
    /// Owner's name (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// View in Salesforce.
    pub url: String,
}

/// Account facts. Limited: name, type, industry, website, highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Salesforce id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type (Customer, Partner, …).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Industry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Phone (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Billing address on one line (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<String>,
    /// Annual revenue (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<f64>,
    /// Number of employees (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<i64>,
    /// Owner's name (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The field the admin chose to highlight, when set and non-empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
    /// View in Salesforce.
    pub url: String,
}

/// The account field an admin highlights (for example the subscription type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    /// The field's label from Salesforce's describe (for example `Subscription Type`).
    pub label: String,
    /// Its value as text.
    pub value: String,
}

/// An open opportunity. Limited: name, stage, close date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    /// Salesforce id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Amount (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// Close date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_date: Option<String>,
    /// Owner's name (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// View in Salesforce.
    pub url: String,
}

/// Where a note lives in Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A classic `Note`.
    Classic,
    /// A Lightning note (`ContentNote`, reached through `ContentDocumentLink`).
    Lightning,
}

/// A sales note. Limited: title, author, date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Salesforce id (`Note` or `ContentDocument`).
    pub id: String,
    /// Classic or Lightning.
    pub kind: NoteKind,
    /// Title.
    pub title: String,
    /// The body's first characters (full only; classic notes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When (created date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// View in Salesforce.
    pub url: String,
}

/// A task, call or meeting. Limited: subject, date, status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Salesforce id (`Task` or `Event`).
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Due date (tasks, calls) or start (meetings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Task status; for meetings `Scheduled` or `Completed` (by end time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Owner's name (full only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// View in Salesforce.
    pub url: String,
}

/// `POST /api/v1/profile/actions/create` and `…/log-ticket`: which Desk record to act on
/// (same parameter names as the profile query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The ticket (log-ticket needs it; create takes it or one of the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
    /// The Desk contact to create in Salesforce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk_contact_id: Option<String>,
    /// The Desk account to create in Salesforce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk_account_id: Option<String>,
}

/// What an action created in Salesforce (`201`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    /// The Salesforce object: `Contact`, `Account` or `Task`.
    pub object: String,
    /// The new record's id.
    pub id: String,
    /// View in Salesforce.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_fields_are_absent_not_null() {
        let opp = Opportunity {
            id: "006".into(),
            name: "Renewal".into(),
            stage: Some("Prospecting".into()),
            amount: None,
            close_date: None,
            owner: None,
            url: "https://x".into(),
        };
        let json = serde_json::to_value(&opp).expect("serialize");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["id", "name", "stage", "url"]);
    }

    #[test]
    fn responses_are_tagged_by_status() {
        let hidden = serde_json::to_value(ProfileResponse::Hidden).expect("serialize");
        assert_eq!(hidden, serde_json::json!({"status": "hidden"}));
        let not_found = ProfileResponse::NotFound(NotFound {
            fetched_at: "2026-11-26T10:00:00Z".into(),
            looked_up: Some("a@b.c".into()),
            object: "Contact".into(),
            can_create: true,
            can_log_ticket: false,
        });
        let json = serde_json::to_string(&not_found).expect("serialize");
        assert!(json.starts_with(r#"{"status":"not_found""#), "{json}");
        let back: ProfileResponse = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, not_found);
    }
}
