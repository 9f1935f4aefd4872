//! [`SalesforceApi`], the operations the sync engine and the sidebar use, and [`HttpSalesforce`],
//! its implementation over the REST API.
//!
//! Every call goes through one private path (`HttpSalesforce::call`): take one unit of the
//! [`ApiBudget`] (waiting if it is spent, never sending over budget), send with the current
//! bearer token, read `Sforce-Limit-Info` into the budget, map error bodies to [`Error`]. A 401
//! `INVALID_SESSION_ID` renews the token once (single-flight, see [`TokenManager`]) and replays
//! the call; retryable errors are retried by the [`RetryPolicy`]. Calls that are not idempotent
//! (creates, composite) are not retried after a transport failure that may have reached the
//! service, so a lost answer cannot create a record twice.
//!
//! The base URL and API version always come from [`SalesforceSettings`]: there is no default host.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::stream::BoxStream;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::remote::attempt::{self, Attempt};
use crate::remote::budget::ApiBudget;
use crate::remote::retry::{RetryPolicy, Retryable};

use super::Error;
use super::auth::TokenManager;
use super::limits::parse_limit_info;
use super::soql;
use super::wire::{
    ApiErrorBody, CompositeRequest, CompositeResponse, DeletedResponse, Limits, Record,
    SObjectDescribe, UpdatedResponse,
};
use super::write::{NewRecord, RecordUpdate, RowResult};

/// A stream of records, across pages.
pub type RecordStream<'a> = BoxStream<'a, Result<Record, Error>>;

/// How a query is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryMode {
    /// REST paging, or Bulk 2.0 when a `COUNT()` first finds more rows than
    /// [`SalesforceSettings::bulk_threshold`] (and the query has no child subquery).
    #[default]
    Auto,
    /// Always REST paging (`nextRecordsUrl`).
    Rest,
    /// Always a Bulk API 2.0 query job (values come back as text; no child subqueries).
    Bulk,
}

/// Options of one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// `queryAll`: include soft-deleted rows (`IsDeleted = true`).
    pub include_deleted: bool,
    /// REST, Bulk or automatic.
    pub mode: QueryMode,
}

/// What the rest of sfdesk asks of Salesforce. Held as `Arc<dyn SalesforceApi>`.
#[async_trait]
pub trait SalesforceApi: Send + Sync {
    /// Runs `soql` and streams its records across pages (REST or Bulk 2.0, per `options`).
    /// Build literals with [`soql::string_literal`]; always `ORDER BY` when paging.
    fn query(&self, soql: &str, options: QueryOptions) -> RecordStream<'_>;

