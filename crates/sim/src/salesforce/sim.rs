//! [`SalesforceSim`]: the Salesforce simulator's assembly, options and handle.
//!
//! One `127.0.0.1:0` listener serves the REST API (`/services/data/...`), the OAuth endpoints
//! (`/services/oauth2/...`: the simulator is its own My Domain host) and the identity URL
//! (`/id/00D.../005...`) and, for browsers, Lightning record pages
//! (`/lightning/r/{Object}/{Id}/view`). [`SalesforceSimOptions::my_domain`] `false` makes the OAuth endpoints
//! behave like the generic `login.salesforce.com` host (no client credentials).
//!
//! Behaviours the API notes do not pin down are switches in [`SalesforceSwitches`], each default
//! commented.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};
use url::Url;

use super::errors::{ErrorItem, Reply};
use super::oauth::{self, Session};
use super::records::{self, Caller};
use super::rest::{self, Cursor};
use super::schema::{FieldSchema, FieldType, standard_objects};
use super::seed::{self, SalesforceSeed};
use super::soql::{self, Dataset, QueryOptions};
use super::store::Store;
use super::{ids, lightning, soap};
use crate::common::{Counters, Fault, Faults, ServedRouter, SimClock, bind_local, serve_listener};

/// Behaviours the API notes leave open; defaults are the likeliest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesforceSwitches {
    /// Calls refused with `REQUEST_LIMIT_EXCEEDED` still count towards the daily usage
    /// (unconfirmed). Default `false`.
    pub count_refused_calls: bool,
    /// Sessions time out after inactivity (each call extends them) rather than a fixed time after
    /// issue. Salesforce documents an inactivity timeout; default `false` (fixed), the stricter
    /// case for clients.
    pub sliding_sessions: bool,
    /// Create results inside composite responses carry `"warnings": []` (some versions do).
    /// Default `false`.
    pub composite_create_warnings: bool,
    /// A JSON body with a non-JSON `Content-Type` answers 415. Default `true`.
    pub enforce_json_content_type: bool,
    /// `getUpdated`'s `latestDateCovered` is the last whole minute before `end` (the documented
    /// example); `false` makes it `end` truncated to the minute. Default `true`.
    pub latest_covered_minute_before_end: bool,
    /// Body of the 410 answered for retired versions (unconfirmed): error code used.
    pub gone_error_code: String,
}

impl Default for SalesforceSwitches {
    fn default() -> Self {
        Self {
            count_refused_calls: false,
            sliding_sessions: false,
            composite_create_warnings: false,
            enforce_json_content_type: true,
            latest_covered_minute_before_end: true,
            gone_error_code: "API_VERSION_RETIRED".to_owned(),
        }
    }
}

/// How to build a simulator.
#[derive(Clone, Debug)]
pub struct SalesforceSimOptions {
    /// Port on 127.0.0.1 to listen on; `0` (the default) picks a free one.
    pub port: u16,
    /// Seed data.
    pub seed: SalesforceSeed,
    /// The clock; default a running clock starting at the real current time.
    pub clock: Option<SimClock>,
    /// API version served as current (`66.0`).
    pub api_version: String,
    /// External Client App consumer key.
    pub client_id: String,
    /// External Client App consumer secret.
    pub client_secret: String,
    /// Allowed redirect URIs; empty allows any.
    pub redirect_uris: Vec<String>,
    /// `true`: the host is a My Domain host (client credentials allowed); `false`: it behaves as
    /// `login.salesforce.com`.
    pub my_domain: bool,
    /// Refresh token rotation: each refresh returns a new refresh token and kills the old one.
    pub refresh_token_rotation: bool,
    /// Session timeout of access tokens (sim clock). Default 2 h.
    pub session_timeout: Duration,
    /// Daily API requests (rolling 24 h). Default 15,000 (Developer Edition).
    pub daily_api_requests: u64,
    /// A request running this long counts as long-running. Real: 20 s.
    pub long_request_threshold: Duration,
    /// Long-running requests allowed at once (25 production, 5 Developer Edition).
    pub max_long_requests: usize,
    /// The duplicate rule on Contact email (blocks with `DUPLICATES_DETECTED`).
    pub duplicate_rule: bool,
    /// How long [`Fault::Timeout`] sleeps before answering.
    pub timeout_fault_delay: Duration,
    /// Query locators live this long (real: 2 days).
    pub cursor_lifetime: Duration,
    /// At most this many query locators are kept (oldest dropped first).
    pub max_cursors: usize,
    /// Open behaviours.
    pub switches: SalesforceSwitches,
}

