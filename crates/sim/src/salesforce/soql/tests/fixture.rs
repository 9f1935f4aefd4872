//! A small org for the evaluator tests: a few accounts, contacts, opportunities, contact
//! roles, tasks, events, notes and files, with deleted rows, empty lookups and awkward names.
//!
//! "Now" is Wednesday 2024-05-15 12:00 UTC.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::salesforce::ids;
use crate::salesforce::soql::{MemoryDataset, QueryOptions, Record};

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 15, 12, 0, 0).unwrap()
}

pub(super) fn options() -> QueryOptions {
    QueryOptions::new(now())
}

/// The `n`-th id of the object with key prefix `prefix`.
pub(super) fn id(prefix: &str, n: u64) -> String {
    ids::generate(prefix, n).unwrap()
}

pub(super) fn user(n: u64) -> String {
    id("005", n)
}
pub(super) fn account(n: u64) -> String {
    id("001", n)
}
pub(super) fn contact(n: u64) -> String {
    id("003", n)
}
pub(super) fn opportunity(n: u64) -> String {
    id("006", n)
}
pub(super) fn task(n: u64) -> String {
    id("00T", n)
}

fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn add(ds: &mut MemoryDataset, object: &str, value: Value) {
    ds.insert(object, record(value)).unwrap();
}

