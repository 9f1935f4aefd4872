//! The Zoho Desk API v1 simulator.
//!
//! [`DeskSim::spawn`] serves, on one `127.0.0.1:0` listener, the API (`/api/v1/...`), the accounts
//! server (`/oauth/v2/...`) and `/.well-known/jwks.json`. The real ones are separate hosts per data
//! centre (`desk.zoho.<tld>` and `accounts.zoho.<tld>`); the handle exposes
//! [`api_url`](DeskSimHandle::api_url) and [`accounts_url`](DeskSimHandle::accounts_url) separately so
//! clients keep treating them as distinct. Behaviour follows `shared/docs/zoho-desk-api.md`; the
//! facts it marks **(unconfirmed)** are switches in [`DeskSwitches`], each default commented.
//!
//! Layout:
//! - [`model`]: records, field definitions, agents, tickets and their JSON renderings.
//! - [`state`]: the data (`Db`, behind one mutex), the shared context and [`DeskState`].
//! - `validate` / `params` / [`error`]: body validation, strict query strings, error bodies.
//! - [`oauth`]: the accounts server. [`api`]: the gate (auth, `orgId`, scopes, concurrency,
//!   credits, rate headers) and Desk's answers to the generic faults.
//! - `records` (contacts / accounts CRUD and lists), [`search`], `recycle`, `meta` (fields,
//!   agents, roles, profiles, tickets, organizations), [`webhooks`] (API + signed delivery, keys in
//!   [`jwt`]).
//! - [`seed`]: deterministic seed data ([`DeskSeed`]).
//!
//! Middleware order on every route, outermost first: call counting, then (API routes only) the
//! gate, then fault injection, then the handler — so injected latency holds a concurrency slot.

pub mod api;
pub mod error;
pub mod jwt;
mod meta;
pub mod model;
pub mod oauth;
pub(crate) mod params;
mod records;
mod recycle;
pub mod search;
pub mod seed;
pub mod state;
pub(crate) mod validate;
pub mod webhooks;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

pub use error::{DeskError, FieldError};
pub use model::{Agent, FieldDef, FieldType, Module, Record};
pub use seed::{AgentKind, DeskSeed, SeedAgent};
pub use state::{DeskState, Org};
pub use webhooks::DeliveryAttempt;

use crate::common::{
    Counters, FaultLayerState, Faults, ServedRouter, SimClock, bind_local, count_calls,
    inject_faults, lock, serve_listener,
};
use model::Module::{Accounts, Contacts};
use state::{Ctx, Db};
use webhooks::Dispatcher;

/// A Desk edition: daily credits, concurrency cap and webhook quota (doc §4, §12).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Edition {
    /// 5,000 credits, 5 concurrent calls, no webhooks.
    Free,
    /// 25,000 + 100 per agent, 10 concurrent, no webhooks.
    Express,
    /// 50,000 + 250 per agent, 10 concurrent, no webhooks.
    Standard,
    /// 75,000 + 500 per agent, 15 concurrent, 5 webhooks.
    Professional,
    /// 100,000 + 1,000 per agent, 25 concurrent, 10 webhooks (also Zoho One, CRM Plus).
    #[default]
    Enterprise,
}

impl Edition {
    /// Credits every org of the edition gets.
    pub fn base_credits(self) -> u64 {
        match self {
            Self::Free => 5_000,
            Self::Express => 25_000,
            Self::Standard => 50_000,
            Self::Professional => 75_000,
            Self::Enterprise => 100_000,
        }
    }

    /// Extra credits per paid (non-light) agent.
    pub fn credits_per_agent(self) -> u64 {
        match self {
            Self::Free => 0,
            Self::Express => 100,
            Self::Standard => 250,
            Self::Professional => 500,
            Self::Enterprise => 1_000,
        }
    }