impl Default for SalesforceSimOptions {
    fn default() -> Self {
        Self {
            port: 0,
            seed: SalesforceSeed::default(),
            clock: None,
            api_version: "66.0".to_owned(),
            client_id: "3MVG9SFDESKSIMxCONSUMERxKEYx0000000000000000000000000000000000000000000"
                .to_owned(),
            client_secret: "SFDESKSIM0CONSUMER0SECRET0000000000000000000000000000000000000000"
                .to_owned(),
            redirect_uris: Vec::new(),
            my_domain: true,
            refresh_token_rotation: false,
            session_timeout: Duration::from_secs(2 * 3600),
            daily_api_requests: 15_000,
            long_request_threshold: Duration::from_secs(20),
            max_long_requests: 5,
            duplicate_rule: false,
            timeout_fault_delay: Duration::from_secs(30),
            cursor_lifetime: Duration::from_secs(2 * 24 * 3600),
            max_cursors: 256,
            switches: SalesforceSwitches::default(),
        }
    }
}

/// An authorization code waiting for its token exchange.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) scope: String,
    pub(crate) user_id: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// A live refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) scope: String,
}

/// The mutable state of the org, behind one mutex.
#[derive(Debug)]
pub(crate) struct Db {
    pub(crate) store: Store,
    /// Next id sequence number.
    pub(crate) seq: u64,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) refresh: HashMap<String, RefreshGrant>,
    pub(crate) codes: HashMap<String, CodeGrant>,
    pub(crate) cursors: HashMap<String, Cursor>,
    pub(crate) cursor_order: VecDeque<String>,
    /// Times of metered calls in the rolling 24 h window.
    pub(crate) usage: VecDeque<DateTime<Utc>>,
    /// Bulk API 2.0 jobs.
    pub(crate) jobs: super::bulk::Jobs,
}

impl Db {
    /// A fresh id for `object`'s key prefix.
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        ids::generate(prefix, self.seq).unwrap_or_default()
    }

    /// Drops usage older than 24 h and returns the calls in the window.
    pub(crate) fn usage_now(&mut self, now: DateTime<Utc>) -> u64 {
        let horizon = now - TimeDelta::hours(24);
        while self.usage.front().is_some_and(|t| *t <= horizon) {
            self.usage.pop_front();
        }
        self.usage.len() as u64
    }
}

/// Shared context of every handler.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) db: Mutex<Db>,
    pub(crate) clock: SimClock,
    pub(crate) counters: Counters,
    /// Objects read by executed SOQL queries, keyed by object name.
    pub(crate) object_reads: Counters,
    pub(crate) faults: Faults,
    pub(crate) options: SalesforceSimOptions,
    /// `http://127.0.0.1:<port>` without a trailing slash.
    pub(crate) instance: String,
    pub(crate) org_id: String,
    pub(crate) integration_user: String,
    pub(crate) ui_user: String,
    /// Start instants of in-flight API calls, by call number.
    pub(crate) inflight: Mutex<HashMap<u64, Instant>>,
    pub(crate) call_seq: std::sync::atomic::AtomicU64,
}

impl Ctx {
    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn inflight(&self) -> MutexGuard<'_, HashMap<u64, Instant>> {
        self.inflight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one read per object `soql` reads ([`soql::objects_read`]); called
    /// once per executed query (REST query/queryAll, composite subrequests, Bulk 2.0 jobs).
    pub(crate) fn count_soql(&self, dataset: &dyn Dataset, soql: &str) {
        if let Ok(query) = soql::parse(soql) {
            for object in soql::objects_read(dataset, &query) {
                self.object_reads.record_call(&object);
            }
        }
    }

