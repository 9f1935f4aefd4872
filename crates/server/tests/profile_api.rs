//! The sidebar's profile API over real HTTP against a [`Sandbox`] (the sfdesk server on a TCP
//! port, the Desk and Salesforce simulators in-process): permissions applied before Salesforce
//! is asked (proved by the simulator's per-object SOQL counters), one composite call per
//! uncached view and none per cached one, ETags, invalidation, tenancy, tokens, hostile input,
//! the two actions and the admin API's validation.

// Helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sfdesk_server::sandbox::{Sandbox, SandboxOptions};
use sfdesk_server::session::SessionClaims;
use sfdesk_server::store::{
    InstallationStatus, Link, NewAgentSession, NewInstallation, SyncDirection, SyncObject,
};
use sfdesk_shared::permissions::{Access, ActivityKinds, RolePermissions};
use sfdesk_sim::desk::model::Ticket;

/// What one seeded person looks like on both sides.
struct Person {
    email: String,
    desk_contact: String,
    desk_account: String,
    ticket: String,
    contact: String,
    account: String,
    opportunities: usize,
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::default()).await.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

fn sf_create(sb: &Sandbox, object: &str, fields: Value) -> String {
    sb.salesforce
        .create(object, fields)
        .unwrap_or_else(|e| panic!("{object}: {e:?}"))
}

/// A Desk ticket of `contact` (or of no contact) with `email`.
fn add_ticket(sb: &Sandbox, contact: Option<&str>, email: &str, subject: &str) -> String {
    let state = sb.desk.state();
    let department = state.departments()[0].id.clone();
    let now = Utc::now();
    state.add_ticket(Ticket {
        id: String::new(),
        ticket_number: format!("{}", 500 + state.tickets().len()),
        subject: subject.to_owned(),
        status: "Open".to_owned(),
        department_id: department,
        contact_id: contact.map(str::to_owned),
        account_id: None,
        email: Some(email.to_owned()),
        phone: None,
        assignee_id: None,
        created_time: now,
        modified_time: now,
    })
}

/// A Salesforce account + contact with three open opportunities (and a closed one), two
/// tasks, a call, a meeting, a classic note, a private note and a Lightning note; the same
/// person as a Desk contact with a Desk account, and a ticket of theirs.
fn seed_person(sb: &Sandbox, email: &str, company: &str) -> Person {
    let account = sf_create(
        sb,
        "Account",
        json!({"Name": company, "Type": "Customer - Direct", "Industry": "Energy",
               "Website": "https://acme.example", "Phone": "+1 555 0100",
               "BillingCity": "Leeds", "AnnualRevenue": 5_000_000, "NumberOfEmployees": 120,
               "Subscription_Type__c": "Enterprise"}),
    );
    let contact = sf_create(
        sb,
        "Contact",
        json!({"LastName": "Lovelace", "FirstName": "Ada", "Email": email, "AccountId": account,
               "Title": "CTO", "Department": "R&D", "Phone": "+1 555 0101",
               "MobilePhone": "+1 555 0102", "MailingCity": "London"}),
    );
    for (i, stage) in [
        "Prospecting",
        "Needs Analysis",
        "Negotiation/Review",
        "Closed Won",
    ]
    .iter()
    .enumerate()
    {
        let opp = sf_create(
            sb,
            "Opportunity",
            json!({"Name": format!("{company} deal {i}"), "StageName": stage,
                   "CloseDate": format!("2031-0{}-15", 4 - i), "Amount": 1000 * (i + 1),
                   "AccountId": account}),
        );
        sf_create(
            sb,
            "OpportunityContactRole",
            json!({"OpportunityId": opp, "ContactId": contact, "Role": "Decision Maker"}),
        );
    }
    for (subject, subtype) in [
        ("Send quote", "Task"),
        ("Follow up", "Task"),
        ("Call", "Call"),
    ] {
        sf_create(
            sb,
            "Task",
            json!({"Subject": subject, "TaskSubtype": subtype, "ActivityDate": "2030-05-01",
                   "Status": "Not Started", "WhoId": contact}),
        );
    }
    sf_create(
        sb,
        "Event",
        json!({"Subject": "Kickoff", "WhoId": contact,
               "StartDateTime": "2020-01-02T10:00:00.000+0000", "DurationInMinutes": 30}),
    );
    sf_create(
        sb,
        "Note",
        json!({"Title": "Met at the fair", "Body": "Likes\n\n  tea", "ParentId": contact}),
    );
    sf_create(
        sb,
        "Note",
        json!({"Title": "Private", "Body": "secret", "ParentId": contact, "IsPrivate": true}),
    );
    sb.salesforce
        .create_lightning_note(&contact, "Call summary")
        .unwrap();

    let state = sb.desk.state();
    let desk_account = state
        .insert_account(json!({"accountName": company}))
        .unwrap()
        .id;
    let desk_contact = state
        .insert_contact(
            json!({"lastName": "Lovelace", "firstName": "Ada", "email": email,
                               "accountId": desk_account}),
        )
        .unwrap()
        .id;
    let ticket = add_ticket(sb, Some(&desk_contact), email, "Printer on fire");
    Person {
        email: email.to_owned(),
        desk_contact,
        desk_account,
        ticket,
        contact,
        account,
        opportunities: 3,
    }
}

