//! The [`DeskApi`] trait, what the sync engine and the backend call, and [`HttpDesk`], its
//! implementation over HTTP.
//!
//! Every call of [`HttpDesk`]:
//! 1. waits in the installation's [`ApiBudget`] for `cost` units (1 for a single record, 3 for a
//!    list or search page) and holds that permit while it runs: over budget, it waits, it is
//!    never sent;
//! 2. sends `Authorization: Zoho-oauthtoken …` and `orgId`, plus our source id on writes (header
//!    name configurable, default `sourceId`: the one webhooks compare with `ignoreSourceId`);
//! 3. feeds `X-Rate-Limit-Remaining-v3` of the answer to the budget;
//! 4. on 401 `INVALID_OAUTH` asks the [`TokenSource`] for a fresh token (single flight) and
//!    replays once;
//! 5. is retried by the [`RetryPolicy`] while the error is transient (429s, 5xx, timeouts, broken
//!    connections), honouring `Retry-After` — writes other than `PATCH` only when the service
//!    certainly did not process them (see `may_retry`).
//!
//! Lists page to the end ([`paging`](super::paging)); 204 is an empty page.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::stream::BoxStream;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use super::auth::TokenSource;
use super::error::{Error, parse_retry_after};
use super::paging::{
    MAX_LIMIT, SearchPage, SearchResult, collect_list, collect_modified_between, collect_search,
    collect_zero_based, list_stream,
};
use super::wire::{
    Account, AccountRow, Agent, BulkResult, Contact, ContactRow, CountAnswer, DataPage, DeskId,
    Field, FieldModule, NewWebhook, Organization, Patch, Profile, RecordModule, RecycleBinItem,
    Results, Role, Ticket, Webhook, count_value,
};
use crate::remote::attempt::{self, Attempt};
use crate::remote::budget::ApiBudget;
use crate::remote::retry::{RetryPolicy, Retryable};

/// A response body.
type Bytes = Vec<u8>;

/// Header with the credits left for the org today.
pub const REMAINING_HEADER: &str = "X-Rate-Limit-Remaining-v3";
/// Default name of the header carrying our source id (unconfirmed, doc §12).
pub const DEFAULT_SOURCE_ID_HEADER: &str = "sourceId";
/// Credits of a single-record call.
pub const COST_ONE: u64 = 1;
/// Credits of a list or search page.
pub const COST_PAGE: u64 = 3;
/// Ids per `contactsByIds` call.
pub const CONTACTS_BY_IDS_MAX: usize = 20;

/// A contact / account search: field filters, time ranges, custom fields, free text, order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    params: Vec<(String, String)>,
    custom: usize,
}