    /// The identity URL of `user`.
    pub(crate) fn identity_url(&self, user: &str) -> String {
        format!("{}/id/{}/{user}", self.instance, self.org_id)
    }
}

/// The schemas of the simulated org: the standard objects plus its custom fields
/// (`Contact.Desk_Id__c` and `Account.Desk_Id__c`, external-id text; `Account.Subscription_Type__c`,
/// restricted picklist).
#[must_use]
pub fn org_schemas() -> Vec<super::schema::ObjectSchema> {
    standard_objects()
        .into_iter()
        .map(|mut object| {
            match object.name.as_str() {
                "Contact" => object
                    .fields
                    .push(FieldSchema::new("Desk_Id__c", FieldType::String)),
                "Account" => {
                    object
                        .fields
                        .push(FieldSchema::new("Desk_Id__c", FieldType::String));
                    object.fields.push(FieldSchema::new(
                        "Subscription_Type__c",
                        FieldType::Picklist,
                    ));
                }
                _ => {}
            }
            object
        })
        .collect()
}

/// The Salesforce simulator.
#[derive(Debug)]
pub struct SalesforceSim;

impl SalesforceSim {
    /// Seeds the org and starts serving on `127.0.0.1:<options.port>`.
    ///
    /// # Errors
    /// Binding the listener failed.
    pub async fn spawn(options: SalesforceSimOptions) -> io::Result<SalesforceSimHandle> {
        let listener = bind_local(options.port).await?;
        let addr = listener.local_addr()?;
        let instance = format!("http://{addr}");
        let clock = options.clock.clone().unwrap_or_default();
        let now = clock.now();
        let mut db = Db {
            store: Store::new(org_schemas()),
            seq: 0,
            sessions: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            cursors: HashMap::new(),
            cursor_order: VecDeque::new(),
            usage: VecDeque::new(),
            jobs: HashMap::new(),
        };
        let org_id = ids::generate("00D", 1).unwrap_or_default();
        let seeded = seed::apply(&mut db, &options.seed, now);
        let ctx = Arc::new(Ctx {
            db: Mutex::new(db),
            clock,
            counters: Counters::new(),
            object_reads: Counters::new(),
            faults: Faults::new(),
            options,
            instance: instance.clone(),
            org_id: org_id.clone(),
            integration_user: seeded.integration_user.clone(),
            ui_user: seeded.ui_user.clone(),
            inflight: Mutex::new(HashMap::new()),
            call_seq: std::sync::atomic::AtomicU64::new(0),
        });
        let (access_token, refresh_token) = {
            let mut db = ctx.db();
            let refresh =
                oauth::issue_refresh(&ctx, &mut db, &seeded.integration_user, "api refresh_token");
            let access =
                oauth::issue_access(&ctx, &mut db, &seeded.integration_user, Some(&refresh));
            (access, refresh)
        };
        let server = serve_listener(listener, router(&ctx))?;
        let instance_url = Url::parse(&format!("{instance}/")).map_err(io::Error::other)?;
        Ok(SalesforceSimHandle {
            login_url: instance_url.clone(),
            instance_url,
            client_id: ctx.options.client_id.clone(),
            client_secret: ctx.options.client_secret.clone(),
            access_token,
            refresh_token,
            api_version: ctx.options.api_version.clone(),
            org_id,
            user_id: seeded.integration_user,
            ui_user_id: seeded.ui_user,
            ctx,
            server: Some(server),
        })
    }
}

fn router(ctx: &Arc<Ctx>) -> Router {
    Router::new()
        .route("/services/data", get(rest::versions))
        .route("/services/data/", get(rest::versions))
        .route("/services/data/{*rest}", any(rest::entry))
        .route(
            "/services/oauth2/authorize",
            get(oauth::authorize).post(oauth::authorize),
        )
        .route("/services/oauth2/token", post(oauth::token))
        .route("/services/oauth2/revoke", any(oauth::revoke))
        .route("/services/oauth2/userinfo", get(oauth::userinfo))
        .route("/id/{org}/{user}", get(oauth::identity))
        .route("/services/Soap/u/{version}", post(soap::soap))
        .route(
            "/lightning/r/{object}/{id}/view",
            get(lightning::record_page),
        )
        .fallback(|| async { not_found() })
        .with_state(ctx.clone())
}

