//! The Salesforce client against the Salesforce simulator over real HTTP: OAuth flows, query
//! streams (REST and Bulk 2.0), writes, faults and retries, the API budget, and secrecy of
//! tokens in logs. Parse tests over bodies shaped like the API notes' examples close the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/log_buffer.rs"]
mod log_buffer;

use log_buffer::LogBuffer;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sfdesk_server::profile::plan::{Page, plan};
use sfdesk_server::profile::query::{Lookup, composite};
use sfdesk_server::remote::budget::{ApiBudget, BudgetLimits};
use sfdesk_server::remote::http::{Timeouts, client};
use sfdesk_server::remote::retry::{RetryPolicy, Retryable};
use sfdesk_server::salesforce::auth::{
    MemoryTokens, OAuthClient, OAuthConfig, Pkce, Renewal, StoredTokens, TokenManager, TokenStore,
    authorize_url, persist,
};
use sfdesk_server::salesforce::wire::{
    ApiErrorBody, CompositeResponse, DeletedResponse, Limits, QueryResponse, SObjectDescribe,
    SaveResult, TokenResponse, UpdatedResponse,
};
use sfdesk_server::salesforce::write::row_result;
use sfdesk_server::salesforce::{
    Error, ErrorCode, HttpSalesforce, NewRecord, QueryMode, QueryOptions, RecordUpdate,
    SalesforceApi, SalesforceSettings, soql,
};
use sfdesk_server::store::{self, CredentialKind, NewInstallation, Store, SyncDirection};
use sfdesk_sim::common::Fault;
use sfdesk_sim::salesforce::{
    SalesforceSeed, SalesforceSim, SalesforceSimHandle, SalesforceSimOptions, internal_error_fault,
    lock_row_fault, query_timeout_fault,
};

const REDIRECT: &str = "http://localhost:9/callback";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn budget() -> ApiBudget {
    ApiBudget::new(BudgetLimits {
        share: 1.0,
        max_concurrent: 8,
        fallback_daily_max: 15_000,
    })
}

fn http() -> reqwest::Client {
    client(&Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_secs(2),
    })
}

async fn spawn(f: impl FnOnce(&mut SalesforceSimOptions)) -> SalesforceSimHandle {
    let mut options = SalesforceSimOptions {
        seed: SalesforceSeed::empty(),
        ..SalesforceSimOptions::default()
    };
    f(&mut options);
    SalesforceSim::spawn(options).await.unwrap()
}

fn oauth_config(sim: &SalesforceSimHandle) -> OAuthConfig {
    OAuthConfig {
        login_url: sim.login_url.clone(),
        client_id: sim.client_id.clone(),
        client_secret: SecretString::from(sim.client_secret.clone()),
        redirect_uri: REDIRECT.parse().unwrap(),
    }
}

fn settings(sim: &SalesforceSimHandle) -> SalesforceSettings {
    let mut s = SalesforceSettings::new(sim.instance_url.clone(), &sim.api_version);
    s.query_batch_size = Some(200);
    s.bulk_threshold = None;
    s.bulk_poll_interval = Duration::from_millis(10);
    s
}

/// A client over `tokens`, renewing with the sim's refresh token flow.
fn client_with(
    sim: &SalesforceSimHandle,
    tokens: Arc<dyn TokenStore>,
    settings: SalesforceSettings,
    budget: ApiBudget,
) -> HttpSalesforce {
    let oauth = OAuthClient::new(http(), oauth_config(sim));
    let manager = TokenManager::new(tokens, Some(oauth), Renewal::RefreshToken);
    HttpSalesforce::new(http(), settings, Arc::new(manager), budget, fast_retry())
}

/// A client over `manager`, with the default settings and budget.
fn client_over(sim: &SalesforceSimHandle, manager: TokenManager) -> HttpSalesforce {
    HttpSalesforce::new(
        http(),
        settings(sim),
        Arc::new(manager),
        budget(),
        fast_retry(),
    )
}

fn memory_tokens(sim: &SalesforceSimHandle) -> Arc<MemoryTokens> {
    Arc::new(MemoryTokens::new(
        Some(SecretString::from(sim.access_token.clone())),
        Some(SecretString::from(sim.refresh_token.clone())),
    ))
}

fn default_client(sim: &SalesforceSimHandle) -> HttpSalesforce {
    client_with(sim, memory_tokens(sim), settings(sim), budget())
}

