//! The demo as a whole: both simulators seeded, the installation connected, the host page's
//! context served from the Desk simulator, ticket #101's requester rich in Salesforce and
//! ticket #102's requester absent.

use serde_json::Value;
use sfdesk_shared::permissions::{Access, ProfileSettings, RolePermissions};
use sfdesk_sim::salesforce::soql;

use super::*;
use crate::desk::DeskApi as _;
use crate::salesforce::SalesforceApi as _;
use crate::store::InstallationStatus;

async fn context(demo: &RunningDemo) -> Value {
    let url = demo.url.join("demo/context.json").expect("url");
    let response = reqwest::get(url).await.expect("context.json");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

/// `SELECT COUNT() FROM {object} WHERE {filter}` on the Salesforce simulator.
fn count(demo: &RunningDemo, object: &str, filter: &str) -> u64 {
    demo.salesforce()
        .query(
            &format!("SELECT COUNT() FROM {object} WHERE {filter}"),
            false,
        )
        .expect("query")["totalSize"]
        .as_u64()
        .expect("totalSize")
}

fn contact_ids(demo: &RunningDemo, email: &str) -> Vec<String> {
    let found = demo
        .salesforce()
        .query(
            &format!(
                "SELECT Id FROM Contact WHERE Email = {}",
                soql::quote(email)
            ),
            false,
        )
        .expect("query");
    found["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["Id"].as_str().expect("Id").to_owned())
        .collect()
}

#[tokio::test]
async fn demo_connects_both_simulators() {
    let demo = start(0).await.expect("demo starts");
    let installation = demo
        .store()
        .get_installation(demo.installation_id())
        .await
        .expect("store")
        .expect("installation");
    assert_eq!(installation.status, InstallationStatus::Active);
    assert_eq!(installation.desk_org_id, demo.desk_org_id());
    assert_eq!(
        installation.salesforce_org_id.as_deref(),
        Some(demo.salesforce().org_id.as_str())
    );

    // The server's own clients reach both simulators with the stored tokens.
    let desk = demo.connections().desk(&installation).expect("desk client");
    assert_eq!(desk.roles().await.expect("Desk roles").len(), 3);
    let salesforce = demo
        .connections()
        .salesforce(&installation)
        .expect("Salesforce client");
    salesforce.limits().await.expect("Salesforce limits");

    // The Desk consent page signs in the hinted agent and returns to our callback.
    let callback = demo.connections().desk_redirect_uri();
    assert_eq!(callback.as_str(), format!("{}auth/desk/callback", demo.url));
    let mut consent = demo.desk().accounts_url.join("oauth/v2/auth").expect("url");
    consent
        .query_pairs_mut()
        .append_pair("client_id", &demo.desk().client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "Desk.basic.READ")
        .append_pair("redirect_uri", callback.as_str())
        .append_pair("login_hint", &demo.agents()[2].email);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = no_redirects.get(consent).send().await.expect("consent");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let location = answer.headers()["location"].to_str().expect("location");
    assert!(location.starts_with(callback.as_str()), "{location}");

    let context = context(&demo).await;
    assert_eq!(context["portal"]["id"], demo.desk_org_id());
    let tickets = context["tickets"].as_array().expect("tickets");
    assert!(tickets.len() >= 5);
    let rich = &tickets[0];
    assert_eq!(rich["number"], "101");
    assert_eq!(rich["id"], demo.tickets().rich.id.as_str());
    let email = rich["email"].as_str().expect("email");
    assert_eq!(email, demo.tickets().rich.email);
    let contact = &context["contacts"][rich["contactId"].as_str().expect("contactId")];
    assert_eq!(contact["email"], email);
    assert!(context["accounts"][rich["accountId"].as_str().expect("accountId")].is_object());
    assert_eq!(rich["thread"][0]["direction"], "in");
    let names: Vec<&str> = context["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| a["roleName"].as_str().expect("roleName"))
        .collect();
    assert_eq!(names, ["CEO", "Support Agent", "Light Agent"]);
    assert_eq!(
        context["agents"][0]["email"],
        demo.agents()[0].email.as_str()
    );

    // Most Desk contacts are in Salesforce, matched by email.
    let contacts = context["contacts"].as_object().expect("contacts");
    let matched = contacts
        .values()
        .filter_map(|c| c["email"].as_str())
        .filter(|e| !contact_ids(&demo, e).is_empty())
        .count();
    assert!(
        matched * 3 >= contacts.len() * 2,
        "{matched} of {}",
        contacts.len()
    );
}

#[tokio::test]
async fn ticket_101_has_a_rich_profile_and_102_none() {
    let demo = start(0).await.expect("demo starts");
    let ids = contact_ids(&demo, &demo.tickets().rich.email);
    assert_eq!(ids, [demo.showcase().contact_id.clone()]);
    let contact = &ids[0];
    let open = count(
        &demo,
        "Opportunity",
        &format!(
            "IsClosed = false AND Id IN (SELECT OpportunityId FROM OpportunityContactRole \
             WHERE ContactId = '{contact}')"
        ),
    );
    assert_eq!(open, 3);
    let closed = count(
        &demo,
        "Opportunity",
        &format!(
            "IsClosed = true AND Id IN (SELECT OpportunityId FROM OpportunityContactRole \
             WHERE ContactId = '{contact}')"
        ),
    );
    assert_eq!(closed, 1);
    assert_eq!(count(&demo, "Note", &format!("ParentId = '{contact}'")), 3);
    let lightning = demo
        .salesforce()
        .query(
            &format!(
                "SELECT ContentDocument.FileType FROM ContentDocumentLink WHERE LinkedEntityId = '{contact}'"
            ),
            false,
        )
        .expect("query");
    assert_eq!(
        lightning["records"][0]["ContentDocument"]["FileType"],
        "SNOTE"
    );
    let who = format!("WhoId = '{contact}'");
    assert_eq!(
        count(&demo, "Task", &format!("{who} AND TaskSubtype != 'Call'")),
        4
    );
    assert_eq!(
        count(&demo, "Task", &format!("{who} AND TaskSubtype = 'Call'")),
        3
    );
    assert_eq!(
        count(&demo, "Event", &format!("{who} AND StartDateTime < TODAY")),
        1
    );
    assert_eq!(
        count(&demo, "Event", &format!("{who} AND StartDateTime > TODAY")),
        1
    );
    let account = demo
        .salesforce()
        .get("Account", &demo.showcase().account_id)
        .expect("account");
    assert_eq!(account["Subscription_Type__c"], "Enterprise");
    // "View in Salesforce" leads to a page.
    let page = reqwest::get(demo.salesforce().lightning_url("Contact", contact))
        .await
        .expect("page");
    assert_eq!(page.status(), 200);

    assert!(contact_ids(&demo, &demo.tickets().unknown.email).is_empty());
    assert_eq!(
        demo.tickets().unknown.number,
        "102",
        "the second ticket is the empty state"
    );
}

#[tokio::test]
async fn roles_have_their_permissions_and_settings_are_stored() {
    let demo = start(0).await.expect("demo starts");
    let store = demo.store();
    let installation = demo.installation_id();
    let mut seen = Vec::new();
    for agent in demo.agents() {
        let stored = store
            .get_role_permissions(installation, &agent.role_id)
            .await
            .expect("store")
            .expect("permissions");
        let permissions: RolePermissions = serde_json::from_value(stored).expect("document");
        seen.push((agent.role_name.clone(), permissions));
    }
    let full = RolePermissions::default();
    assert_eq!(seen[0], ("CEO".to_owned(), full));
    let (name, support) = &seen[1];
    assert_eq!(name, "Support Agent");
    for access in [
        support.info,
        support.opportunities,
        support.notes,
        support.activities,
    ] {
        assert_eq!(access, Access::Limited);
    }
    let (name, light) = &seen[2];
    assert_eq!(name, "Light Agent");
    assert_eq!(light.opportunities, Access::None);
    assert_eq!(light.notes, Access::None);
    assert_eq!(light.info, Access::Full);
    assert_eq!(light.activities, Access::Full);

    let settings = store
        .get_setting(installation, "profile")
        .await
        .expect("store")
        .expect("settings");
    let settings: ProfileSettings = serde_json::from_value(settings).expect("document");
    assert_eq!(
        settings.highlight_account_field.as_deref(),
        Some("Subscription_Type__c")
    );
}
