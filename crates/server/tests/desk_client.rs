//! The Zoho Desk client against the Desk simulator over real HTTP: OAuth, metadata, paging,
//! CRUD, search, tickets, webhooks, token expiry, retryable and permanent errors, the API budget,
//! and that no secret ever reaches the logs. Plus parse tests over the doc's example bodies.

#[path = "support/log_buffer.rs"]
mod log_buffer;

use log_buffer::LogBuffer;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sfdesk_server::desk::auth::{SCOPES, parse_token_answer};
use sfdesk_server::desk::error::FieldError;
use sfdesk_server::desk::wire::{
    Agent, Contact, DeskId, Field, FieldModule, NewWebhook, Patch, Ticket, Webhook, WebhookEvent,
};
use sfdesk_server::desk::{
    DeskApi, DeskConfig, DeskOAuth, Error, HttpDesk, OAuthApp, SearchQuery, StaticToken,
    StoredTokens, TokenSource,
};
use sfdesk_server::remote::budget::{ApiBudget, BudgetLimits};
use sfdesk_server::remote::http::{Timeouts, client};
use sfdesk_server::remote::retry::{RetryPolicy, Retryable};
use sfdesk_server::store::{
    self, CredentialKind, InstallationId, NewInstallation, Store, SyncDirection, conformance,
};
use sfdesk_sim::common::{Fault, Latency, SimClock, serve};
use sfdesk_sim::desk::{DeskError, DeskSeed, DeskSim, DeskSimHandle, DeskSimOptions, Module};

const REDIRECT: &str = "https://sfdesk.example.com/oauth/desk/callback";
const SOURCE_ID: &str = "6f1c2d4e-9a4b-4c1e-8d2f-0a1b2c3d4e5f";
const CONTACT_ONE: &str = "GET /api/v1/contacts/{id}";

/// Knobs of one test set-up.
struct Setup {
    retry: RetryPolicy,
    limits: BudgetLimits,
    timeouts: Timeouts,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            retry: RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_secs(5),
            },
            limits: BudgetLimits {
                share: 1.0,
                max_concurrent: 10,
                fallback_daily_max: 100_000,
            },
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(10),
            },
        }
    }
}

struct Env {
    sim: DeskSimHandle,
    store: Arc<dyn Store>,
    installation: InstallationId,
    http: reqwest::Client,
    oauth: DeskOAuth,
    tokens: Arc<StoredTokens>,
    desk: HttpDesk,
}

fn oauth_app(sim: &DeskSimHandle) -> OAuthApp {
    OAuthApp {
        client_id: sim.client_id.clone(),
        client_secret: SecretString::from(sim.client_secret.clone()),
        redirect_uri: REDIRECT.to_owned(),
    }
}

async fn env() -> Env {
    env_with(DeskSimOptions::default(), Setup::default()).await
}

/// Installs, once, a global subscriber interested in every event (printing them only with
/// `TEST_LOG=1`). Without it, a callsite first reached by a test on another thread can be cached
/// as "never enabled" while the log-capture test registers its scoped subscriber, and that
/// test would miss events.
fn init_tracing() {
    static INIT: LazyLock<()> = LazyLock::new(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let print = std::env::var_os("TEST_LOG")
            .is_some()
            .then(|| tracing_subscriber::fmt::layer().with_test_writer());
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::TRACE)
            .with(print);
        // Another harness may have installed one first; either way every event is of interest.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    LazyLock::force(&INIT);
}

/// A simulator, a store holding the sim's ready-made tokens for one installation, and a client.
async fn env_with(options: DeskSimOptions, setup: Setup) -> Env {
    init_tracing();
    let sim = DeskSim::spawn(options).await.expect("sim");
    let store = store::connect("sqlite::memory:", conformance::test_cipher())
        .await
        .expect("store");
    store.migrate().await.expect("migrate");
    let installation = store
        .create_installation(
            &NewInstallation {
                desk_org_id: sim.org_id.clone(),
                desk_data_centre: "com".to_owned(),
                salesforce_org_id: None,
                salesforce_instance_url: None,
                sync_direction: SyncDirection::TwoWay,
            },
            Utc::now(),
        )
        .await
        .expect("installation")
        .id;
    for (kind, token) in [
        (CredentialKind::DeskAccessToken, &sim.access_token),
        (CredentialKind::DeskRefreshToken, &sim.refresh_token),
    ] {
        store
            .put_credential(
                installation,
                kind,
                &SecretString::from(token.clone()),
                Utc::now(),
            )
            .await
            .expect("put token");
    }
    let http = client(&setup.timeouts);
    let oauth = DeskOAuth::new(http.clone(), sim.accounts_url.clone(), oauth_app(&sim));
    let tokens = Arc::new(StoredTokens::new(
        Arc::clone(&store),
        installation,
        oauth.clone(),
    ));
    let desk = desk_client(&sim, &http, tokens.clone(), &setup);
    Env {
        sim,
        store,
        installation,
        http,
        oauth,
        tokens,
        desk,
    }
}

fn desk_client(
    sim: &DeskSimHandle,
    http: &reqwest::Client,
    tokens: Arc<dyn TokenSource>,
    setup: &Setup,
) -> HttpDesk {
    HttpDesk::new(
        http.clone(),
        DeskConfig::new(sim.api_url.clone(), sim.org_id.clone()).with_source_id(SOURCE_ID),
        tokens,
        ApiBudget::new(setup.limits),
        setup.retry.clone(),
    )
    .expect("client")
}