/// Desk's time format: ISO-8601 UTC with milliseconds.
pub fn desk_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl SearchQuery {
    /// Matches everything (narrow it with the builders).
    pub fn new() -> Self {
        Self::default()
    }

    /// A field filter (`email`, `accountName`, `lastName`, `phone`, …); `*` is a wildcard.
    pub fn field(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `email=…`.
    pub fn email(self, email: &str) -> Self {
        self.field("email", email)
    }

    /// `accountName=…`.
    pub fn account_name(self, name: &str) -> Self {
        self.field("accountName", name)
    }

    /// `modifiedTimeRange=<start>,<end>` (both inclusive).
    pub fn modified_between(self, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let range = format!("{},{}", desk_time(start), desk_time(end));
        self.field("modifiedTimeRange", &range)
    }

    /// Records modified in `[start, end]`, oldest first: the polling search of
    /// [`DeskApi::contacts_modified_between`] and [`DeskApi::accounts_modified_between`].
    fn modified_window(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self::new()
            .modified_between(start, end)
            .sort_by("modifiedTime")
    }

    /// `createdTimeRange=<start>,<end>`.
    pub fn created_between(self, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let range = format!("{},{}", desk_time(start), desk_time(end));
        self.field("createdTimeRange", &range)
    }

    /// `customFieldN=<api name>:<value>` (`${empty}` / `${notempty}` allowed).
    pub fn custom_field(mut self, api_name: &str, value: &str) -> Self {
        self.custom += 1;
        let name = format!("customField{}", self.custom);
        self.field(&name, &format!("{api_name}:{value}"))
    }

    /// `_all=…`: free text.
    pub fn text(self, text: &str) -> Self {
        self.field("_all", text)
    }

    /// `sortBy=…` (`modifiedTime`, `-modifiedTime`, `createdTime`, `relevance`).
    pub fn sort_by(self, field: &str) -> Self {
        self.field("sortBy", field)
    }

    /// The query parameters.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

/// The Zoho Desk API as the rest of sfdesk sees it. Held as `Arc<dyn DeskApi>`.
#[async_trait]
pub trait DeskApi: Send + Sync {
    /// `GET /organizations`: the orgs the token reaches (no `orgId` needed).
    async fn organizations(&self) -> Result<Vec<Organization>, Error>;

    /// `GET /myinfo?include=role,profile`: the token's agent with role and profile.
    async fn myinfo(&self) -> Result<Agent, Error>;

    /// `GET /agents/{id}?include=role,profile`.
    async fn agent(&self, id: &DeskId) -> Result<Agent, Error>;

    /// One 1-based page of `GET /agents?include=role,profile` (`limit` ≤ 200).
    async fn agents_page(&self, from: u32, limit: u32) -> Result<Vec<Agent>, Error>;

    /// Every agent.
    async fn agents(&self) -> Result<Vec<Agent>, Error> {
        collect_list(200, |from, limit| self.agents_page(from, limit)).await
    }

    /// Every role (`GET /roles`, 0-based).
    async fn roles(&self) -> Result<Vec<Role>, Error>;

    /// Every profile (`GET /profiles`, 0-based).
    async fn profiles(&self) -> Result<Vec<Profile>, Error>;

    /// One 1-based page of slim contact rows (`limit` ≤ 100).
    async fn contacts_page(&self, from: u32, limit: u32) -> Result<Vec<ContactRow>, Error>;

    /// Every contact row, all pages.
    async fn contacts(&self) -> Result<Vec<ContactRow>, Error> {
        collect_list(MAX_LIMIT, |from, limit| self.contacts_page(from, limit)).await
    }

    /// Every contact row, as a stream of rows fetched a page at a time.
    fn contacts_stream(&self) -> BoxStream<'_, Result<ContactRow, Error>> {
        list_stream(MAX_LIMIT, move |from, limit| {
            self.contacts_page(from, limit)
        })
    }

    /// `GET /contacts/{id}`.
    async fn contact(&self, id: &DeskId) -> Result<Contact, Error>;

    /// Full records of these contacts (`GET /contacts/contactsByIds`, 20 ids per call); ids
    /// that are unknown or trashed are left out.
    async fn contacts_by_ids(&self, ids: &[DeskId]) -> Result<Vec<Contact>, Error>;

    /// `POST /contacts` (`lastName` required).
    async fn create_contact(&self, fields: &Patch) -> Result<Contact, Error>;

    /// `PATCH /contacts/{id}` with only the changed keys.
    async fn update_contact(&self, id: &DeskId, changes: &Patch) -> Result<Contact, Error>;

    /// `POST /contacts/moveToTrash`.
    async fn trash_contacts(&self, ids: &[DeskId]) -> Result<(), Error>;

    /// One 0-based page of `GET /contacts/search`.
    async fn search_contacts_page(
        &self,
        query: &SearchQuery,
        from: u32,
        limit: u32,
    ) -> Result<SearchPage<Contact>, Error>;

    /// Every hit of a contact search within the 5,000-row window.
    async fn search_contacts(&self, query: &SearchQuery) -> Result<SearchResult<Contact>, Error> {
        collect_search(MAX_LIMIT, |from, limit| {
            self.search_contacts_page(query, from, limit)
        })
        .await
    }

    /// Every contact modified in `[start, end]` (inclusive), oldest first, splitting the range
    /// where a search would pass its 5,000-row window (the polling recipe of doc §7).
    async fn contacts_modified_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Contact>, Error> {
        collect_modified_between(start, end, |a, b, from, limit| async move {
            let query = SearchQuery::modified_window(a, b);
            self.search_contacts_page(&query, from, limit).await
        })
        .await
    }

    /// `GET /contacts/count`.
    async fn count_contacts(&self) -> Result<u64, Error>;

    /// One 1-based page of slim account rows.
    async fn accounts_page(&self, from: u32, limit: u32) -> Result<Vec<AccountRow>, Error>;

    /// Every account row, all pages.
    async fn accounts(&self) -> Result<Vec<AccountRow>, Error> {
        collect_list(MAX_LIMIT, |from, limit| self.accounts_page(from, limit)).await
    }

    /// `GET /accounts/{id}`.
    async fn account(&self, id: &DeskId) -> Result<Account, Error>;

    /// `POST /accounts` (`accountName` required).
    async fn create_account(&self, fields: &Patch) -> Result<Account, Error>;

    /// `PATCH /accounts/{id}` with only the changed keys.
    async fn update_account(&self, id: &DeskId, changes: &Patch) -> Result<Account, Error>;

    /// `POST /accounts/moveToTrash`.
    async fn trash_accounts(&self, ids: &[DeskId]) -> Result<(), Error>;

    /// One 0-based page of `GET /accounts/search`.
    async fn search_accounts_page(
        &self,
        query: &SearchQuery,
        from: u32,
        limit: u32,
    ) -> Result<SearchPage<Account>, Error>;

    /// Every hit of an account search within the 5,000-row window.
    async fn search_accounts(&self, query: &SearchQuery) -> Result<SearchResult<Account>, Error> {
        collect_search(MAX_LIMIT, |from, limit| {
            self.search_accounts_page(query, from, limit)
        })
        .await
    }

    /// Every account modified in `[start, end]` (inclusive), oldest first (see
    /// [`contacts_modified_between`](Self::contacts_modified_between)).
    async fn accounts_modified_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Account>, Error> {
        collect_modified_between(start, end, |a, b, from, limit| async move {
            let query = SearchQuery::modified_window(a, b);
            self.search_accounts_page(&query, from, limit).await
        })
        .await
    }

    /// `GET /accounts/count`.
    async fn count_accounts(&self) -> Result<u64, Error>;

    /// Every recycle-bin row (`GET /recycleBin`, 0-based, newest first).
    async fn recycle_bin(&self) -> Result<Vec<RecycleBinItem>, Error>;

    /// `POST /recycleBin/restore`: per-id results.
    async fn restore(&self, ids: &[DeskId]) -> Result<Vec<BulkResult>, Error>;

    /// `GET /fields?module=…`: field metadata for the mapping UI.
    async fn fields(&self, module: FieldModule) -> Result<Vec<Field>, Error>;

    /// `GET /tickets/{id}?include=contacts`.
    async fn ticket(&self, id: &DeskId) -> Result<Ticket, Error>;

    /// `POST /webhooks`; an empty `ignore_source_id` is filled with the client's source id.
    async fn create_webhook(&self, hook: &NewWebhook) -> Result<Webhook, Error>;

    /// `GET /webhooks`.
    async fn webhooks(&self) -> Result<Vec<Webhook>, Error>;

    /// `GET /webhooks/{id}`.
    async fn webhook(&self, id: &DeskId) -> Result<Webhook, Error>;

    /// `PATCH /webhooks/{id}` (a new `url` is validated by Desk's handshake again).
    async fn update_webhook(&self, id: &DeskId, changes: &Patch) -> Result<Webhook, Error>;

    /// `DELETE /webhooks/{id}`.
    async fn delete_webhook(&self, id: &DeskId) -> Result<(), Error>;
}

/// Where and as whom [`HttpDesk`] calls.
#[derive(Clone, Debug)]
pub struct DeskConfig {
    /// The API host's base URL (`https://desk.zoho.eu/`, or the simulator's); `/api/v1/` is
    /// appended.
    pub api_url: Url,
    /// The org id sent as `orgId`.
    pub org_id: String,
    /// Our `ignoreSourceId` (a UUID) sent on writes, if any.
    pub source_id: Option<String>,
    /// The header carrying it (unconfirmed name; default `sourceId`).
    pub source_id_header: String,
}

impl DeskConfig {
    /// Calls `api_url` for `org_id`, without a source id.
    pub fn new(api_url: Url, org_id: impl Into<String>) -> Self {
        Self {
            api_url,
            org_id: org_id.into(),
            source_id: None,
            source_id_header: DEFAULT_SOURCE_ID_HEADER.to_owned(),
        }
    }

    /// Sends `source_id` on writes.
    pub fn with_source_id(mut self, source_id: impl Into<String>) -> Self {
        self.source_id = Some(source_id.into());
        self
    }
}

/// One API call, before it is sent.
struct Call<'a> {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<&'a Value>,
    cost: u64,
    org: bool,
}

