//! Desk simulator over real HTTP: OAuth, auth errors, contacts / accounts lists and CRUD, recycle
//! bin, validation bodies, search, metadata.

mod desk_support;

use std::collections::HashMap;
use std::time::Duration;

use axum::http::Method;
use chrono::{TimeDelta, Utc};
use desk_support::*;
use serde_json::{Value, json};
use sfdesk_sim::desk::error::INVALID_DATA_MESSAGE;
use sfdesk_sim::desk::model::slim_keys;
use sfdesk_sim::desk::{DeskSeed, Module};

#[expect(clippy::unwrap_used, reason = "test helper")]
fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[expect(clippy::unwrap_used, reason = "test helper")]
async fn token_call(sim: &sfdesk_sim::desk::DeskSimHandle, form: &[(&str, &str)]) -> Value {
    let url = format!("{}oauth/v2/token", sim.accounts_url);
    let r = client().post(url).form(form).send().await.unwrap();
    assert_eq!(r.status(), 200, "token errors are HTTP 200 too");
    r.json().await.unwrap()
}

#[tokio::test]
async fn oauth_code_flow_refresh_revoke_and_expiry() {
    let sim = sim().await;
    let auth = format!("{}oauth/v2/auth", sim.accounts_url);
    let redirect = "http://localhost:9/callback";
    let r = client()
        .get(&auth)
        .query(&[
            ("response_type", "code"),
            ("client_id", sim.client_id.as_str()),
            ("scope", "Desk.contacts.READ,Desk.basic.READ"),
            ("redirect_uri", redirect),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("state", "s-123"),
            ("login_hint", "torrey.emard@zylker.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect));
    let q = query_of(&location);
    assert_eq!(q["state"], "s-123");
    let code = q["code"].clone();

    let secret = sim.client_secret.clone();
    let id = sim.client_id.clone();
    let bad = token_call(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &id),
            ("client_secret", "wrong"),
            ("redirect_uri", redirect),
        ],
    )
    .await;
    assert_eq!(bad, json!({"error": "invalid_client"}));
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", &id),
        ("client_secret", &secret),
        ("redirect_uri", redirect),
    ];
    let tokens = token_call(&sim, &exchange).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert!(access.starts_with("1000."));
    // A code is single-use.
    assert_eq!(
        token_call(&sim, &exchange).await,
        json!({"error": "invalid_code"})
    );

    let (status, me) = send(req(&sim, Method::GET, "myinfo", &access)).await;
    assert_eq!(status, 200);
    assert_eq!(me["emailId"], "torrey.emard@zylker.example");

    // The token only has contacts.READ: creating is a scope mismatch.
    let r = req(&sim, Method::POST, "contacts", &access)
        .json(&json!({"lastName": "X"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(r).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (401, Some("SCOPE_MISMATCH"))
    );

    // One simulated hour later the access token is dead.
    sim.advance_clock(Duration::from_secs(3601));
    let (status, body) = send(req(&sim, Method::GET, "myinfo", &access)).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"errorCode": "INVALID_OAUTH", "message": "The OAuth Token you provided is invalid."})
    );

    let renewal = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", &id),
        ("client_secret", &secret),
    ];
    let refreshed = token_call(&sim, &renewal).await;
    assert!(refreshed.get("refresh_token").is_none(), "{refreshed}");
    let access2 = refreshed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        req(&sim, Method::GET, "myinfo", &access2)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Revoke the refresh token: it and its access tokens stop working.
    let r = client()
        .post(format!("{}oauth/v2/token/revoke", sim.accounts_url))
        .query(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again = token_call(&sim, &renewal).await;
    assert_eq!(again, json!({"error": "invalid_code"}));
    assert_eq!(
        req(&sim, Method::GET, "myinfo", &access2)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn per_agent_tokens_answer_myinfo_as_that_agent() {
    let sim = sim().await;
    let agents = sim.state().agents();
    assert_eq!(agents.len(), 3);
    let mut kinds = Vec::new();
    for agent in &agents {
        let token = sim.token_for(&agent.email).unwrap();
        let (status, me) = send(req(
            &sim,
            Method::GET,
            "myinfo?include=role,profile",
            &token,
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(me["id"], agent.id.as_str());
        assert_eq!(me["roleId"], me["role"]["id"]);
        assert_eq!(me["profileId"], me["profile"]["id"]);
        kinds.push((
            me["rolePermissionType"].as_str().unwrap().to_owned(),
            me["role"]["name"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        kinds,
        vec![
            ("Admin".to_owned(), "CEO".to_owned()),
            ("AgentPublic".to_owned(), "Support Agent".to_owned()),
            ("Light".to_owned(), "Light Agent".to_owned()),
        ]
    );
    // Without include, no role/profile objects.
    let (_, me) = json(get(&sim, "myinfo").await).await;
    assert!(me.get("role").is_none() && me.get("roleId").is_some());
}

#[tokio::test]
async fn auth_errors_have_the_documented_bodies() {
    let sim = sim().await;
    let (status, body) = send(
        client()
            .get(url(&sim, "contacts"))
            .header("orgId", &sim.org_id),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"errorCode": "UNAUTHORIZED", "message": "You are not authenticated to perform this operation."})
    );

    let (status, body) = send(
        client()
            .get(url(&sim, "contacts"))
            .header(
                "Authorization",
                format!("Zoho-oauthtoken {}", sim.access_token),
            )
            .header("orgId", "999"),
    )
    .await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (401, Some("OAUTH_ORG_MISMATCH"))
    );

    let (status, body) = send(req(&sim, Method::GET, "contacts", "1000.nope.nope")).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (401, Some("INVALID_OAUTH"))
    );

    let tickets_only = sim
        .token_with_scopes(&sim.admin_agent_id, &["Desk.tickets.READ"])
        .unwrap();
    let (status, body) = send(req(&sim, Method::GET, "contacts", &tickets_only)).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (401, Some("SCOPE_MISMATCH"))
    );

    // /organizations needs no orgId; Bearer is accepted (switch, default on).
    let (status, body) = send(
        client()
            .get(url(&sim, "organizations"))
            .bearer_auth(&sim.access_token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"][0]["id"], sim.org_id.as_str());

    let (status, body) = json(get(&sim, "nope/nothing").await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (404, Some("URL_NOT_FOUND"))
    );
}

#[tokio::test]
async fn list_pages_are_one_based_slim_and_end_with_204() {
    let sim = sim_seeded(DeskSeed {
        contacts: 25,
        accounts: 7,
        ..DeskSeed::default()
    })
    .await;
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut from = 1;
    loop {
        let r = get(&sim, &format!("contacts?from={from}&limit=10")).await;
        if r.status() == 204 {
            assert!(r.bytes().await.unwrap().is_empty(), "204 has an empty body");
            break;
        }
        let (status, body) = json(r).await;
        assert_eq!(status, 200);
        let rows = body["data"].as_array().unwrap();
        sizes.push(rows.len());
        for row in rows {
            let keys: Vec<&str> = row
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, slim_keys(Module::Contacts), "slim keys only");
            seen.push(row["id"].as_str().unwrap().to_owned());
        }
        from += 10;
        if rows.len() < 10 {
            break;
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    let expected: Vec<String> = sim.state().contacts().into_iter().map(|c| c.id).collect();
    assert_eq!(seen, expected);
    assert_eq!(get(&sim, "contacts?from=26&limit=10").await.status(), 204);

    let (_, body) = json(get(&sim, "accounts?limit=100&sortBy=-accountName").await).await;
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    for row in rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, slim_keys(Module::Accounts));
    }
    let names: Vec<String> = rows
        .iter()
        .map(|r| r["accountName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);

    let (_, body) = json(get(&sim, "contacts?limit=3&include=accounts").await).await;
    assert!(body["data"][0].get("account").is_some());
    for bad in [
        "contacts?limit=101",
        "contacts?from=0",
        "contacts?sortBy=title",
    ] {
        let (status, body) = json(get(&sim, bad).await).await;
        assert_eq!(
            (status, body["errorCode"].as_str()),
            (422, Some("UNPROCESSABLE_ENTITY")),
            "{bad}"
        );
    }
    let (status, body) = json(get(&sim, "contacts?from=1&x=1").await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errorCode": "INVALID_DATA", "message": "Extra query parameter 'x' is present in the input."})
    );

    let (_, count) = json(get(&sim, "contacts/count").await).await;
    assert_eq!(count, json!({"count": "25"}));
}

#[tokio::test]
async fn create_patch_get_trash_restore() {
    let sim = sim_seeded(DeskSeed::empty()).await;
    assert_eq!(get(&sim, "contacts").await.status(), 204);
    let (status, account) = json(
        post(
            &sim,
            "accounts",
            &json!({"accountName": "Zylker", "website": "https://zylker.com", "code": "600001"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let account_id = account["id"].as_str().unwrap().to_owned();
    assert_eq!(account["code"], "600001");
    assert!(account.get("modifiedTime").is_some());

    let (status, created) = json(post(&sim, "contacts", &json!({
        "lastName": "Tywin", "firstName": "Jade", "email": "jade@zylker.com", "phone": "91020080878",
        "accountId": account_id, "cf": {"cf_sf_id": "0035g00000XyZabAAF"}
    })).await).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.len() >= 16 && id.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(created["cf"]["cf_sf_id"], "0035g00000XyZabAAF");
    assert_eq!(created["customFields"]["SF Id"], "0035g00000XyZabAAF");
    assert_eq!(created["cf"]["cf_customer_tier"], Value::Null);
    assert!(created.get("owner").is_none() && created.get("account").is_none());
    assert_eq!(created["createdTime"], created["modifiedTime"]);
    let ts = created["createdTime"].as_str().unwrap();
    assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");

    sim.advance_clock(Duration::from_secs(60));
    let (status, patched) =
        json(patch(&sim, &format!("contacts/{id}"), &json!({"phone": "123"})).await).await;
    assert_eq!(status, 200);
    assert_eq!(patched["phone"], "123");
    assert_eq!(patched["email"], "jade@zylker.com", "untouched keys stay");
    assert!(patched["modifiedTime"].as_str().unwrap() > created["modifiedTime"].as_str().unwrap());

    let (status, full) =
        json(get(&sim, &format!("contacts/{id}?include=accounts,owner")).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        full["account"],
        json!({"id": account_id, "accountName": "Zylker", "website": "https://zylker.com"})
    );
    assert_eq!(full["owner"]["id"], sim.admin_agent_id.as_str());

    let (_, related) = json(get(&sim, &format!("contacts/{id}/accounts")).await).await;
    assert_eq!(related["data"][0]["id"], account_id.as_str());
    assert_eq!(related["data"][0]["mappingInfo"]["mappingType"], "PRIMARY");
    let (_, related) = json(get(&sim, &format!("accounts/{account_id}/contacts")).await).await;
    assert_eq!(related["data"][0]["id"], id.as_str());

    let r = post(&sim, "contacts/moveToTrash", &json!({"contactIds": [id]})).await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    let (status, body) = json(get(&sim, &format!("contacts/{id}")).await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (404, Some("URL_NOT_FOUND"))
    );
    let (_, bin) = json(get(&sim, "recycleBin?from=0&limit=50&sortBy=-deletedTime").await).await;
    let row = &bin["data"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["type"], "Contacts");
    assert_eq!(row["displayName"], "Jade Tywin");
    assert_eq!(row["deletedById"], sim.admin_agent_id.as_str());

    let (status, restored) = json(
        post(
            &sim,
            "recycleBin/restore",
            &json!({"ids": [id], "isChildNeedToBeRestored": true}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(restored["results"][0]["success"], true);
    assert_eq!(get(&sim, &format!("contacts/{id}")).await.status(), 200);
    assert_eq!(get(&sim, "recycleBin").await.status(), 204);
}

#[tokio::test]
async fn validation_errors_have_exact_bodies() {
    let sim = sim().await;
    let (status, body) = json(post(&sim, "contacts", &json!({"firstName": "Only"})).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errorCode": "INVALID_DATA", "message": INVALID_DATA_MESSAGE, "errors": [
        {"fieldName": "/lastName", "errorType": "missing", "errorMessage": "The field 'lastName' is mandatory."}]})
    );

    let (status, body) = json(
        post(
            &sim,
            "contacts",
            &json!({"lastName": "X", "email": "not-an-email"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errorCode"], "INVALID_DATA");
    assert_eq!(body["errors"][0]["fieldName"], "/email");
    assert_eq!(body["errors"][0]["errorType"], "invalid");

    let long = "x".repeat(41);
    let (_, body) = json(
        post(
            &sim,
            "contacts",
            &json!({"lastName": "X", "firstName": long, "cf": {"cf_customer_tier": "Platinum"}}),
        )
        .await,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fieldName"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["/firstName", "/cf/cf_customer_tier"]);

    let (status, body) =
        json(post(&sim, "accounts", &json!({"website": "https://a.b"})).await).await;
    assert_eq!(
        (status, body["errors"][0]["fieldName"].as_str()),
        (422, Some("/accountName"))
    );

    let (status, body) = send(req(&sim, Method::POST, "contacts", &sim.access_token)).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (422, Some("EMPTY_PAYLOAD"))
    );

    let some = sim.state().contacts()[0].id.clone();
    let (status, body) =
        json(patch(&sim, &format!("contacts/{some}"), &json!({"lastName": ""})).await).await;
    assert_eq!(
        (status, body["errors"][0]["errorType"].as_str()),
        (422, Some("missing"))
    );
    let (status, _) =
        json(patch(&sim, "contacts/1892000000999999", &json!({"lastName": "A"})).await).await;
    assert_eq!(status, 404);
    // city: 100 characters on create, 30 on update.
    let city = "c".repeat(60);
    let (status, created) =
        json(post(&sim, "contacts", &json!({"lastName": "City", "city": city})).await).await;
    assert_eq!(status, 200);
    let cid = created["id"].as_str().unwrap();
    let (status, _) =
        json(patch(&sim, &format!("contacts/{cid}"), &json!({"city": city})).await).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn search_by_fields_time_range_and_limits() {
    let sim = sim_seeded(DeskSeed {
        contacts: 30,
        accounts: 5,
        ..DeskSeed::default()
    })
    .await;
    let contacts = sim.state().contacts();
    let base = Utc::now() - TimeDelta::days(10);
    for (i, c) in contacts.iter().enumerate() {
        sim.state().set_times(
            Module::Contacts,
            &c.id,
            None,
            Some(base + TimeDelta::hours(i as i64)),
        );
    }
    // Hours 5..=9 inclusive → 5 contacts.
    let start = (base + TimeDelta::hours(5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let end = (base + TimeDelta::hours(9)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let path = format!(
        "contacts/search?modifiedTimeRange={start},{end}&sortBy=-modifiedTime&limit=3&from=0"
    );
    let (status, body) = json(get(&sim, &path).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 5);
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["id"], contacts[9].id.as_str());
    assert!(
        rows[0].get("modifiedTime").is_some() && rows[0].get("cf").is_some(),
        "full records"
    );
    let (_, page2) = json(get(&sim, &path.replace("from=0", "from=3")).await).await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(&sim, &path.replace("from=0", "from=5")).await.status(),
        204
    );

    let email = contacts
        .iter()
        .find_map(|c| c.str("email"))
        .unwrap()
        .to_owned();
    let (_, body) = json(
        get(
            &sim,
            &format!("contacts/search?email={}", email.to_uppercase()),
        )
        .await,
    )
    .await;
    let n = contacts
        .iter()
        .filter(|c| c.str("email") == Some(email.as_str()))
        .count();
    assert_eq!(body["count"], n);

    let (status, body) = json(get(&sim, "contacts/search?from=5000&email=a@b.c").await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (422, Some("UNPROCESSABLE_ENTITY"))
    );
    let (status, _) = json(get(&sim, "contacts/search?limit=101").await).await;
    assert_eq!(status, 422);
    let (status, body) = json(get(&sim, "contacts/search?bogus=1").await).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (422, Some("INVALID_DATA"))
    );
    assert_eq!(
        get(&sim, "contacts/search?email=nobody@nowhere.example")
            .await
            .status(),
        204
    );

    let account = &sim.state().accounts()[0];
    let name = account.str("accountName").unwrap();
    let (_, body) = json(
        get(
            &sim,
            &format!("accounts/search?accountName={}", urlencode(name)),
        )
        .await,
    )
    .await;
    assert_eq!(body["data"][0]["id"], account.id.as_str());
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn metadata_agents_roles_profiles_tickets() {
    let sim = sim().await;
    let (_, fields) = json(get(&sim, "fields?module=contacts").await).await;
    let sf = fields["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["apiName"] == "cf_sf_id")
        .unwrap()
        .clone();
    assert_eq!(sf["displayLabel"], "SF Id");
    assert_eq!(sf["type"], "Text");
    assert_eq!(sf["isCustomField"], true);
    assert_eq!(sf["sourceType"], "USERDEFINED");
    let tier = fields["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["apiName"] == "cf_customer_tier")
        .unwrap()
        .clone();
    assert_eq!(tier["allowedValues"][0], json!({"value": "Gold"}));
    let (status, old) = json(get(&sim, "organizationFields?module=contacts").await).await;
    assert_eq!((status, &old), (200, &fields));
    let (status, _) = json(get(&sim, "fields?module=nope").await).await;
    assert_eq!(status, 422);

    let (_, agents) = json(get(&sim, "agents?limit=200&include=role,profile").await).await;
    assert_eq!(agents["data"].as_array().unwrap().len(), 3);
    let (_, light) = json(get(&sim, "agents?isLightAgent=true").await).await;
    assert_eq!(light["data"][0]["rolePermissionType"], "Light");
    let (_, roles) = json(get(&sim, "roles?from=0&limit=500").await).await;
    assert_eq!(roles["data"].as_array().unwrap().len(), 3);
    let (_, profiles) = json(get(&sim, "profiles").await).await;
    let pid = profiles["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, members) = json(get(&sim, &format!("profiles/{pid}/agents")).await).await;
    assert!(members["agents"].is_array());

    let (_, layouts) = json(get(&sim, "layouts?module=contacts").await).await;
    assert_eq!(layouts["data"][0]["layoutName"], "Standard");
    let (status, _) = json(get(&sim, "layouts").await).await;
    assert_eq!(status, 422, "module is required");

    let ids: Vec<String> = sim
        .state()
        .contacts()
        .iter()
        .take(3)
        .map(|c| c.id.clone())
        .collect();
    let (_, by_ids) = json(
        get(
            &sim,
            &format!("contacts/contactsByIds?ids={}", ids.join(",")),
        )
        .await,
    )
    .await;
    assert_eq!(by_ids["data"].as_array().unwrap().len(), 3);
    let many: Vec<String> = (0..21).map(|i| format!("1892000000{i:06}")).collect();
    let (status, _) = json(
        get(
            &sim,
            &format!("contacts/contactsByIds?ids={}", many.join(",")),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "at most 20 ids");
    let (status, results) = json(
        post(
            &sim,
            "contacts/updateMany",
            &json!({"fieldName": "cf_customer_tier", "isCustomField": true,
            "ids": [ids[0], "1892000000999999"], "fieldValue": "Gold"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        results["results"][0],
        json!({"success": true, "id": ids[0], "errors": null})
    );
    assert_eq!(results["results"][1]["success"], false);
    assert_eq!(
        sim.state()
            .contact(&ids[0])
            .unwrap()
            .cf_str("cf_customer_tier"),
        Some("Gold")
    );

    let ticket = sim.state().tickets()[0].clone();
    let (status, t) = json(
        get(
            &sim,
            &format!(
                "tickets/{}?include=contacts,assignee,departments",
                ticket.id
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(t["contactId"], ticket.contact_id.clone().unwrap().as_str());
    assert_eq!(t["contact"]["id"], t["contactId"]);
    assert!(t["contact"].get("account").is_some());
    assert_eq!(t["department"]["name"], "Support");
}