    /// Concurrent API calls allowed.
    pub fn concurrency(self) -> usize {
        match self {
            Self::Free => 5,
            Self::Express | Self::Standard => 10,
            Self::Professional => 15,
            Self::Enterprise => 25,
        }
    }

    /// Webhooks allowed.
    pub fn webhook_quota(self) -> u32 {
        match self {
            Self::Free | Self::Express | Self::Standard => 0,
            Self::Professional => 5,
            Self::Enterprise => 10,
        }
    }

    /// The `editionType` / `edition` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Free => "FREE",
            Self::Express => "EXPRESS",
            Self::Standard => "STANDARD",
            Self::Professional => "PROFESSIONAL",
            Self::Enterprise => "ENTERPRISE",
        }
    }
}

/// Behaviours the doc marks **(unconfirmed)**, each switchable; defaults are the likeliest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskSwitches {
    /// Accept `Authorization: Bearer <t>` besides `Zoho-oauthtoken` (unconfirmed for Desk).
    /// Default `true`.
    pub accept_bearer: bool,
    /// Accept `Desk.accounts.*` scopes on account routes besides `Desk.contacts.*` (older
    /// material, unconfirmed). Default `true`.
    pub accounts_scope_alias: bool,
    /// Request header whose value is compared with a webhook's `ignoreSourceId` (name
    /// unconfirmed). Default `sourceId`.
    pub source_id_header: String,
    /// A trashed id answers 404 `URL_NOT_FOUND` on get (`false`: the record with
    /// `isTrashed:true`; unconfirmed). Default `true`.
    pub trashed_get_404: bool,
    /// Search rows include `modifiedTime` (unconfirmed). Default `true`.
    pub search_includes_modified_time: bool,
    /// The search index trails writes by this much (unconfirmed). Default zero.
    pub search_index_lag: Duration,
    /// Webhook JWT `iat` / `exp` in milliseconds instead of seconds (unconfirmed). Default `false`.
    pub jwt_times_in_millis: bool,
    /// `*_Delete` payloads carry the full record instead of only `{"id"}` (unconfirmed).
    /// Default `false` (the minimum clients must handle).
    pub delete_payload_full: bool,
    /// `prevState` is the whole old record instead of the changed keys (unconfirmed). Default
    /// `false`.
    pub prev_state_full: bool,
    /// Delays before each webhook retry; the real schedule is unconfirmed. Default 1 s, 5 s, 30 s.
    pub webhook_retry_delays: Vec<Duration>,
}

impl Default for DeskSwitches {
    fn default() -> Self {
        Self {
            accept_bearer: true,
            accounts_scope_alias: true,
            source_id_header: "sourceId".to_owned(),
            trashed_get_404: true,
            search_includes_modified_time: true,
            search_index_lag: Duration::ZERO,
            jwt_times_in_millis: false,
            delete_payload_full: false,
            prev_state_full: false,
            webhook_retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(30),
            ],
        }
    }
}

/// How to build a simulator.
#[derive(Clone, Debug)]
pub struct DeskSimOptions {
    /// Port on 127.0.0.1 to listen on; `0` (the default) picks a free one.
    pub port: u16,
    /// Seed data.
    pub seed: DeskSeed,
    /// Edition (credits, concurrency, webhook quota).
    pub edition: Edition,
    /// Overrides the edition's daily credits.
    pub daily_credits: Option<u64>,
    /// Overrides the edition's concurrency cap.
    pub max_concurrent: Option<usize>,
    /// The clock; default a running clock starting at the real current time.
    pub clock: Option<SimClock>,
    /// Numeric org id.
    pub org_id: String,
    /// Company name of the org.
    pub company_name: String,
    /// Portal name (in `webUrl`s).
    pub portal_name: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// Allowed redirect URIs; empty allows any.
    pub redirect_uris: Vec<String>,
    /// Webhook delivery and handshake timeout (doc: 5 s).
    pub webhook_timeout: Duration,
    /// How long the dispatcher gathers events into one delivery.
    pub webhook_batch_window: Duration,
    /// How long the `Timeout` fault sleeps before answering.
    pub timeout_fault_delay: Duration,
    /// Unconfirmed behaviours.
    pub switches: DeskSwitches,
}