fn agent(sb: &Sandbox, role_name: &str) -> (String, String) {
    let agent = sb
        .agents()
        .iter()
        .find(|a| a.role_name == role_name || (role_name == "admin" && a.is_admin))
        .unwrap_or_else(|| panic!("no agent with role {role_name}: {:?}", sb.agents()))
        .clone();
    (agent.email, agent.role_id)
}

async fn token(sb: &Sandbox, role_name: &str) -> String {
    let (email, _) = agent(sb, role_name);
    sb.mint_session(&email).await.unwrap()
}

/// The support agent: a non-admin whose role the tests reconfigure.
const SUPPORT: &str = "Support Agent";

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

async fn get(sb: &Sandbox, token: &str, query: &str) -> Answer {
    let url = sb.endpoint(&format!("api/v1/profile?{query}")).unwrap();
    send(http().get(url).bearer_auth(token)).await
}

async fn post(sb: &Sandbox, token: &str, path: &str, body: Value) -> Answer {
    let url = sb.endpoint(path).unwrap();
    send(http().post(url).bearer_auth(token).json(&body)).await
}

async fn put(sb: &Sandbox, token: &str, path: &str, body: &str) -> Answer {
    let url = sb.endpoint(path).unwrap();
    send(
        http()
            .put(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

/// Stores `permissions` for `role_id` through the admin API.
async fn set_permissions(sb: &Sandbox, role_id: &str, permissions: &RolePermissions) {
    let admin = token(sb, "admin").await;
    let body = json!({"roles": [{"role_id": role_id, "permissions": permissions}]});
    let answer = put(sb, &admin, "api/v1/admin/permissions", &body.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

fn reset_counters(sb: &Sandbox) {
    sb.salesforce.counters().reset();
    sb.salesforce.object_reads().reset();
    sb.desk.counters().reset();
}

fn soql_calls(sb: &Sandbox, object: &str) -> u64 {
    sb.salesforce.object_reads().get(object).calls
}

fn composite_calls(sb: &Sandbox) -> u64 {
    sb.salesforce.counters().get("POST /composite").calls
}

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn full_profile_in_one_composite_then_from_cache() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let admin = token(&sb, "admin").await;
    reset_counters(&sb);

    let first = get(&sb, &admin, &format!("ticket_id={}", ada.ticket)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let body = first.json();
    assert_eq!(body["status"], "found");
    assert_eq!(composite_calls(&sb), 1);
    // The counters the permission tests rely on do see every object of a full view.
    // (Task twice: tasks and calls are separate queries, each with its own cap.)
    for (object, reads) in [
        ("Contact", 1),
        ("Opportunity", 1),
        ("OpportunityContactRole", 1),
        ("Task", 2),
        ("Event", 1),
        ("Note", 1),
        ("ContentDocumentLink", 1),
    ] {
        assert_eq!(soql_calls(&sb, object), reads, "{object}");
    }
    let contact = &body["contact"];
    assert_eq!(contact["id"], ada.contact.as_str());
    assert_eq!(contact["email"], ada.email.as_str());
    assert_eq!(contact["mobile_phone"], "+1 555 0102");
    assert_eq!(contact["owner"], "Integration User");
    assert_eq!(
        contact["url"],
        format!(
            "{}lightning/r/Contact/{}/view",
            sb.salesforce.instance_url, ada.contact
        )
    );
    assert_eq!(body["account"]["id"], ada.account.as_str());
    assert_eq!(body["account"]["employees"], 120);
    assert_eq!(body["opportunities"]["total"], ada.opportunities);
    assert_eq!(body["opportunities"]["more"], false);
    assert_eq!(body["opportunities"]["items"][0]["amount"], 3000.0);
    let notes = body["notes"]["items"].as_array().unwrap();
    let titles: Vec<&str> = notes.iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "the private note stays out: {titles:?}");
    assert!(titles.contains(&"Met at the fair") && titles.contains(&"Call summary"));
    let classic = notes.iter().find(|n| n["kind"] == "classic").unwrap();
    assert_eq!(classic["excerpt"], "Likes tea");
    assert_eq!(body["tasks"]["total"], 2);
    assert_eq!(body["calls"]["items"][0]["subject"], "Call");
    assert_eq!(body["meetings"]["items"][0]["status"], "Completed");
    assert_eq!(body["can_log_ticket"], true);
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"));
    assert_eq!(first.headers["cache-control"], "private, no-cache");

    // Cached: same bytes, no Desk or Salesforce call at all.
    reset_counters(&sb);
    let second = get(&sb, &admin, &format!("ticket_id={}", ada.ticket)).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.text, first.text);
    assert_eq!(sb.salesforce.counters().total().calls, 0);
    assert_eq!(sb.desk.counters().total().calls, 0);

    // If-None-Match → 304, no body.
    let url = sb
        .endpoint(&format!("api/v1/profile?ticket_id={}", ada.ticket))
        .unwrap();
    let not_modified = send(
        http()
            .get(url.clone())
            .bearer_auth(&admin)
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.text.is_empty());
    assert_eq!(not_modified.headers["etag"].to_str().unwrap(), etag);
    let other = send(
        http()
            .get(url)
            .bearer_auth(&admin)
            .header("if-none-match", "\"other\""),
    )
    .await;
    assert_eq!(other.status, 200);

    // refresh=true asks Salesforce again.
    reset_counters(&sb);
    let refreshed = get(
        &sb,
        &admin,
        &format!("ticket_id={}&refresh=true", ada.ticket),
    )
    .await;
    assert_eq!(refreshed.status, 200);
    assert_eq!(composite_calls(&sb), 1);

    // The invalidation hook drops every view showing a record.
    get(
        &sb,
        &admin,
        &format!("desk_contact_id={}", ada.desk_contact),
    )
    .await;
    reset_counters(&sb);
    let opp = body["opportunities"]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.state
        .profiles
        .invalidate_records(sb.installation.id, &[opp]);
    get(&sb, &admin, &format!("ticket_id={}", ada.ticket)).await;
    get(
        &sb,
        &admin,
        &format!("desk_contact_id={}", ada.desk_contact),
    )
    .await;
    assert_eq!(composite_calls(&sb), 2);
    // A record no view shows drops nothing.
    reset_counters(&sb);
    sb.state
        .profiles
        .invalidate_records(sb.installation.id, &["003000000000000AAA".to_owned()]);
    get(&sb, &admin, &format!("ticket_id={}", ada.ticket)).await;
    assert_eq!(composite_calls(&sb), 0);
}

#[tokio::test]
async fn account_pages_and_highlight() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let admin = token(&sb, "admin").await;
    let settings = put(
        &sb,
        &admin,
        "api/v1/admin/profile-settings",
        r#"{"highlight_account_field": "subscription_type__c"}"#,
    )
    .await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    assert_eq!(
        settings.json()["highlight_account_field"],
        "Subscription_Type__c"
    );
    let answer = get(
        &sb,
        &admin,
        &format!("desk_account_id={}", ada.desk_account),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert!(body.get("contact").is_none());
    assert_eq!(body["account"]["id"], ada.account.as_str());
    assert_eq!(body["account"]["highlight"]["value"], "Enterprise");
    assert!(body["account"]["highlight"]["label"].is_string());
    assert_eq!(body["opportunities"]["total"], 3);
    assert_eq!(body["can_log_ticket"], false);
    // Ticket pages show the highlight on the requester's account too.
    let ticket = get(&sb, &admin, &format!("ticket_id={}", ada.ticket))
        .await
        .json();
    assert_eq!(ticket["account"]["highlight"]["value"], "Enterprise");
    // A field Account does not have is refused.
    let bad = put(
        &sb,
        &admin,
        "api/v1/admin/profile-settings",
        r#"{"highlight_account_field": "Nope__c"}"#,
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("Nope__c"));
    let now = send(
        http()
            .get(sb.endpoint("api/v1/admin/profile-settings").unwrap())
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(
        now.json()["highlight_account_field"],
        "Subscription_Type__c"
    );
}

/// One permission case: an edit of the defaults, the page, JSON keys that must be absent and
/// present, and objects Salesforce must not have been asked about.
struct Case {
    name: &'static str,
    edit: fn(&mut RolePermissions),
    page: &'static str,
    absent: &'static [&'static str],
    present: &'static [&'static str],
    not_queried: &'static [&'static str],
}

#[tokio::test]
async fn permissions_decide_what_is_fetched_and_shown() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let (_, support_role) = agent(&sb, SUPPORT);
    let support = token(&sb, SUPPORT).await;
    let cases = [
        Case {
            name: "no opportunities",
            edit: |p| p.opportunities = Access::None,
            page: "ticket",
            absent: &["opportunities"],
            present: &["contact", "account", "notes", "tasks", "calls", "meetings"],
            not_queried: &["Opportunity", "OpportunityContactRole"],
        },
        Case {
            name: "no notes",
            edit: |p| p.notes = Access::None,
            page: "ticket",
            absent: &["notes"],
            present: &["opportunities", "tasks"],
            not_queried: &["Note", "ContentDocumentLink"],
        },
        Case {
            name: "no activities",
            edit: |p| p.activities = Access::None,
            page: "ticket",
            absent: &["tasks", "calls", "meetings"],
            present: &["notes", "opportunities"],
            not_queried: &["Task", "Event"],
        },
        Case {
            name: "no tasks",
            edit: |p| p.activity_kinds.tasks = false,
            page: "ticket",
            absent: &["tasks"],
            present: &["calls", "meetings"],
            not_queried: &[],
        },
        Case {
            name: "no calls nor tasks",
            edit: |p| {
                p.activity_kinds = ActivityKinds {
                    tasks: false,
                    calls: false,
                    meetings: true,
                }
            },
            page: "ticket",
            absent: &["tasks", "calls"],
            present: &["meetings"],
            not_queried: &["Task"],
        },
        Case {
            name: "no meetings",
            edit: |p| p.activity_kinds.meetings = false,
            page: "ticket",
            absent: &["meetings"],
            present: &["tasks", "calls"],
            not_queried: &["Event"],
        },
        Case {
            name: "no info",
            edit: |p| p.info = Access::None,
            page: "ticket",
            absent: &["contact", "account"],
            present: &["opportunities"],
            not_queried: &[],
        },
        Case {
            name: "no accounts",
            edit: |p| p.accounts = false,
            page: "ticket",
            absent: &["account"],
            present: &["contact"],
            not_queried: &[],
        },
        Case {
            name: "no contacts: the account only",
            edit: |p| p.contacts = false,
            page: "ticket",
            absent: &["contact"],
            present: &[
                "account",
                "opportunities",
                "notes",
                "tasks",
                "calls",
                "meetings",
            ],
            not_queried: &["OpportunityContactRole"],
        },
    ];
    for case in &cases {
        let mut permissions = RolePermissions::default();
        (case.edit)(&mut permissions);
        set_permissions(&sb, &support_role, &permissions).await;
        reset_counters(&sb);
        let query = match case.page {
            "ticket" => format!("ticket_id={}", ada.ticket),
            _ => format!("desk_account_id={}", ada.desk_account),
        };
        let answer = get(&sb, &support, &query).await;
        assert_eq!(answer.status, 200, "{}: {}", case.name, answer.text);
        let body = answer.json();
        assert_eq!(body["status"], "found", "{}: {body}", case.name);
        for key in case.absent {
            assert!(body.get(*key).is_none(), "{}: {key} in {body}", case.name);
        }
        for key in case.present {
            assert!(body.get(*key).is_some(), "{}: {key} missing", case.name);
        }
        for object in case.not_queried {
            assert_eq!(
                soql_calls(&sb, object),
                0,
                "{}: {object} queried",
                case.name
            );
        }
        assert_eq!(composite_calls(&sb), 1, "{}", case.name);
    }
    // Contacts off: the account is found through the contact's email.
    let body = get(&sb, &support, &format!("ticket_id={}", ada.ticket))
        .await
        .json();
    assert_eq!(body["account"]["id"], ada.account.as_str());
}