/// The fixture org.
pub(super) fn dataset() -> MemoryDataset {
    let mut ds = MemoryDataset::with_standard_objects();
    add(
        &mut ds,
        "User",
        json!({"Id": user(1), "Name": "Ada Admin", "IsActive": true}),
    );

    add(
        &mut ds,
        "Account",
        json!({
            "Id": account(1), "Name": "Acme Corp", "Industry": "Technology", "OwnerId": user(1),
            "AnnualRevenue": 1_000_000, "NumberOfEmployees": 50, "IsDeleted": false,
            "CreatedDate": "2024-01-10T10:00:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Account",
        json!({
            "Id": account(2), "Name": "Globex 100% Fun_d", "Industry": null, "OwnerId": user(1),
            "IsDeleted": false, "CreatedDate": "2024-02-10T10:00:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Account",
        json!({
            "Id": account(3), "Name": "Initech", "IsDeleted": true,
            "CreatedDate": "2024-03-10T10:00:00.000+0000"
        }),
    );

    // Contacts: 1 today, 2 five days ago, 3 without account, 4 deleted, 5 lower-case title.
    add(
        &mut ds,
        "Contact",
        json!({
            "Id": contact(1), "FirstName": "Ada", "LastName": "Lovelace", "Name": "Ada Lovelace",
            "Email": "ada@example.com", "Title": "CTO", "AccountId": account(1), "OwnerId": user(1),
            "IsDeleted": false, "CreatedDate": "2024-05-15T08:00:00.000+0000",
            "SystemModstamp": "2024-05-15T08:00:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Contact",
        json!({
            "Id": contact(2), "FirstName": "Bob", "LastName": "O'Brien", "Name": "Bob O'Brien",
            "Email": null, "Title": null, "AccountId": account(2), "OwnerId": user(1),
            "IsDeleted": false, "CreatedDate": "2024-05-10T09:30:00.000+0000",
            "SystemModstamp": "2024-05-14T09:30:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Contact",
        json!({
            "Id": contact(3), "FirstName": "Carol", "LastName": "Nolookup", "Name": "Carol Nolookup",
            "Email": "carol@example.org", "Title": "VP Sales", "AccountId": null, "OwnerId": user(1),
            "IsDeleted": false, "CreatedDate": "2024-03-01T00:00:00.000+0000",
            "SystemModstamp": "2024-03-01T00:00:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Contact",
        json!({
            "Id": contact(4), "FirstName": "Dan", "LastName": "Deleted", "Name": "Dan Deleted",
            "Email": "dan@example.com", "Title": "CTO", "AccountId": account(1), "OwnerId": user(1),
            "IsDeleted": true, "CreatedDate": "2024-05-14T00:00:00.000+0000",
            "SystemModstamp": "2024-05-14T10:00:00.000+0000"
        }),
    );
    add(
        &mut ds,
        "Contact",
        json!({
            "Id": contact(5), "FirstName": "eve", "LastName": "lower", "Name": "eve lower",
            "Email": "eve@example.com", "Title": "cto", "AccountId": account(1), "OwnerId": user(1),
            "IsDeleted": false, "CreatedDate": "2024-04-20T00:00:00.000+0000",
            "SystemModstamp": "2024-04-20T00:00:00.000+0000"
        }),
    );

    add(
        &mut ds,
        "Opportunity",
        json!({
            "Id": opportunity(1), "Name": "Acme Big Deal", "AccountId": account(1),
            "ContactId": contact(1), "StageName": "Prospecting", "Amount": 50000.0,
            "CloseDate": "2024-06-30", "IsClosed": false, "IsWon": false, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Opportunity",
        json!({
            "Id": opportunity(2), "Name": "Acme Renewal", "AccountId": account(1),
            "StageName": "Closed Won", "Amount": 20000.0, "CloseDate": "2024-05-01",
            "IsClosed": true, "IsWon": true, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Opportunity",
        json!({
            "Id": opportunity(3), "Name": "Globex Pilot", "AccountId": account(2),
            "StageName": "Qualification", "Amount": null, "CloseDate": "2024-05-16",
            "IsClosed": false, "IsWon": false, "IsDeleted": false
        }),
    );

    // Contact 1 plays a role on opportunities 1 and 3; the role on 2 is in the recycle bin.
    for (n, opp, who, role, deleted) in [
        (1, 1, 1, "Decision Maker", false),
        (2, 3, 1, "Evaluator", false),
        (3, 2, 2, "Economic Buyer", false),
        (4, 2, 1, "Influencer", true),
    ] {
        add(
            &mut ds,
            "OpportunityContactRole",
            json!({
                "Id": id("00K", n), "OpportunityId": opportunity(opp), "ContactId": contact(who),
                "Role": role, "IsPrimary": n == 1, "IsDeleted": deleted
            }),
        );
    }

    add(
        &mut ds,
        "Task",
        json!({
            "Id": task(1), "Subject": "Call", "WhoId": contact(1), "WhatId": opportunity(1),
            "ActivityDate": "2024-05-10", "Status": "Completed", "IsClosed": true, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Task",
        json!({
            "Id": task(2), "Subject": "Email", "WhoId": contact(1), "ActivityDate": null,
            "Status": "Not Started", "IsClosed": false, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Task",
        json!({
            "Id": task(3), "Subject": "Follow up", "WhoId": contact(1), "ActivityDate": "2024-05-20",
            "Status": "Not Started", "IsClosed": false, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Task",
        json!({
            "Id": task(4), "Subject": "Send quote", "WhoId": contact(2), "WhatId": account(2),
            "ActivityDate": "2024-05-01", "Status": "Completed", "IsClosed": true, "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Task",
        json!({
            "Id": task(5), "Subject": "Binned", "WhoId": contact(1), "ActivityDate": "2024-05-11",
            "Status": "Completed", "IsClosed": true, "IsDeleted": true
        }),
    );

    add(
        &mut ds,
        "Event",
        json!({
            "Id": id("00U", 1), "Subject": "Meeting", "WhoId": contact(1),
            "StartDateTime": "2024-05-16T09:00:00.000+0000", "EndDateTime": "2024-05-16T10:00:00.000+0000",
            "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Event",
        json!({
            "Id": id("00U", 2), "Subject": "Lunch", "WhoId": contact(2),
            "StartDateTime": "2024-05-14T12:00:00.000+0000", "EndDateTime": "2024-05-14T13:00:00.000+0000",
            "IsDeleted": false
        }),
    );

    add(
        &mut ds,
        "Note",
        json!({
            "Id": id("002", 1), "Title": "Likes tea", "ParentId": contact(1), "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "Note",
        json!({
            "Id": id("002", 2), "Title": "Key account", "ParentId": account(1), "IsDeleted": false
        }),
    );

    add(
        &mut ds,
        "ContentDocument",
        json!({
            "Id": id("069", 1), "Title": "Call notes", "IsDeleted": false
        }),
    );
    add(
        &mut ds,
        "ContentDocumentLink",
        json!({
            "Id": id("06A", 1), "ContentDocumentId": id("069", 1), "LinkedEntityId": contact(1),
            "ShareType": "V", "Visibility": "AllUsers", "IsDeleted": false
        }),
    );
    ds
}