impl Default for DeskSimOptions {
    fn default() -> Self {
        Self {
            port: 0,
            seed: DeskSeed::default(),
            edition: Edition::default(),
            daily_credits: None,
            max_concurrent: None,
            clock: None,
            org_id: "55667788".to_owned(),
            company_name: "Zylker".to_owned(),
            portal_name: "zylker".to_owned(),
            client_id: "1000.SFDESKSIMCLIENT0000000000000000".to_owned(),
            client_secret: "5f4dcc3b5aa765d61d8327deb882cf99sfdesksim".to_owned(),
            redirect_uris: Vec::new(),
            webhook_timeout: Duration::from_secs(5),
            webhook_batch_window: Duration::from_millis(50),
            timeout_fault_delay: Duration::from_secs(30),
            switches: DeskSwitches::default(),
        }
    }
}

/// The Desk simulator.
#[derive(Debug)]
pub struct DeskSim;

impl DeskSim {
    /// Seeds the data and starts serving on `127.0.0.1:<options.port>`.
    ///
    /// # Errors
    /// Binding the listener failed, or the shipped JWT key did not load.
    pub async fn spawn(options: DeskSimOptions) -> io::Result<DeskSimHandle> {
        let listener = bind_local(options.port).await?;
        let addr = listener.local_addr()?;
        let base_url = Url::parse(&format!("http://{addr}/")).map_err(io::Error::other)?;
        let signer = jwt::JwtSigner::load().map_err(io::Error::other)?;
        let clock = options.clock.clone().unwrap_or_default();
        let now = clock.now();
        let org = Org {
            id: options.org_id.clone(),
            company_name: options.company_name.clone(),
            portal_name: options.portal_name.clone(),
            edition: options.edition,
        };
        let mut db = Db::new(org, now.date_naive());
        seed::apply(&mut db, &options.seed, now);
        let admin = db.admin_id();
        let scopes: Vec<String> = oauth::ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect();
        let refresh_token = db.oauth.issue_refresh(&admin, &options.client_id, &scopes);
        let access_token = db
            .oauth
            .mint_access(&admin, &scopes, now, Some(&refresh_token));
        let web_base = format!("{base_url}support/{}/ShowHomePage.do", options.portal_name);
        let ctx = Arc::new(Ctx {
            db: std::sync::Mutex::new(db),
            clock,
            counters: Counters::new(),
            faults: Faults::new(),
            inflight: AtomicUsize::new(0),
            base_url: base_url.clone(),
            web_base,
            hooks: Dispatcher::new(signer),
            options,
        });
        Dispatcher::start(&ctx);
        let server = serve_listener(listener, router(&ctx))?;
        Ok(DeskSimHandle {
            api_url: base_url.clone(),
            accounts_url: base_url,
            org_id: ctx.options.org_id.clone(),
            client_id: ctx.options.client_id.clone(),
            client_secret: ctx.options.client_secret.clone(),
            access_token,
            refresh_token,
            admin_agent_id: admin,
            ctx,
            server: Some(server),
        })
    }
}

fn not_found() -> Response {
    DeskError::NotFound.into_response()
}