    /// `queryAll` (deleted rows included), automatic REST/Bulk choice.
    fn query_all(&self, soql: &str) -> RecordStream<'_> {
        self.query(
            soql,
            QueryOptions {
                include_deleted: true,
                mode: QueryMode::Auto,
            },
        )
    }

    /// `totalSize` of `soql`: the count of a `SELECT COUNT() FROM …` query.
    ///
    /// # Errors
    /// As any call ([`Error`]).
    async fn count(&self, soql: &str) -> Result<u64, Error>;

    /// Reads records by id (Collections retrieve, 200 per call): one entry per id, in order,
    /// `None` where the id matched nothing.
    ///
    /// # Errors
    /// As any call; [`Error::InvalidRequest`] for a bad object or field name.
    async fn retrieve(
        &self,
        object: &str,
        ids: &[String],
        fields: &[&str],
    ) -> Result<Vec<Option<Record>>, Error>;

    /// Creates records (Collections, 200 per call, not all-or-none): one result per input, in
    /// input order.
    ///
    /// # Errors
    /// Whole-request failures; per-row failures are in the rows.
    async fn create(&self, records: &[NewRecord]) -> Result<Vec<RowResult>, Error>;

    /// Creates one record (`POST /sobjects/{object}`), returning its id. Unlike Collections
    /// rows, a duplicate-rule block comes back whole ([`Error::Api`] `duplicate`).
    ///
    /// # Errors
    /// As any call; validation errors with the service's message.
    async fn create_record(&self, object: &str, fields: &Record) -> Result<String, Error>;

    /// Updates records (Collections, 200 per call): one result per input, in order.
    ///
    /// # Errors
    /// Whole-request failures; per-row failures are in the rows.
    async fn update(&self, records: &[RecordUpdate]) -> Result<Vec<RowResult>, Error>;

    /// Upserts `object` records by `external_id_field` (each record carries its value): one
    /// result per input, in order, `created` telling insert from update.
    ///
    /// # Errors
    /// Whole-request failures; per-row failures are in the rows.
    async fn upsert(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Record],
    ) -> Result<Vec<RowResult>, Error>;

    /// Deletes records by id (Collections, 200 per call): one result per id, in order.
    ///
    /// # Errors
    /// Whole-request failures; per-row failures are in the rows.
    async fn delete(&self, ids: &[String]) -> Result<Vec<RowResult>, Error>;

    /// Restores records from the recycle bin (SOAP `undelete`, 200 ids per call; REST has no
    /// undelete): one result per id, in order.
    ///
    /// # Errors
    /// Whole-request failures (SOAP faults); per-row failures are in the rows.
    async fn undelete(&self, ids: &[String]) -> Result<Vec<RowResult>, Error>;

    /// One composite request (≤ 25 subrequests, one round trip, metered as one call).
    ///
    /// # Errors
    /// Whole-request failures; subrequest failures are in the answer.
    async fn composite(&self, request: &CompositeRequest) -> Result<CompositeResponse, Error>;

    /// The describe of `object`, cached per client.
    ///
    /// # Errors
    /// As any call; `NOT_FOUND` for an unknown object.
    async fn describe(&self, object: &str) -> Result<Arc<SObjectDescribe>, Error>;

    /// getUpdated: ids of `object` changed in `[start, end]` (minute granularity).
    ///
    /// # Errors
    /// As any call; `INVALID_REPLICATION_DATE` outside the last 30 days.
    async fn get_updated(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<UpdatedResponse, Error>;

    /// getDeleted: records of `object` deleted in `[start, end]`.
    ///
    /// # Errors
    /// As any call; `INVALID_REPLICATION_DATE` outside the recycle bin's horizon.
    async fn get_deleted(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DeletedResponse, Error>;

    /// `GET /limits`.
    ///
    /// # Errors
    /// As any call.
    async fn limits(&self) -> Result<Limits, Error>;

    /// `/services/data/vNN.0/<path>`, for composite subrequest URLs.
    fn api_path(&self, path: &str) -> String;
}

/// Where and how to call the API.
#[derive(Debug, Clone)]
pub struct SalesforceSettings {
    /// The org's `instance_url` (from the token answer), e.g. `https://acme.my.salesforce.com/`.
    pub instance_url: Url,
    /// Pinned API version, e.g. `66.0`.
    pub api_version: String,
    /// `Sforce-Query-Options: batchSize` (200–2,000); `None` leaves the service's default.
    pub query_batch_size: Option<u32>,
    /// [`QueryMode::Auto`] switches to Bulk 2.0 above this many rows; `None` never does.
    pub bulk_threshold: Option<u64>,
    /// Wait between polls of a Bulk 2.0 job.
    pub bulk_poll_interval: Duration,
    /// Polls before a Bulk 2.0 job is given up on.
    pub bulk_max_polls: u32,
    /// `maxRecords` per Bulk 2.0 result page.
    pub bulk_page_size: u32,
    /// `Sforce-Call-Options: client=<name>`.
    pub client_name: Option<String>,
}

impl SalesforceSettings {
    /// Settings for `instance_url` and `api_version` with the usual defaults: service batch
    /// size, Bulk 2.0 above 10,000 rows polled every 2 s, 50,000 rows per result page.
    #[must_use]
    pub fn new(instance_url: Url, api_version: &str) -> Self {
        Self {
            instance_url,
            api_version: api_version.to_owned(),
            query_batch_size: None,
            bulk_threshold: Some(10_000),
            bulk_poll_interval: Duration::from_secs(2),
            bulk_max_polls: 900,
            bulk_page_size: 50_000,
            client_name: Some("sfdesk".to_owned()),
        }
    }
}

/// [`SalesforceApi`] over HTTP.
pub struct HttpSalesforce {
    pub(crate) http: reqwest::Client,
    pub(crate) settings: SalesforceSettings,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) budget: ApiBudget,
    pub(crate) retry: RetryPolicy,
    pub(crate) describes: Mutex<HashMap<String, Arc<SObjectDescribe>>>,
}