impl<'a> Call<'a> {
    fn get(path: impl Into<String>, cost: u64) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            cost,
            org: true,
        }
    }

    fn write(method: Method, path: impl Into<String>, body: Option<&'a Value>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body,
            cost: COST_ONE,
            org: true,
        }
    }

    fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }
}

/// Whether a failed try of `method` may be tried again.
///
/// Reads (`GET`) and `PATCH`es of the same values are safe to replay after any transient error.
/// Other writes (`POST` creates, `moveToTrash`, restore, `DELETE`) are replayed only when the
/// service certainly did not process them (429s, a refused connection): after a timeout, a
/// broken connection or a 5xx the write may have happened, and replaying it could duplicate a
/// record or fail on one already trashed. Those errors go back to the caller, whose job checks
/// the link table before writing again.
fn may_retry(method: &Method, error: &Error, sent: bool) -> bool {
    let replay_safe = matches!(*method, Method::GET | Method::PATCH);
    error.is_retryable() && (!sent || replay_safe || error.was_not_processed())
}

/// [`DeskApi`] over HTTP.
pub struct HttpDesk {
    http: reqwest::Client,
    api_base: Url,
    config: DeskConfig,
    tokens: Arc<dyn TokenSource>,
    budget: ApiBudget,
    retry: RetryPolicy,
}