fn router(ctx: &Arc<Ctx>) -> Router {
    let faults = FaultLayerState {
        faults: ctx.faults.clone(),
        responder: Arc::new(api::DeskFaults {
            clock: ctx.clock.clone(),
        }),
        timeout_delay: ctx.options.timeout_fault_delay,
    };
    let v1 = |p: &str| format!("/api/v1{p}");
    use records::routes as r;
    let search_route = |module: Module| {
        get(
            move |axum::extract::State(ctx): axum::extract::State<Arc<Ctx>>,
                  axum::extract::RawQuery(q): axum::extract::RawQuery| {
                search::search(ctx, q, module)
            },
        )
    };
    let api = Router::new()
        .route(&v1("/organizations"), get(meta::organizations))
        .route(&v1("/contacts"), r::list(Contacts))
        .route(&v1("/contacts/search"), search_route(Contacts))
        .route(&v1("/contacts/count"), r::count(Contacts))
        .route(&v1("/contacts/contactsByIds"), r::by_ids())
        .route(&v1("/contacts/moveToTrash"), r::trash(Contacts))
        .route(&v1("/contacts/updateMany"), r::update_many(Contacts))
        .route(&v1("/contacts/{id}"), r::one(Contacts))
        .route(&v1("/contacts/{id}/accounts"), r::related(Contacts))
        .route(&v1("/accounts"), r::list(Accounts))
        .route(&v1("/accounts/search"), search_route(Accounts))
        .route(&v1("/accounts/count"), r::count(Accounts))
        .route(&v1("/accounts/moveToTrash"), r::trash(Accounts))
        .route(&v1("/accounts/updateMany"), r::update_many(Accounts))
        .route(&v1("/accounts/{id}"), r::one(Accounts))
        .route(&v1("/accounts/{id}/contacts"), r::related(Accounts))
        .route(&v1("/recycleBin"), get(recycle::list))
        .route(&v1("/recycleBin/restore"), post(recycle::restore))
        .route(&v1("/recycleBin/delete"), post(recycle::purge))
        .route(&v1("/fields"), get(meta::fields))
        .route(&v1("/organizationFields"), get(meta::fields))
        .route(&v1("/layouts"), get(meta::layouts))
        .route(&v1("/myinfo"), get(meta::myinfo))
        .route(&v1("/agents"), get(meta::agents))
        .route(&v1("/agents/{id}"), get(meta::agent))
        .route(&v1("/agentsByIds"), get(meta::agents_by_ids))
        .route(&v1("/roles"), get(meta::roles))
        .route(&v1("/roles/{id}"), get(meta::role))
        .route(&v1("/profiles"), get(meta::profiles))
        .route(&v1("/profiles/{id}"), get(meta::profile))
        .route(&v1("/profiles/{id}/agents"), get(meta::profile_agents))
        .route(&v1("/tickets"), get(meta::tickets))
        .route(&v1("/tickets/{id}"), get(meta::ticket))
        .route(&v1("/webhooks"), get(webhooks::list).post(webhooks::create))
        .route(
            &v1("/webhooks/{id}"),
            get(webhooks::get_one)
                .patch(webhooks::patch)
                .delete(webhooks::delete),
        )
        .route_layer(from_fn_with_state(faults.clone(), inject_faults))
        .route_layer(from_fn_with_state(ctx.clone(), api::gate));
    let accounts = Router::new()
        .route("/oauth/v2/auth", get(oauth::authorize))
        .route("/oauth/v2/token", post(oauth::token))
        .route("/oauth/v2/token/revoke", post(oauth::revoke))
        .route("/.well-known/jwks.json", get(webhooks::jwks))
        .route_layer(from_fn_with_state(faults, inject_faults));
    api.merge(accounts)
        .route_layer(from_fn_with_state(ctx.counters.clone(), count_calls))
        .fallback(|| async { not_found() })
        .method_not_allowed_fallback(|| async { DeskError::MethodNotAllowed.into_response() })
        .with_state(ctx.clone())
}

/// A running Desk simulator. Dropping it stops the server and the webhook deliveries.
pub struct DeskSimHandle {
    /// Base of the API host (`http://127.0.0.1:<port>/`); API paths are `/api/v1/...` under it.
    pub api_url: Url,
    /// Base of the accounts (OAuth) host. Same listener, kept distinct on purpose.
    pub accounts_url: Url,
    /// The org id (`orgId` header).
    pub org_id: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// A ready access token of the administrator (all scopes, 1 h of simulated time).
    pub access_token: String,
    /// The refresh token behind [`access_token`](Self::access_token).
    pub refresh_token: String,
    /// The administrator agent's id.
    pub admin_agent_id: String,
    ctx: Arc<Ctx>,
    server: Option<ServedRouter>,
}

