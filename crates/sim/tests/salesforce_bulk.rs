//! Salesforce simulator over real HTTP: Bulk API 2.0 query and ingest jobs.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use salesforce_support::*;
use serde_json::json;
use sfdesk_sim::salesforce::SalesforceSeed;

#[tokio::test]
async fn query_job_states_locators_and_csv() {
    let sim = with(|o| {
        o.seed = SalesforceSeed {
            contacts: 25,
            activities: false,
            ..SalesforceSeed::default()
        }
    })
    .await;
    let r = post(&sim, "jobs/query", json!({"operation": "query", "query": "SELECT Id, LastName, Account.Name FROM Contact ORDER BY Id"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let job = r.json();
    assert_eq!(job["state"], "UploadComplete");
    let id = job["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("750"));
    let mut states = Vec::new();
    for _ in 0..2 {
        let job = get(&sim, &format!("jobs/query/{id}")).await.json();
        states.push(job["state"].as_str().unwrap().to_owned());
    }
    assert_eq!(states, ["InProgress", "JobComplete"]);
    let r = get(&sim, &format!("jobs/query/{id}/results?maxRecords=10")).await;
    assert_eq!(r.header("content-type").unwrap(), "text/csv");
    assert_eq!(r.header("Sforce-NumberOfRecords").unwrap(), "10");
    let mut lines: Vec<String> = r.text.lines().map(str::to_owned).collect();
    assert_eq!(lines[0], "\"Id\",\"LastName\",\"Account.Name\"");
    let mut locator = r.header("Sforce-Locator").unwrap();
    let mut total = lines.len() - 1;
    while locator != "null" {
        let r = get(
            &sim,
            &format!("jobs/query/{id}/results?maxRecords=10&locator={locator}"),
        )
        .await;
        total += r.text.lines().count() - 1;
        locator = r.header("Sforce-Locator").unwrap();
        lines = r.text.lines().map(str::to_owned).collect();
    }
    assert_eq!(total, 25);
    assert!(!lines.is_empty());
    // Another API version than the creating one: 409.
    let r = get(&sim, &format!("/services/data/v65.0/jobs/query/{id}")).await;
    assert_eq!(r.status, 409);
    assert_eq!(delete(&sim, &format!("jobs/query/{id}")).await.status, 204);
}

#[tokio::test]
async fn ingest_job_upload_process_and_results() {
    let sim = empty_sim().await;
    let r = post(&sim, "jobs/ingest", json!({"object": "Contact", "operation": "upsert", "externalIdFieldName": "Desk_Id__c", "contentType": "CSV", "lineEnding": "LF"})).await;
    let job = r.json();
    assert_eq!(job["state"], "Open");
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(
        job["contentUrl"],
        format!("services/data/v66.0/jobs/ingest/{id}/batches")
    );
    let csv = "Desk_Id__c,LastName,Email\nD1,\"Doe, Jr\",d1@x.example\nD2,,d2@x.example\nD3,Smith,bad-email\n";
    let url = sim
        .instance_url
        .join(job["contentUrl"].as_str().unwrap())
        .unwrap();
    let r = client()
        .put(url)
        .bearer_auth(&sim.access_token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = patch(
        &sim,
        &format!("jobs/ingest/{id}"),
        json!({"state": "UploadComplete"}),
    )
    .await;
    assert_eq!(r.json()["state"], "UploadComplete");
    let job = get(&sim, &format!("jobs/ingest/{id}")).await.json();
    assert_eq!(job["state"], "JobComplete");
    assert_eq!(job["numberRecordsProcessed"], 3);
    assert_eq!(job["numberRecordsFailed"], 2);
    let ok = get(&sim, &format!("jobs/ingest/{id}/successfulResults/"))
        .await
        .text;
    let ok_lines: Vec<&str> = ok.lines().collect();
    assert_eq!(
        ok_lines[0],
        "\"sf__Id\",\"sf__Created\",Desk_Id__c,LastName,Email"
    );
    assert!(
        ok_lines[1].ends_with(",\"true\",D1,\"Doe, Jr\",d1@x.example"),
        "{}",
        ok_lines[1]
    );
    let failed = get(&sim, &format!("jobs/ingest/{id}/failedResults/"))
        .await
        .text;
    assert!(
        failed
            .contains("REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"),
        "{failed}"
    );
    assert!(failed.contains("INVALID_EMAIL_ADDRESS"), "{failed}");
    assert_eq!(sim.count("Contact"), 1);
}
