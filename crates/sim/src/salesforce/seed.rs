//! Deterministic seed data of the Salesforce simulator: [`SalesforceSeed`].
//!
//! Two users (the integration user whose token the handle holds, and a "UI" user for simulated
//! edits), accounts from [`people::company`] (indexes `0..accounts`, the same companies the Desk
//! generator makes, so names differing only in case or spacing and Chinese names are included),
//! contacts from [`people::person`]: the first `overlap` contacts use indexes `0..overlap` (the
//! same people the Desk simulator seeds), the others indexes from [`SF_ONLY_OFFSET`] on, so they
//! exist only here. People carry the generator's quirks (no email, one email shared by several,
//! no first name, Chinese names). With `activities`: an opportunity for every third contact
//! (open, Closed Won and Closed Lost in turn) with an `OpportunityContactRole`, a classic note
//! for every fourth, a task for every second (every tenth a call: `TaskSubtype` `Call`), a
//! meeting (`Event`) for every sixth. Timestamps are one second apart, ending just before the
//! simulated start.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::meta::SUBSCRIPTION_TYPES;
use super::records::{format_datetime, insert_unchecked};
use super::sim::Db;
use crate::common::people;

/// Index offset of people who exist only on the Salesforce side.
pub const SF_ONLY_OFFSET: usize = 1_000_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesforceSeed {
    /// Generator seed (use the Desk seed's value for overlapping people).
    pub seed: u64,
    /// Accounts (`people::company(seed, 0..accounts)`).
    pub accounts: usize,
    /// Contacts.
    pub contacts: usize,
    /// How many of the contacts are the people the Desk side also has (indexes `0..overlap`).
    pub overlap: usize,
    /// Opportunities, contact roles, notes, tasks, calls and meetings.
    pub activities: bool,
}

impl Default for SalesforceSeed {
    fn default() -> Self {
        Self {
            seed: 1,
            accounts: 10,
            contacts: 25,
            overlap: 15,
            activities: true,
        }
    }
}

impl SalesforceSeed {
    /// No data besides the users.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            seed: 1,
            accounts: 0,
            contacts: 0,
            overlap: 0,
            activities: false,
        }
    }

    /// The `people` index of contact number `i`.
    #[must_use]
    pub fn person_index(&self, i: usize) -> usize {
        if i < self.overlap {
            i
        } else {
            SF_ONLY_OFFSET + i
        }
    }
}

/// Ids of the seeded users.
#[derive(Debug, Clone)]
pub(crate) struct Seeded {
    pub(crate) integration_user: String,
    pub(crate) ui_user: String,
}

fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn put_opt(m: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), json!(v));
    }
}

