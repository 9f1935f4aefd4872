//! Salesforce simulator over real HTTP: composite (references, allOrNone) and sObject
//! Collections (per-row results).

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use salesforce_support::*;
use serde_json::{Value, json};

#[tokio::test]
async fn composite_references_and_one_metered_call() {
    let sim = empty_sim().await;
    let body = json!({"allOrNone": true, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Account", "referenceId": "acct", "body": {"Name": "Acme"}},
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Contact", "referenceId": "ct", "body": {"LastName": "Doe", "AccountId": "@{acct.id}"}},
        {"method": "GET", "url": "/services/data/v66.0/query?q=SELECT+Id,+AccountId+FROM+Contact+LIMIT+1", "referenceId": "q"},
        {"method": "GET", "url": "/services/data/v66.0/sobjects/Account/@{q.records[0].AccountId}?fields=Name", "referenceId": "a2"}
    ]});
    let r = post(&sim, "composite", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("Sforce-Limit-Info").unwrap(), "api-usage=1/15000");
    let out = r.json();
    let resp = out["compositeResponse"].as_array().unwrap();
    assert_eq!(resp[0]["httpStatusCode"], 201);
    assert_eq!(resp[0]["referenceId"], "acct");
    let acct = resp[0]["body"]["id"].as_str().unwrap();
    assert_eq!(
        resp[0]["httpHeaders"]["Location"],
        format!("/services/data/v66.0/sobjects/Account/{acct}")
    );
    let contact = sim
        .get("Contact", resp[1]["body"]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(contact["AccountId"], acct);
    assert_eq!(resp[2]["body"]["totalSize"], 1);
    assert_eq!(resp[3]["body"]["Name"], "Acme");
}

#[tokio::test]
async fn composite_all_or_none_rolls_back() {
    let sim = empty_sim().await;
    let body = json!({"allOrNone": true, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Account", "referenceId": "acct", "body": {"Name": "Acme"}},
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Contact", "referenceId": "bad", "body": {"FirstName": "No last name"}},
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Contact", "referenceId": "after", "body": {"LastName": "Later"}}
    ]});
    let out = post(&sim, "composite", body).await.json();
    let resp = out["compositeResponse"].as_array().unwrap();
    let halted = json!([{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}]);
    assert_eq!(resp[0]["httpStatusCode"], 400);
    assert_eq!(resp[0]["body"], halted);
    assert_eq!(resp[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(resp[2]["body"], halted);
    assert_eq!(sim.count("Account"), 0);
    assert_eq!(sim.count("Contact"), 0);

    // Without allOrNone only dependants are skipped.
    let body = json!({"allOrNone": false, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Account", "referenceId": "bad", "body": {}},
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Contact", "referenceId": "dep", "body": {"LastName": "Dep", "AccountId": "@{bad.id}"}},
        {"method": "POST", "url": "/services/data/v66.0/sobjects/Contact", "referenceId": "ok", "body": {"LastName": "Ok"}}
    ]});
    let out = post(&sim, "composite", body).await.json();
    let resp = out["compositeResponse"].as_array().unwrap();
    assert_eq!(resp[0]["httpStatusCode"], 400);
    assert_eq!(resp[1]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(resp[2]["httpStatusCode"], 201);
    assert_eq!(sim.count("Contact"), 1);

    // Caps: 26 subrequests, 6 queries.
    let many: Vec<Value> = (0..26).map(|i| json!({"method": "GET", "url": "/services/data/v66.0/limits", "referenceId": format!("r{i}")})).collect();
    let r = post(&sim, "composite", json!({"compositeRequest": many})).await;
    assert_eq!(r.status, 400);
    let queries: Vec<Value> = (0..6).map(|i| json!({"method": "GET", "url": "/services/data/v66.0/query?q=SELECT+Id+FROM+Contact", "referenceId": format!("q{i}")})).collect();
    let r = post(&sim, "composite", json!({"compositeRequest": queries})).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn collections_per_row_results() {
    let sim = empty_sim().await;
    let body = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Contact"}, "LastName": "One"},
        {"attributes": {"type": "Contact"}, "FirstName": "No last"},
        {"attributes": {"type": "Account"}, "Name": "Mixed"}
    ]});
    let r = post(&sim, "composite/sobjects", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rows = r.json();
    assert_eq!(rows[0]["success"], true);
    assert_eq!(
        rows[1],
        json!({"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]})
    );
    assert!(rows[1].get("id").is_none());
    assert_eq!(rows[2]["success"], true);
    let one = rows[0]["id"].as_str().unwrap().to_owned();

    // allOrNone: the valid row is rolled back.
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Contact"}, "LastName": "Two"},
        {"attributes": {"type": "Contact"}, "Email": "bad"}
    ]});
    let rows = post(&sim, "composite/sobjects", body).await.json();
    assert_eq!(
        rows[0],
        json!({"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": "Record rolled back because not all records were valid and the request was using AllOrNone header", "fields": []}]})
    );
    assert_eq!(sim.count("Contact"), 1);

    // Update: a row without id → MISSING_ARGUMENT.
    let body = json!({"records": [
        {"attributes": {"type": "Contact"}, "id": one, "Title": "Boss"},
        {"attributes": {"type": "Contact"}, "Title": "Nobody"}
    ]});
    let rows = patch(&sim, "composite/sobjects", body).await.json();
    assert_eq!(rows[0], json!({"id": one, "success": true, "errors": []}));
    assert_eq!(rows[1]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(
        rows[1]["errors"][0]["message"],
        "Id not specified in an update call"
    );

    // Upsert rows carry `created`.
    let body = json!({"records": [
        {"attributes": {"type": "Contact"}, "Desk_Id__c": "D1", "LastName": "U1"},
        {"attributes": {"type": "Contact"}, "Desk_Id__c": "D1", "LastName": "U1b"}
    ]});
    let rows = patch(&sim, "composite/sobjects/Contact/Desk_Id__c", body)
        .await
        .json();
    assert_eq!(rows[0]["created"], true);
    assert_eq!(rows[1]["created"], false);

    // Retrieve and delete.
    let r = get(
        &sim,
        &format!("composite/sobjects/Contact?ids={one}&fields=Id,Title"),
    )
    .await
    .json();
    assert_eq!(r[0]["Title"], "Boss");
    let r = delete(
        &sim,
        &format!("composite/sobjects?ids={one},003000000000zzzAAA&allOrNone=false"),
    )
    .await
    .json();
    assert_eq!(r[0]["success"], true);
    assert_eq!(r[1]["success"], false);

    // Empty and oversized requests.
    let r = post(&sim, "composite/sobjects", json!({"records": []})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    let many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Contact"}, "LastName": format!("N{i}")}))
        .collect();
    let r = post(&sim, "composite/sobjects", json!({"records": many})).await;
    assert_eq!(r.status, 400);
}
