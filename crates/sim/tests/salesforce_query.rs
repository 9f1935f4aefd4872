//! Salesforce simulator over real HTTP: query and queryAll, paging, errors.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::collections::HashSet;

use reqwest::Method;
use salesforce_support::*;
use serde_json::{Value, json};
use sfdesk_sim::salesforce::SalesforceSeed;

#[tokio::test]
async fn paging_with_batch_size_loses_and_repeats_nothing() {
    let sim = with(|o| {
        o.seed = SalesforceSeed {
            contacts: 1234,
            accounts: 40,
            overlap: 600,
            activities: false,
            ..SalesforceSeed::default()
        }
    })
    .await;
    let q = "SELECT Id, Name, Account.Name FROM Contact ORDER BY Id";
    let enc: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let first = call_with(
        &sim,
        Method::GET,
        &format!("query?q={enc}"),
        None,
        &sim.access_token,
        &[("Sforce-Query-Options", "batchSize=500")],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let mut body = first.json();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(body["totalSize"], 1234);
        for r in body["records"].as_array().unwrap() {
            assert_eq!(r["attributes"]["type"], "Contact");
            seen.push(r["Id"].as_str().unwrap().to_owned());
        }
        if body["done"] == true {
            assert!(body.get("nextRecordsUrl").is_none());
            break;
        }
        let next = body["nextRecordsUrl"].as_str().unwrap().to_owned();
        assert!(next.starts_with("/services/data/v66.0/query/01g"), "{next}");
        let r = get(&sim, &next).await;
        assert_eq!(r.status, 200);
        body = r.json();
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 1234);
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 1234);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, seen);

    // Default batch: 2,000 → one page here; a stale locator fails.
    let r = query(&sim, "SELECT Id FROM Contact").await;
    assert_eq!(r.json()["done"], true);
    let r = get(&sim, "query/01g000000000000AAA-2000").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
    );
}

#[tokio::test]
async fn plus_and_percent_20_both_work_and_count_has_no_records() {
    let sim = sim().await;
    let a = get(&sim, "query?q=SELECT+COUNT()+FROM+Contact")
        .await
        .json();
    let b = get(&sim, "query/?q=select%20count()%20from%20Contact")
        .await
        .json();
    assert_eq!(a, b);
    assert_eq!(a, json!({"totalSize": 25, "done": true, "records": []}));
}

#[tokio::test]
async fn query_all_shows_deleted_rows_and_child_subqueries_are_null_when_empty() {
    let sim = sim().await;
    let id = sim.create("Contact", json!({"LastName": "Gone"})).unwrap();
    let r = delete(&sim, &format!("sobjects/Contact/{id}")).await;
    assert_eq!(r.status, 204);
    let soql = format!("SELECT Id, IsDeleted FROM Contact WHERE Id = '{id}'");
    assert_eq!(query(&sim, &soql).await.json()["totalSize"], 0);
    let enc: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let r = get(&sim, &format!("queryAll?q={enc}")).await.json();
    assert_eq!(r["totalSize"], 1);
    assert_eq!(r["records"][0]["IsDeleted"], true);

    let other = sim
        .create("Contact", json!({"LastName": "Lonely"}))
        .unwrap();
    let r = query(
        &sim,
        &format!(
            "SELECT Id, Account.Name, (SELECT Id FROM Tasks) FROM Contact WHERE Id = '{other}'"
        ),
    )
    .await
    .json();
    assert_eq!(r["records"][0]["Account"], Value::Null);
    assert_eq!(r["records"][0]["Tasks"], Value::Null);
}

#[tokio::test]
async fn soql_errors_are_400_arrays_with_caret_messages() {
    let sim = empty_sim().await;
    let r = query(&sim, "select count() from XYZZY").await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body[0]["errorCode"], "INVALID_TYPE");
    assert!(
        body[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\nsObject type 'XYZZY' is not supported.")
    );
    assert_eq!(
        query(&sim, "SELECT Foo FROM Contact").await.json()[0]["errorCode"],
        "INVALID_FIELD"
    );
    assert_eq!(
        query(&sim, "SELECT FROM").await.json()[0]["errorCode"],
        "MALFORMED_QUERY"
    );
    let r = get(&sim, "query").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["errorCode"], "MALFORMED_QUERY");
}