fn not_found() -> Response {
    Reply::not_found().into_response()
}

/// A running Salesforce simulator. Dropping it stops the server.
pub struct SalesforceSimHandle {
    /// The instance (API) host, `http://127.0.0.1:<port>/`.
    pub instance_url: Url,
    /// The OAuth host: the same listener (a My Domain host serves OAuth itself).
    pub login_url: Url,
    /// Consumer key.
    pub client_id: String,
    /// Consumer secret.
    pub client_secret: String,
    /// A ready access token of the integration user.
    pub access_token: String,
    /// The refresh token behind [`access_token`](Self::access_token).
    pub refresh_token: String,
    /// Current API version (`66.0`).
    pub api_version: String,
    /// The org id (`00D…`, 18 characters).
    pub org_id: String,
    /// The integration user's id (`005…`): `LastModifiedById` of API writes with the token.
    pub user_id: String,
    /// A second user, the one "editing in the Salesforce UI" ([`Self::ui_update`]).
    pub ui_user_id: String,
    ctx: Arc<Ctx>,
    server: Option<ServedRouter>,
}

impl std::fmt::Debug for SalesforceSimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and the client secret stay out of logs.
        f.debug_struct("SalesforceSimHandle")
            .field("instance_url", &self.instance_url.as_str())
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

/// A fault answering `status` with the one-item error body `[{message, errorCode}]`.
fn error_fault(status: StatusCode, code: &'static str, message: &'static str) -> Fault {
    Fault::custom(move || Reply::error(status, code, message).into_response())
}

/// A fault answering 400 `UNABLE_TO_LOCK_ROW`, for [`Faults::fail_next`].
#[must_use]
pub fn lock_row_fault() -> Fault {
    error_fault(
        StatusCode::BAD_REQUEST,
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record or 1 records: 003000000000001AAA",
    )
}

/// A fault answering 400 `QUERY_TIMEOUT`.
#[must_use]
pub fn query_timeout_fault() -> Fault {
    error_fault(
        StatusCode::BAD_REQUEST,
        "QUERY_TIMEOUT",
        "Your query request was running for too long.",
    )
}

/// A fault answering 500 `UNKNOWN_EXCEPTION`.
#[must_use]
pub fn internal_error_fault() -> Fault {
    error_fault(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
    )
}

impl SalesforceSimHandle {
    /// `<instance_url>services/data/v<api_version>/`, the base of every REST path.
    pub fn api_base(&self) -> Url {
        self.instance_url
            .join(&format!("services/data/v{}/", self.api_version))
            .unwrap_or_else(|_| self.instance_url.clone())
    }

    /// The Lightning record page of `object` `id`: `<instance_url>lightning/r/{object}/{id}/view`
    /// (what a "View in Salesforce" link opens; served without a session).
    pub fn lightning_url(&self, object: &str, id: &str) -> Url {
        self.instance_url
            .join(&format!("lightning/r/{object}/{id}/view"))
            .unwrap_or_else(|_| self.instance_url.clone())
    }

    /// The simulated clock.
    pub fn clock(&self) -> &SimClock {
        &self.ctx.clock
    }

