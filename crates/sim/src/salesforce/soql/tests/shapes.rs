//! Result shapes: attributes, field order and casing, nested parents, child subqueries,
//! `COUNT()`, aggregates and `FIELDS()`.

use serde_json::{Value, json};

use super::fixture::{account, contact, id, opportunity, task, user};
use super::{column, run, run_all};
use crate::salesforce::schema::standard_objects;

fn url(object: &str, id: &str) -> String {
    format!("/services/data/v66.0/sobjects/{object}/{id}")
}

/// Compares JSON including key order.
fn assert_json(actual: &Value, expected: &Value) {
    assert_eq!(
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap()
    );
}

#[test]
fn fields_parents_and_attributes_in_select_order() {
    let c1 = contact(1);
    let result = run(&format!(
        "SELECT Id, Name, Email, Account.Name, Account.Owner.Name, AccountId FROM Contact WHERE Id = '{}'",
        &c1[..15]
    ));
    assert_eq!(result.total_size, 1);
    assert_json(
        &result.records[0],
        &json!({
            "attributes": {"type": "Contact", "url": url("Contact", &c1)},
            "Id": c1,
            "Name": "Ada Lovelace",
            "Email": "ada@example.com",
            "Account": {
                "attributes": {"type": "Account", "url": url("Account", &account(1))},
                "Name": "Acme Corp",
                "Owner": {
                    "attributes": {"type": "User", "url": url("User", &user(1))},
                    "Name": "Ada Admin"
                }
            },
            "AccountId": account(1)
        }),
    );
}

#[test]
fn section_3_example_shape() {
    let result = run(&format!(
        "SELECT Id, Email, Account.Name, (SELECT Name FROM Opportunities), \
         (SELECT Subject FROM Tasks WHERE Subject = 'Send quote') FROM Contact WHERE Id = '{}'",
        contact(2)
    ));
    assert_json(
        &result.into_json(),
        &json!({
            "totalSize": 1,
            "done": true,
            "records": [{
                "attributes": {"type": "Contact", "url": url("Contact", &contact(2))},
                "Id": contact(2),
                "Email": null,
                "Account": {
                    "attributes": {"type": "Account", "url": url("Account", &account(2))},
                    "Name": "Globex 100% Fun_d"
                },
                "Opportunities": null,
                "Tasks": {
                    "totalSize": 1,
                    "done": true,
                    "records": [{
                        "attributes": {"type": "Task", "url": url("Task", &task(4))},
                        "Subject": "Send quote"
                    }]
                }
            }]
        }),
    );
}

#[test]
fn empty_lookup_is_null_and_missing_fields_are_null() {
    let result =
        run("SELECT Name, Account.Name, Department FROM Contact WHERE Name = 'Carol Nolookup'");
    assert_eq!(result.records[0]["Account"], Value::Null);
    // Present as null, not omitted.
    assert_eq!(result.records[0].get("Department"), Some(&Value::Null));
}

