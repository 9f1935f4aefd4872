//! The rich Salesforce profile behind ticket #101: written into the Salesforce simulator through
//! its handle, the way the records would look after months of sales work.
//!
//! The requester's contact gets a job title and address; their account an Enterprise
//! subscription (`Subscription_Type__c`, the demo's highlighted field), revenue and head count.
//! Around them: three open opportunities (different stages, amounts, close dates and owners)
//! and a closed one, each with an `OpportunityContactRole`; three classic notes and a Lightning
//! note; four tasks, three calls (`TaskSubtype` `Call`) and two meetings (one past, one
//! upcoming). Dates are relative to the simulator's clock.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use sfdesk_sim::salesforce::{ErrorItem, SalesforceSimHandle, soql};

use super::DemoError;

/// The Salesforce ids behind ticket #101's requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Showcase {
    /// The contact (`003…`).
    pub contact_id: String,
    /// Their account (`001…`).
    pub account_id: String,
    /// Open opportunities linked to the contact by contact roles, soonest close date first.
    pub open_opportunity_ids: Vec<String>,
    /// The closed (won) opportunity, also linked to the contact.
    pub closed_opportunity_id: String,
    /// Classic notes on the contact (`002…`).
    pub note_ids: Vec<String>,
    /// The Lightning note (`ContentDocument` `069…`, `FileType` `SNOTE`).
    pub lightning_note_id: String,
    /// Tasks that are not calls.
    pub task_ids: Vec<String>,
    /// Calls (tasks with `TaskSubtype` `Call`).
    pub call_ids: Vec<String>,
    /// Meetings (`Event`s): the past one, then the upcoming one.
    pub meeting_ids: Vec<String>,
}

/// Writes the showcase around the contact whose email is `email`.
///
/// # Errors
/// [`DemoError::Seed`] when no Salesforce contact has that email or the simulator refuses a
/// record.
pub(super) fn enrich(sf: &SalesforceSimHandle, email: &str) -> Result<Showcase, DemoError> {
    let now = sf.clock().now();
    let found = sf
        .query(
            &format!(
                "SELECT Id, AccountId FROM Contact WHERE Email = {} LIMIT 1",
                soql::quote(email)
            ),
            false,
        )
        .map_err(|e| DemoError::Seed(format!("finding {email} in Salesforce: {}", e.message)))?;
    let contact = &found["records"][0];
    let (Some(contact_id), Some(account_id)) = (
        contact["Id"].as_str().map(str::to_owned),
        contact["AccountId"].as_str().map(str::to_owned),
    ) else {
        return Err(DemoError::Seed(format!(
            "{email} has no Salesforce contact with an account"
        )));
    };
    let w = Writer { sf, now };
    w.update(
        "Account",
        &account_id,
        json!({"Subscription_Type__c": "Enterprise", "Type": "Customer - Direct",
               "AnnualRevenue": 48_500_000, "NumberOfEmployees": 420,
               "BillingStreet": "500 Market Street", "BillingCity": "San Francisco",
               "BillingState": "CA", "BillingPostalCode": "94105", "BillingCountry": "USA"}),
    )?;
    w.update(
        "Contact",
        &contact_id,
        json!({"Title": "Head of Operations", "Department": "Operations",
               "MailingStreet": "500 Market Street", "MailingCity": "San Francisco",
               "MailingState": "CA", "MailingPostalCode": "94105", "MailingCountry": "USA"}),
    )?;
    let reps = [
        w.user("Marcus", "Chen")?,
        w.user("Priya", "Natarajan")?,
        w.user("Sofia", "Lindqvist")?,
    ];

    let mut open_opportunity_ids = Vec::new();
    let deals = [
        (
            "Analytics add-on",
            "Proposal/Price Quote",
            18_000,
            12,
            &reps[0],
        ),
        (
            "Enterprise renewal 2027",
            "Negotiation/Review",
            96_000,
            26,
            &reps[1],
        ),
        ("EMEA expansion", "Needs Analysis", 42_500, 75, &reps[2]),
    ];
    for (name, stage, amount, close_in_days, owner) in deals {
        let id = w.opportunity(
            name,
            stage,
            amount,
            now + TimeDelta::days(close_in_days),
            owner,
        )?;
        w.contact_role(&id, &contact_id, "Decision Maker")?;
        open_opportunity_ids.push(id);
    }
    let closed_opportunity_id = w.opportunity(
        "Enterprise upgrade",
        "Closed Won",
        64_000,
        now - TimeDelta::days(210),
        &reps[1],
    )?;
    w.contact_role(&closed_opportunity_id, &contact_id, "Economic Buyer")?;

    let mut note_ids = Vec::new();
    for (days_ago, title, body) in [
        (
            3,
            "Renewal call prep",
            "Wants the analytics add-on bundled into the renewal. Budget \
             approved up to 110k. Decision by end of month.",
        ),
        (
            40,
            "Quarterly business review",
            "Happy with support response times. Asked for an \
              EMEA data residency roadmap.",
        ),
        (
            150,
            "Onboarding notes",
            "Prefers email over phone. Finance contact: accounts payable \
               team, cc on every quote.",
        ),
    ] {
        let id = w.create(
            "Note",
            json!({"Title": title, "Body": body, "ParentId": contact_id}),
        )?;
        w.backdate("Note", &id, now - TimeDelta::days(days_ago))?;
        note_ids.push(id);
    }
    let lightning_note_id = sf
        .create_lightning_note(&contact_id, "Expansion plans: EMEA offices")
        .map_err(|e| refused("ContentDocument", &e))?;
    w.backdate(
        "ContentDocument",
        &lightning_note_id,
        now - TimeDelta::days(9),
    )?;

    let mut task_ids = Vec::new();
    for (subject, status, priority, due_in_days) in [
        ("Send revised renewal quote", "Not Started", "High", Some(2)),
        (
            "Confirm analytics module pricing",
            "In Progress",
            "Normal",
            Some(5),
        ),
        (
            "Share EMEA data residency roadmap",
            "Not Started",
            "Normal",
            Some(14),
        ),
        ("Update billing contacts", "Completed", "Low", None),
    ] {
        let mut fields = json!({"Subject": subject, "Status": status, "Priority": priority,
                                "WhoId": contact_id, "WhatId": account_id});
        if let Some(days) = due_in_days {
            fields["ActivityDate"] = json!(date(now + TimeDelta::days(days)));
        }
        task_ids.push(w.create("Task", fields)?);
    }
    let mut call_ids = Vec::new();
    for (days_ago, summary) in [
        (3, "Discussed renewal timing and the analytics add-on."),
        (21, "Walked through the EMEA expansion requirements."),
        (60, "Introductory call with the new operations lead."),
    ] {
        call_ids.push(w.create(
            "Task",
            json!({"Subject": "Call", "TaskSubtype": "Call", "Status": "Completed",
                   "ActivityDate": date(now - TimeDelta::days(days_ago)),
                   "Description": summary, "WhoId": contact_id, "WhatId": account_id}),
        )?);
    }
    let mut meeting_ids = Vec::new();
    for (offset, subject, location, minutes) in [
        (
            TimeDelta::days(-7),
            "Quarterly business review",
            "Customer office",
            60,
        ),
        (TimeDelta::days(3), "Renewal sign-off", "Zoom", 45),
    ] {
        let start = now + offset;
        meeting_ids.push(w.create(
            "Event",
            json!({"Subject": subject, "Location": location, "WhoId": contact_id,
                   "WhatId": account_id, "StartDateTime": datetime(start),
                   "EndDateTime": datetime(start + TimeDelta::minutes(minutes))}),
        )?);
    }
    Ok(Showcase {
        contact_id,
        account_id,
        open_opportunity_ids,
        closed_opportunity_id,
        note_ids,
        lightning_note_id,
        task_ids,
        call_ids,
        meeting_ids,
    })
}