async fn sqlite_store() -> (Arc<dyn Store>, sfdesk_server::store::InstallationId) {
    let store = store::connect("sqlite::memory:", store::conformance::test_cipher())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let installation = store
        .create_installation(
            &NewInstallation {
                desk_org_id: "org-1".to_owned(),
                desk_data_centre: "com".to_owned(),
                salesforce_org_id: None,
                salesforce_instance_url: None,
                sync_direction: SyncDirection::TwoWay,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    (store, installation.id)
}

fn stored_tokens(store: &Arc<dyn Store>, id: sfdesk_server::store::InstallationId) -> StoredTokens {
    StoredTokens::new(Arc::clone(store), id, Arc::new(chrono::Utc::now))
}

/// Runs the authorize redirect like a browser would and returns the code.
async fn authorize(sim: &SalesforceSimHandle, pkce: &Pkce) -> String {
    let url = authorize_url(&oauth_config(sim), "api refresh_token", "st-1", pkce);
    assert_eq!(
        url.query_pairs()
            .find(|(k, _)| k == "code_challenge_method")
            .unwrap()
            .1,
        "S256"
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = browser.get(url).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st-1");
    q["code"].clone()
}

async fn ids(stream: sfdesk_server::salesforce::RecordStream<'_>) -> Vec<String> {
    stream
        .map_ok(|r| r["Id"].as_str().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap()
}

fn sim_ids(sim: &SalesforceSimHandle, soql: &str, all: bool) -> Vec<String> {
    sim.query(soql, all).unwrap()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect()
}

fn contacts(n: usize) -> SalesforceSeed {
    SalesforceSeed {
        contacts: n,
        overlap: 0,
        accounts: 3,
        activities: false,
        ..SalesforceSeed::default()
    }
}

// ----- OAuth -------------------------------------------------------------------------------

#[tokio::test]
async fn code_exchange_with_pkce_stores_encrypted_tokens() {
    let sim = spawn(|_| {}).await;
    let oauth = OAuthClient::new(http(), oauth_config(&sim));

    // A wrong verifier is refused with the service's words.
    let pkce = Pkce::generate();
    let code = authorize(&sim, &pkce).await;
    let err = oauth
        .exchange_code(&code, &Pkce::generate())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { status: 400, error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    let code = authorize(&sim, &pkce).await;
    let tokens = oauth.exchange_code(&code, &pkce).await.unwrap();
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.user_id(), Some(sim.user_id.as_str()));
    assert_eq!(tokens.org_id(), Some(sim.org_id.as_str()));
    assert!(tokens.issued_at_time().is_some());
    let debug = format!("{tokens:?}");
    assert!(
        !debug.contains(tokens.access_token.expose_secret()),
        "{debug}"
    );

    let (store, id) = sqlite_store().await;
    let stored = Arc::new(stored_tokens(&store, id));
    persist(stored.as_ref(), &tokens).await.unwrap();
    let access = tokens.access_token.expose_secret().to_owned();
    let ciphertext = store
        .get_credential_ciphertext(id, CredentialKind::SalesforceAccessToken)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !ciphertext
            .windows(access.len())
            .any(|w| w == access.as_bytes())
    );

    let api = client_with(&sim, stored, settings(&sim), budget());
    let limits = api.limits().await.unwrap();
    assert_eq!(limits["DailyApiRequests"].max, 15_000);
}

#[tokio::test]
async fn refresh_with_rotation_stores_the_new_refresh_token_before_use() {
    let sim = spawn(|o| o.refresh_token_rotation = true).await;
    let (store, id) = sqlite_store().await;
    let stored = Arc::new(stored_tokens(&store, id));
    stored
        .put_access_token(&SecretString::from(sim.access_token.clone()))
        .await
        .unwrap();
    stored
        .put_refresh_token(&SecretString::from(sim.refresh_token.clone()))
        .await
        .unwrap();
    let api = client_with(&sim, stored.clone(), settings(&sim), budget());

    sim.expire_token(&sim.access_token);
    api.limits().await.unwrap();
    let rotated = stored.refresh_token().await.unwrap().unwrap();
    assert_ne!(rotated.expose_secret(), sim.refresh_token);
    assert_ne!(
        stored
            .access_token()
            .await
            .unwrap()
            .unwrap()
            .expose_secret(),
        sim.access_token
    );
    // The old refresh token died at once; the stored one is the live one.
    let oauth = OAuthClient::new(http(), oauth_config(&sim));
    let dead = oauth
        .refresh(&SecretString::from(sim.refresh_token.clone()))
        .await
        .unwrap_err();
    assert!(matches!(dead, Error::OAuth { ref error, .. } if error == "invalid_grant"));

    // A second expiry renews with the stored (rotated) token.
    sim.expire_all_tokens();
    api.limits().await.unwrap();
    assert_ne!(
        stored
            .refresh_token()
            .await
            .unwrap()
            .unwrap()
            .expose_secret(),
        rotated.expose_secret()
    );
    // Two renewals plus the refused manual refresh above.
    assert_eq!(sim.counters().get("POST /services/oauth2/token").calls, 3);
}

/// Records the order of writes; can refuse refresh-token writes.
#[derive(Debug)]
struct Recording {
    inner: MemoryTokens,
    events: Mutex<Vec<&'static str>>,
    fail_refresh: bool,
}

#[async_trait]
impl TokenStore for Recording {
    async fn access_token(&self) -> Result<Option<SecretString>, Error> {
        self.inner.access_token().await
    }
    async fn refresh_token(&self) -> Result<Option<SecretString>, Error> {
        self.inner.refresh_token().await
    }
    async fn put_access_token(&self, token: &SecretString) -> Result<(), Error> {
        self.events.lock().unwrap().push("access");
        self.inner.put_access_token(token).await
    }
    async fn put_refresh_token(&self, token: &SecretString) -> Result<(), Error> {
        self.events.lock().unwrap().push("refresh");
        if self.fail_refresh {
            return Err(Error::NoToken("test store refuses writes"));
        }
        self.inner.put_refresh_token(token).await
    }
    async fn clear(&self) -> Result<(), Error> {
        self.inner.clear().await
    }
}

#[tokio::test]
async fn a_rotated_token_that_cannot_be_stored_is_never_used() {
    for fail_refresh in [false, true] {
        let sim = spawn(|o| o.refresh_token_rotation = true).await;
        let recording = Arc::new(Recording {
            inner: MemoryTokens::new(
                Some(SecretString::from(sim.access_token.clone())),
                Some(SecretString::from(sim.refresh_token.clone())),
            ),
            events: Mutex::new(Vec::new()),
            fail_refresh,
        });
        let api = client_with(&sim, recording.clone(), settings(&sim), budget());
        sim.expire_all_tokens();
        let result = api.limits().await;
        assert_eq!(
            *recording.events.lock().unwrap(),
            ["refresh", "access"][..if fail_refresh { 1 } else { 2 }]
        );
        if fail_refresh {
            assert!(matches!(result, Err(Error::NoToken(_))), "{result:?}");
            // The replay never happened.
            assert_eq!(sim.counters().get("GET /limits").calls, 0);
        } else {
            result.unwrap();
            assert_eq!(sim.counters().get("GET /limits").calls, 1);
        }
    }
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let sim = spawn(|o| o.refresh_token_rotation = true).await;
    let api = Arc::new(default_client(&sim));
    api.limits().await.unwrap();
    sim.expire_all_tokens();
    let calls = (0..8).map(|_| {
        let api = Arc::clone(&api);
        tokio::spawn(async move { api.limits().await })
    });
    for call in futures_util::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    // With rotation a second refresh with the old token would have failed: only one happened.
    assert_eq!(sim.counters().get("POST /services/oauth2/token").calls, 1);
}

#[tokio::test]
async fn client_credentials_on_my_domain_only() {
    let sim = spawn(|_| {}).await;
    let oauth = OAuthClient::new(http(), oauth_config(&sim));
    let tokens = oauth.client_credentials().await.unwrap();
    assert!(tokens.refresh_token.is_none());

    // A client that renews by client credentials recovers from expiry without a refresh token.
    let store = Arc::new(MemoryTokens::new(Some(tokens.access_token.clone()), None));
    let manager = TokenManager::new(store, Some(oauth), Renewal::ClientCredentials);
    let api = client_over(&sim, manager);
    api.limits().await.unwrap();
    sim.expire_all_tokens();
    api.limits().await.unwrap();

    let generic = spawn(|o| o.my_domain = false).await;
    let err = OAuthClient::new(http(), oauth_config(&generic))
        .client_credentials()
        .await
        .unwrap_err();
    match err {
        Error::OAuth {
            status,
            error,
            description,
        } => {
            assert_eq!((status, error.as_str()), (400, "invalid_grant"));
            assert_eq!(description, "request not supported on this domain");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn revoke_ends_the_session() {
    let sim = spawn(|_| {}).await;
    let oauth = OAuthClient::new(http(), oauth_config(&sim));
    let tokens = oauth.client_credentials().await.unwrap();
    oauth.revoke(&tokens.access_token).await.unwrap();
    let store = Arc::new(MemoryTokens::new(Some(tokens.access_token), None));
    let manager = TokenManager::new(store, None, Renewal::None);
    let api = client_over(&sim, manager);
    let err = api.limits().await.unwrap_err();
    assert!(matches!(err, Error::NoToken(_)), "{err:?}");
}

#[tokio::test]
async fn no_renewal_surfaces_invalid_session() {
    let sim = spawn(|_| {}).await;
    let store = Arc::new(MemoryTokens::new(
        Some(SecretString::from("00Dbogus!AQnotatoken")),
        None,
    ));
    // A manager without an OAuth client cannot renew: the error says so.
    let manager = TokenManager::new(store, None, Renewal::RefreshToken);
    let api = client_over(&sim, manager);
    assert!(matches!(api.limits().await, Err(Error::NoToken(_))));
}

// ----- Queries -----------------------------------------------------------------------------

const ALL_CONTACTS: &str = "SELECT Id, Email, Account.Name FROM Contact ORDER BY Id";

#[tokio::test]
async fn query_stream_over_several_batches_equals_the_sims_records() {
    let sim = spawn(|o| o.seed = contacts(450)).await;
    let api = default_client(&sim);
    let records: Vec<Value> = api
        .query(ALL_CONTACTS, QueryOptions::default())
        .map_ok(Value::Object)
        .try_collect()
        .await
        .unwrap();
    let expected = sim.query(ALL_CONTACTS, false).unwrap()["records"].clone();
    assert_eq!(Value::Array(records), expected);
    assert_eq!(sim.counters().get("GET /query").calls, 1);
    assert_eq!(sim.counters().get("GET /query/{locator}").calls, 2);
}

#[tokio::test]
async fn query_all_sees_deleted_rows() {
    let sim = spawn(|o| o.seed = contacts(5)).await;
    let api = default_client(&sim);
    let all = sim_ids(&sim, "SELECT Id FROM Contact ORDER BY Id", false);
    sim.ui_delete("Contact", &all[2]).unwrap();
    let soql = "SELECT Id, IsDeleted FROM Contact ORDER BY Id";
    let live = ids(api.query(soql, QueryOptions::default())).await;
    assert_eq!(live.len(), 4);
    assert!(!live.contains(&all[2]));
    let records: Vec<_> = api.query_all(soql).try_collect().await.unwrap();
    assert_eq!(records.len(), 5);
    let deleted = records.iter().find(|r| r["Id"] == all[2].as_str()).unwrap();
    assert_eq!(deleted["IsDeleted"], true);
}

#[tokio::test]
async fn count_reads_total_size() {
    let sim = spawn(|o| o.seed = contacts(37)).await;
    let api = default_client(&sim);
    assert_eq!(api.count("SELECT COUNT() FROM Contact").await.unwrap(), 37);
    let like = format!(
        "SELECT COUNT() FROM Contact WHERE LastName LIKE {}",
        soql::like_pattern("no such_name%", false, true)
    );
    assert_eq!(api.count(&like).await.unwrap(), 0);
}

#[tokio::test]
async fn bulk_query_is_chosen_above_the_threshold() {
    let sim = spawn(|o| o.seed = contacts(450)).await;
    let mut s = settings(&sim);
    s.bulk_threshold = Some(100);
    s.bulk_page_size = 200;
    let api = client_with(&sim, memory_tokens(&sim), s, budget());
    let soql = "SELECT Id, Email, Account.Name FROM Contact ORDER BY Id";
    let records: Vec<_> = api
        .query(soql, QueryOptions::default())
        .try_collect()
        .await
        .unwrap();
    let expected = sim.query(soql, false).unwrap()["records"].clone();
    let expected = expected.as_array().unwrap();
    assert_eq!(records.len(), expected.len());
    for (got, want) in records.iter().zip(expected) {
        assert_eq!(got["Id"], want["Id"]);
        assert_eq!(got["Email"], want["Email"]);
        assert_eq!(got["Account"]["Name"], want["Account"]["Name"]);
    }
    assert_eq!(sim.counters().get("POST /jobs/query").calls, 1);
    assert_eq!(sim.counters().get("GET /jobs/query/a/results").calls, 0);
    let results_calls: u64 = sim
        .counters()
        .snapshot()
        .iter()
        .filter(|(k, _)| k.starts_with("GET /jobs/query/") && k.ends_with("/results"))
        .map(|(_, c)| c.calls)
        .sum();
    assert_eq!(results_calls, 3, "{:?}", sim.counters().snapshot());
    // The count ran first; paging was never used.
    assert_eq!(sim.counters().get("GET /query").calls, 1);
    assert_eq!(sim.counters().get("GET /query/{locator}").calls, 0);

    // Below the threshold (or with a child subquery) REST paging is used.
    let small = "SELECT Id FROM Contact WHERE Email = null ORDER BY Id";
    let _ = ids(api.query(small, QueryOptions::default())).await;
    assert_eq!(sim.counters().get("POST /jobs/query").calls, 1);

    // Bulk failures carry the service's message (this one is refused when the job is created).
    let err = api
        .query(
            "SELECT Nope__c FROM Contact",
            QueryOptions {
                mode: QueryMode::Bulk,
                ..QueryOptions::default()
            },
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidField), "{err:?}");
    assert!(err.to_string().contains("No such column 'Nope__c'"));
}

#[tokio::test]
async fn token_expiry_mid_stream_loses_and_repeats_nothing() {
    let sim = spawn(|o| o.seed = contacts(650)).await;
    let api = default_client(&sim);
    let soql = "SELECT Id FROM Contact ORDER BY Id";
    let mut stream = api.query(soql, QueryOptions::default());
    let mut got = Vec::new();
    while let Some(record) = stream.next().await {
        got.push(record.unwrap()["Id"].as_str().unwrap().to_owned());
        // Expire right after each batch boundary was crossed.
        if got.len() % 200 == 0 {
            sim.expire_all_tokens();
        }
    }
    assert_eq!(got, sim_ids(&sim, soql, false));
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), 650);
    assert_eq!(sim.counters().get("POST /services/oauth2/token").calls, 3);
}

#[tokio::test]
async fn sidebar_composite_is_one_round_trip() {
    let sim = spawn(|o| {
        o.seed = SalesforceSeed {
            contacts: 6,
            activities: true,
            ..SalesforceSeed::default()
        }
    })
    .await;
    let api = default_client(&sim);
    let contact = sim_ids(&sim, "SELECT Id FROM Contact ORDER BY Id", false)[0].clone();
    let full = plan(&Default::default(), Page::Contact).unwrap();
    let request = composite(
        &full,
        &Lookup::ContactId(contact.clone()),
        None,
        &sim.api_version,
    )
    .unwrap();
    let answer = api.composite(&request).await.unwrap();
    assert_eq!(answer.composite_response.len(), 5);
    for sub in &answer.composite_response {
        assert_eq!(sub.http_status_code, 200, "{sub:?}");
        let page: QueryResponse = serde_json::from_value(sub.body.clone()).unwrap();
        assert!(page.done);
    }
    let tasks = &answer.composite_response[2];
    assert_eq!(tasks.reference_id, "tasks");
    let direct = sim
        .query(
            &format!(
                "SELECT Id FROM Task WHERE WhoId = {} AND TaskSubtype != 'Call'",
                soql::string_literal(&contact)
            ),
            false,
        )
        .unwrap();
    assert_eq!(tasks.body["totalSize"], direct["totalSize"]);
    assert_eq!(sim.counters().get("POST /composite").calls, 1);
    assert_eq!(sim.api_usage().0, 1);
}

// ----- Writes ------------------------------------------------------------------------------

fn contact(last: &str, email: &str) -> NewRecord {
    let mut fields = serde_json::Map::new();
    if !last.is_empty() {
        fields.insert("LastName".into(), json!(last));
    }
    fields.insert("Email".into(), json!(email));
    NewRecord {
        object: "Contact".into(),
        fields,
    }
}

#[tokio::test]
async fn collections_chunk_by_200_and_map_rows_back_in_order() {
    let sim = spawn(|_| {}).await;
    let api = default_client(&sim);
    let mut input: Vec<NewRecord> = (0..250)
        .map(|i| contact(&format!("Doe{i}"), &format!("p{i}@x.example")))
        .collect();
    input[7] = contact("", "missing@x.example");
    input[230] = contact("", "missing2@x.example");
    let rows = api.create(&input).await.unwrap();
    assert_eq!(rows.len(), 250);
    assert_eq!(sim.counters().get("POST /composite/sobjects").calls, 2);
    for (i, row) in rows.iter().enumerate() {
        match row {
            Ok(saved) => {
                let stored = sim.get("Contact", &saved.id).unwrap();
                assert_eq!(stored["LastName"], format!("Doe{i}"));
            }
            Err(Error::Api {
                code: ErrorCode::RequiredFieldMissing,
                message,
                fields,
                ..
            }) => {
                assert!(i == 7 || i == 230, "row {i}");
                assert_eq!(message, "Required fields are missing: [LastName]");
                assert_eq!(fields, &["LastName"]);
            }
            Err(other) => panic!("row {i}: {other:?}"),
        }
    }
    let first = rows[0].as_ref().unwrap().id.clone();
    let second = rows[1].as_ref().unwrap().id.clone();

    // Update, with one bad id.
    let mut fields = serde_json::Map::new();
    fields.insert("Title".into(), json!("CTO"));
    let updates = vec![
        RecordUpdate {
            object: "Contact".into(),
            id: first.clone(),
            fields: fields.clone(),
        },
        RecordUpdate {
            object: "Contact".into(),
            id: "003000000000000AAA".into(),
            fields,
        },
    ];
    let rows = api.update(&updates).await.unwrap();
    assert!(rows[0].is_ok());
    assert!(rows[1].is_err());
    assert_eq!(sim.get("Contact", &first).unwrap()["Title"], "CTO");

    // Upsert by external id: one insert, one update.
    let mut existing = serde_json::Map::new();
    existing.insert("LastName".into(), json!("Doe1"));
    existing.insert("Desk_Id__c".into(), json!("D-1"));
    api.update(&[RecordUpdate {
        object: "Contact".into(),
        id: second.clone(),
        fields: existing.clone(),
    }])
    .await
    .unwrap()[0]
        .as_ref()
        .unwrap();
    let mut fresh = serde_json::Map::new();
    fresh.insert("LastName".into(), json!("New"));
    fresh.insert("Desk_Id__c".into(), json!("D-2"));
    let rows = api
        .upsert("Contact", "Desk_Id__c", &[existing, fresh])
        .await
        .unwrap();
    let rows: Vec<_> = rows.into_iter().map(Result::unwrap).collect();
    assert_eq!(rows[0].id, second);
    assert_eq!(rows[0].created, Some(false));
    assert_eq!(rows[1].created, Some(true));

    // Retrieve keeps order; delete reports per row.
    let got = api
        .retrieve(
            "Contact",
            &[second.clone(), first.clone()],
            &["Id", "LastName"],
        )
        .await
        .unwrap();
    assert_eq!(got[0].as_ref().unwrap()["Id"], second.as_str());
    assert_eq!(got[1].as_ref().unwrap()["Id"], first.as_str());
    let rows = api.delete(&[first.clone(), first.clone()]).await.unwrap();
    assert!(rows[0].is_ok());
    assert!(matches!(
        rows[1],
        Err(Error::Api {
            code: ErrorCode::EntityIsDeleted,
            ..
        })
    ));
    // Nothing to write costs nothing.
    let before = sim.api_usage().0;
    assert!(api.create(&[]).await.unwrap().is_empty());
    assert_eq!(sim.api_usage().0, before);
}

#[tokio::test]
async fn undelete_restores_from_the_recycle_bin_over_soap() {
    let sim = spawn(|o| o.seed = contacts(3)).await;
    let api = default_client(&sim);
    let ids = sim_ids(&sim, "SELECT Id FROM Contact ORDER BY Id", false);
    let rows = api.delete(&ids[..2]).await.unwrap();
    assert!(rows.iter().all(Result::is_ok));
    // An expired session is a SOAP fault here: renewed and replayed like REST.
    sim.expire_all_tokens();
    let rows = api
        .undelete(&[ids[0].clone(), ids[2].clone()])
        .await
        .unwrap();
    assert_eq!(rows[0].as_ref().unwrap().id, ids[0]);
    assert!(rows[1].is_err(), "{:?}", rows[1]);
    assert_eq!(sim.get("Contact", &ids[0]).unwrap()["IsDeleted"], false);
    assert_eq!(sim.get("Contact", &ids[1]).unwrap()["IsDeleted"], true);
    assert_eq!(sim.counters().get("POST /services/oauth2/token").calls, 1);
}

#[tokio::test]
async fn duplicates_detected_with_the_rule_on() {
    let sim = spawn(|o| o.duplicate_rule = true).await;
    let api = default_client(&sim);
    let original = api
        .create_record("Contact", &contact("A", "dup@x.example").fields)
        .await
        .unwrap();
    let err = api
        .create_record("Contact", &contact("B", "dup@x.example").fields)
        .await
        .unwrap_err();
    match &err {
        Error::Api {
            status: 400,
            code: ErrorCode::DuplicatesDetected,
            message,
            duplicate: Some(duplicate),
            ..
        } => {
            assert!(message.starts_with("You're creating a duplicate record."));
            assert_eq!(duplicate.duplicate_ids(), std::slice::from_ref(&original));
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    let rows = api.create(&[contact("C", "dup@x.example")]).await.unwrap();
    assert!(matches!(
        rows[0],
        Err(Error::Api {
            code: ErrorCode::DuplicatesDetected,
            ..
        })
    ));
}

#[tokio::test]
async fn permanent_errors_keep_the_services_message_and_are_not_retried() {
    let sim = spawn(|o| o.seed = contacts(3)).await;
    let api = default_client(&sim);
    let bad = "SELECT Id FROM Contact WHERE";
    let err = api
        .query(bad, QueryOptions::default())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let want = sim.query(bad, false).unwrap_err();
    match &err {
        Error::Api {
            status: 400,
            code: ErrorCode::MalformedQuery,
            message,
            ..
        } => assert_eq!(message, &want.message),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(sim.counters().get("GET /query").calls, 1);

    let err = api.describe("NoSuchThing").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = api
        .count("SELECT COUNT() FROM Contact WHERE Nope__c = 1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidField));
    // Names are allow-listed before anything is sent.
    assert!(matches!(
        api.describe("Contact/../../x").await,
        Err(Error::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn describe_is_cached_per_client() {
    let sim = spawn(|_| {}).await;
    let api = default_client(&sim);
    let d = api.describe("Contact").await.unwrap();
    assert_eq!(d.key_prefix.as_deref(), Some("003"));
    assert!(d.field("LastName").unwrap().required_on_create());
    assert!(!d.field("Email").unwrap().required_on_create());
    let again = api.describe("contact").await.unwrap();
    assert!(Arc::ptr_eq(&d, &again));
    assert_eq!(
        sim.counters().get("GET /sobjects/{sobject}/describe").calls,
        1
    );
}

#[tokio::test]
async fn get_updated_and_get_deleted() {
    let sim = spawn(|o| o.seed = contacts(3)).await;
    let api = default_client(&sim);
    let now = sim.clock().now();
    let start = now - chrono::TimeDelta::hours(1);
    let ids = sim_ids(&sim, "SELECT Id FROM Contact ORDER BY Id", false);
    sim.advance_clock(Duration::from_secs(120));
    sim.ui_update("Contact", &ids[0], json!({"Title": "VP"}))
        .unwrap();
    sim.ui_delete("Contact", &ids[1]).unwrap();
    sim.advance_clock(Duration::from_secs(120));
    let end = sim.clock().now();
    let updated = api.get_updated("Contact", start, end).await.unwrap();
    assert!(updated.ids.contains(&ids[0]), "{updated:?}");
    assert!(updated.latest_date_covered <= end);
    let deleted = api.get_deleted("Contact", start, end).await.unwrap();
    assert_eq!(deleted.deleted_records.len(), 1);
    assert_eq!(deleted.deleted_records[0].id, ids[1]);
}

// ----- Faults, retries and the budget -------------------------------------------------------

#[tokio::test]
async fn every_retryable_fault_is_retried_and_recovered_from() {
    let sim = spawn(|o| {
        o.seed = contacts(2);
        o.timeout_fault_delay = Duration::from_secs(5);
    })
    .await;
    let api = default_client(&sim);
    let faults: Vec<(&str, Fault)> = vec![
        ("503", Fault::ServerError),
        ("500", internal_error_fault()),
        ("REQUEST_LIMIT_EXCEEDED", Fault::RateLimit),
        ("UNABLE_TO_LOCK_ROW", lock_row_fault()),
        ("QUERY_TIMEOUT", query_timeout_fault()),
        ("timeout", Fault::Timeout),
        ("dropped connection", Fault::DropConnection),
    ];
    for (name, fault) in faults {
        sim.counters().reset();
        sim.faults().fail_next("GET /query", 2, fault);
        let n = api
            .count("SELECT COUNT() FROM Contact")
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(n, 2, "{name}");
        assert_eq!(sim.counters().get("GET /query").calls, 3, "{name}");
    }

    // Past the policy's attempts the last error comes back, typed and marked retryable.
    sim.faults().fail_next("GET /limits", 5, lock_row_fault());
    let err = api.limits().await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::UnableToLockRow));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn creates_are_not_replayed_after_a_dropped_connection() {
    let sim = spawn(|_| {}).await;
    let api = default_client(&sim);
    sim.faults()
        .fail_next("POST /composite/sobjects", 1, Fault::DropConnection);
    let err = api
        .create(&[contact("Once", "once@x.example")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(sim.counters().get("POST /composite/sobjects").calls, 1);
    // A service answer that proves nothing was written is retried even for creates.
    sim.faults()
        .fail_next("POST /composite/sobjects", 1, Fault::ServerError);
    let rows = api
        .create(&[contact("Once", "once@x.example")])
        .await
        .unwrap();
    assert!(rows[0].is_ok());
}

#[tokio::test]
async fn budget_is_never_exceeded_under_8_concurrent_callers() {
    let sim = Arc::new(
        spawn(|o| {
            o.daily_api_requests = 1_000;
        })
        .await,
    );
    sim.faults().set_latency(
        "*",
        sfdesk_sim::common::Latency::fixed(Duration::from_millis(30)),
    );
    let budget = ApiBudget::new(BudgetLimits {
        share: 0.04, // 40 of the org's 1,000 daily calls
        max_concurrent: 3,
        fallback_daily_max: 1_000,
    });
    let api = Arc::new(client_with(
        &sim,
        memory_tokens(&sim),
        settings(&sim),
        budget.clone(),
    ));

    let peak = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let sim = Arc::clone(&sim);
        let peak = Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                peak.fetch_max(sim.in_flight(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let done = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let api = Arc::clone(&api);
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                for _ in 0..6 {
                    api.limits().await.unwrap();
                    done.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    // 48 calls wanted, 40 allowed: the rest wait instead of being sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    sampler.abort();
    for caller in &callers {
        caller.abort();
    }
    assert!(
        peak.load(Ordering::SeqCst) <= 3,
        "peak {}",
        peak.load(Ordering::SeqCst)
    );
    assert!(
        peak.load(Ordering::SeqCst) >= 2,
        "callers did run concurrently"
    );
    assert_eq!(done.load(Ordering::SeqCst), 40);
    assert_eq!(sim.api_usage().0, 40);
    assert_eq!(sim.counters().get("GET /limits").calls, 40);
    let usage = budget.usage();
    assert_eq!(usage.used_by_us_24h, 40);
    assert_eq!(usage.org_max, 1_000);
}

#[tokio::test]
async fn an_exhausted_org_makes_calls_wait_instead_of_being_sent() {
    let sim = spawn(|o| o.daily_api_requests = 50).await;
    sim.set_api_usage(50);
    let budget = budget();
    let api = client_with(&sim, memory_tokens(&sim), settings(&sim), budget.clone());
    // The first call learns from the 403's Sforce-Limit-Info that the org is spent; its retries
    // then wait in the budget rather than hit the service again.
    let waited = tokio::time::timeout(Duration::from_secs(1), api.limits()).await;
    assert!(waited.is_err(), "the call should still be waiting");
    assert_eq!(sim.counters().get("GET /limits").calls, 1);
    let usage = budget.usage();
    assert_eq!((usage.org_max, usage.org_remaining), (50, Some(0)));
}

// ----- Secrets -----------------------------------------------------------------------------

#[tokio::test]
async fn no_token_or_secret_reaches_the_logs() {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = spawn(|o| {
        o.refresh_token_rotation = true;
        o.seed = contacts(250);
    })
    .await;
    let oauth = OAuthClient::new(http(), oauth_config(&sim));
    let pkce = Pkce::generate();
    let code = authorize(&sim, &pkce).await;
    let tokens = oauth.exchange_code(&code, &pkce).await.unwrap();
    let mut secrets = vec![
        sim.client_secret.clone(),
        sim.access_token.clone(),
        sim.refresh_token.clone(),
        code.clone(),
        pkce.verifier.expose_secret().to_owned(),
        tokens.access_token.expose_secret().to_owned(),
        tokens
            .refresh_token
            .as_ref()
            .unwrap()
            .expose_secret()
            .to_owned(),
    ];
    let store = Arc::new(MemoryTokens::new(None, None));
    persist(store.as_ref(), &tokens).await.unwrap();
    let api = client_with(&sim, store.clone(), settings(&sim), budget());
    tracing::info!(?api, ?tokens, ?pkce, config = ?oauth_config(&sim), "session objects");

    let n = ids(api.query(
        "SELECT Id FROM Contact ORDER BY Id",
        QueryOptions::default(),
    ))
    .await;
    assert_eq!(n.len(), 250);
    api.create(&[
        contact("Log", "log@x.example"),
        contact("", "bad@x.example"),
    ])
    .await
    .unwrap();
    // SOAP carries the token in its envelope.
    let _ = api.undelete(&n[..1]).await.unwrap();
    sim.expire_all_tokens();
    api.limits().await.unwrap();
    sim.faults().fail_next("GET /limits", 1, Fault::ServerError);
    api.limits().await.unwrap();
    let err = api
        .query("SELECT FROM", QueryOptions::default())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    tracing::error!(error.message = %err, error.cause_chain = ?err, "query failed");
    // The install's refresh token was rotated away by the renewal above.
    let rejected = oauth
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    tracing::error!(error.message = %rejected, error.cause_chain = ?rejected, "refresh failed");
    secrets.push(
        store
            .access_token()
            .await
            .unwrap()
            .unwrap()
            .expose_secret()
            .to_owned(),
    );
    secrets.push(
        store
            .refresh_token()
            .await
            .unwrap()
            .unwrap()
            .expose_secret()
            .to_owned(),
    );
    let current = store.refresh_token().await.unwrap().unwrap();
    oauth.revoke(&current).await.unwrap();
    let err = oauth.revoke(&current).await.unwrap_err();
    tracing::error!(error.message = %err, error.cause_chain = ?err, "revoke failed");

    let logs = buffer.text();
    assert!(logs.contains("salesforce call"), "the capture works");
    assert!(logs.contains("salesforce session renewed"));
    for secret in &secrets {
        assert!(secret.len() > 10);
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into the logs"
        );
    }
    assert!(!logs.to_ascii_lowercase().contains("bearer "));
}

// ----- Parse tests over the documented shapes ----------------------------------------------

#[test]
fn token_bodies_parse_with_and_without_optional_keys() {
    let web: TokenResponse = serde_json::from_value(
        json!({"access_token": "00D5g000004XyZk!AQ4AQ…", "refresh_token": "5Aep861…",
 "signature": "7YbUz0hQ2g0M0bY0Y1w2mQx9l2XkqFz3yJ2kq1c1W0E=", "scope": "refresh_token api",
 "instance_url": "https://acme.my.salesforce.com",
 "id": "https://login.salesforce.com/id/00D5g000004XyZkEAK/0055g00000AbCdEAAV",
 "token_type": "Bearer", "issued_at": "1700000000000"}),
    )
    .unwrap();
    assert_eq!(web.user_id(), Some("0055g00000AbCdEAAV"));
    assert_eq!(web.org_id(), Some("00D5g000004XyZkEAK"));
    assert_eq!(web.issued_at_time().unwrap().timestamp(), 1_700_000_000);
    assert!(!format!("{web:?}").contains("5Aep861"));
    let jwt: TokenResponse = serde_json::from_value(json!({"access_token": "x", "scope": "api",
        "instance_url": "https://acme.my.salesforce.com", "id": "https://login.salesforce.com/id/00D/005",
        "token_type": "Bearer"}))
    .unwrap();
    assert!(jwt.refresh_token.is_none() && jwt.signature.is_none() && jwt.issued_at.is_none());
}

#[test]
fn error_bodies_parse_as_arrays_and_bare_objects() {
    let many: ApiErrorBody = serde_json::from_str(
        r#"[{"message": "No such column 'Foo' on sobject of type Contact", "errorCode": "INVALID_FIELD", "fields": ["Email"]}]"#,
    )
    .unwrap();
    let items = many.into_items();
    assert_eq!(items[0].fields.as_deref(), Some(&["Email".to_owned()][..]));
    let one: ApiErrorBody = serde_json::from_str(
        r#"{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}"#,
    )
    .unwrap();
    let err = Error::from_item(403, one.into_items().remove(0));
    assert_eq!(err.code(), Some(&ErrorCode::RequestLimitExceeded));
    assert!(err.is_retryable());
    assert!(err.retry_after().is_none());
    assert_eq!(
        err.to_string(),
        "Salesforce REQUEST_LIMIT_EXCEEDED (HTTP 403): TotalRequests Limit exceeded."
    );
    let session: ApiErrorBody = serde_json::from_str(
        r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
    )
    .unwrap();
    let err = Error::from_item(401, session.into_items().remove(0));
    assert!(err.is_invalid_session() && !err.is_retryable());
    for (code, retry) in [
        ("UNABLE_TO_LOCK_ROW", true),
        ("QUERY_TIMEOUT", true),
        ("MALFORMED_QUERY", false),
        ("NOT_FOUND", false),
        ("ENTITY_IS_DELETED", false),
        ("API_DISABLED_FOR_ORG", false),
        ("SOMETHING_NEW", false),
    ] {
        let item = serde_json::from_value(json!({"message": "m", "errorCode": code})).unwrap();
        let err = Error::from_item(400, item);
        assert_eq!(err.is_retryable(), retry, "{code}");
        assert_eq!(err.code().unwrap().as_str(), code);
    }
    let server = serde_json::from_value(json!({"message": "m", "errorCode": "WHATEVER"})).unwrap();
    assert!(Error::from_item(502, server).is_retryable());
}

#[test]
fn duplicate_blocks_parse_under_both_spellings() {
    let body = |key: &str| {
        format!(
            r#"[{{"{key}": {{"allowSave": true, "duplicateRule": "Contacts_DR", "duplicateRuleEntityType": "Contact",
   "errorMessage": "You're creating a duplicate record. …",
   "matchResults": [{{"entityType": "Contact", "errors": [], "matchEngine": "ExactMatchEngine", "rule": "Contact_MR",
     "size": 1, "success": true, "matchRecords": [{{"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100,
       "record": {{"attributes": {{"type": "Contact", "url": "/services/data/v66.0/sobjects/Contact/0031i000013x2TEAAY"}}, "Id": "0031i000013x2TEAAY"}}}}]}}]}},
  "errorCode": "DUPLICATES_DETECTED", "message": "You're creating a duplicate record. …"}}]"#
        )
    };
    for key in ["duplicateResut", "duplicateResult"] {
        let parsed: ApiErrorBody = serde_json::from_str(&body(key)).unwrap();
        match Error::from_item(400, parsed.into_items().remove(0)) {
            Error::Api {
                code: ErrorCode::DuplicatesDetected,
                duplicate: Some(d),
                ..
            } => {
                assert_eq!(d.duplicate_rule, "Contacts_DR");
                assert_eq!(d.duplicate_ids(), ["0031i000013x2TEAAY"]);
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn query_pages_and_collection_rows_parse() {
    let page: QueryResponse = serde_json::from_value(json!({"totalSize": 4321, "done": false,
 "nextRecordsUrl": "/services/data/v66.0/query/01gD0000002HU6KIAW-2000",
 "records": [{"attributes": {"type": "Contact", "url": "/services/data/v66.0/sobjects/Contact/0035g00000XyZ1aAAF"},
   "Id": "0035g00000XyZ1aAAF", "Email": null,
   "Account": {"attributes": {"type": "Account", "url": "/services/data/v66.0/sobjects/Account/0015g00000AbCdEAAV"}, "Name": "Acme"},
   "Opportunities": null,
   "Tasks": {"totalSize": 1, "done": true, "records": [{"attributes": {"type": "Task", "url": "…"}, "Subject": "Call"}]}}]}))
    .unwrap();
    assert_eq!(page.total_size, 4321);
    assert_eq!(
        page.next_records_url.as_deref(),
        Some("/services/data/v66.0/query/01gD0000002HU6KIAW-2000")
    );
    assert_eq!(page.records[0]["Account"]["Name"], "Acme");
    let count: QueryResponse =
        serde_json::from_value(json!({"totalSize": 7, "done": true, "records": []})).unwrap();
    assert_eq!(count.total_size, 7);

    let rows: Vec<SaveResult> = serde_json::from_value(json!([{"id": "0037e00001WZ30qAAD", "success": true, "errors": [], "created": true},
 {"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
   "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]},
 {"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
   "message": "Record rolled back because not all records were valid and the request was using AllOrNone header", "fields": []}]}]))
    .unwrap();
    let rows: Vec<_> = rows.into_iter().map(row_result).collect();
    assert_eq!(rows[0].as_ref().unwrap().created, Some(true));
    match &rows[1] {
        Err(Error::Api { code, message, .. }) => {
            assert_eq!(code, &ErrorCode::RequiredFieldMissing);
            assert_eq!(message, "Required fields are missing: [LastName]");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rows[2].as_ref().unwrap_err().code(),
        Some(&ErrorCode::AllOrNoneOperationRolledBack)
    );
}

#[test]
fn composite_changes_limits_and_describe_parse() {
    let composite: CompositeResponse = serde_json::from_value(json!({"compositeResponse":[
        {"body":{"id":"001D000000IqhSLIAZ","success":true,"errors":[],"warnings":[]},
         "httpHeaders":{"Location":"/services/data/v66.0/sobjects/Account/001D000000IqhSLIAZ"},"httpStatusCode":201,"referenceId":"acct"},
        {"body":null,"httpHeaders":{},"httpStatusCode":304,"referenceId":"q"},
        {"body":[{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}],
         "httpHeaders":{},"httpStatusCode":400,"referenceId":"ct"}]}))
    .unwrap();
    assert_eq!(composite.composite_response[0].http_status_code, 201);
    assert!(composite.composite_response[1].body.is_null());
    let halted: ApiErrorBody =
        serde_json::from_value(composite.composite_response[2].body.clone()).unwrap();
    assert_eq!(
        Error::from_item(400, halted.into_items().remove(0)).code(),
        Some(&ErrorCode::ProcessingHalted)
    );

    let updated: UpdatedResponse = serde_json::from_value(
        json!({"ids":["0035g00000XyZ1aAAF"],"latestDateCovered":"2024-05-06T23:59:00.000+0000"}),
    )
    .unwrap();
    assert_eq!(
        updated.latest_date_covered.to_rfc3339(),
        "2024-05-06T23:59:00+00:00"
    );
    let deleted: DeletedResponse = serde_json::from_value(json!({"deletedRecords":[{"id":"0035g00000XyZ1aAAF","deletedDate":"2024-05-07T22:07:19.000+0000"}],
        "earliestDateAvailable":"2024-04-22T00:00:00.000+0000","latestDateCovered":"2024-05-07T23:00:00.000+0000"}))
    .unwrap();
    assert_eq!(deleted.deleted_records[0].deleted_date.timestamp() % 60, 19);
    assert!(deleted.earliest_date_available.is_some());

    let limits: Limits =
        serde_json::from_value(json!({"DailyApiRequests":{"Max":15000,"Remaining":14998},
        "DailyBulkV2QueryJobs":{"Max":10000,"Remaining":10000}}))
        .unwrap();
    assert_eq!(limits["DailyApiRequests"].remaining, 14_998);

    let describe: SObjectDescribe = serde_json::from_value(json!({"name":"Contact","label":"Contact","labelPlural":"Contacts",
        "keyPrefix":"003","createable":true,"updateable":true,"deletable":true,"queryable":true,"replicateable":true,
        "fields":[{"name":"LastName","label":"Last Name","type":"string","length":80,"precision":0,"scale":0,"nillable":false,
            "createable":true,"updateable":true,"defaultedOnCreate":false,"externalId":false,"picklistValues":[],
            "restrictedPicklist":false,"referenceTo":[],"relationshipName":null,"soapType":"xsd:string"},
          {"name":"DoNotCall","type":"boolean","nillable":false,"createable":true,"defaultedOnCreate":true},
          {"name":"LeadSource","type":"picklist","picklistValues":[{"active":true,"defaultValue":false,"label":"Web","validFor":null,"value":"Web"}]}],
        "childRelationships":[{"childSObject":"Task","field":"WhoId","relationshipName":"Tasks","cascadeDelete":true,"restrictedDelete":false}],
        "urls":{"uiDetailTemplate":"https://acme.my.salesforce.com/{ID}"}}))
    .unwrap();
    assert!(describe.field("lastname").unwrap().required_on_create());
    assert!(!describe.field("DoNotCall").unwrap().required_on_create());
    assert_eq!(
        describe.field("LeadSource").unwrap().picklist_values[0].value,
        "Web"
    );
    assert_eq!(
        describe.child_relationships[0].relationship_name.as_deref(),
        Some("Tasks")
    );
}