impl fmt::Debug for HttpSalesforce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSalesforce")
            .field("instance_url", &self.settings.instance_url.as_str())
            .field("api_version", &self.settings.api_version)
            .finish_non_exhaustive()
    }
}

/// One request to send (maybe several times).
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Value>,
    /// A SOAP `undelete` of these ids instead of a REST call (the token goes in the envelope).
    pub(crate) soap_undelete: Option<Vec<String>>,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Safe to send twice (reads, updates, upserts, deletes).
    pub(crate) idempotent: bool,
}

impl Call {
    pub(crate) fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            body: None,
            soap_undelete: None,
            headers: Vec::new(),
            idempotent: true,
        }
    }

    pub(crate) fn with_body(method: Method, url: Url, body: Value, idempotent: bool) -> Self {
        Self {
            method,
            url,
            body: Some(body),
            soap_undelete: None,
            headers: Vec::new(),
            idempotent,
        }
    }
}

/// A successful answer, read in full.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            what,
            message: e.to_string(),
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The error of a non-success answer.
pub(crate) fn error_from_body(status: u16, body: &[u8]) -> Error {
    match serde_json::from_slice::<ApiErrorBody>(body) {
        Ok(parsed) => match parsed.into_items().into_iter().next() {
            Some(item) => Error::from_item(status, item),
            None => Error::Status { status },
        },
        Err(_) => Error::Status { status },
    }
}

impl HttpSalesforce {
    /// A client for one org.
    #[must_use]
    pub fn new(
        http: reqwest::Client,
        settings: SalesforceSettings,
        tokens: Arc<TokenManager>,
        budget: ApiBudget,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            settings,
            tokens,
            budget,
            retry,
            describes: Mutex::new(HashMap::new()),
        }
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &SalesforceSettings {
        &self.settings
    }

    /// The API budget this client spends.
    #[must_use]
    pub fn budget(&self) -> &ApiBudget {
        &self.budget
    }

    /// `<instance>/services/data/vNN.0/<path>`.
    pub(crate) fn api_url(&self, path: &str) -> Result<Url, Error> {
        self.settings
            .instance_url
            .join(&format!(
                "services/data/v{}/{path}",
                self.settings.api_version
            ))
            .map_err(|e| Error::InvalidRequest(format!("bad API path: {e}")))
    }

    /// A path the service returned (`nextRecordsUrl`), on the instance host.
    pub(crate) fn instance_url(&self, path: &str) -> Result<Url, Error> {
        if !path.starts_with("/services/") {
            return Err(Error::Decode {
                what: "nextRecordsUrl",
                message: "not a /services/ path".to_owned(),
            });
        }
        self.settings
            .instance_url
            .join(path)
            .map_err(|e| Error::InvalidRequest(format!("bad path: {e}")))
    }

    /// Sends `call` with budget, token renewal and retries.
    pub(crate) async fn call(&self, call: &Call) -> Result<Answer, Error> {
        attempt::run(&self.retry, || async move {
            self.attempt(call).await.map_err(|error| {
                let retryable = error.is_retryable() && (call.idempotent || !maybe_sent(&error));
                Attempt { error, retryable }
            })
        })
        .await
    }

    async fn attempt(&self, call: &Call) -> Result<Answer, Error> {
        let token = self.tokens.current().await?;
        let first = {
            let _permit = self.budget.acquire(1).await;
            self.execute(call, &token.secret).await
        };
        match first {
            Err(error) if error.is_invalid_session() => {
                tracing::debug!("salesforce session rejected; renewing once");
                let fresh = self.tokens.renew(&token).await?;
                let _permit = self.budget.acquire(1).await;
                self.execute(call, &fresh.secret).await
            }
            other => other,
        }
    }