#[tokio::test]
async fn limited_levels_show_exact_field_sets() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let (_, support_role) = agent(&sb, SUPPORT);
    let support = token(&sb, SUPPORT).await;
    let limited = RolePermissions {
        info: Access::Limited,
        opportunities: Access::Limited,
        notes: Access::Limited,
        activities: Access::Limited,
        ..RolePermissions::default()
    };
    set_permissions(&sb, &support_role, &limited).await;
    let body = get(&sb, &support, &format!("ticket_id={}", ada.ticket))
        .await
        .json();
    assert_eq!(
        keys(&body["contact"]),
        ["id", "name", "title", "department", "email", "url"]
    );
    assert_eq!(
        keys(&body["account"]),
        ["id", "name", "type", "industry", "website", "url"]
    );
    assert_eq!(
        keys(&body["opportunities"]["items"][0]),
        ["id", "name", "stage", "close_date", "url"]
    );
    for note in body["notes"]["items"].as_array().unwrap() {
        assert_eq!(keys(note), ["id", "kind", "title", "author", "date", "url"]);
    }
    for section in ["tasks", "calls", "meetings"] {
        assert_eq!(
            keys(&body[section]["items"][0]),
            ["id", "subject", "date", "status", "url"],
            "{section}"
        );
    }
    assert_eq!(body["levels"]["info"], "limited");
}