/// Fills `db` with the seed data.
pub(crate) fn apply(db: &mut Db, seed: &SalesforceSeed, now: DateTime<Utc>) -> Seeded {
    let activities = if seed.activities { seed.contacts } else { 0 };
    let total = 2 + seed.accounts + seed.contacts + activities * 2;
    let mut tick = 0i64;
    let mut stamp = || {
        tick += 1;
        format_datetime(now - TimeDelta::seconds(total as i64 + 1 - tick))
    };
    let integration_user = {
        let s = stamp();
        insert_unchecked(
            db,
            "User",
            map(
                json!({"Username": "integration@sfdesk-sim.example", "FirstName": "Integration", "LastName": "User", "Name": "Integration User", "Email": "integration@sfdesk-sim.example", "IsActive": true}),
            ),
            "",
            &s,
        )
    };
    let s = stamp();
    let ui_user = insert_unchecked(
        db,
        "User",
        map(
            json!({"Username": "ada.admin@sfdesk-sim.example", "FirstName": "Ada", "LastName": "Admin", "Name": "Ada Admin", "Email": "ada.admin@sfdesk-sim.example", "IsActive": true}),
        ),
        &integration_user,
        &s,
    );
    let owner = ui_user.clone();
    let mut accounts = Vec::with_capacity(seed.accounts);
    for i in 0..seed.accounts {
        let c = people::company(seed.seed, i);
        let fields = map(json!({
            "Name": c.name, "Website": c.website, "Phone": c.phone, "Industry": c.industry,
            "BillingCity": c.city, "BillingCountry": c.country,
            "Type": if i % 2 == 0 { "Customer - Direct" } else { "Prospect" },
            "Subscription_Type__c": SUBSCRIPTION_TYPES[i % SUBSCRIPTION_TYPES.len()],
        }));
        let s = stamp();
        accounts.push(insert_unchecked(db, "Account", fields, &owner, &s));
    }
    let mut contacts = Vec::with_capacity(seed.contacts);
    for i in 0..seed.contacts {
        let p = people::person(seed.seed, seed.person_index(i), seed.accounts);
        let mut fields = Map::new();
        put_opt(&mut fields, "FirstName", p.first_name.as_ref());
        fields.insert("LastName".to_owned(), json!(p.last_name));
        put_opt(&mut fields, "Email", p.email.as_ref());
        put_opt(&mut fields, "Phone", p.phone.as_ref());
        put_opt(&mut fields, "MobilePhone", p.mobile.as_ref());
        put_opt(&mut fields, "Title", p.title.as_ref());
        fields.insert("MailingCity".to_owned(), json!(p.city));
        fields.insert("MailingCountry".to_owned(), json!(p.country));
        if let Some(account) = p.company.and_then(|c| accounts.get(c)) {
            fields.insert("AccountId".to_owned(), json!(account));
        }
        let s = stamp();
        contacts.push((
            insert_unchecked(db, "Contact", fields, &owner, &s),
            p.company.and_then(|c| accounts.get(c).cloned()),
        ));
    }
    if !seed.activities {
        return Seeded {
            integration_user,
            ui_user,
        };
    }
    let day = |offset: i64| {
        (now + TimeDelta::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    for (i, (contact, account)) in contacts.iter().enumerate() {
        if i % 3 == 0 {
            let stage = [
                "Prospecting",
                "Closed Won",
                "Closed Lost",
                "Negotiation/Review",
            ][(i / 3) % 4];
            let mut fields = map(json!({
                "Name": format!("Deal {i}"), "StageName": stage,
                "CloseDate": day(30 - (i as i64 % 60)), "Amount": 1000.0 * ((i % 7) as f64 + 1.0),
            }));
            if let Some(a) = account {
                fields.insert("AccountId".to_owned(), json!(a));
            }
            if i % 2 == 0 {
                fields.insert("ContactId".to_owned(), json!(contact));
            }
            let s = stamp();
            let opp = insert_unchecked(db, "Opportunity", fields, &owner, &s);
            let role = map(
                json!({"OpportunityId": opp, "ContactId": contact, "Role": "Decision Maker", "IsPrimary": true}),
            );
            let s = stamp();
            insert_unchecked(db, "OpportunityContactRole", role, &owner, &s);
        }
        if i % 4 == 0 {
            let note = map(
                json!({"Title": format!("Note about contact {i}"), "Body": "Met at the trade fair.\nPrefers email.", "ParentId": contact}),
            );
            let s = stamp();
            insert_unchecked(db, "Note", note, &owner, &s);
        }
        if i % 2 == 0 {
            let call = i % 10 == 0;
            let task = map(json!({
                "Subject": if call { "Call" } else { "Follow up" },
                "Status": if i % 4 == 0 { "Completed" } else { "Not Started" },
                "Priority": "Normal", "ActivityDate": day(-(i as i64 % 20)), "WhoId": contact,
                "TaskSubtype": if call { "Call" } else { "Task" },
            }));
            let s = stamp();
            insert_unchecked(db, "Task", task, &owner, &s);
        }
        if i % 6 == 0 {
            let start = now - TimeDelta::days(i as i64 % 15) - TimeDelta::hours(2);
            let event = map(json!({
                "Subject": "Meeting", "WhoId": contact, "Location": "Zoom",
                "StartDateTime": format_datetime(start), "DurationInMinutes": 30,
            }));
            let s = stamp();
            insert_unchecked(db, "Event", event, &owner, &s);
        }
    }
    Seeded {
        integration_user,
        ui_user,
    }
}