#[test]
fn child_subqueries_order_limit_and_null_when_empty() {
    let query = "SELECT Name, (SELECT Subject, ActivityDate FROM Tasks ORDER BY ActivityDate DESC NULLS LAST LIMIT 5), \
                 (SELECT Name FROM Opportunities) FROM Contact ORDER BY Name";
    let result = run(query);
    assert_eq!(
        column(&result, "Name"),
        ["Ada Lovelace", "Bob O'Brien", "Carol Nolookup", "eve lower"]
    );
    let subjects = |tasks: &Value| -> Vec<String> {
        tasks["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["Subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let ada = &result.records[0];
    // The deleted task is hidden; null dates last.
    assert_eq!(subjects(&ada["Tasks"]), ["Follow up", "Call", "Email"]);
    assert_eq!(ada["Tasks"]["totalSize"], 3);
    assert_eq!(ada["Tasks"]["done"], true);
    assert_eq!(ada["Opportunities"]["records"][0]["Name"], "Acme Big Deal");
    assert_eq!(subjects(&result.records[1]["Tasks"]), ["Send quote"]);
    assert_eq!(result.records[1]["Opportunities"], Value::Null);
    assert_eq!(result.records[2]["Tasks"], Value::Null);
    assert_eq!(result.records[3]["Tasks"], Value::Null);

    let nulls_first = run(
        "SELECT (SELECT Subject FROM Tasks ORDER BY ActivityDate DESC NULLS FIRST LIMIT 2) FROM Contact WHERE Name = 'Ada Lovelace'",
    );
    assert_eq!(
        subjects(&nulls_first.records[0]["Tasks"]),
        ["Email", "Follow up"]
    );
    assert_eq!(nulls_first.records[0]["Tasks"]["totalSize"], 2);

    let all = run_all(
        "SELECT (SELECT Subject FROM Tasks ORDER BY ActivityDate DESC NULLS LAST) FROM Contact WHERE Name = 'Ada Lovelace'",
    );
    assert_eq!(
        subjects(&all.records[0]["Tasks"]),
        ["Follow up", "Binned", "Call", "Email"]
    );
}

#[test]
fn nested_child_subqueries() {
    let result = run(
        "SELECT Name, (SELECT Name, (SELECT Role FROM OpportunityContactRoles) FROM Opportunities ORDER BY Name) \
         FROM Account WHERE Name = 'Acme Corp'",
    );
    let opportunities = result.records[0]["Opportunities"]["records"]
        .as_array()
        .unwrap();
    let roles: Vec<(&str, Vec<&str>)> = opportunities
        .iter()
        .map(|o| {
            let roles = o["OpportunityContactRoles"]["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Role"].as_str().unwrap())
                .collect();
            (o["Name"].as_str().unwrap(), roles)
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("Acme Big Deal", vec!["Decision Maker"]),
            ("Acme Renewal", vec!["Economic Buyer"])
        ]
    );
}

#[test]
fn polymorphic_lookups_take_the_type_of_the_record() {
    let result = run(&format!(
        "SELECT Subject, What.Name, Who.Name FROM Task WHERE Id IN ('{}', '{}', '{}') ORDER BY Subject",
        task(1),
        task(2),
        task(4)
    ));
    let what = |i: usize| &result.records[i]["What"];
    assert_eq!(column(&result, "Subject"), ["Call", "Email", "Send quote"]);
    assert_eq!(what(0)["attributes"]["type"], "Opportunity");
    assert_eq!(
        what(0)["attributes"]["url"],
        url("Opportunity", &opportunity(1))
    );
    assert_eq!(what(0)["Name"], "Acme Big Deal");
    assert_eq!(*what(1), Value::Null);
    assert_eq!(what(2)["attributes"]["type"], "Account");
    assert_eq!(what(2)["Name"], "Globex 100% Fun_d");
    assert_eq!(result.records[2]["Who"]["Name"], "Bob O'Brien");
}

#[test]
fn names_are_case_insensitive_and_come_back_canonical() {
    let result = run("select id, EMAIL, account.NAME from CONTACT c where c.LASTNAME = 'lovelace'");
    let record = result.records[0].as_object().unwrap();
    let keys: Vec<&str> = record.keys().map(String::as_str).collect();
    assert_eq!(keys, ["attributes", "Id", "Email", "Account"]);
    assert_eq!(record["attributes"]["type"], "Contact");
    let account_keys: Vec<&str> = record["Account"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(account_keys, ["attributes", "Name"]);
}

#[test]
fn count_star() {
    let result = run("SELECT COUNT() FROM Contact");
    assert_eq!(result.total_size, 4);
    assert!(result.records.is_empty());
    assert_json(
        &result.into_json(),
        &json!({"totalSize": 4, "done": true, "records": []}),
    );
    assert_eq!(run_all("select count() from Contact").total_size, 5);
    assert_eq!(
        run("SELECT Count() FROM Contact WHERE Account.Name = 'Acme Corp'").total_size,
        2
    );
    assert_eq!(run("SELECT COUNT() FROM Contact LIMIT 2").total_size, 2);
}

#[test]
fn count_of_fields_is_an_aggregate_result() {
    let result = run("SELECT COUNT(Id), COUNT(Email) emails FROM Contact");
    assert_eq!(result.total_size, 1);
    assert_json(
        &result.records[0],
        &json!({"attributes": {"type": "AggregateResult"}, "expr0": 4, "emails": 3}),
    );
}

#[test]
fn fields_all_expands_in_schema_order() {
    let result = run("SELECT FIELDS(ALL) FROM Account WHERE Name = 'Acme Corp' LIMIT 1");
    let keys: Vec<&str> = result.records[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let objects = standard_objects();
    let account_schema = objects.iter().find(|o| o.name == "Account").unwrap();
    let mut expected = vec!["attributes"];
    expected.extend(account_schema.fields.iter().map(|f| f.name.as_str()));
    assert_eq!(keys, expected);
    assert_eq!(result.records[0]["NumberOfEmployees"], 50);
    assert_eq!(result.records[0]["Website"], Value::Null);
}

#[test]
fn content_document_links_by_linked_entity() {
    let result = run(&format!(
        "SELECT ContentDocumentId, ContentDocument.Title FROM ContentDocumentLink WHERE LinkedEntityId = '{}'",
        contact(1)
    ));
    assert_eq!(result.records[0]["ContentDocumentId"], id("069", 1));
    assert_eq!(result.records[0]["ContentDocument"]["Title"], "Call notes");
    assert_eq!(
        result.records[0]["ContentDocument"]["attributes"]["type"],
        "ContentDocument"
    );
}

#[test]
fn api_version_shapes_urls() {
    let options = super::fixture::options().api_version("60.0");
    let result = super::execute(
        &super::fixture::dataset(),
        "SELECT Id FROM Account WHERE Name = 'Acme Corp'",
        &options,
    )
    .unwrap();
    assert_eq!(
        result.records[0]["attributes"]["url"],
        format!("/services/data/v60.0/sobjects/Account/{}", account(1))
    );
}