    async fn execute(&self, call: &Call, token: &SecretString) -> Result<Answer, Error> {
        let mut request = self.http.request(call.method.clone(), call.url.clone());
        if let Some(ids) = &call.soap_undelete {
            request = request
                .header(CONTENT_TYPE, "text/xml; charset=UTF-8")
                .header("SOAPAction", "undelete")
                .body(super::undelete::envelope(token, ids));
        } else {
            request = request.bearer_auth(token.expose_secret());
        }
        if let Some(name) = &self.settings.client_name {
            request = request.header("Sforce-Call-Options", format!("client={name}"));
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(Error::transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(usage) = headers
            .get("Sforce-Limit-Info")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_limit_info)
        {
            self.budget.observe_usage(usage.used, usage.max);
        }
        let body = response.bytes().await.map_err(Error::transport)?.to_vec();
        tracing::debug!(
            method = %call.method,
            path = call.url.path(),
            status = status.as_u16(),
            "salesforce call"
        );
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            Ok(Answer { headers, body })
        } else if call.soap_undelete.is_some() {
            Err(super::undelete::fault(status.as_u16(), &body))
        } else {
            Err(error_from_body(status.as_u16(), &body))
        }
    }

    /// GET `url` and parse JSON.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        what: &'static str,
    ) -> Result<T, Error> {
        self.call(&Call::get(url)).await?.json(what)
    }

    fn window_url(
        &self,
        object: &str,
        op: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Url, Error> {
        let mut url = self.api_url(&format!("sobjects/{}/{op}/", soql::name(object)?))?;
        url.query_pairs_mut()
            .append_pair("start", &start.to_rfc3339_opts(SecondsFormat::Secs, true))
            .append_pair("end", &end.to_rfc3339_opts(SecondsFormat::Secs, true));
        Ok(url)
    }
}

/// Whether a failed call may have reached the service (so a non-idempotent replay could
/// duplicate its effect).
fn maybe_sent(error: &Error) -> bool {
    matches!(
        error,
        Error::Transport {
            kind: super::error::TransportKind::Timeout
                | super::error::TransportKind::Interrupted
                | super::error::TransportKind::Other,
            ..
        }
    )
}

#[async_trait]
impl SalesforceApi for HttpSalesforce {
    fn query(&self, soql: &str, options: QueryOptions) -> RecordStream<'_> {
        self.query_stream(soql.to_owned(), options)
    }

    async fn count(&self, soql: &str) -> Result<u64, Error> {
        self.count_rows(soql, false).await
    }

    async fn retrieve(
        &self,
        object: &str,
        ids: &[String],
        fields: &[&str],
    ) -> Result<Vec<Option<Record>>, Error> {
        self.retrieve_records(object, ids, fields).await
    }

    async fn create(&self, records: &[NewRecord]) -> Result<Vec<RowResult>, Error> {
        self.create_records(records).await
    }

    async fn create_record(&self, object: &str, fields: &Record) -> Result<String, Error> {
        self.create_one(object, fields).await
    }

    async fn update(&self, records: &[RecordUpdate]) -> Result<Vec<RowResult>, Error> {
        self.update_records(records).await
    }

    async fn upsert(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Record],
    ) -> Result<Vec<RowResult>, Error> {
        self.upsert_records(object, external_id_field, records)
            .await
    }

    async fn delete(&self, ids: &[String]) -> Result<Vec<RowResult>, Error> {
        self.delete_records(ids).await
    }

    async fn undelete(&self, ids: &[String]) -> Result<Vec<RowResult>, Error> {
        self.undelete_records(ids).await
    }

    async fn composite(&self, request: &CompositeRequest) -> Result<CompositeResponse, Error> {
        self.send_composite(request).await
    }

    async fn describe(&self, object: &str) -> Result<Arc<SObjectDescribe>, Error> {
        self.describe_cached(object).await
    }

    async fn get_updated(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<UpdatedResponse, Error> {
        let url = self.window_url(object, "updated", start, end)?;
        self.get_json(url, "getUpdated").await
    }

    async fn get_deleted(
        &self,
        object: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DeletedResponse, Error> {
        let url = self.window_url(object, "deleted", start, end)?;
        self.get_json(url, "getDeleted").await
    }

    async fn limits(&self) -> Result<Limits, Error> {
        let url = self.api_url("limits")?;
        self.get_json(url, "limits").await
    }

    fn api_path(&self, path: &str) -> String {
        format!("/services/data/v{}/{path}", self.settings.api_version)
    }
}
