//! Salesforce simulator over real HTTP: what the agent sidebar needs. Per-object SOQL counters
//! (`object_reads`), the profile service's composite reads (contact and account variants, the
//! missing-contact case), Lightning notes created through the handle and the Lightning record
//! page behind "View in Salesforce".

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use salesforce_support::*;
use serde_json::{Value, json};
use sfdesk_sim::salesforce::SalesforceSimHandle;

const CONTACT_QUERY: &str = "SELECT Id, Name, Title, Department, Email, Phone, MobilePhone, \
    MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, Owner.Name, \
    AccountId, Account.Name, Account.Type, Account.Industry, Account.Website, Account.Phone, \
    Account.BillingCity, Account.AnnualRevenue, Account.NumberOfEmployees, Account.Owner.Name, \
    Account.Subscription_Type__c, (SELECT ContentDocumentId, ContentDocument.Title, \
    ContentDocument.CreatedDate, ContentDocument.Owner.Name FROM ContentDocumentLinks WHERE \
    ContentDocument.FileType = 'SNOTE' ORDER BY SystemModstamp DESC LIMIT 50) FROM Contact \
    WHERE Email = '{email}' ORDER BY LastModifiedDate DESC LIMIT 1";

const CONTACT_ID: &str = "@{contact.records[0].Id}";

/// The ids of a contact with a full profile.
struct Profile {
    account: String,
    contact: String,
    open: Vec<String>,
}

fn created(sim: &SalesforceSimHandle, object: &str, fields: Value) -> String {
    sim.create(object, fields)
        .unwrap_or_else(|e| panic!("{object}: {e:?}"))
}

/// An account, a contact `ada@example.com` with three open opportunities and a closed one,
/// two tasks, a call, a meeting, two classic notes and a Lightning note, plus an account task.
fn seed_profile(sim: &SalesforceSimHandle) -> Profile {
    let account = created(
        sim,
        "Account",
        json!({"Name": "Acme", "Type": "Customer - Direct", "Industry": "Energy",
               "AnnualRevenue": 5_000_000, "NumberOfEmployees": 120,
               "Subscription_Type__c": "Enterprise"}),
    );
    let contact = created(
        sim,
        "Contact",
        json!({"LastName": "Lovelace", "FirstName": "Ada", "Email": "ada@example.com",
               "AccountId": account, "Title": "CTO", "MailingCity": "London"}),
    );
    let mut open = Vec::new();
    for (i, stage) in [
        "Prospecting",
        "Needs Analysis",
        "Negotiation/Review",
        "Closed Won",
    ]
    .iter()
    .enumerate()
    {
        let opp = created(
            sim,
            "Opportunity",
            json!({"Name": format!("Deal {i}"), "StageName": stage,
                   "CloseDate": format!("2031-0{}-15", 4 - i), "Amount": 1000 * (i + 1),
                   "AccountId": account}),
        );
        created(
            sim,
            "OpportunityContactRole",
            json!({"OpportunityId": opp, "ContactId": contact, "Role": "Decision Maker"}),
        );
        if *stage != "Closed Won" {
            open.push(opp);
        }
    }
    for (subject, subtype, date) in [
        ("Send quote", "Task", Value::from("2030-05-01")),
        ("Follow up", "Task", Value::Null),
        ("Call", "Call", Value::from("2030-04-01")),
    ] {
        created(
            sim,
            "Task",
            json!({"Subject": subject, "TaskSubtype": subtype, "ActivityDate": date,
                   "WhoId": contact}),
        );
    }
    created(
        sim,
        "Task",
        json!({"Subject": "Renewal", "WhatId": account}),
    );
    created(
        sim,
        "Event",
        json!({"Subject": "Meeting", "WhoId": contact, "WhatId": account,
               "StartDateTime": "2030-01-02T10:00:00.000+0000", "DurationInMinutes": 30}),
    );
    for title in ["Met at the fair", "Prefers email"] {
        created(
            sim,
            "Note",
            json!({"Title": title, "Body": "Some text", "ParentId": contact}),
        );
    }
    created(
        sim,
        "Note",
        json!({"Title": "Account plan", "Body": "Grow", "ParentId": account}),
    );
    sim.create_lightning_note(&contact, "Call summary").unwrap();
    Profile {
        account,
        contact,
        open,
    }
}