/// Writes through the simulator's handle as the integration user.
struct Writer<'a> {
    sf: &'a SalesforceSimHandle,
    now: DateTime<Utc>,
}

impl Writer<'_> {
    fn create(&self, object: &str, fields: Value) -> Result<String, DemoError> {
        self.sf
            .create(object, fields)
            .map_err(|e| refused(object, &e))
    }

    fn update(&self, object: &str, id: &str, fields: Value) -> Result<(), DemoError> {
        self.sf
            .ui_update(object, id, fields)
            .map_err(|e| refused(object, &e))
    }

    /// A sales rep (users are not created through the API; stored as is).
    fn user(&self, first: &str, last: &str) -> Result<String, DemoError> {
        let login = format!(
            "{}.{}@sfdesk-sim.example",
            first.to_lowercase(),
            last.to_lowercase()
        );
        self.sf
            .put_raw(
                "User",
                json!({"Username": login, "Email": login, "FirstName": first, "LastName": last,
                       "Name": format!("{first} {last}"), "IsActive": true,
                       "CreatedDate": datetime(self.now - TimeDelta::days(400))}),
            )
            .ok_or_else(|| DemoError::Seed(format!("cannot store user {first} {last}")))
    }

    fn opportunity(
        &self,
        name: &str,
        stage: &str,
        amount: u32,
        close: DateTime<Utc>,
        owner: &str,
    ) -> Result<String, DemoError> {
        self.create(
            "Opportunity",
            json!({"Name": name, "StageName": stage, "Amount": amount, "CloseDate": date(close),
                   "OwnerId": owner}),
        )
    }

    fn contact_role(&self, opportunity: &str, contact: &str, role: &str) -> Result<(), DemoError> {
        self.create(
            "OpportunityContactRole",
            json!({"OpportunityId": opportunity, "ContactId": contact, "Role": role}),
        )
        .map(drop)
    }

    /// Moves a record's creation (and last change) back to `at`.
    fn backdate(&self, object: &str, id: &str, at: DateTime<Utc>) -> Result<(), DemoError> {
        let mut record = self
            .sf
            .get(object, id)
            .ok_or_else(|| DemoError::Seed(format!("{object} {id} vanished")))?;
        for field in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
            record[field] = json!(datetime(at));
        }
        self.sf
            .put_raw(object, record)
            .map(drop)
            .ok_or_else(|| DemoError::Seed(format!("cannot backdate {object} {id}")))
    }
}

fn refused(object: &str, errors: &[ErrorItem]) -> DemoError {
    DemoError::Seed(format!("Salesforce refused a demo {object}: {errors:?}"))
}

/// A Salesforce date literal, `2026-03-05`.
fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// A Salesforce datetime as the REST API writes it, `2026-03-05T10:15:30.000+0000`.
fn datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}