#[tokio::test]
async fn hidden_roles_cause_no_remote_call() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let (_, support_role) = agent(&sb, SUPPORT);
    let support = token(&sb, SUPPORT).await;
    type Edit = fn(&mut RolePermissions);
    let cases: [(Edit, String); 4] = [
        (|p| p.visible = false, format!("ticket_id={}", ada.ticket)),
        (
            |p| {
                p.contacts = false;
                p.accounts = false;
            },
            format!("desk_contact_id={}", ada.desk_contact),
        ),
        (
            |p| p.accounts = false,
            format!("desk_account_id={}", ada.desk_account),
        ),
        (
            |p| p.visible = false,
            format!("desk_account_id={}", ada.desk_account),
        ),
    ];
    for (edit, query) in cases {
        let mut permissions = RolePermissions::default();
        edit(&mut permissions);
        set_permissions(&sb, &support_role, &permissions).await;
        reset_counters(&sb);
        let answer = get(&sb, &support, &query).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json(), json!({"status": "hidden"}), "{query}");
        assert_eq!(sb.salesforce.counters().total().calls, 0, "{query}");
        assert_eq!(sb.desk.counters().total().calls, 0, "{query}");
    }
}

#[tokio::test]
async fn not_found_and_hostile_emails() {
    let sb = sandbox().await;
    let admin = token(&sb, "admin").await;
    let tricky = "o'brien+test@x.com";
    let contact = sf_create(
        &sb,
        "Contact",
        json!({"LastName": "O'Brien", "Email": tricky}),
    );
    // A LIKE-wildcard email must not match a different address.
    sf_create(
        &sb,
        "Contact",
        json!({"LastName": "Wild", "Email": "axbyc@x.com"}),
    );
    let found = add_ticket(&sb, None, tricky, "Quote");
    let body = get(&sb, &admin, &format!("ticket_id={found}")).await.json();
    assert_eq!(body["status"], "found", "{body}");
    assert_eq!(body["contact"]["id"], contact.as_str());

    for email in [
        "a%b_c@x.com",
        "back\\slash@x.com",
        "x@{contact.records[0].Id}",
        "' OR Email != '",
        "\\' OR Name LIKE '%",
    ] {
        let ticket = add_ticket(&sb, None, email, "Hostile");
        let answer = get(&sb, &admin, &format!("ticket_id={ticket}")).await;
        assert_eq!(answer.status, 200, "{email}: {}", answer.text);
        let body = answer.json();
        assert_eq!(body["status"], "not_found", "{email}: {body}");
        assert_eq!(body["looked_up"], email);
        assert_eq!(body["object"], "Contact");
        assert_eq!(body["can_create"], true);
        assert_eq!(body["can_log_ticket"], true);
    }
    // A ticket of another Desk org (or none) is not found in this one.
    let missing = get(&sb, &admin, "ticket_id=4242424242").await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert!(missing.text.contains("no ticket 4242424242"));
}