impl std::fmt::Debug for DeskSimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and the client secret stay out of logs.
        f.debug_struct("DeskSimHandle")
            .field("api_url", &self.api_url.as_str())
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

impl DeskSimHandle {
    /// `<api_url>api/v1/`, the base every API path is relative to.
    pub fn api_base(&self) -> Url {
        self.api_url
            .join("api/v1/")
            .unwrap_or_else(|_| self.api_url.clone())
    }

    /// Direct access to the data.
    pub fn state(&self) -> DeskState {
        DeskState {
            ctx: self.ctx.clone(),
        }
    }

    /// The simulated clock.
    pub fn clock(&self) -> &SimClock {
        &self.ctx.clock
    }

    /// Moves the simulated clock forward (token expiry, credit day reset, timestamps).
    pub fn advance_clock(&self, by: Duration) {
        self.ctx.clock.advance(by);
    }

    /// Sets the simulated clock.
    pub fn set_clock(&self, to: DateTime<Utc>) {
        self.ctx.clock.set(to);
    }

    /// Calls and credits per endpoint (`"GET /api/v1/contacts"`).
    pub fn counters(&self) -> &Counters {
        &self.ctx.counters
    }

    /// The fault plan (keys as in [`counters`](Self::counters), or `"*"`).
    pub fn faults(&self) -> &Faults {
        &self.ctx.faults
    }

    /// Mints an access token (all scopes) for the agent with this email or id.
    pub fn token_for(&self, agent: &str) -> Option<String> {
        self.token_with_scopes(agent, oauth::ALL_SCOPES)
    }

    /// Mints an access token with exactly `scopes` for the agent with this email or id.
    pub fn token_with_scopes(&self, agent: &str, scopes: &[&str]) -> Option<String> {
        let now = self.ctx.clock.now();
        let mut db = self.ctx.db();
        let id = db
            .agents
            .iter()
            .find(|a| a.id == agent || a.email.eq_ignore_ascii_case(agent))?
            .id
            .clone();
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        Some(db.oauth.mint_access(&id, &scopes, now, None))
    }

    /// Changes the agent with this email or id in place, as an administrator would in Desk
    /// (role, profile, `rolePermissionType`, status `DISABLED`); tokens already issued stay
    /// valid, and `/myinfo` and `/agents` report the change at once. `false` if there is no
    /// such agent.
    pub fn update_agent(&self, agent: &str, change: impl FnOnce(&mut Agent)) -> bool {
        let mut db = self.ctx.db();
        let found = db
            .agents
            .iter_mut()
            .find(|a| a.id == agent || a.email.eq_ignore_ascii_case(agent));
        match found {
            Some(found) => {
                change(found);
                true
            }
            None => false,
        }
    }

    /// Expires one access token now (the next call with it answers 401 `INVALID_OAUTH`).
    pub fn expire_token(&self, token: &str) -> bool {
        let now = self.ctx.clock.now();
        self.ctx.db().oauth.expire(token, now)
    }

    /// Every webhook delivery attempt so far, in order.
    pub fn webhook_attempts(&self) -> Vec<DeliveryAttempt> {
        lock(&self.ctx.hooks.attempts).clone()
    }

    /// The JWKS served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        self.ctx.hooks.signer_jwks()
    }

    /// API calls currently in flight.
    pub fn in_flight(&self) -> usize {
        self.ctx.inflight.load(Ordering::SeqCst)
    }

    /// Stops serving and waits for in-flight calls.
    pub async fn shutdown(mut self) {
        self.ctx.hooks.stop();
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Drop for DeskSimHandle {
    fn drop(&mut self) {
        self.ctx.hooks.stop();
    }
}