fn with_contacts(n: usize) -> DeskSimOptions {
    DeskSimOptions {
        seed: DeskSeed {
            contacts: n,
            ..DeskSeed::default()
        },
        ..DeskSimOptions::default()
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Runs the consent page for `agent` and returns the authorization code.
async fn consent(oauth: &DeskOAuth, agent: &str) -> String {
    let url = oauth
        .authorization_url(SCOPES, "st4te", Some(agent))
        .expect("auth url");
    assert!(url.as_str().contains("access_type=offline"));
    let response = no_redirects().get(url).send().await.expect("consent");
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("location");
    let target = url::Url::parse(location).expect("redirect url");
    assert!(target.as_str().starts_with(REDIRECT));
    let param = |k: &str| {
        target
            .query_pairs()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("st4te"));
    param("code").expect("code")
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> &DeskId) -> BTreeSet<String> {
    rows.iter().map(|r| id(r).0.clone()).collect()
}

// ----- OAuth -----------------------------------------------------------------------------------

#[tokio::test]
async fn oauth_code_exchange_refresh_and_revoke() {
    let env = env().await;
    let code = consent(&env.oauth, "torrey.emard@zylker.example").await;
    let grant = env.oauth.exchange_code(&code).await.expect("exchange");
    assert_eq!(grant.expires_in, Duration::from_secs(3600));
    let refresh = grant
        .refresh_token
        .clone()
        .expect("offline grant has a refresh token");

    // A code is single-use: Zoho answers HTTP 200 with an `error` key.
    let err = env
        .oauth
        .exchange_code(&code)
        .await
        .expect_err("reused code");
    assert!(
        matches!(&err, Error::OAuth { error, status: 200 } if error == "invalid_code"),
        "{err:?}"
    );

    // The grant, stored encrypted, signs the agent in.
    env.tokens.save_grant(&grant).await.expect("save");
    let me = env.desk.myinfo().await.expect("myinfo");
    assert_eq!(me.email_id.as_deref(), Some("torrey.emard@zylker.example"));
    let stored = env
        .store
        .get_credential_ciphertext(env.installation, CredentialKind::DeskRefreshToken)
        .await
        .expect("ciphertext")
        .expect("stored");
    assert!(
        !String::from_utf8_lossy(&stored).contains(refresh.expose_secret()),
        "stored encrypted"
    );

    // Refresh: a new access token, no refresh token in the answer.
    let refreshed = env.oauth.refresh(&refresh).await.expect("refresh");
    assert!(refreshed.refresh_token.is_none());
    assert_ne!(
        refreshed.access_token.expose_secret(),
        grant.access_token.expose_secret()
    );
    let direct = desk_client(
        &env.sim,
        &env.http,
        Arc::new(StaticToken::new(refreshed.access_token.clone())),
        &Setup::default(),
    );
    assert_eq!(direct.myinfo().await.expect("myinfo").id, me.id);

    // A wrong client secret is `invalid_client`, also with HTTP 200.
    let bad = DeskOAuth::new(
        env.http.clone(),
        env.sim.accounts_url.clone(),
        OAuthApp {
            client_secret: SecretString::from("wrong".to_owned()),
            ..oauth_app(&env.sim)
        },
    );
    let err = bad.refresh(&refresh).await.expect_err("bad secret");
    assert!(matches!(&err, Error::OAuth { error, .. } if error == "invalid_client"));

    // Revoke: the refresh token and the access tokens minted from it stop working, and the
    // installation's tokens are deleted.
    env.tokens.revoke().await.expect("revoke");
    let err = env.oauth.refresh(&refresh).await.expect_err("revoked");
    assert!(matches!(&err, Error::OAuth { error, .. } if error == "invalid_code"));
    let err = direct.myinfo().await.expect_err("revoked access token");
    assert!(matches!(err, Error::InvalidOauth { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert!(
        env.store
            .get_credential(env.installation, CredentialKind::DeskRefreshToken)
            .await
            .expect("get")
            .is_none()
    );
    let err = env.desk.myinfo().await.expect_err("disconnected");
    assert!(matches!(err, Error::NotConnected), "{err:?}");
}

// ----- metadata --------------------------------------------------------------------------------

#[tokio::test]
async fn myinfo_per_agent_has_role_and_profile() {
    let env = env().await;
    let state = env.sim.state();
    let roles = env.desk.roles().await.expect("roles");
    let profiles = env.desk.profiles().await.expect("profiles");
    assert_eq!(roles.len(), state.roles().len());
    assert_eq!(profiles.len(), state.profiles().len());
    for agent in state.agents() {
        let token = env.sim.token_for(&agent.email).expect("token");
        let desk = desk_client(
            &env.sim,
            &env.http,
            Arc::new(StaticToken::new(SecretString::from(token))),
            &Setup::default(),
        );
        let me = desk.myinfo().await.expect("myinfo");
        assert_eq!(me.id.0, agent.id);
        assert_eq!(me.email_id.as_deref(), Some(agent.email.as_str()));
        assert_eq!(
            me.role_id.as_ref().map(|r| r.0.as_str()),
            Some(agent.role_id.as_str())
        );
        let role = me.role.as_ref().expect("include=role");
        assert_eq!(role.id.0, agent.role_id);
        assert!(roles.iter().any(|r| r.id == role.id && r.name == role.name));
        let profile = me.profile.as_ref().expect("include=profile");
        assert_eq!(profile.id.0, agent.profile_id);
        assert!(profiles.iter().any(|p| p.id == profile.id));
        assert_eq!(me.is_admin(), agent.role_permission_type == "Admin");
        let same = env.desk.agent(&me.id).await.expect("agent by id");
        assert_eq!(same.role, me.role);
    }
    let agents = env.desk.agents().await.expect("agents");
    assert_eq!(agents.len(), state.agents().len());
    assert!(
        agents
            .iter()
            .all(|a| a.role.is_some() && a.profile.is_some())
    );
    let orgs = env.desk.organizations().await.expect("organizations");
    assert_eq!(orgs[0].id, json!(env.sim.org_id));
}

// ----- lists, CRUD, search ---------------------------------------------------------------------

#[tokio::test]
async fn list_paging_to_the_end_equals_the_sim_state() {
    let env = env_with(with_contacts(230), Setup::default()).await;
    let state = env.sim.state();
    let contacts = env.desk.contacts().await.expect("contacts");
    assert_eq!(contacts.len(), 230, "no row lost or repeated");
    assert_eq!(
        ids(&contacts, |c| &c.id),
        state.contacts().iter().map(|r| r.id.clone()).collect()
    );
    for row in &contacts {
        let record = state.contact(&row.id.0).expect("in the sim");
        assert_eq!(
            row.last_name.as_ref(),
            record
                .fields
                .get("lastName")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .as_ref()
        );
        assert_eq!(
            row.email.as_deref(),
            record.fields.get("email").and_then(Value::as_str)
        );
    }
    // 230 rows at 100 per page: pages from 1, 101, 201.
    assert_eq!(env.sim.counters().get("GET /api/v1/contacts").calls, 3);
    assert_eq!(env.sim.counters().get("GET /api/v1/contacts").credits, 9);

    let streamed: Vec<_> = env
        .desk
        .contacts_stream()
        .map(|r| r.expect("row").id)
        .collect()
        .await;
    assert_eq!(
        streamed,
        contacts.iter().map(|c| c.id.clone()).collect::<Vec<_>>()
    );

    let accounts = env.desk.accounts().await.expect("accounts");
    assert_eq!(
        ids(&accounts, |a| &a.id),
        state.accounts().iter().map(|r| r.id.clone()).collect()
    );
    assert_eq!(env.desk.count_contacts().await.expect("count"), 230);
    assert_eq!(
        env.desk.count_accounts().await.expect("count"),
        state.accounts().len() as u64
    );
    let usage = env.desk.budget().usage();
    assert_eq!(usage.used_by_us_24h, env.sim.state().credits_used());
    assert_eq!(
        usage.org_remaining,
        Some(env.sim.state().daily_credits() - env.sim.state().credits_used())
    );
}

#[tokio::test]
async fn an_empty_list_is_204_and_empty() {
    let env = env_with(
        DeskSimOptions {
            seed: DeskSeed::empty(),
            ..DeskSimOptions::default()
        },
        Setup::default(),
    )
    .await;
    assert!(env.desk.contacts().await.expect("contacts").is_empty());
    assert!(env.desk.accounts().await.expect("accounts").is_empty());
    assert!(env.desk.webhooks().await.expect("webhooks").is_empty());
    assert!(env.desk.recycle_bin().await.expect("bin").is_empty());
    let hits = env
        .desk
        .search_contacts(&SearchQuery::new().email("nobody@example.com"))
        .await
        .expect("search");
    assert!(hits.rows.is_empty() && hits.complete);
    assert_eq!(env.desk.count_contacts().await.expect("count"), 0);
}

#[tokio::test]
async fn get_create_update_trash_and_restore() {
    let env = env().await;
    let account = env
        .desk
        .create_account(
            &Patch::new()
                .set("accountName", "Zylker Labs")
                .set("code", "600001"),
        )
        .await
        .expect("create account");
    assert_eq!(account.code.as_deref(), Some("600001"));
    let created = env
        .desk
        .create_contact(
            &Patch::new()
                .set("lastName", "Tywin")
                .set("firstName", "Jade")
                .set("email", "jade@zylker.example")
                .set("accountId", account.id.0.clone())
                .set_cf("cf_sf_id", "0035g00000XyZabAAF"),
        )
        .await
        .expect("create contact");
    assert_eq!(created.last_name.as_deref(), Some("Tywin"));
    assert_eq!(created.cf["cf_sf_id"], "0035g00000XyZabAAF");
    assert_eq!(created.account_id.as_ref(), Some(&account.id));
    assert!(env.sim.state().contact(&created.id.0).is_some());

    let many = env
        .desk
        .contacts_by_ids(
            &env.sim
                .state()
                .contacts()
                .iter()
                .map(|r| DeskId(r.id.clone()))
                .collect::<Vec<_>>(),
        )
        .await
        .expect("by ids");
    assert_eq!(
        many.len(),
        env.sim.state().contacts().len(),
        "26 ids in two calls"
    );
    assert_eq!(
        env.sim
            .counters()
            .get("GET /api/v1/contacts/contactsByIds")
            .calls,
        2
    );
    assert!(
        many.iter().all(|c| c.modified_time.is_some()),
        "full records"
    );

    // PATCH only the changed keys.
    let before = serde_json::to_value(&created).expect("json");
    let mut after = before.clone();
    after["phone"] = json!("91020080878");
    let patch = Patch::diff(
        before.as_object().expect("object"),
        after.as_object().expect("object"),
    );
    assert_eq!(patch.0.keys().collect::<Vec<_>>(), vec!["phone"]);
    let updated = env
        .desk
        .update_contact(&created.id, &patch)
        .await
        .expect("update");
    assert_eq!(updated.phone.as_deref(), Some("91020080878"));
    assert_eq!(updated.email.as_deref(), Some("jade@zylker.example"));
    let fetched = env.desk.contact(&created.id).await.expect("get");
    assert_eq!(fetched.phone.as_deref(), Some("91020080878"));
    let updated_account = env
        .desk
        .update_account(
            &account.id,
            &Patch::new().set("website", "https://zylker.example"),
        )
        .await
        .expect("update account");
    assert_eq!(
        updated_account.website.as_deref(),
        Some("https://zylker.example")
    );
    assert_eq!(
        env.desk
            .account(&account.id)
            .await
            .expect("get account")
            .account_name
            .as_deref(),
        Some("Zylker Labs")
    );

    // Trash → 404 on get, listed in the recycle bin → restore → back.
    env.desk
        .trash_contacts(std::slice::from_ref(&created.id))
        .await
        .expect("trash");
    let err = env.desk.contact(&created.id).await.expect_err("trashed");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let bin = env.desk.recycle_bin().await.expect("bin");
    assert!(
        bin.iter()
            .any(|i| i.id == created.id && i.item_type.as_deref() == Some("Contacts"))
    );
    let results = env
        .desk
        .restore(std::slice::from_ref(&created.id))
        .await
        .expect("restore");
    assert!(results.iter().all(|r| r.success), "{results:?}");
    assert_eq!(
        env.desk.contact(&created.id).await.expect("restored").id,
        created.id
    );
    env.desk
        .trash_accounts(std::slice::from_ref(&account.id))
        .await
        .expect("trash account");
    assert!(
        env.sim
            .state()
            .account(&account.id.0)
            .is_none_or(|r| r.trashed.is_some())
    );
}

#[tokio::test]
async fn search_by_modified_time_range_email_and_account() {
    let env = env().await;
    let state = env.sim.state();
    let contacts = state.contacts();
    let t = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
    let picked = [&contacts[0], &contacts[1], &contacts[2]];
    for (record, when) in picked.iter().zip([
        "2020-01-01T10:00:00.000Z",
        "2020-01-02T10:00:00.000Z",
        "2020-03-01T10:00:00.000Z",
    ]) {
        assert!(state.set_times(Module::Contacts, &record.id, None, Some(t(when))));
    }
    let query = SearchQuery::new()
        .modified_between(t("2020-01-01T00:00:00Z"), t("2020-01-31T23:59:59Z"))
        .sort_by("modifiedTime");
    let hits = env.desk.search_contacts(&query).await.expect("search");
    assert!(hits.complete);
    assert_eq!(hits.count, Some(2));
    assert_eq!(
        hits.rows
            .iter()
            .map(|c| c.id.0.as_str())
            .collect::<Vec<_>>(),
        vec![picked[0].id.as_str(), picked[1].id.as_str()]
    );
    assert_eq!(hits.rows[0].modified_time, Some(t("2020-01-01T10:00:00Z")));

    let email = picked[2].fields["email"].as_str().expect("email");
    let by_email = env
        .desk
        .search_contacts(&SearchQuery::new().email(email))
        .await
        .expect("by email");
    assert!(by_email.rows.iter().any(|c| c.id.0 == picked[2].id));

    let account = &state.accounts()[0];
    let name = account.fields["accountName"].as_str().expect("name");
    let accounts = env
        .desk
        .search_accounts(&SearchQuery::new().account_name(name))
        .await
        .expect("accounts");
    assert!(accounts.rows.iter().any(|a| a.id.0 == account.id));

    // Paging by hand past the window is refused by the service.
    let err = env
        .desk
        .search_contacts_page(&SearchQuery::new(), 5000, 10)
        .await
        .expect_err("from ≥ 5000");
    assert!(matches!(err, Error::Unprocessable { .. }), "{err:?}");
}

#[tokio::test]
async fn fields_and_tickets() {
    let env = env().await;
    let fields = env
        .desk
        .fields(FieldModule::Contacts)
        .await
        .expect("fields");
    let sf_id = fields
        .iter()
        .find(|f| f.api_name == "cf_sf_id")
        .expect("custom field");
    assert_eq!(sf_id.is_custom_field, Some(true));
    assert!(
        fields
            .iter()
            .any(|f| f.api_name == "lastName" && f.is_mandatory == Some(true))
    );
    assert!(
        !env.desk
            .fields(FieldModule::Accounts)
            .await
            .expect("fields")
            .is_empty()
    );
    assert!(
        !env.desk
            .fields(FieldModule::Tickets)
            .await
            .expect("fields")
            .is_empty()
    );

    let ticket = env.sim.state().tickets()[0].clone();
    let got = env
        .desk
        .ticket(&DeskId(ticket.id.clone()))
        .await
        .expect("ticket");
    assert_eq!(
        got.ticket_number.as_deref(),
        Some(ticket.ticket_number.as_str())
    );
    let contact = got.contact.as_ref().expect("include=contacts");
    assert_eq!(got.contact_id.as_ref(), Some(&contact.id));
    let record = env.sim.state().contact(&contact.id.0).expect("contact");
    assert_eq!(
        contact.email.as_deref(),
        record.fields.get("email").and_then(Value::as_str)
    );
}

// ----- webhooks --------------------------------------------------------------------------------

#[tokio::test]
async fn webhook_create_list_delete_with_handshake_and_ignore_source_id() {
    let env = env().await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = Arc::clone(&seen);
    let receiver = serve(Router::new().route(
        "/hooks/zoho",
        any(move |method: axum::http::Method| {
            let log = Arc::clone(&log);
            async move {
                log.lock().expect("lock").push(method.to_string());
                StatusCode::OK.into_response()
            }
        }),
    ))
    .await
    .expect("receiver");
    let url = format!("{}hooks/zoho", receiver.base_url());
    let hook = env
        .desk
        .create_webhook(&NewWebhook {
            name: Some("sf-sync".to_owned()),
            url: url.clone(),
            description: None,
            is_enabled: true,
            ignore_source_id: String::new(),
            subscriptions: NewWebhook::sync_subscriptions(),
            include_events_from: Vec::new(),
        })
        .await
        .expect("create webhook");
    assert_eq!(hook.url, url);
    assert_eq!(hook.ignore_source_id.as_deref(), Some(SOURCE_ID));
    assert_eq!(
        seen.lock().expect("lock").first().map(String::as_str),
        Some("GET"),
        "handshake"
    );
    let listed = env.desk.webhooks().await.expect("list");
    assert_eq!(
        listed.iter().map(|h| &h.id).collect::<Vec<_>>(),
        vec![&hook.id]
    );

    // Our writes carry the source id and cause no event; a UI edit does.
    let id = env.sim.state().contacts()[0].id.clone();
    env.desk
        .update_contact(&DeskId(id.clone()), &Patch::new().set("title", "CTO"))
        .await
        .expect("update");
    env.sim
        .state()
        .ui_update(Module::Contacts, &id, json!({"title": "CEO"}))
        .expect("ui update");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while env.sim.webhook_attempts().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts = seen
        .lock()
        .expect("lock")
        .iter()
        .filter(|m| *m == "POST")
        .count();
    assert_eq!(posts, 1, "only the UI edit was delivered");

    // Get and update; a new URL goes through the handshake again.
    assert_eq!(env.desk.webhook(&hook.id).await.expect("get").url, url);
    let moved = format!("{url}?v=2");
    let updated = env
        .desk
        .update_webhook(
            &hook.id,
            &Patch::new()
                .set("url", moved.clone())
                .set("isEnabled", false),
        )
        .await
        .expect("update");
    assert_eq!(
        (updated.url.as_str(), updated.is_enabled),
        (moved.as_str(), Some(false))
    );
    let handshakes = seen
        .lock()
        .expect("lock")
        .iter()
        .filter(|m| *m == "GET")
        .count();
    assert_eq!(handshakes, 2);

    env.desk.delete_webhook(&hook.id).await.expect("delete");
    assert!(env.desk.webhooks().await.expect("list").is_empty());
    let err = env.desk.delete_webhook(&hook.id).await.expect_err("gone");
    assert!(matches!(err, Error::NotFound { .. }));
}

// ----- tokens ----------------------------------------------------------------------------------

#[tokio::test]
async fn token_expiry_mid_listing_recovers_without_losing_or_repeating_a_record() {
    let env = env_with(with_contacts(250), Setup::default()).await;
    let mut stream = env.desk.contacts_stream();
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen.push(stream.next().await.expect("row").expect("ok").id);
    }
    assert_eq!(env.tokens.refresh_count(), 0);
    // The hour passes on the service's clock: the stored access token is now expired.
    env.sim.advance_clock(Duration::from_secs(3601));
    while let Some(row) = stream.next().await {
        seen.push(row.expect("row").id);
    }
    drop(stream);
    assert_eq!(env.tokens.refresh_count(), 1, "refreshed exactly once");
    assert_eq!(seen.len(), 250);
    let unique: BTreeSet<_> = seen.iter().map(|id| id.0.clone()).collect();
    assert_eq!(unique.len(), 250, "nothing repeated");
    assert_eq!(
        unique,
        env.sim
            .state()
            .contacts()
            .iter()
            .map(|r| r.id.clone())
            .collect(),
        "nothing lost"
    );
    let stored = env
        .store
        .get_credential(env.installation, CredentialKind::DeskAccessToken)
        .await
        .expect("get")
        .expect("stored");
    assert_ne!(
        stored.expose_secret(),
        env.sim.access_token,
        "the new token is stored"
    );

    // Eight concurrent callers hitting an expired token share one refresh.
    assert!(env.sim.expire_token(stored.expose_secret()));
    let id = DeskId(env.sim.state().contacts()[0].id.clone());
    let calls = (0..8).map(|_| env.desk.contact(&id));
    for result in futures_util::future::join_all(calls).await {
        result.expect("get after refresh");
    }
    assert_eq!(env.tokens.refresh_count(), 2, "single flight");
}

// ----- faults ----------------------------------------------------------------------------------

fn too_many_requests() -> Fault {
    Fault::custom(|| DeskError::TooManyRequests.into_response())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_retryable_fault_is_retried_and_recovered() {
    // Frozen one second before the simulated midnight: THRESHOLD_EXCEEDED says Retry-After: 1.
    let env = env_with(
        DeskSimOptions {
            clock: Some(SimClock::frozen_at(
                "2024-03-05T23:59:59Z".parse().expect("time"),
            )),
            timeout_fault_delay: Duration::from_secs(4),
            ..DeskSimOptions::default()
        },
        Setup {
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(1),
            },
            ..Setup::default()
        },
    )
    .await;
    let id = DeskId(env.sim.state().contacts()[0].id.clone());
    let faults: Vec<(&str, Fault)> = vec![
        ("500", Fault::ServerError),
        ("THRESHOLD_EXCEEDED", Fault::RateLimit),
        ("TOO_MANY_REQUESTS", too_many_requests()),
        ("timeout", Fault::Timeout),
        ("dropped connection", Fault::DropConnection),
    ];
    for (name, fault) in faults {
        let before = env.sim.counters().get(CONTACT_ONE).calls;
        env.sim.faults().fail_next(CONTACT_ONE, 1, fault);
        let started = std::time::Instant::now();
        let contact = env.desk.contact(&id).await;
        assert_eq!(contact.expect(name).id, id, "{name}");
        assert_eq!(
            env.sim.counters().get(CONTACT_ONE).calls - before,
            2,
            "{name}: one retry"
        );
        assert_eq!(env.sim.faults().pending(CONTACT_ONE), 0);
        if name == "THRESHOLD_EXCEEDED" {
            assert!(
                started.elapsed() >= Duration::from_millis(950),
                "Retry-After honoured"
            );
        }
    }
    // Two faults in a row on a list page: still recovered.
    env.sim
        .faults()
        .fail_next("GET /api/v1/contacts", 2, Fault::ServerError);
    assert_eq!(env.desk.contacts().await.expect("contacts").len(), 25);
}

#[tokio::test]
async fn a_long_retry_after_goes_back_to_the_caller() {
    // Credits really spent: Retry-After is hours away, longer than the policy waits.
    let env = env().await;
    let state = env.sim.state();
    state.set_credits_used(state.daily_credits() - 2);
    let err = env.desk.contacts_page(1, 10).await.expect_err("threshold");
    match &err {
        Error::ThresholdExceeded {
            message,
            retry_after,
        } => {
            assert_eq!(
                message,
                "You have exceeded the API credits allowed for the day."
            );
            assert!(retry_after.expect("Retry-After") > Duration::from_secs(5));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(
        env.sim.counters().get("GET /api/v1/contacts").calls,
        1,
        "not retried"
    );
}

#[tokio::test]
async fn permanent_errors_carry_the_service_message() {
    let env = env().await;
    let err = env
        .desk
        .create_contact(
            &Patch::new()
                .set("firstName", "No")
                .set("email", "not-an-email"),
        )
        .await
        .expect_err("invalid");
    match &err {
        Error::InvalidData { message, errors } => {
            assert_eq!(
                message,
                "The data does not comply to the validation restrictions defined."
            );
            let fields: BTreeSet<&str> = errors.iter().map(|e| e.field_name.as_str()).collect();
            assert!(fields.contains("/lastName"), "{errors:?}");
            assert!(fields.contains("/email"), "{errors:?}");
            assert!(errors.iter().any(|e| e.error_type == "missing"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("/email"));
    assert_eq!(
        env.sim.counters().get("POST /api/v1/contacts").calls,
        1,
        "not retried"
    );

    let err = env
        .desk
        .contact(&DeskId("1892000000000000".to_owned()))
        .await
        .expect_err("unknown");
    assert!(
        matches!(&err, Error::NotFound { message } if message == "The URL you requested could not be found."),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("URL_NOT_FOUND"));
    assert_eq!(env.sim.counters().get(CONTACT_ONE).calls, 1, "not retried");

    // A token without the scope.
    let token = env
        .sim
        .token_with_scopes(&env.sim.admin_agent_id, &["Desk.basic.READ"])
        .expect("token");
    let narrow = desk_client(
        &env.sim,
        &env.http,
        Arc::new(StaticToken::new(SecretString::from(token))),
        &Setup::default(),
    );
    let err = narrow.contacts_page(1, 10).await.expect_err("scope");
    assert!(matches!(err, Error::ScopeMismatch { .. }), "{err:?}");
}

// ----- budget ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_is_never_exceeded_under_eight_concurrent_callers() {
    let env = env_with(
        DeskSimOptions {
            max_concurrent: Some(3),
            ..DeskSimOptions::default()
        },
        Setup {
            limits: BudgetLimits {
                share: 1.0,
                max_concurrent: 3,
                fallback_daily_max: 100_000,
            },
            retry: RetryPolicy::no_retry(),
            ..Setup::default()
        },
    )
    .await;
    env.sim
        .faults()
        .set_latency(CONTACT_ONE, Latency::fixed(Duration::from_millis(40)));
    let id = DeskId(env.sim.state().contacts()[0].id.clone());
    let peak = AtomicUsize::new(0);
    let work = futures_util::future::join_all((0..8).map(|_| async {
        for _ in 0..5 {
            env.desk
                .contact(&id)
                .await
                .expect("never refused by the service");
        }
    }));
    let sampler = async {
        loop {
            peak.fetch_max(env.sim.in_flight(), Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    tokio::select! {
        _ = work => {},
        () = sampler => {},
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=3).contains(&peak), "peak in flight {peak}");
    assert_eq!(
        env.sim.counters().get(CONTACT_ONE).calls,
        40,
        "no call refused or repeated"
    );
    assert_eq!(env.desk.budget().usage().in_flight, 0);
    assert_eq!(env.desk.budget().usage().used_by_us_24h, 40);
}

#[tokio::test]
async fn a_call_over_the_daily_share_waits_and_is_not_sent() {
    let env = env_with(
        DeskSimOptions::default(),
        Setup {
            limits: BudgetLimits {
                share: 0.5,
                max_concurrent: 4,
                fallback_daily_max: 20,
            },
            ..Setup::default()
        },
    )
    .await;
    // The sim reports remaining credits but not the org's maximum: the fallback (20) holds,
    // so our share is 10 units.
    let id = DeskId(env.sim.state().contacts()[0].id.clone());
    for _ in 0..10 {
        env.desk.contact(&id).await.expect("within the share");
    }
    let eleventh = tokio::time::timeout(Duration::from_millis(500), env.desk.contact(&id)).await;
    assert!(eleventh.is_err(), "the eleventh call waits");
    assert_eq!(
        env.sim.counters().get(CONTACT_ONE).calls,
        10,
        "and is never sent"
    );
}

// ----- secrets ---------------------------------------------------------------------------------

/// Current-thread runtime: `set_default` is per thread, and everything runs on this one.
#[tokio::test(flavor = "current_thread")]
async fn no_token_or_secret_reaches_the_logs_of_a_full_session() {
    init_tracing();
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = env_with(with_contacts(120), Setup::default()).await;
    let mut secrets = vec![
        env.sim.client_secret.clone(),
        env.sim.access_token.clone(),
        env.sim.refresh_token.clone(),
    ];
    let mut rendered = Vec::new();

    let code = consent(&env.oauth, "ann.lee@zylker.example").await;
    let grant = env.oauth.exchange_code(&code).await.expect("exchange");
    secrets.push(grant.access_token.expose_secret().to_owned());
    secrets.push(
        grant
            .refresh_token
            .as_ref()
            .expect("refresh")
            .expose_secret()
            .to_owned(),
    );
    rendered.push(format!(
        "{grant:?} {:?} {:?} {:?}",
        env.oauth, env.tokens, env.desk
    ));
    env.tokens.save_grant(&grant).await.expect("save");
    env.desk.myinfo().await.expect("myinfo");
    env.desk.contacts().await.expect("list");
    let created = env
        .desk
        .create_contact(&Patch::new().set("lastName", "Secretless"))
        .await
        .expect("create");
    env.desk
        .update_contact(&created.id, &Patch::new().set("title", "Ops"))
        .await
        .expect("update");
    env.desk
        .search_contacts(&SearchQuery::new().text("Secretless"))
        .await
        .expect("search");
    // Expiry and refresh.
    env.sim.advance_clock(Duration::from_secs(3700));
    env.desk.contacts().await.expect("list after expiry");
    let refreshed = env
        .store
        .get_credential(env.installation, CredentialKind::DeskAccessToken)
        .await
        .expect("get")
        .expect("stored");
    secrets.push(refreshed.expose_secret().to_owned());
    // Failures: their messages and debug output.
    env.sim
        .faults()
        .fail_next(CONTACT_ONE, 1, Fault::ServerError);
    env.desk.contact(&created.id).await.expect("retried");
    let errors = vec![
        env.desk
            .contact(&DeskId("1".to_owned()))
            .await
            .expect_err("404"),
        env.oauth
            .exchange_code("bogus")
            .await
            .expect_err("bad code"),
    ];
    env.tokens.revoke().await.expect("revoke");
    let errors = errors
        .into_iter()
        .chain([env.desk.myinfo().await.expect_err("disconnected")]);
    for e in errors {
        rendered.push(format!("{e} {e:?}"));
    }

    let logs = buffer.text();
    assert!(
        logs.contains("Desk call"),
        "the session was logged:\n{logs}"
    );
    assert!(logs.contains("refreshing once"));
    for secret in &secrets {
        assert!(!secret.is_empty());
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into the logs"
        );
        for r in &rendered {
            assert!(!r.contains(secret.as_str()), "a secret leaked into {r}");
        }
    }
    assert!(!logs.contains("Zoho-oauthtoken"));
}

// ----- parse tests over the doc's example bodies -----------------------------------------------

#[test]
fn parses_the_doc_contact_agent_field_ticket_and_webhook_shapes() {
    let contact: Contact = serde_json::from_value(json!(
        {"id":"1892000000042032","firstName":"Jade","lastName":"Tywin","email":"jade@zylker.com","secondaryEmail":null,
         "phone":"91020080878","mobile":null,"accountId":"1892000000975382","ownerId":"1892000000042001","type":"paid",
         "title":"Manager","description":null,"facebook":null,"twitter":null,"street":null,"city":"Chennai","state":null,
         "zip":null,"country":"India","cf":{"cf_sf_id":"0035g00000XyZabAAF"},"customFields":{"SF Id":"0035g00000XyZabAAF"},
         "createdTime":"2024-03-05T10:15:30.000Z","modifiedTime":"2024-03-06T08:00:12.000Z","isDeleted":false,
         "isTrashed":false,"isSpam":false,"isFollowing":"true",
         "layoutId":"1892000000047001","layoutDetails":{"id":"1892000000047001","layoutName":"Standard"},"zohoCRMContact":null,
         "owner":{"id":"1892000000042001","firstName":"Ann","lastName":"Lee"},
         "account":{"id":"1892000000975382","accountName":"Zylker","website":"https://zylker.com"}}
    ))
    .expect("contact");
    assert_eq!(contact.id.0, "1892000000042032");
    assert_eq!(contact.contact_type.as_deref(), Some("paid"));
    assert_eq!(contact.cf["cf_sf_id"], "0035g00000XyZabAAF");
    assert_eq!(
        contact.modified_time,
        Some("2024-03-06T08:00:12Z".parse().expect("time"))
    );
    assert_eq!(
        contact.account.as_ref().map(|a| a.account_name.as_deref()),
        Some(Some("Zylker"))
    );
    assert_eq!(contact.extra["isFollowing"], "true");

    let agent: Agent = serde_json::from_value(json!(
        {"id":"1892000000056007","zuid":"10687231","firstName":"Torrey","lastName":"Emard","name":"Torrey Emard",
         "emailId":"torrey@zylker.com","status":"ACTIVE",
         "roleId":"1892000000056099","role":{"id":"1892000000056099","name":"CEO"},
         "profileId":"1892000000056091","profile":{"id":"1892000000056091","name":"Administrator"},
         "rolePermissionType":"Admin","associatedDepartmentIds":["1892000000082069"]}
    ))
    .expect("agent");
    assert!(agent.is_admin());
    assert_eq!(
        agent.role.as_ref().and_then(|r| r.name.as_deref()),
        Some("CEO")
    );
    assert_eq!(agent.profile_id, Some(DeskId::from("1892000000056091")));

    let field: Field = serde_json::from_value(json!(
        {"id":"1892000000000411","apiName":"cf_sf_id","displayLabel":"SF Id","type":"Text","maxLength":100,
         "isMandatory":false,"isCustomField":true,"isEncryptedField":false,"sourceType":"USERDEFINED",
         "allowedValues":null,"defaultValue":null}
    ))
    .expect("field");
    assert_eq!(
        (field.api_name.as_str(), field.max_length),
        ("cf_sf_id", Some(100))
    );

    let ticket: Ticket = serde_json::from_value(json!(
        {"id":"1","ticketNumber":"101","subject":"Hi","status":"Open","statusType":"Open","departmentId":"2",
         "contactId":"3","accountId":null,"email":"old@zylker.com","phone":null,"assigneeId":null,
         "createdTime":"2024-03-05T10:15:30.000Z","modifiedTime":"2024-03-05T10:15:30.000Z","webUrl":"https://x","cf":{},
         "contact":{"id":"3","firstName":"Jade","lastName":"Tywin","email":"jade@zylker.com","phone":null,"mobile":null,
                    "type":"paid","account":{"id":"4","accountName":"Zylker","website":null}}}
    ))
    .expect("ticket");
    assert_eq!(
        ticket.contact.as_ref().and_then(|c| c.email.as_deref()),
        Some("jade@zylker.com")
    );

    let hook: Webhook = serde_json::from_value(json!(
        {"id":"5","name":"sf-sync","url":"https://sync.example.com/hooks/zoho","description":"contact+account sync","isEnabled":true,
         "ignoreSourceId":"6f1c2d4e-9a4b-4c1e-8d2f-0a1b2c3d4e5f","type":"CUSTOMER_WEBHOOK",
         "subscriptions":{"Contact_Add":null,"Contact_Update":{"includePrevState":true},"Contact_Delete":null,
                          "Account_Add":null,"Account_Update":{"includePrevState":true},"Account_Delete":null}}
    ))
    .expect("webhook");
    assert_eq!(hook.subscriptions, NewWebhook::sync_subscriptions());

    let events: Vec<WebhookEvent> = serde_json::from_value(json!(
        [{"eventType":"Contact_Update","orgId":"55667788","eventTime":"1709716812000",
          "payload":{"id":"1892000000042032","lastName":"Tywin","modifiedTime":"2024-03-06T08:00:12.000Z"},
          "prevState":{"phone":"91020080878"}}]
    ))
    .expect("events");
    assert_eq!(events[0].event_time.as_deref(), Some("1709716812000"));
    assert_eq!(events[0].prev_state, Some(json!({"phone":"91020080878"})));
}

#[test]
fn parses_the_doc_error_bodies() {
    let body = br#"{"errorCode":"INVALID_DATA","message":"The data does not comply to the validation restrictions defined.",
        "errors":[{"fieldName":"/email","errorType":"invalid","errorMessage":"bad"}]}"#;
    match Error::from_response(422, body, None) {
        Error::InvalidData { message, errors } => {
            assert_eq!(
                message,
                "The data does not comply to the validation restrictions defined."
            );
            assert_eq!(
                errors,
                vec![FieldError {
                    field_name: "/email".to_owned(),
                    error_type: "invalid".to_owned(),
                    error_message: "bad".to_owned(),
                }]
            );
        }
        other => panic!("{other:?}"),
    }
    let e = Error::from_response(
        401,
        br#"{"errorCode":"INVALID_OAUTH","message":"The OAuth Token you provided is invalid."}"#,
        None,
    );
    assert!(
        matches!(&e, Error::InvalidOauth { message } if message == "The OAuth Token you provided is invalid.")
    );
    assert!(!e.is_retryable());
    let e = Error::from_response(
        429,
        br#"{"errorCode":"THRESHOLD_EXCEEDED","message":"credits"}"#,
        Some(Duration::from_secs(30)),
    );
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    let e = Error::from_response(
        429,
        br#"{"errorCode":"TOO_MANY_REQUESTS","message":"busy"}"#,
        None,
    );
    assert!(matches!(
        e,
        Error::TooManyRequests {
            retry_after: None,
            ..
        }
    ));
    assert!(e.is_retryable());
    let e = Error::from_response(
        403,
        br#"{"errorCode":"LICENSE_ACCESS_LIMITED","message":"limit","maxAllowedEntity":5,"feature":"WEBHOOKS","editionType":"PROFESSIONAL","isTrial":false}"#,
        None,
    );
    match e {
        Error::LicenseLimited { limit, .. } => {
            assert_eq!(limit.max_allowed, Some(5));
            assert_eq!(limit.feature.as_deref(), Some("WEBHOOKS"));
            assert_eq!(limit.edition.as_deref(), Some("PROFESSIONAL"));
        }
        other => panic!("{other:?}"),
    }
    for (status, code) in [
        (401, "UNAUTHORIZED"),
        (401, "SCOPE_MISMATCH"),
        (401, "OAUTH_ORG_MISMATCH"),
        (403, "FORBIDDEN"),
        (404, "URL_NOT_FOUND"),
        (422, "UNPROCESSABLE_ENTITY"),
        (500, "INTERNAL_SERVER_ERROR"),
    ] {
        let body = format!(r#"{{"errorCode":"{code}","message":"m"}}"#);
        let e = Error::from_response(status, body.as_bytes(), None);
        assert_eq!(e.code(), Some(code));
        assert_eq!(e.message(), Some("m"));
        assert_eq!(e.is_retryable(), status == 500, "{code}");
    }
    let e = Error::from_response(502, b"<html>Bad Gateway</html>", None);
    assert!(matches!(e, Error::Server { status: 502, .. }) && e.is_retryable());
}

#[test]
fn parses_token_answers_including_errors_sent_with_200() {
    let grant = parse_token_answer(
        200,
        br#"{"access_token":"1000.a1","refresh_token":"1000.c3","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}"#,
    )
    .expect("grant");
    assert_eq!(grant.access_token.expose_secret(), "1000.a1");
    assert_eq!(grant.expires_in, Duration::from_secs(3600));
    assert!(!format!("{grant:?}").contains("1000."));
    let e = parse_token_answer(200, br#"{"error":"invalid_code"}"#).expect_err("error");
    assert!(matches!(&e, Error::OAuth { error, status: 200 } if error == "invalid_code"));
    let e = parse_token_answer(200, br#"{"error":"invalid_client"}"#).expect_err("error");
    assert_eq!(e.message(), Some("invalid_client"));
}

#[tokio::test]
async fn writes_are_replayed_only_when_certainly_not_processed() {
    let env = env().await;
    const CREATE: &str = "POST /api/v1/contacts";
    // A 429 is refused before any work: the create is replayed.
    env.sim.faults().fail_next(CREATE, 1, too_many_requests());
    let created = env
        .desk
        .create_contact(&Patch::new().set("lastName", "Once"))
        .await
        .expect("replayed after 429");
    assert_eq!(env.sim.counters().get(CREATE).calls, 2);
    // A 5xx may hide a processed write: the error goes back to the caller.
    env.sim.faults().fail_next(CREATE, 1, Fault::ServerError);
    let err = env
        .desk
        .create_contact(&Patch::new().set("lastName", "Twice"))
        .await
        .expect_err("not replayed");
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err:?}");
    assert!(err.is_retryable(), "the caller's job may retry it later");
    assert_eq!(env.sim.counters().get(CREATE).calls, 3);
    // PATCH is replay-safe.
    let patch_key = "PATCH /api/v1/contacts/{id}";
    env.sim.faults().fail_next(patch_key, 1, Fault::ServerError);
    env.desk
        .update_contact(&created.id, &Patch::new().set("title", "Lead"))
        .await
        .expect("patch replayed");
    assert_eq!(env.sim.counters().get(patch_key).calls, 2);
    // A failed token refresh happens before the write is sent: the write is retried, once done.
    assert!(env.sim.expire_token(&env.sim.access_token));
    env.sim
        .faults()
        .fail_next("POST /oauth/v2/token", 1, Fault::ServerError);
    let before = env.sim.state().contacts().len();
    env.desk
        .create_contact(&Patch::new().set("lastName", "AfterRefresh"))
        .await
        .expect("created after the refresh recovered");
    assert_eq!(env.sim.state().contacts().len(), before + 1);
    assert_eq!(env.tokens.refresh_count(), 1);
}

/// Current-thread runtime so Tokio's clock can be moved past the token's `expires_in`.
#[tokio::test(flavor = "current_thread")]
async fn the_access_token_is_refreshed_before_it_expires() {
    let env = env().await;
    let code = consent(&env.oauth, "ann.lee@zylker.example").await;
    let grant = env.oauth.exchange_code(&code).await.expect("exchange");
    env.tokens.save_grant(&grant).await.expect("save");
    env.desk.myinfo().await.expect("myinfo");
    assert_eq!(env.tokens.refresh_count(), 0);
    // 57 minutes later (inside the 5-minute margin), both clocks agree.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(57 * 60)).await;
    tokio::time::resume();
    env.sim.advance_clock(Duration::from_secs(57 * 60));
    env.desk.myinfo().await.expect("myinfo");
    assert_eq!(env.tokens.refresh_count(), 1, "refreshed proactively");
    assert_eq!(
        env.sim.counters().get("GET /api/v1/myinfo").calls,
        2,
        "no call was rejected and replayed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_by_modified_time_splits_ranges_past_the_search_window() {
    let env = env_with(with_contacts(5_150), Setup::default()).await;
    let now = env.sim.clock().now();
    let start = now - chrono::TimeDelta::days(30);
    let end = now + chrono::TimeDelta::minutes(1);

    // One search cannot reach them all …
    let one = env
        .desk
        .search_contacts(&SearchQuery::new().modified_between(start, end))
        .await
        .expect("search");
    assert!(!one.complete);
    assert_eq!(one.count, Some(5_150));
    assert_eq!(one.rows.len(), 5_000);

    // … split ranges do, each record once, oldest first.
    let all = env
        .desk
        .contacts_modified_between(start, end)
        .await
        .expect("split");
    assert_eq!(all.len(), 5_150);
    let unique: BTreeSet<_> = all.iter().map(|c| c.id.0.clone()).collect();
    assert_eq!(
        unique,
        env.sim
            .state()
            .contacts()
            .iter()
            .map(|r| r.id.clone())
            .collect()
    );
    assert!(
        all.windows(2)
            .all(|w| w[0].modified_time <= w[1].modified_time)
    );
}

#[test]
fn patches_hold_only_changed_keys_and_queries_follow_the_doc() {
    let before = json!({"lastName":"Tywin","phone":"1","cf":{"cf_sf_id":"a","cf_tier":"gold"}});
    let after = json!({"lastName":"Tywin","phone":"2","email":null,"cf":{"cf_sf_id":"a","cf_tier":"silver"}});
    let patch = Patch::diff(
        before.as_object().expect("object"),
        after.as_object().expect("object"),
    );
    assert_eq!(
        serde_json::to_value(&patch).expect("json"),
        json!({"phone":"2","email":null,"cf":{"cf_tier":"silver"}})
    );
    assert!(
        Patch::diff(
            before.as_object().expect("object"),
            before.as_object().expect("object")
        )
        .is_empty()
    );

    let t = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
    let query = SearchQuery::new()
        .email("jade@zylker.com")
        .modified_between(t("2024-03-05T10:15:30Z"), t("2024-03-06T08:00:12.5Z"))
        .custom_field("cf_sf_id", "${notempty}")
        .sort_by("-modifiedTime");
    let params: Vec<(&str, &str)> = query
        .params()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        vec![
            ("email", "jade@zylker.com"),
            (
                "modifiedTimeRange",
                "2024-03-05T10:15:30.000Z,2024-03-06T08:00:12.500Z"
            ),
            ("customField1", "cf_sf_id:${notempty}"),
            ("sortBy", "-modifiedTime"),
        ]
    );
}