#[tokio::test]
async fn malformed_input_is_refused_before_any_call() {
    let sb = sandbox().await;
    let admin = token(&sb, "admin").await;
    reset_counters(&sb);
    for query in [
        "",
        "ticket_id=",
        "ticket_id=12a",
        "ticket_id=12345678901234567890",
        "ticket_id=1%27%20OR%20%271",
        "desk_contact_id=-1",
        "ticket_id=1&desk_account_id=2",
        "ticket_id=1&ticket_id=2",
        "ticket_id=1&role_id=1",
        "ticket_id=1&refresh=maybe",
    ] {
        let answer = get(&sb, &admin, query).await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.text);
        assert_eq!(answer.json()["code"], "bad_request");
    }
    assert_eq!(sb.salesforce.counters().total().calls, 0);
    assert_eq!(sb.desk.counters().total().calls, 0);
}

#[tokio::test]
async fn tokens_and_tenancy() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let admin = token(&sb, "admin").await;
    let path = format!("ticket_id={}", ada.ticket);

    // No token, a forged one, an expired one.
    let url = sb.endpoint(&format!("api/v1/profile?{path}")).unwrap();
    assert_eq!(send(http().get(url.clone())).await.status, 401);
    let mut forged = admin.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(get(&sb, &forged, &path).await.status, 401);
    let (_, role_id) = agent(&sb, "admin");
    let expired = sb.state.sessions.sign(&SessionClaims {
        session_id: uuid::Uuid::now_v7(),
        installation_id: sb.installation.id,
        agent_id: "1".into(),
        role_id,
        is_admin: true,
        expires_at: (Utc::now() - TimeDelta::minutes(1)).timestamp(),
    });
    let answer = get(&sb, &expired, &path).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["code"], "session_expired");

    // Installation B (another Desk org, same Salesforce org) cannot read A's ticket.
    let store = &sb.state.store;
    let now = Utc::now();
    let other = store
        .create_installation(
            &NewInstallation {
                desk_org_id: "99999999".into(),
                desk_data_centre: "us".into(),
                salesforce_org_id: sb.installation.salesforce_org_id.clone(),
                salesforce_instance_url: sb.installation.salesforce_instance_url.clone(),
                sync_direction: SyncDirection::TwoWay,
            },
            now,
        )
        .await
        .unwrap();
    store
        .set_installation_status(other.id, InstallationStatus::Active, now)
        .await
        .unwrap();
    let session = store
        .create_agent_session(
            other.id,
            &NewAgentSession {
                agent_id: "77".into(),
                agent_name: "Other".into(),
                role_id: "1".into(),
                role_name: "CEO".into(),
                is_admin: true,
                refresh_token: None,
                expires_at: now + TimeDelta::hours(1),
            },
            now,
        )
        .await
        .unwrap();
    let other_token = sb.state.sessions.sign(&SessionClaims {
        session_id: session.id,
        installation_id: other.id,
        agent_id: "77".into(),
        role_id: "1".into(),
        is_admin: true,
        expires_at: (now + TimeDelta::hours(1)).timestamp(),
    });
    reset_counters(&sb);
    let answer = get(&sb, &other_token, &path).await;
    assert!(
        matches!(answer.status.as_u16(), 403 | 404),
        "{}: {}",
        answer.status,
        answer.text
    );
    assert!(!answer.text.contains(&ada.contact));
    assert!(answer.text.contains("reconnect"), "{}", answer.text);
    assert_eq!(composite_calls(&sb), 0);

    // A deleted integration shows nothing; a paused one neither.
    sb.state
        .store
        .set_installation_status(sb.installation.id, InstallationStatus::Paused, now)
        .await
        .unwrap();
    sb.state
        .profiles
        .invalidate_installation(sb.installation.id);
    let paused = get(&sb, &admin, &path).await;
    assert_eq!(paused.status, 403, "{}", paused.text);
    assert_eq!(paused.json()["code"], "not_connected");
    sb.state
        .store
        .delete_installation(sb.installation.id)
        .await
        .unwrap();
    sb.state
        .profiles
        .invalidate_installation(sb.installation.id);
    let deleted = get(&sb, &admin, &path).await;
    assert_eq!(deleted.status, 404, "{}", deleted.text);
    assert!(deleted.text.contains("deleted"));
}