    /// Moves the simulated clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.ctx.clock.advance(by);
    }

    /// HTTP calls per endpoint, keyed `"<METHOD> <template>"` with the template relative to
    /// `/services/data/vNN.0` (`"GET /query"`, `"PATCH /sobjects/{sobject}/{id}"`), and
    /// `"POST /services/oauth2/token"` style keys for OAuth.
    pub fn counters(&self) -> &Counters {
        &self.ctx.counters
    }

    /// Reads per Salesforce object, keyed by object name (`"Opportunity"`): each executed SOQL
    /// query (REST `query`/`queryAll`, every composite subrequest query, each Bulk 2.0 query job)
    /// counts one read for every object it reads — the `FROM` object, each child subquery's
    /// object and each semi-join's object ([`soql::objects_read`]). Further pages of a query and
    /// [`query`](Self::query) on this handle count nothing. Tests use it to prove a section was
    /// never fetched.
    pub fn object_reads(&self) -> &Counters {
        &self.ctx.object_reads
    }

    /// The fault plan; keys as in [`counters`](Self::counters), a bare template (`"/query"`) or
    /// `"*"`. See also [`lock_row_fault`], [`query_timeout_fault`].
    pub fn faults(&self) -> &Faults {
        &self.ctx.faults
    }

    /// Metered calls in the rolling 24 h window and the daily maximum.
    pub fn api_usage(&self) -> (u64, u64) {
        let now = self.ctx.clock.now();
        (
            self.ctx.db().usage_now(now),
            self.ctx.options.daily_api_requests,
        )
    }

    /// Pretends `used` metered calls happened just now (replacing the window).
    pub fn set_api_usage(&self, used: u64) {
        let now = self.ctx.clock.now();
        let mut db = self.ctx.db();
        db.usage.clear();
        db.usage.extend(std::iter::repeat_n(now, used as usize));
    }

    /// API calls currently in flight.
    pub fn in_flight(&self) -> usize {
        self.ctx.inflight().len()
    }

    /// A new access token for `user_id` (no refresh token).
    pub fn mint_token(&self, user_id: &str) -> String {
        let mut db = self.ctx.db();
        oauth::issue_access(&self.ctx, &mut db, user_id, None)
    }

    /// Ends the session of `token` now: the next call with it answers 401 `INVALID_SESSION_ID`.
    pub fn expire_token(&self, token: &str) -> bool {
        self.ctx.db().sessions.remove(token).is_some()
    }

    /// Ends every session (refresh tokens stay valid).
    pub fn expire_all_tokens(&self) {
        self.ctx.db().sessions.clear();
    }

    /// Forgets every query locator (the next `nextRecordsUrl` answers `INVALID_QUERY_LOCATOR`).
    pub fn drop_query_locators(&self) {
        let mut db = self.ctx.db();
        db.cursors.clear();
        db.cursor_order.clear();
    }

    /// The record `id` of `object`, as stored (deleted ones included).
    pub fn get(&self, object: &str, id: &str) -> Option<Value> {
        let db = self.ctx.db();
        let name = db.store.canonical(object)?.to_owned();
        db.store.record(&name, id).map(Value::Object)
    }

    /// Number of rows of `object` (deleted ones included).
    pub fn count(&self, object: &str) -> usize {
        let db = self.ctx.db();
        db.store
            .canonical(object)
            .map_or(0, |name| db.store.len(name))
    }

    /// Creates a record as the integration user would through the API (validated, system
    /// fields maintained).
    ///
    /// # Errors
    /// The validation errors the API would answer.
    pub fn create(&self, object: &str, fields: Value) -> Result<String, Vec<ErrorItem>> {
        self.write_as(&self.ctx.integration_user, |ctx, db, caller| {
            records::create(ctx, db, caller, object, &as_map(fields))
        })
    }

    /// Creates a Lightning note (what Salesforce stores for a `ContentNote`): a
    /// `ContentDocument` with `FileType` `SNOTE` and `FileExtension` `snote`, titled `title`,
    /// owned by the integration user, linked to `linked_entity_id` (a contact, account,
    /// opportunity or user) by a `ContentDocumentLink` (`ShareType` `V`, `Visibility`
    /// `AllUsers`). Returns the `ContentDocument` id.
    ///
    /// # Errors
    /// The validation errors the API would answer (a blank title, an unknown linked record).
    pub fn create_lightning_note(
        &self,
        linked_entity_id: &str,
        title: &str,
    ) -> Result<String, Vec<ErrorItem>> {
        self.write_as(&self.ctx.integration_user, |ctx, db, caller| {
            if title.trim().is_empty() {
                return Err(vec![ErrorItem::new(
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [Title]",
                )]);
            }
            let began = db.store.begin();
            let created = lightning_note(ctx, db, caller, linked_entity_id, title);
            if began {
                if created.is_ok() {
                    db.store.commit();
                } else {
                    db.store.rollback();
                }
            }
            created
        })
    }

    /// Simulates a user editing the record in the Salesforce UI: validated like the API, but
    /// `LastModifiedById` becomes [`ui_user_id`](Self::ui_user_id).
    ///
    /// # Errors
    /// The validation errors the API would answer.
    pub fn ui_update(&self, object: &str, id: &str, fields: Value) -> Result<(), Vec<ErrorItem>> {
        self.write_as(&self.ctx.ui_user, |ctx, db, caller| {
            records::update(ctx, db, caller, object, id, &as_map(fields))
                .map_err(records::DmlError::into_items)
        })
    }

    /// Simulates a user deleting the record in the UI.
    ///
    /// # Errors
    /// As the API's delete.
    pub fn ui_delete(&self, object: &str, id: &str) -> Result<(), Vec<ErrorItem>> {
        self.write_as(&self.ctx.ui_user, |ctx, db, caller| {
            records::delete(ctx, db, caller, Some(object), id)
                .map_err(records::DmlError::into_items)
        })
    }

    /// Simulates automation touching the record: only `SystemModstamp` moves.
    pub fn touch(&self, object: &str, id: &str) -> bool {
        let now = records::audit_now(&self.ctx);
        let mut db = self.ctx.db();
        let Some(name) = db.store.canonical(object).map(str::to_owned) else {
            return false;
        };
        let Some(mut record) = db.store.record(&name, id) else {
            return false;
        };
        record.insert("SystemModstamp".to_owned(), Value::String(now));
        db.store.put(&name, record);
        true
    }

    /// Stores `record` as given (no validation, no system fields), replacing the row with its
    /// `Id`; a record without `Id` gets a new one. Returns the id.
    pub fn put_raw(&self, object: &str, record: Value) -> Option<String> {
        let mut db = self.ctx.db();
        let name = db.store.canonical(object)?.to_owned();
        let prefix = db.store.schema(&name)?.key_prefix.clone()?;
        let mut map = as_map(record);
        let id = match map.get("Id").and_then(Value::as_str) {
            Some(id) => ids::to_18(id)?,
            None => db.next_id(&prefix),
        };
        map.insert("Id".to_owned(), Value::String(id.clone()));
        db.store.put(&name, map);
        Some(id)
    }

    /// Runs `soql` (a `query`, or `queryAll` with `all`) against the data, unpaged.
    ///
    /// # Errors
    /// The SOQL error the API would answer.
    pub fn query(&self, soql: &str, all: bool) -> Result<Value, soql::SoqlError> {
        let options = QueryOptions::new(self.ctx.clock.now())
            .query_all(all)
            .api_version(&self.api_version);
        let db = self.ctx.db();
        soql::execute(&db.store, soql, &options).map(soql::QueryResult::into_json)
    }

    fn write_as<T>(
        &self,
        user: &str,
        f: impl FnOnce(&Ctx, &mut Db, &Caller) -> Result<T, Vec<ErrorItem>>,
    ) -> Result<T, Vec<ErrorItem>> {
        let caller = Caller {
            user_id: user.to_owned(),
            allow_duplicates: false,
        };
        let mut db = self.ctx.db();
        f(&self.ctx, &mut db, &caller)
    }

    /// Stops serving and waits for in-flight calls.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The writes of [`SalesforceSimHandle::create_lightning_note`], all or none by the caller's
/// journal.
fn lightning_note(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    linked_entity_id: &str,
    title: &str,
) -> Result<String, Vec<ErrorItem>> {
    let document = records::create(
        ctx,
        db,
        caller,
        "ContentDocument",
        &as_map(serde_json::json!({"Title": title})),
    )?;
    // FileType and FileExtension are read-only through the API: Salesforce sets them when the
    // note is saved.
    if let Some(mut record) = db.store.record("ContentDocument", &document) {
        record.insert("FileType".to_owned(), Value::from("SNOTE"));
        record.insert("FileExtension".to_owned(), Value::from("snote"));
        db.store.put("ContentDocument", record);
    }
    let link = serde_json::json!({
        "ContentDocumentId": document,
        "LinkedEntityId": linked_entity_id,
        "ShareType": "V",
        "Visibility": "AllUsers",
    });
    records::create(ctx, db, caller, "ContentDocumentLink", &as_map(link))?;
    Ok(document)
}
