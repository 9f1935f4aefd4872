//! Salesforce simulator over real HTTP: record CRUD, upsert, validation bodies, system fields,
//! duplicate rule, describe, getUpdated / getDeleted.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod salesforce_support;

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use salesforce_support::*;
use serde_json::{Value, json};
use sfdesk_sim::common::SimClock;
use sfdesk_sim::salesforce::SalesforceSeed;

fn is_audit_format(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 28 && s.ends_with(".000+0000") && s.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn crud_happy_path_and_system_fields() {
    let sim = sim().await;
    let account = sim.create("Account", json!({"Name": "Acme"})).unwrap();
    let r = post(&sim, "sobjects/Contact", json!({"FirstName": "Jane", "LastName": "Doe", "Email": "jane@acme.example", "AccountId": account, "MailingCity": "Lyon"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body, json!({"id": id, "success": true, "errors": []}));
    assert!(id.starts_with("003") && id.len() == 18);

    let r = get(&sim, &format!("sobjects/Contact/{id}")).await;
    assert_eq!(r.status, 200);
    let c = r.json();
    assert_eq!(
        c["attributes"],
        json!({"type": "Contact", "url": format!("/services/data/v66.0/sobjects/Contact/{id}")})
    );
    assert_eq!(c["Name"], "Jane Doe");
    assert_eq!(c["Phone"], Value::Null);
    assert_eq!(c["MailingAddress"]["city"], "Lyon");
    assert_eq!(c["LastModifiedById"], sim.user_id.as_str());
    assert_eq!(c["CreatedById"], sim.user_id.as_str());
    assert_eq!(c["OwnerId"], sim.user_id.as_str());
    assert_eq!(c["IsDeleted"], false);
    assert!(
        is_audit_format(&c["SystemModstamp"]),
        "{}",
        c["SystemModstamp"]
    );

    let r = get(
        &sim,
        &format!("sobjects/Contact/{}?fields=Id,Email", &id[..15]),
    )
    .await;
    let keys: Vec<String> = r.json().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["attributes", "Id", "Email"]);

    let r = patch(
        &sim,
        &format!("sobjects/Contact/{id}"),
        json!({"Email": null, "Title": "CTO"}),
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let c = sim.get("Contact", &id).unwrap();
    assert_eq!(c["Email"], Value::Null);
    assert_eq!(c["Title"], "CTO");

    // A UI edit changes LastModifiedById; automation only SystemModstamp.
    sim.advance_clock(Duration::from_secs(5));
    sim.ui_update("Contact", &id, json!({"Title": "CEO"}))
        .unwrap();
    let c = sim.get("Contact", &id).unwrap();
    assert_eq!(c["LastModifiedById"], sim.ui_user_id.as_str());
    let before = c["LastModifiedDate"].clone();
    sim.advance_clock(Duration::from_secs(5));
    assert!(sim.touch("Contact", &id));
    let c = sim.get("Contact", &id).unwrap();
    assert_eq!(c["LastModifiedDate"], before);
    assert_ne!(c["SystemModstamp"], before);

    let r = delete(&sim, &format!("sobjects/Contact/{id}")).await;
    assert_eq!(r.status, 204);
    let r = delete(&sim, &format!("sobjects/Contact/{id}")).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            404,
            json!([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED"}])
        )
    );
    let r = delete(&sim, "sobjects/Contact/003000000000zzzAAA").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()[0]["errorCode"], "NOT_FOUND");
}

#[tokio::test]
async fn derived_fields_of_opportunities_and_activities() {
    let sim = empty_sim().await;
    let account = sim.create("Account", json!({"Name": "Acme"})).unwrap();
    let contact = sim
        .create("Contact", json!({"LastName": "Doe", "AccountId": account}))
        .unwrap();
    let opp = sim
        .create(
            "Opportunity",
            json!({"Name": "Big", "StageName": "Closed Won", "CloseDate": "2026-01-02"}),
        )
        .unwrap();
    let o = sim.get("Opportunity", &opp).unwrap();
    assert_eq!(
        (
            o["IsClosed"].clone(),
            o["IsWon"].clone(),
            o["Probability"].clone()
        ),
        (json!(true), json!(true), json!(100))
    );
    let task = sim.create("Task", json!({"Subject": "Call", "WhoId": contact, "Status": "Completed", "TaskSubtype": "Call"})).unwrap();
    let t = sim.get("Task", &task).unwrap();
    assert_eq!(t["IsClosed"], true);
    assert_eq!(t["AccountId"], account.as_str());
    assert_eq!(t["Priority"], "Normal");
    let r = post(
        &sim,
        "sobjects/Event",
        json!({"Subject": "Meeting", "WhoId": contact, "StartDateTime": "2026-01-02T10:00:00Z"}),
    )
    .await;
    assert_eq!(r.json()[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    let r = post(&sim, "sobjects/Event", json!({"Subject": "Meeting", "WhoId": contact, "StartDateTime": "2026-01-02T10:00:00+01:00", "DurationInMinutes": 30})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = sim.get("Event", r.json()["id"].as_str().unwrap()).unwrap();
    assert_eq!(e["EndDateTime"], "2026-01-02T09:30:00.000+0000");
}

#[tokio::test]
async fn validation_errors_have_the_exact_bodies() {
    let sim = with(|o| o.seed = SalesforceSeed::default()).await;
    let post_contact = |body: Value| post(&sim, "sobjects/Contact", body);
    let r = post_contact(json!({"FirstName": "X"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!([{"message": "Required fields are missing: [LastName]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["LastName"]}])
    );
    let r = post_contact(json!({"LastName": "x".repeat(81)})).await;
    assert_eq!(
        r.json(),
        json!([{"message": format!("Last Name: data value too large: {} (max length=80)", "x".repeat(81)), "errorCode": "STRING_TOO_LONG", "fields": ["LastName"]}])
    );
    let r = post_contact(json!({"LastName": "X", "Email": "not-an-email"})).await;
    assert_eq!(
        r.json(),
        json!([{"message": "Email: invalid email address: not-an-email", "errorCode": "INVALID_EMAIL_ADDRESS", "fields": ["Email"]}])
    );
    let r = post_contact(json!({"LastName": "X", "Name": "Y"})).await;
    assert_eq!(
        r.json(),
        json!([{"message": "Unable to create/update fields: Name. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE", "fields": ["Name"]}])
    );
    let r = post_contact(json!({"LastName": "X", "Foo": 1})).await;
    assert_eq!(
        r.json(),
        json!([{"message": "No such column 'Foo' on sobject of type Contact", "errorCode": "INVALID_FIELD"}])
    );
    let r = post_contact(json!({"LastName": "X", "AccountId": "nonsense"})).await;
    assert_eq!(
        r.json(),
        json!([{"message": "Account ID: id value of incorrect type: nonsense", "errorCode": "MALFORMED_ID", "fields": ["AccountId"]}])
    );
    let r = post_contact(json!({"LastName": "X", "AccountId": "001000000000zzzAAA"})).await;
    assert_eq!(
        r.json(),
        json!([{"message": "invalid cross reference id", "errorCode": "INVALID_CROSS_REFERENCE_KEY", "fields": []}])
    );
    let r = post(
        &sim,
        "sobjects/Account",
        json!({"Name": "A", "Subscription_Type__c": "Gold"}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!([{"message": "Subscription Type: bad value for restricted picklist field: Gold", "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Subscription_Type__c"]}])
    );
    let id = sim.create("Contact", json!({"LastName": "Keep"})).unwrap();
    let r = patch(
        &sim,
        &format!("sobjects/Contact/{id}"),
        json!({"LastName": null}),
    )
    .await;
    assert_eq!(r.json()[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    let r = patch(
        &sim,
        &format!("sobjects/Contact/{id}"),
        json!({"SystemModstamp": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(r.json()[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
}

#[tokio::test]
async fn upsert_by_external_id() {
    let sim = empty_sim().await;
    let path = "sobjects/Contact/Desk_Id__c/D-1";
    let r = patch(&sim, path, json!({"LastName": "Doe"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.json(),
        json!({"id": id, "success": true, "errors": [], "created": true})
    );
    let r = patch(&sim, path, json!({"LastName": "Dough"})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            200,
            json!({"id": id, "success": true, "errors": [], "created": false})
        )
    );
    let r = get(&sim, path).await;
    assert_eq!(r.json()["LastName"], "Dough");
    let r = patch(
        &sim,
        "sobjects/Contact/Desk_Id__c/D-2?updateOnly=true",
        json!({"LastName": "X"}),
    )
    .await;
    assert_eq!(r.status, 404);
    sim.create("Contact", json!({"LastName": "Twin", "Desk_Id__c": "D-9"}))
        .unwrap();
    sim.create("Contact", json!({"LastName": "Twin", "Desk_Id__c": "D-9"}))
        .unwrap();
    let r = patch(
        &sim,
        "sobjects/Contact/Desk_Id__c/D-9",
        json!({"LastName": "X"}),
    )
    .await;
    assert_eq!(r.status, 300);
    assert_eq!(r.json().as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn duplicate_rule_on_contact_email() {
    let sim = with(|o| {
        o.duplicate_rule = true;
        o.seed = SalesforceSeed::empty();
    })
    .await;
    let first = sim
        .create(
            "Contact",
            json!({"LastName": "A", "Email": "dup@x.example"}),
        )
        .unwrap();
    let r = post(
        &sim,
        "sobjects/Contact",
        json!({"LastName": "B", "Email": "DUP@x.example"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let e = &r.json()[0];
    assert_eq!(e["errorCode"], "DUPLICATES_DETECTED");
    assert_eq!(
        e["duplicateResut"]["matchResults"][0]["matchRecords"][0]["record"]["Id"],
        first.as_str()
    );
    let r = call_with(
        &sim,
        Method::POST,
        "sobjects/Contact",
        Some(json!({"LastName": "B", "Email": "dup@x.example"})),
        &sim.access_token,
        &[("Sforce-Duplicate-Rule-Header", "allowSave=true")],
    )
    .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn describe_has_the_real_shape() {
    let sim = empty_sim().await;
    let g = get(&sim, "sobjects").await.json();
    assert_eq!(g["encoding"], "UTF-8");
    assert_eq!(g["maxBatchSize"], 200);
    let names: Vec<&str> = g["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"OpportunityContactRole"));
    let d = get(&sim, "sobjects/Contact/describe/").await.json();
    assert_eq!(d["keyPrefix"], "003");
    assert_eq!(
        d["urls"]["uiDetailTemplate"],
        format!("{}{{ID}}", sim.instance_url)
    );
    let field = |name: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    let last = field("LastName");
    assert_eq!(
        (
            last["type"].clone(),
            last["length"].clone(),
            last["nillable"].clone(),
            last["createable"].clone(),
            last["defaultedOnCreate"].clone()
        ),
        (
            json!("string"),
            json!(80),
            json!(false),
            json!(true),
            json!(false)
        )
    );
    let desk = field("Desk_Id__c");
    assert_eq!(
        (desk["externalId"].clone(), desk["custom"].clone()),
        (json!(true), json!(true))
    );
    let account = field("AccountId");
    assert_eq!(account["referenceTo"], json!(["Account"]));
    assert_eq!(account["relationshipName"], "Account");
    assert_eq!(field("Name")["updateable"], false);
    let tasks = d["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["relationshipName"] == "Tasks")
        .unwrap()
        .clone();
    assert_eq!(
        (tasks["childSObject"].clone(), tasks["field"].clone()),
        (json!("Task"), json!("WhoId"))
    );
    let t = get(&sim, "sobjects/Task/describe").await.json();
    let subject = t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Subject")
        .unwrap()
        .clone();
    assert_eq!(subject["type"], "combobox");
    let a = get(&sim, "sobjects/Account/describe").await.json();
    let sub = a["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Subscription_Type__c")
        .unwrap()
        .clone();
    assert_eq!(sub["restrictedPicklist"], true);
    assert_eq!(
        sub["picklistValues"][0],
        json!({"active": true, "defaultValue": false, "label": "Free", "validFor": null, "value": "Free"})
    );
    assert_eq!(get(&sim, "sobjects/Xyzzy/describe").await.status, 404);
}

#[tokio::test]
async fn get_updated_and_get_deleted() {
    let start = Utc::now() - TimeDelta::days(1);
    let sim = with(|o| {
        o.clock = Some(SimClock::frozen_at(start));
        o.seed = SalesforceSeed::empty();
    })
    .await;
    let t0 = sim.clock().now();
    let a = sim.create("Contact", json!({"LastName": "A"})).unwrap();
    sim.advance_clock(Duration::from_secs(120));
    let b = sim.create("Contact", json!({"LastName": "B"})).unwrap();
    sim.advance_clock(Duration::from_secs(120));
    let r = delete(&sim, &format!("sobjects/Contact/{a}")).await;
    assert_eq!(r.status, 204);
    sim.advance_clock(Duration::from_secs(120));
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%%2B00:00").to_string();
    let end = sim.clock().now();
    let r = get(
        &sim,
        &format!(
            "sobjects/Contact/updated/?start={}&end={}",
            fmt(t0),
            fmt(end)
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["ids"], json!([b]));
    let covered = body["latestDateCovered"].as_str().unwrap();
    assert!(covered.ends_with(":00.000+0000"), "{covered}");
    let r = get(
        &sim,
        &format!(
            "sobjects/Contact/deleted/?start={}&end={}",
            fmt(t0),
            fmt(end)
        ),
    )
    .await
    .json();
    assert_eq!(r["deletedRecords"][0]["id"], a.as_str());
    let old = t0 - TimeDelta::days(31);
    let r = get(
        &sim,
        &format!(
            "sobjects/Contact/updated/?start={}&end={}",
            fmt(old),
            fmt(end)
        ),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()[0]["errorCode"], "INVALID_REPLICATION_DATE");
}

#[tokio::test]
async fn soap_undelete_restores_from_the_recycle_bin() {
    let sim = empty_sim().await;
    let id = sim.create("Contact", json!({"LastName": "Back"})).unwrap();
    assert_eq!(
        delete(&sim, &format!("sobjects/Contact/{id}")).await.status,
        204
    );
    let envelope = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader><urn:sessionId>{}</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body><urn:undelete><urn:ids>{id}</urn:ids></urn:undelete></soapenv:Body></soapenv:Envelope>"#,
        sim.access_token
    );
    let r = client()
        .post(sim.instance_url.join("services/Soap/u/66.0").unwrap())
        .header("Content-Type", "text/xml")
        .header("SOAPAction", "undelete")
        .body(envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("<success>true</success>"), "{text}");
    assert_eq!(
        get(&sim, &format!("sobjects/Contact/{id}")).await.status,
        200
    );
}