#[tokio::test]
async fn sync_links_win_over_email() {
    let sb = sandbox().await;
    let ada = seed_person(&sb, "ada@example.com", "Acme");
    let admin = token(&sb, "admin").await;
    // The Desk contact's email changes, but the sync engine linked it to the Salesforce record.
    let other = sb
        .desk
        .state()
        .insert_contact(json!({"lastName": "Changed", "email": "changed@example.com"}))
        .unwrap()
        .id;
    sb.state
        .store
        .upsert_link(
            sb.installation.id,
            &Link {
                object: SyncObject::Contact,
                sf_id: ada.contact.clone(),
                desk_id: other.clone(),
                sf_hash: None,
                desk_hash: None,
                sf_version: None,
                desk_version: None,
                updated_at: Utc::now(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let body = get(&sb, &admin, &format!("desk_contact_id={other}"))
        .await
        .json();
    assert_eq!(body["status"], "found", "{body}");
    assert_eq!(body["contact"]["id"], ada.contact.as_str());
}

#[tokio::test]
async fn actions_create_records_within_the_role() {
    let sb = sandbox().await;
    let admin = token(&sb, "admin").await;
    let (_, support_role) = agent(&sb, SUPPORT);
    let support = token(&sb, SUPPORT).await;
    let state = sb.desk.state();
    let desk_contact = state
        .insert_contact(json!({"firstName": "Grace", "lastName": "Hopper",
                               "email": "grace@navy.example", "phone": "+1 555 0199"}))
        .unwrap()
        .id;
    let ticket = add_ticket(
        &sb,
        Some(&desk_contact),
        "grace@navy.example",
        "Compiler bug",
    );
    let path = format!("ticket_id={ticket}");
    assert_eq!(get(&sb, &admin, &path).await.json()["status"], "not_found");

    // A role without the flag is refused, whatever its request says.
    let no_create = RolePermissions {
        create_in_salesforce: false,
        log_ticket_as_task: false,
        ..RolePermissions::default()
    };
    set_permissions(&sb, &support_role, &no_create).await;
    let body = json!({"ticket_id": ticket});
    let refused = post(&sb, &support, "api/v1/profile/actions/create", body.clone()).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = post(
        &sb,
        &support,
        "api/v1/profile/actions/log-ticket",
        body.clone(),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(
        sb.salesforce
            .query(
                "SELECT Id FROM Contact WHERE Email = 'grace@navy.example'",
                false
            )
            .unwrap()["totalSize"],
        0
    );

    // Create: 201, the Contact exists, the cached "not found" is gone, a second create is 409.
    let created = post(&sb, &admin, "api/v1/profile/actions/create", body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let result = created.json();
    assert_eq!(result["object"], "Contact");
    let id = result["id"].as_str().unwrap().to_owned();
    let record = sb.salesforce.get("Contact", &id).unwrap();
    assert_eq!(record["LastName"], "Hopper");
    assert_eq!(record["FirstName"], "Grace");
    assert_eq!(record["Email"], "grace@navy.example");
    assert_eq!(record["Phone"], "+1 555 0199");
    let body_now = get(&sb, &admin, &path).await.json();
    assert_eq!(body_now["status"], "found", "{body_now}");
    assert_eq!(body_now["contact"]["id"], id.as_str());
    let again = post(&sb, &admin, "api/v1/profile/actions/create", body.clone()).await;
    assert_eq!(again.status, 409, "{}", again.text);

    // Log the ticket: a completed task on that contact; the cached view shows it after.
    let logged = post(&sb, &admin, "api/v1/profile/actions/log-ticket", body).await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    let task_id = logged.json()["id"].as_str().unwrap().to_owned();
    let task = sb.salesforce.get("Task", &task_id).unwrap();
    assert_eq!(task["WhoId"], id.as_str());
    assert_eq!(task["Status"], "Completed");
    assert!(
        task["Subject"]
            .as_str()
            .unwrap()
            .ends_with(": Compiler bug"),
        "{task}"
    );
    assert!(
        task["Subject"]
            .as_str()
            .unwrap()
            .starts_with("Desk ticket #")
    );
    let tasks = get(&sb, &admin, &path).await.json()["tasks"].clone();
    assert_eq!(tasks["total"], 1, "{tasks}");

    // Log-ticket for a requester Salesforce does not know creates the contact first.
    let stranger = add_ticket(&sb, None, "new.person@example.com", "Hello");
    let logged = post(
        &sb,
        &admin,
        "api/v1/profile/actions/log-ticket",
        json!({"ticket_id": stranger}),
    )
    .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    let found = sb
        .salesforce
        .query(
            "SELECT Id, LastName FROM Contact WHERE Email = 'new.person@example.com'",
            false,
        )
        .unwrap();
    assert_eq!(found["records"][0]["LastName"], "new.person");

    // An account from a Desk account.
    let desk_account = state
        .insert_account(json!({"accountName": "Globex", "website": "https://globex.example"}))
        .unwrap()
        .id;
    let created = post(
        &sb,
        &admin,
        "api/v1/profile/actions/create",
        json!({"desk_account_id": desk_account}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let account = sb
        .salesforce
        .get("Account", created.json()["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(account["Name"], "Globex");
    assert_eq!(account["Website"], "https://globex.example");

    // Bad bodies.
    for (body, status) in [
        (json!({}), 400),
        (json!({"ticket_id": "x1"}), 400),
        (json!({"ticket_id": ticket, "role_id": "1"}), 422),
    ] {
        let answer = post(&sb, &admin, "api/v1/profile/actions/create", body.clone()).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.text);
    }
}

#[tokio::test]
async fn admin_permissions_api() {
    let sb = sandbox().await;
    let admin = token(&sb, "admin").await;
    let (_, support_role) = agent(&sb, SUPPORT);
    let support = token(&sb, SUPPORT).await;
    let url = sb.endpoint("api/v1/admin/permissions").unwrap();

    let view = send(http().get(url.clone()).bearer_auth(&admin)).await;
    assert_eq!(view.status, 200, "{}", view.text);
    let roles = view.json()["roles"].as_array().unwrap().clone();
    assert_eq!(roles.len(), sb.desk.state().roles().len());
    assert!(roles.iter().all(|r| r["customized"] == false));
    assert!(roles.iter().any(|r| r["role_name"] == SUPPORT));

    // Non-admins may neither read nor change permissions, whatever they send.
    assert_eq!(
        send(http().get(url.clone()).bearer_auth(&support))
            .await
            .status,
        403
    );
    let raise =
        json!({"roles": [{"role_id": support_role, "permissions": RolePermissions::default()}]});
    let answer = put(
        &sb,
        &support,
        "api/v1/admin/permissions",
        &raise.to_string(),
    )
    .await;
    assert_eq!(answer.status, 403, "{}", answer.text);

    // Validation: nothing changes on error.
    let good = serde_json::to_value(RolePermissions {
        opportunities: Access::None,
        ..RolePermissions::default()
    })
    .unwrap();
    let mut bad_level = good.clone();
    bad_level["notes"] = json!("partial");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("notes");
    let mut typo = good.clone();
    typo["opportunites"] = json!("none");
    let cases = [
        (
            json!({"roles": [{"role_id": support_role, "permissions": good},
                             {"role_id": "31337", "permissions": good}]})
            .to_string(),
            422,
            "31337",
        ),
        (
            json!({"roles": [{"role_id": support_role, "permissions": bad_level}]}).to_string(),
            422,
            "partial",
        ),
        (
            json!({"roles": [{"role_id": support_role, "permissions": missing}]}).to_string(),
            422,
            "notes",
        ),
        (
            json!({"roles": [{"role_id": support_role, "permissions": typo}]}).to_string(),
            422,
            "opportunites",
        ),
        ("{\"roles\": [".to_owned(), 400, "body"),
    ];
    for (body, status, names) in cases {
        let answer = put(&sb, &admin, "api/v1/admin/permissions", &body).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.text);
        assert!(answer.text.contains(names), "{names}: {}", answer.text);
    }
    let unchanged = send(http().get(url.clone()).bearer_auth(&admin))
        .await
        .json();
    assert!(
        unchanged["roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["customized"] == false)
    );

    // A good update answers the new view and is audited.
    let body = json!({"roles": [{"role_id": support_role, "permissions": good}]}).to_string();
    let answer = put(&sb, &admin, "api/v1/admin/permissions", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let entry = answer.json()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role_id"] == support_role.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["customized"], true);
    assert_eq!(entry["permissions"]["opportunities"], "none");
    let audit = sb
        .state
        .store
        .list_audit(sb.installation.id, 10)
        .await
        .unwrap();
    assert_eq!(audit[0].action, "permissions.updated");
    assert_eq!(audit[0].actor, agent_id(&sb, "admin"));
}

fn agent_id(sb: &Sandbox, role_name: &str) -> String {
    let (email, _) = agent(sb, role_name);
    sb.agent(&email).unwrap().agent_id.clone()
}