/// A query subrequest. The SOQL is URL-encoded except its `@{…}` references: composite resolves
/// references in the raw `url` text, so they are written unencoded.
fn sub(reference: &str, soql: &str) -> Value {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut q = String::new();
    let mut rest = soql;
    while let Some(at) = rest.find("@{") {
        let end = rest[at..].find('}').unwrap() + at + 1;
        q.push_str(&encode(&rest[..at]));
        q.push_str(&rest[at..end]);
        rest = &rest[end..];
    }
    q.push_str(&encode(rest));
    json!({"method": "GET", "url": format!("/services/data/v66.0/query?q={q}"),
           "referenceId": reference})
}

async fn composite(sim: &SalesforceSimHandle, subs: Vec<Value>) -> Vec<Value> {
    let answer = post(
        sim,
        "composite",
        json!({"allOrNone": false, "compositeRequest": subs}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()["compositeResponse"]
        .as_array()
        .unwrap()
        .clone()
}

fn soql_calls(sim: &SalesforceSimHandle, object: &str) -> u64 {
    sim.object_reads().get(object).calls
}

fn contact_query(email: &str) -> String {
    CONTACT_QUERY.replace("{email}", email)
}

fn opportunities(filter: &str) -> String {
    format!(
        "SELECT Id, Name, StageName, Amount, CloseDate, Owner.Name FROM Opportunity WHERE \
         IsClosed = false AND {filter} ORDER BY CloseDate ASC LIMIT 51"
    )
}

fn tasks(filter: &str, calls: bool) -> String {
    let op = if calls { "=" } else { "!=" };
    format!(
        "SELECT Id, Subject, Status, ActivityDate, Owner.Name FROM Task WHERE {filter} AND \
         TaskSubtype {op} 'Call' ORDER BY ActivityDate DESC NULLS LAST LIMIT 51"
    )
}

fn events(filter: &str) -> String {
    format!(
        "SELECT Id, Subject, StartDateTime, EndDateTime, Location, Owner.Name FROM Event WHERE \
         {filter} ORDER BY StartDateTime DESC LIMIT 51"
    )
}

fn notes(filter: &str) -> String {
    format!(
        "SELECT Id, Title, Body, CreatedDate, Owner.Name FROM Note WHERE {filter} ORDER BY \
         CreatedDate DESC LIMIT 51"
    )
}

fn records(response: &Value) -> &Vec<Value> {
    assert_eq!(response["httpStatusCode"], 200, "{response}");
    response["body"]["records"].as_array().unwrap()
}

#[tokio::test]
async fn soql_counters_name_every_object_read() {
    let sim = empty_sim().await;
    let profile = seed_profile(&sim);
    let subs = vec![sub(
        "contact",
        "SELECT Id, Account.Name, (SELECT Id FROM Tasks) FROM Contact WHERE Email = 'ada@example.com'",
    )];
    let out = composite(&sim, subs).await;
    assert_eq!(records(&out[0])[0]["Tasks"]["totalSize"], 3);
    assert_eq!(soql_calls(&sim, "Contact"), 1);
    assert_eq!(soql_calls(&sim, "Task"), 1);
    // Parent paths are not reads of their own; nothing else was touched.
    assert_eq!(soql_calls(&sim, "Account"), 0);
    assert_eq!(soql_calls(&sim, "Note"), 0);

    // A REST queryAll with a semi-join reads both objects.
    let q = opportunities(&format!(
        "Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = '{}')",
        profile.contact
    ));
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let answer = get(&sim, &format!("queryAll?q={encoded}")).await;
    assert_eq!(answer.json()["totalSize"], 3);
    assert_eq!(soql_calls(&sim, "Opportunity"), 1);
    assert_eq!(soql_calls(&sim, "OpportunityContactRole"), 1);

    // A refused query reads nothing.
    assert_eq!(query(&sim, "SELECT Nope FROM Note").await.status, 400);
    assert_eq!(soql_calls(&sim, "Note"), 0);

    // The handle's own query is not an API call.
    sim.query("SELECT Id FROM Note", false).unwrap();
    assert_eq!(soql_calls(&sim, "Note"), 0);
    let snapshot = sim.object_reads().snapshot();
    let objects: Vec<&str> = snapshot.keys().map(String::as_str).collect();
    assert_eq!(
        objects,
        ["Contact", "Opportunity", "OpportunityContactRole", "Task"]
    );
}

#[tokio::test]
async fn bulk_query_jobs_count_their_objects() {
    let sim = empty_sim().await;
    seed_profile(&sim);
    let job = post(
        &sim,
        "jobs/query",
        json!({"operation": "query",
               "query": "SELECT Id FROM Contact WHERE Id IN (SELECT ParentId FROM Note)"}),
    )
    .await;
    assert_eq!(job.status, 200, "{}", job.text);
    // Creating the job only checks the query; it runs when first polled.
    assert_eq!(soql_calls(&sim, "Contact"), 0);
    let id = job.json()["id"].as_str().unwrap().to_owned();
    let polled = get(&sim, &format!("jobs/query/{id}")).await;
    assert_eq!(polled.status, 200, "{}", polled.text);
    assert_eq!(soql_calls(&sim, "Contact"), 1);
    assert_eq!(soql_calls(&sim, "Note"), 1);
    get(&sim, &format!("jobs/query/{id}")).await;
    assert_eq!(soql_calls(&sim, "Contact"), 1);
}

#[tokio::test]
async fn contact_profile_in_one_composite() {
    let sim = empty_sim().await;
    let profile = seed_profile(&sim);
    let by_contact = |field: &str| format!("{field} = '{CONTACT_ID}'");
    let subs = vec![
        sub("contact", &contact_query("ada@example.com")),
        sub(
            "opportunities",
            &opportunities(&format!(
                "Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = '{CONTACT_ID}')"
            )),
        ),
        sub("tasks", &tasks(&by_contact("WhoId"), false)),
        sub("calls", &tasks(&by_contact("WhoId"), true)),
        sub("events", &events(&by_contact("WhoId"))),
    ];
    let out = composite(&sim, subs).await;
    let contact = &records(&out[0])[0];
    assert_eq!(contact["Id"], profile.contact.as_str());
    assert_eq!(contact["Owner"]["Name"], "Integration User");
    assert_eq!(contact["Account"]["Name"], "Acme");
    assert_eq!(contact["Account"]["Subscription_Type__c"], "Enterprise");
    assert_eq!(contact["Account"]["Owner"]["Name"], "Integration User");
    assert_eq!(contact["Account"]["NumberOfEmployees"], 120);
    let links = &contact["ContentDocumentLinks"];
    assert_eq!(links["totalSize"], 1, "{links}");
    let document = &links["records"][0]["ContentDocument"];
    assert_eq!(document["Title"], "Call summary");
    assert_eq!(document["Owner"]["Name"], "Integration User");
    assert!(document["CreatedDate"].is_string());

    let opportunities = records(&out[1]);
    let ids: Vec<&str> = opportunities
        .iter()
        .map(|o| o["Id"].as_str().unwrap())
        .collect();
    // Open ones only, soonest close date first.
    let mut expected: Vec<&str> = profile.open.iter().map(String::as_str).collect();
    expected.reverse();
    assert_eq!(ids, expected);
    assert_eq!(opportunities[0]["Owner"]["Name"], "Integration User");

    let subjects = |r: &Value| -> Vec<String> {
        records(r)
            .iter()
            .map(|t| t["Subject"].as_str().unwrap().to_owned())
            .collect()
    };
    // Nulls last after the dated task.
    assert_eq!(subjects(&out[2]), ["Send quote", "Follow up"]);
    assert_eq!(subjects(&out[3]), ["Call"]);
    assert_eq!(subjects(&out[4]), ["Meeting"]);

    // Notes and the sixth query go in a second composite: Salesforce allows five queries.
    let out = composite(
        &sim,
        vec![
            sub("contact", &contact_query("ada@example.com")),
            sub("notes", &notes(&by_contact("ParentId"))),
        ],
    )
    .await;
    let titles: Vec<&str> = records(&out[1])
        .iter()
        .map(|n| n["Title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Met at the fair"));
    assert_eq!(records(&out[1])[0]["Body"], "Some text");
    assert_eq!(records(&out[1])[0]["Owner"]["Name"], "Integration User");

    let six: Vec<Value> = (0..6)
        .map(|i| sub(&format!("q{i}"), "SELECT Id FROM Note"))
        .collect();
    let refused = post(
        &sim,
        "composite",
        json!({"allOrNone": false, "compositeRequest": six}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()[0]["errorCode"], "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn missing_contact_gives_reference_errors_not_a_failure() {
    let sim = empty_sim().await;
    seed_profile(&sim);
    let subs = vec![
        sub("contact", &contact_query("nobody@example.com")),
        sub("notes", &notes(&format!("ParentId = '{CONTACT_ID}'"))),
        sub(
            "account_tasks",
            &tasks("WhatId = '@{contact.records[0].AccountId}'", false),
        ),
    ];
    let out = composite(&sim, subs).await;
    assert_eq!(out[0]["httpStatusCode"], 200);
    assert_eq!(out[0]["body"]["totalSize"], 0);
    for (response, expr) in out[1..]
        .iter()
        .zip(["contact.records[0].Id", "contact.records[0].AccountId"])
    {
        assert_eq!(response["httpStatusCode"], 400, "{response}");
        assert_eq!(response["body"][0]["errorCode"], "PROCESSING_HALTED");
        let message = response["body"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!(
                "Invalid reference specified. No value for {expr} found in contact."
            )),
            "{message}"
        );
    }
    assert_eq!(soql_calls(&sim, "Note"), 0);
    assert_eq!(soql_calls(&sim, "Task"), 0);
}

#[tokio::test]
async fn account_profile_in_one_composite() {
    let sim = empty_sim().await;
    let profile = seed_profile(&sim);
    let account_id = "@{account.records[0].Id}";
    let subs = vec![
        sub(
            "account",
            "SELECT Id, Name, Type, Industry, Website, Phone, BillingCity, AnnualRevenue, \
             NumberOfEmployees, Owner.Name, Subscription_Type__c FROM Account WHERE Name = 'Acme' \
             ORDER BY LastModifiedDate DESC LIMIT 1",
        ),
        sub(
            "opportunities",
            &opportunities(&format!("AccountId = '{account_id}'")),
        ),
        sub("tasks", &tasks(&format!("WhatId = '{account_id}'"), false)),
        sub("events", &events(&format!("WhatId = '{account_id}'"))),
        sub("notes", &notes(&format!("ParentId = '{account_id}'"))),
    ];
    let out = composite(&sim, subs).await;
    assert_eq!(records(&out[0])[0]["Id"], profile.account.as_str());
    assert_eq!(records(&out[0])[0]["Subscription_Type__c"], "Enterprise");
    assert_eq!(records(&out[1]).len(), 3);
    assert_eq!(records(&out[2])[0]["Subject"], "Renewal");
    assert_eq!(records(&out[3]).len(), 1);
    assert_eq!(records(&out[4])[0]["Title"], "Account plan");
}

#[tokio::test]
async fn lightning_notes_through_the_handle() {
    let sim = empty_sim().await;
    let profile = seed_profile(&sim);
    let document = sim
        .create_lightning_note(&profile.account, "Account note")
        .unwrap();
    let stored = sim.get("ContentDocument", &document).unwrap();
    assert_eq!(stored["FileType"], "SNOTE");
    assert_eq!(stored["FileExtension"], "snote");
    assert!(stored["CreatedDate"].is_string());
    let links = sim
        .query(
            &format!(
                "SELECT ContentDocument.Title FROM ContentDocumentLink WHERE LinkedEntityId = '{}'",
                profile.account
            ),
            false,
        )
        .unwrap();
    assert_eq!(
        links["records"][0]["ContentDocument"]["Title"],
        "Account note"
    );

    // Nothing is left behind when the link cannot be made.
    let before = sim.count("ContentDocument");
    let errors = sim
        .create_lightning_note("003000000000000AAA", "Orphan")
        .unwrap_err();
    assert!(!errors.is_empty());
    assert!(sim.create_lightning_note(&profile.contact, " ").is_err());
    assert_eq!(sim.count("ContentDocument"), before);
}

#[tokio::test]
async fn lightning_record_page() {
    let sim = empty_sim().await;
    let profile = seed_profile(&sim);
    let page = client()
        .get(sim.lightning_url("Contact", &profile.contact))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"sf-record\""), "{html}");
    assert!(html.contains(&profile.contact));
    assert!(html.contains("Lovelace"));
    assert!(html.contains("ada@example.com"));
    // A 15-character id and any casing of the object work too.
    let short = &profile.account[..15];
    let page = client()
        .get(sim.lightning_url("account", short))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Acme"));

    for (object, id) in [
        ("Contact", "003000000000000AAA"),
        ("Nope", profile.contact.as_str()),
        ("Contact", "not-an-id<script>"),
    ] {
        let page = client()
            .get(sim.lightning_url(object, id))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "{object} {id}");
        let html = page.text().await.unwrap();
        assert!(html.contains("data-testid=\"sf-not-found\""));
        assert!(!html.contains("<script>"));
    }
    // Not an API call: nothing metered.
    assert_eq!(sim.api_usage().0, 0);
}