impl fmt::Debug for HttpDesk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpDesk")
            .field("api_base", &self.api_base.as_str())
            .field("org_id", &self.config.org_id)
            .field("budget", &self.budget)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl HttpDesk {
    /// A client of the org in `config`, using the shared `http` client
    /// ([`remote::http::client`](crate::remote::http::client)).
    ///
    /// # Errors
    /// [`Error::Url`] if `config.api_url` cannot be a base URL.
    pub fn new(
        http: reqwest::Client,
        config: DeskConfig,
        tokens: Arc<dyn TokenSource>,
        budget: ApiBudget,
        retry: RetryPolicy,
    ) -> Result<Self, Error> {
        let mut base = config.api_url.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let api_base = base.join("api/v1/")?;
        Ok(Self {
            http,
            api_base,
            config,
            tokens,
            budget,
            retry,
        })
    }

    /// The budget this client spends.
    pub fn budget(&self) -> &ApiBudget {
        &self.budget
    }

    async fn execute(&self, call: &Call<'_>) -> Result<Option<Bytes>, Error> {
        attempt::run(&self.retry, || async {
            self.attempt(call).await.map_err(|(error, sent)| Attempt {
                retryable: may_retry(&call.method, &error, sent),
                error,
            })
        })
        .await
    }

    /// One try; the flag on an error says whether the request may have reached the service
    /// (token errors happen before anything is sent).
    async fn attempt(&self, call: &Call<'_>) -> Result<Option<Bytes>, (Error, bool)> {
        let _permit = self.budget.acquire(call.cost).await;
        let token = self.tokens.access_token().await.map_err(|e| (e, false))?;
        match self.send(call, &token).await {
            Err(Error::InvalidOauth { .. }) => {
                tracing::info!(path = %call.path, "Desk rejected the access token; refreshing once");
                let token = self
                    .tokens
                    .refresh_rejected(&token)
                    .await
                    .map_err(|e| (e, false))?;
                self.send(call, &token).await.map_err(|e| (e, true))
            }
            other => other.map_err(|e| (e, true)),
        }
    }

    async fn send(&self, call: &Call<'_>, token: &SecretString) -> Result<Option<Bytes>, Error> {
        let url = self.api_base.join(&call.path)?;
        let mut auth = HeaderValue::from_str(&format!("Zoho-oauthtoken {}", token.expose_secret()))
            .map_err(|_| Error::OAuth {
                error: "the access token is not a valid header value".to_owned(),
                status: 0,
            })?;
        auth.set_sensitive(true);
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(AUTHORIZATION, auth);
        if call.org {
            request = request.header("orgId", &self.config.org_id);
        }
        if call.method != Method::GET
            && let Some(source_id) = &self.config.source_id
        {
            request = request.header(self.config.source_id_header.as_str(), source_id);
        }
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let error = Error::from_transport(e);
                tracing::warn!(method = %call.method, path = %call.path, error.message = %error, "Desk call failed");
                return Err(error);
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        let remaining = headers
            .get(REMAINING_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(remaining) = remaining {
            self.budget.observe_remaining(remaining);
        }
        let retry_after = parse_retry_after(
            headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
        );
        let body = response
            .bytes()
            .await
            .map_err(Error::from_transport)?
            .to_vec();
        tracing::debug!(
            method = %call.method,
            path = %call.path,
            status,
            credits_remaining = remaining,
            "Desk call"
        );
        match status {
            204 => Ok(None),
            200..=299 => Ok(Some(body)),
            _ => {
                let error = Error::from_response(status, &body, retry_after);
                tracing::warn!(method = %call.method, path = %call.path, status, error.message = %error, "Desk call failed");
                Err(error)
            }
        }
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        what: &'static str,
        call: Call<'_>,
    ) -> Result<T, Error> {
        let body = self.execute(&call).await?.unwrap_or_default();
        serde_json::from_slice(&body).map_err(|source| Error::Decode { what, source })
    }

    async fn fetch_page<T: DeserializeOwned>(
        &self,
        what: &'static str,
        call: Call<'_>,
    ) -> Result<(Vec<T>, Option<u64>), Error> {
        match self.execute(&call).await? {
            None => Ok((Vec::new(), None)),
            Some(body) => {
                let page: DataPage<T> = serde_json::from_slice(&body)
                    .map_err(|source| Error::Decode { what, source })?;
                Ok((page.data, page.count.as_ref().and_then(count_value)))
            }
        }
    }

    async fn list_page<T: DeserializeOwned>(
        &self,
        module: RecordModule,
        from: u32,
        limit: u32,
    ) -> Result<Vec<T>, Error> {
        let call = Call::get(module.path(), COST_PAGE)
            .param("from", from)
            .param("limit", limit);
        Ok(self.fetch_page("list page", call).await?.0)
    }

    async fn get_record<T: DeserializeOwned>(
        &self,
        module: RecordModule,
        id: &DeskId,
    ) -> Result<T, Error> {
        let call = Call::get(format!("{}/{}", module.path(), id.as_str()), COST_ONE);
        self.fetch("record", call).await
    }

    async fn create_record<T: DeserializeOwned>(
        &self,
        module: RecordModule,
        fields: &Patch,
    ) -> Result<T, Error> {
        let body = Value::Object(fields.0.clone());
        self.fetch(
            "created record",
            Call::write(Method::POST, module.path(), Some(&body)),
        )
        .await
    }

    async fn update_record<T: DeserializeOwned>(
        &self,
        module: RecordModule,
        id: &DeskId,
        changes: &Patch,
    ) -> Result<T, Error> {
        let body = Value::Object(changes.0.clone());
        let path = format!("{}/{}", module.path(), id.as_str());
        self.fetch(
            "updated record",
            Call::write(Method::PATCH, path, Some(&body)),
        )
        .await
    }

    async fn trash(&self, module: RecordModule, ids: &[DeskId]) -> Result<(), Error> {
        let body = json!({ module.trash_key(): ids });
        let path = format!("{}/moveToTrash", module.path());
        self.execute(&Call::write(Method::POST, path, Some(&body)))
            .await
            .map(|_| ())
    }

    async fn search_page<T: DeserializeOwned>(
        &self,
        module: RecordModule,
        query: &SearchQuery,
        from: u32,
        limit: u32,
    ) -> Result<SearchPage<T>, Error> {
        let mut call = Call::get(format!("{}/search", module.path()), COST_PAGE);
        call.query.extend(query.params().iter().cloned());
        let call = call.param("from", from).param("limit", limit);
        let (rows, count) = self.fetch_page("search page", call).await?;
        Ok(SearchPage { rows, count })
    }

    async fn count(&self, module: RecordModule) -> Result<u64, Error> {
        let call = Call::get(format!("{}/count", module.path()), COST_ONE);
        let answer: CountAnswer = self.fetch("count", call).await?;
        count_value(&answer.count).ok_or_else(|| Error::Decode {
            what: "count",
            source: serde::de::Error::custom("count is not a number"),
        })
    }
}

#[async_trait]
impl DeskApi for HttpDesk {
    async fn organizations(&self) -> Result<Vec<Organization>, Error> {
        let mut call = Call::get("organizations", COST_PAGE);
        call.org = false;
        Ok(self.fetch_page("organizations", call).await?.0)
    }

    async fn myinfo(&self) -> Result<Agent, Error> {
        let call = Call::get("myinfo", COST_ONE).param("include", "role,profile");
        self.fetch("myinfo", call).await
    }

    async fn agent(&self, id: &DeskId) -> Result<Agent, Error> {
        let call = Call::get(format!("agents/{id}"), COST_ONE).param("include", "role,profile");
        self.fetch("agent", call).await
    }

    async fn agents_page(&self, from: u32, limit: u32) -> Result<Vec<Agent>, Error> {
        let call = Call::get("agents", COST_PAGE)
            .param("from", from)
            .param("limit", limit)
            .param("include", "role,profile");
        Ok(self.fetch_page("agents page", call).await?.0)
    }

    async fn roles(&self) -> Result<Vec<Role>, Error> {
        collect_zero_based(500, |from, limit| async move {
            let call = Call::get("roles", COST_PAGE)
                .param("from", from)
                .param("limit", limit);
            Ok(self.fetch_page("roles page", call).await?.0)
        })
        .await
    }

    async fn profiles(&self) -> Result<Vec<Profile>, Error> {
        collect_zero_based(250, |from, limit| async move {
            let call = Call::get("profiles", COST_PAGE)
                .param("from", from)
                .param("limit", limit);
            Ok(self.fetch_page("profiles page", call).await?.0)
        })
        .await
    }

    async fn contacts_page(&self, from: u32, limit: u32) -> Result<Vec<ContactRow>, Error> {
        self.list_page(RecordModule::Contacts, from, limit).await
    }

    async fn contact(&self, id: &DeskId) -> Result<Contact, Error> {
        self.get_record(RecordModule::Contacts, id).await
    }

    async fn contacts_by_ids(&self, ids: &[DeskId]) -> Result<Vec<Contact>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CONTACTS_BY_IDS_MAX) {
            let list: Vec<&str> = chunk.iter().map(DeskId::as_str).collect();
            let call = Call::get("contacts/contactsByIds", COST_PAGE).param("ids", list.join(","));
            out.extend(self.fetch_page::<Contact>("contacts by ids", call).await?.0);
        }
        Ok(out)
    }

    async fn create_contact(&self, fields: &Patch) -> Result<Contact, Error> {
        self.create_record(RecordModule::Contacts, fields).await
    }

    async fn update_contact(&self, id: &DeskId, changes: &Patch) -> Result<Contact, Error> {
        self.update_record(RecordModule::Contacts, id, changes)
            .await
    }

    async fn trash_contacts(&self, ids: &[DeskId]) -> Result<(), Error> {
        self.trash(RecordModule::Contacts, ids).await
    }

    async fn search_contacts_page(
        &self,
        query: &SearchQuery,
        from: u32,
        limit: u32,
    ) -> Result<SearchPage<Contact>, Error> {
        self.search_page(RecordModule::Contacts, query, from, limit)
            .await
    }

    async fn count_contacts(&self) -> Result<u64, Error> {
        self.count(RecordModule::Contacts).await
    }

    async fn accounts_page(&self, from: u32, limit: u32) -> Result<Vec<AccountRow>, Error> {
        self.list_page(RecordModule::Accounts, from, limit).await
    }

    async fn account(&self, id: &DeskId) -> Result<Account, Error> {
        self.get_record(RecordModule::Accounts, id).await
    }

    async fn create_account(&self, fields: &Patch) -> Result<Account, Error> {
        self.create_record(RecordModule::Accounts, fields).await
    }

    async fn update_account(&self, id: &DeskId, changes: &Patch) -> Result<Account, Error> {
        self.update_record(RecordModule::Accounts, id, changes)
            .await
    }

    async fn trash_accounts(&self, ids: &[DeskId]) -> Result<(), Error> {
        self.trash(RecordModule::Accounts, ids).await
    }

    async fn search_accounts_page(
        &self,
        query: &SearchQuery,
        from: u32,
        limit: u32,
    ) -> Result<SearchPage<Account>, Error> {
        self.search_page(RecordModule::Accounts, query, from, limit)
            .await
    }

    async fn count_accounts(&self) -> Result<u64, Error> {
        self.count(RecordModule::Accounts).await
    }

    async fn recycle_bin(&self) -> Result<Vec<RecycleBinItem>, Error> {
        collect_zero_based(MAX_LIMIT, |from, limit| async move {
            let call = Call::get("recycleBin", COST_PAGE)
                .param("from", from)
                .param("limit", limit)
                .param("sortBy", "-deletedTime");
            Ok(self.fetch_page("recycle bin page", call).await?.0)
        })
        .await
    }

    async fn restore(&self, ids: &[DeskId]) -> Result<Vec<BulkResult>, Error> {
        let body = json!({"ids": ids, "isChildNeedToBeRestored": true});
        let results: Results = self
            .fetch(
                "restore results",
                Call::write(Method::POST, "recycleBin/restore", Some(&body)),
            )
            .await?;
        Ok(results.results)
    }

    async fn fields(&self, module: FieldModule) -> Result<Vec<Field>, Error> {
        let call = Call::get("fields", COST_PAGE).param("module", module.as_str());
        Ok(self.fetch_page("fields", call).await?.0)
    }

    async fn ticket(&self, id: &DeskId) -> Result<Ticket, Error> {
        let call = Call::get(format!("tickets/{id}"), COST_ONE).param("include", "contacts");
        self.fetch("ticket", call).await
    }

    async fn create_webhook(&self, hook: &NewWebhook) -> Result<Webhook, Error> {
        let mut hook = hook.clone();
        if hook.ignore_source_id.is_empty()
            && let Some(source_id) = &self.config.source_id
        {
            hook.ignore_source_id.clone_from(source_id);
        }
        let body = serde_json::to_value(&hook).map_err(|source| Error::Decode {
            what: "webhook body",
            source,
        })?;
        self.fetch(
            "webhook",
            Call::write(Method::POST, "webhooks", Some(&body)),
        )
        .await
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>, Error> {
        Ok(self
            .fetch_page("webhooks", Call::get("webhooks", COST_PAGE))
            .await?
            .0)
    }

    async fn webhook(&self, id: &DeskId) -> Result<Webhook, Error> {
        self.fetch("webhook", Call::get(format!("webhooks/{id}"), COST_ONE))
            .await
    }

    async fn update_webhook(&self, id: &DeskId, changes: &Patch) -> Result<Webhook, Error> {
        let body = Value::Object(changes.0.clone());
        let call = Call::write(Method::PATCH, format!("webhooks/{id}"), Some(&body));
        self.fetch("webhook", call).await
    }

    async fn delete_webhook(&self, id: &DeskId) -> Result<(), Error> {
        let call = Call::write(Method::DELETE, format!("webhooks/{id}"), None);
        self.execute(&call).await.map(|_| ())
    }
}
