//! The REST API under `/services/data/`: the gate (version, auth, daily allowance, long-request
//! cap, fault injection, `Sforce-Limit-Info`) and a path dispatcher shared with composite
//! subrequests.
//!
//! Routing is done here rather than by axum so that composite subrequests run through exactly
//! the same code, and so that trailing slashes route the same. Endpoint keys for counters and
//! faults are `"<METHOD> <template>"` with the template relative to `/services/data/vNN.0`:
//! `"GET /query"`, `"GET /query/{locator}"`, `"POST /sobjects/{sobject}"`,
//! `"GET /sobjects/{sobject}/{id}"`, `"PATCH /sobjects/{sobject}/{field}/{value}"`,
//! `"POST /composite"`, `"PATCH /composite/sobjects"`…

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::composite;
use super::errors::Reply;
use super::meta;
use super::oauth;
use super::records::{self, Caller, DmlError};
use super::sim::{Ctx, Db};
use super::soql::{self, Dataset, QueryOptions, Selection, Val};
use crate::common::{Fault, aborted_response};

/// Oldest version still served; older ones answer 410.
const OLDEST_LIVE_VERSION: u32 = 31;
/// URIs longer than this answer 414.
const MAX_URI: usize = 16_384;

/// A stored query result for `nextRecordsUrl` paging.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pub(crate) soql: String,
    pub(crate) query_all: bool,
    pub(crate) ids: Arc<Vec<String>>,
    pub(crate) batch: usize,
    pub(crate) created: DateTime<Utc>,
}

/// One request to dispatch (top-level or a composite subrequest).
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) method: Method,
    /// Path segments after `/services/data/vNN.0`, empty ones dropped.
    pub(crate) segments: Vec<String>,
    /// Raw query string.
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `66.0`.
    pub(crate) version: String,
}

impl Req {
    /// Decoded query parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The body parsed as JSON; an empty body is a `JSON_PARSER_ERROR` too.
    pub(crate) fn parse_body(&self) -> Result<Value, Reply> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Reply::error(
                StatusCode::BAD_REQUEST,
                "JSON_PARSER_ERROR",
                &format!("Unexpected character: {e}"),
            )
        })
    }

    /// The body parsed as JSON, an empty body reading as `{}`.
    fn json(&self) -> Result<Value, Reply> {
        if self.body.is_empty() {
            return Ok(Value::Object(Map::new()));
        }
        self.parse_body()
    }

    fn json_object(&self) -> Result<Map<String, Value>, Reply> {
        match self.json()? {
            Value::Object(map) => Ok(map),
            _ => Err(Reply::error(
                StatusCode::BAD_REQUEST,
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of SObject from START_ARRAY",
            )),
        }
    }

    /// The endpoint template used for counters and faults.
    pub(crate) fn template(&self) -> String {
        let s: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        let path = match s.as_slice() {
            [q @ ("query" | "queryAll"), _] => format!("/{q}/{{locator}}"),
            ["sobjects", _] => "/sobjects/{sobject}".to_owned(),
            ["sobjects", _, op @ ("describe" | "updated" | "deleted")] => {
                format!("/sobjects/{{sobject}}/{op}")
            }
            ["sobjects", _, _] => "/sobjects/{sobject}/{id}".to_owned(),
            ["sobjects", _, _, _] => "/sobjects/{sobject}/{field}/{value}".to_owned(),
            ["composite", "sobjects", _] => "/composite/sobjects/{sobject}".to_owned(),
            ["composite", "sobjects", _, _] => "/composite/sobjects/{sobject}/{field}".to_owned(),
            _ => format!("/{}", s.join("/")),
        };
        format!("{} {path}", self.method)
    }
}

/// `GET /services/data/`: the versions, no auth, unmetered.
pub(crate) async fn versions(State(ctx): State<Arc<Ctx>>) -> Response {
    let current: u32 = ctx
        .options
        .api_version
        .split('.')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(66);
    let seasons = ["Spring", "Summer", "Winter"];
    let list: Vec<Value> = (OLDEST_LIVE_VERSION..=current)
        .map(|v| {
            // v66 = Spring '26; each release +1.0, three a year.
            let offset = i64::from(v) - 66;
            let index = offset.rem_euclid(3) as usize;
            let winter_shift = i64::from(index == 2);
            let year = 26 + offset.div_euclid(3) + winter_shift;
            json!({
                "label": format!("{} '{:02}", seasons[index], year),
                "url": format!("/services/data/v{v}.0"),
                "version": format!("{v}.0"),
            })
        })
        .collect();
    Reply::json(StatusCode::OK, Value::Array(list)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

/// Removes an in-flight entry on drop.
struct InFlight<'a> {
    ctx: &'a Ctx,
    id: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.ctx.inflight().remove(&self.id);
    }
}

/// Every `/services/data/...` request.
pub(crate) async fn entry(
    State(ctx): State<Arc<Ctx>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if uri.to_string().len() > MAX_URI {
        return (StatusCode::URI_TOO_LONG, "URI Too Long").into_response();
    }
    let path = uri.path();
    let rest = path.strip_prefix("/services/data/").unwrap_or_default();
    let mut segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
        })
        .collect();
    if segments.is_empty() {
        return versions(State(ctx)).await;
    }
    let version_seg = segments.remove(0);
    let current = ctx.options.api_version.clone();
    let version = if version_seg == "latest" {
        current.clone()
    } else {
        let Some(v) = version_seg.strip_prefix('v') else {
            return Reply::not_found().into_response();
        };
        let major: Option<u32> = v.strip_suffix(".0").and_then(|m| m.parse().ok());
        let current_major: u32 = current
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(66);
        match major {
            Some(m) if m < OLDEST_LIVE_VERSION => {
                return Reply::error(
                    StatusCode::GONE,
                    &ctx.options.switches.gone_error_code,
                    &format!("Version {v} of the API is retired and no longer available."),
                )
                .into_response();
            }
            Some(m) if m <= current_major => v.to_owned(),
            _ => return Reply::not_found().into_response(),
        }
    };
    let req = Req {
        method,
        segments,
        query: uri.query().map(str::to_owned),
        headers,
        body,
        version,
    };
    let Some(token) = bearer(&req.headers) else {
        return Reply::invalid_session().into_response();
    };
    let now = ctx.clock.now();
    let user = {
        let mut db = ctx.db();
        oauth::session_user(&ctx, &mut db, &token, now)
    };
    let Some(user) = user else {
        return Reply::invalid_session().into_response();
    };
    let key = req.template();
    ctx.counters.record_call(&key);
    let max = ctx.options.daily_api_requests;
    // Daily allowance (rolling 24 h).
    let used = {
        let mut db = ctx.db();
        let used = db.usage_now(now);
        if used >= max {
            if ctx.options.switches.count_refused_calls {
                db.usage.push_back(now);
            }
            return Reply::error(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            )
            .header("Sforce-Limit-Info", format!("api-usage={used}/{max}"))
            .into_response();
        }
        db.usage.push_back(now);
        used + 1
    };
    let limit_info = format!("api-usage={used}/{max}");
    // Long-running request cap.
    let threshold = ctx.options.long_request_threshold;
    let long_running = ctx
        .inflight()
        .values()
        .filter(|start| start.elapsed() >= threshold)
        .count();
    if long_running >= ctx.options.max_long_requests {
        return Reply::error(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
        )
        .header("Sforce-Limit-Info", limit_info)
        .into_response();
    }
    let call = ctx.call_seq.fetch_add(1, Ordering::SeqCst);
    ctx.inflight().insert(call, Instant::now());
    let _guard = InFlight {
        ctx: &ctx,
        id: call,
    };
    let (method_str, path_template) = key.split_once(' ').unwrap_or(("GET", "/"));
    let (latency, fault) = ctx.faults.take(method_str, path_template);
    if let Some(latency) = latency {
        tokio::time::sleep(latency.sample()).await;
    }
    let fault_reply = match fault {
        None => None,
        Some(Fault::Timeout) => {
            tokio::time::sleep(ctx.options.timeout_fault_delay).await;
            None
        }
        Some(Fault::DropConnection) => return aborted_response(),
        Some(Fault::Custom(build)) => Some(build()),
        Some(Fault::RateLimit) => Some(
            Reply::error(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            )
            .into_response(),
        ),
        Some(Fault::ServerError) => Some(
            Reply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable, please try again later.",
            )
            .into_response(),
        ),
        Some(Fault::ExpiredToken) => Some(Reply::invalid_session().into_response()),
    };
    let mut response = match fault_reply {
        Some(r) => r,
        None => {
            let caller = Caller {
                user_id: user,
                allow_duplicates: req
                    .headers
                    .get("Sforce-Duplicate-Rule-Header")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.to_ascii_lowercase().contains("allowsave=true")),
            };
            let mut db = ctx.db();
            dispatch(&ctx, &mut db, &caller, &req, true).into_response()
        }
    };
    if let Ok(v) = limit_info.parse() {
        response.headers_mut().insert("Sforce-Limit-Info", v);
    }
    response
}

fn method_not_allowed(method: &Method, allowed: &str) -> Reply {
    Reply::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
}

/// Routes one request (top-level when `top`, else a composite subrequest).
pub(crate) fn dispatch(ctx: &Ctx, db: &mut Db, caller: &Caller, req: &Req, top: bool) -> Reply {
    if ctx.options.switches.enforce_json_content_type
        && !req.body.is_empty()
        && top
        && matches!(req.method, Method::POST | Method::PATCH)
    {
        let content_type = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !content_type.contains("json") {
            return Reply::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                &format!("Content type '{content_type}' not supported"),
            );
        }
    }
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let m = &req.method;
    let result = match (s.as_slice(), m) {
        ([], &Method::GET) => Ok(resources(&req.version)),
        (["limits"], &Method::GET) => Ok(limits(ctx, db)),
        ([q @ ("query" | "queryAll")], &Method::GET) => query(ctx, db, req, *q == "queryAll"),
        (["query" | "queryAll", locator], &Method::GET) => next_page(ctx, db, req, locator),
        (["sobjects"], &Method::GET) => Ok(describe_global(db, &req.version)),
        (["sobjects", t], _) => sobject_root(ctx, db, caller, req, t),
        (["sobjects", t, "describe"], &Method::GET) => describe(ctx, db, req, t),
        (["sobjects", t, op @ ("updated" | "deleted")], &Method::GET) => {
            super::changes::replication(ctx, db, req, t, op)
        }
        (["sobjects", t, id], _) => record(ctx, db, caller, req, t, id),
        (["sobjects", t, field, value], _) => by_external_id(ctx, db, caller, req, t, field, value),
        (["composite"], &Method::POST) if top => composite::composite(ctx, db, caller, req),
        (["composite", "sobjects", ..], _) => composite::collections(ctx, db, caller, req),
        (["jobs", "query" | "ingest", ..], _) => super::bulk::route(ctx, db, caller, req),
        ([] | ["limits"] | ["query" | "queryAll", ..] | ["sobjects"], _) => {
            Err(method_not_allowed(m, "GET"))
        }
        (["composite"], _) => Err(method_not_allowed(m, "POST")),
        _ => Err(Reply::not_found()),
    };
    result.unwrap_or_else(|e| e)
}

fn resources(version: &str) -> Reply {
    let base = format!("/services/data/v{version}");
    let names = [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "prechatForms",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "commerce",
        "wave",
        "iot",
        "analytics",
        "search",
        "identity",
        "composite",
        "parameterizedSearch",
        "fingerprint",
        "theme",
        "nouns",
        "domino",
        "event",
        "serviceTemplates",
        "recent",
        "connect",
        "licensing",
        "limits",
        "process",
        "async-queries",
        "query",
        "match",
        "emailConnect",
        "compactLayouts",
        "knowledgeManagement",
        "sobjects",
        "actions",
        "support",
    ];
    let mut map = Map::new();
    for name in names {
        map.insert(name.to_owned(), json!(format!("{base}/{name}")));
    }
    Reply::json(StatusCode::OK, Value::Object(map))
}

fn limits(ctx: &Ctx, db: &mut Db) -> Reply {
    let now = ctx.clock.now();
    let used = db.usage_now(now);
    let max = ctx.options.daily_api_requests;
    let pair = |max: u64, remaining: u64| json!({"Max": max, "Remaining": remaining});
    Reply::json(
        StatusCode::OK,
        json!({
            "ConcurrentAsyncGetReportInstances": pair(200, 200),
            "ConcurrentSyncReportRuns": pair(20, 20),
            "DailyApiRequests": pair(max, max.saturating_sub(used)),
            "DailyAsyncApexExecutions": pair(250_000, 250_000),
            "DailyBulkApiBatches": pair(15_000, 15_000),
            "DailyBulkV2QueryFileStorageMB": pair(976_562, 976_562),
            "DailyBulkV2QueryJobs": pair(10_000, 10_000),
            "DataStorageMB": pair(5, 5),
            "FileStorageMB": pair(20, 20),
            "SingleEmail": pair(15, 15),
        }),
    )
}

fn batch_size(req: &Req) -> Option<usize> {
    let header = req.headers.get("Sforce-Query-Options")?.to_str().ok()?;
    header.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("batchSize")
            .then(|| v.trim().parse::<usize>().ok())?
    })
}

fn soql_error(e: &soql::SoqlError) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, e.error_code(), &e.message)
}

fn query_options(ctx: &Ctx, req: &Req, all: bool) -> QueryOptions {
    QueryOptions::new(ctx.clock.now())
        .query_all(all)
        .api_version(&req.version)
}

fn query(ctx: &Ctx, db: &mut Db, req: &Req, all: bool) -> Result<Reply, Reply> {
    let Some(q) = req.param("q") else {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let options = query_options(ctx, req, all);
    let selection = soql::select_ids(&db.store, &q, &options).map_err(|e| soql_error(&e))?;
    ctx.count_soql(&db.store, &q);
    match selection {
        Selection::Complete(result) => Ok(Reply::json(StatusCode::OK, result.into_json())),
        Selection::Rows { ids, .. } => {
            let batch = batch_size(req).unwrap_or(2000).clamp(200, 2000);
            let cursor = Cursor {
                soql: q,
                query_all: all,
                ids: Arc::new(ids),
                batch,
                created: ctx.clock.now(),
            };
            page(ctx, db, req, cursor, None, 0)
        }
    }
}

fn page(
    ctx: &Ctx,
    db: &mut Db,
    req: &Req,
    cursor: Cursor,
    locator: Option<String>,
    offset: usize,
) -> Result<Reply, Reply> {
    let total = cursor.ids.len();
    let end = (offset + cursor.batch).min(total);
    let options = query_options(ctx, req, cursor.query_all);
    let records = soql::render_ids(&db.store, &cursor.soql, &options, &cursor.ids[offset..end])
        .map_err(|e| soql_error(&e))?;
    let mut body = Map::new();
    body.insert("totalSize".to_owned(), json!(total));
    body.insert("done".to_owned(), json!(end >= total));
    if end < total {
        let locator = match locator {
            Some(l) => l,
            None => {
                let l = db.next_id("01g");
                db.cursors.insert(l.clone(), cursor);
                db.cursor_order.push_back(l.clone());
                while db.cursor_order.len() > ctx.options.max_cursors {
                    if let Some(old) = db.cursor_order.pop_front() {
                        db.cursors.remove(&old);
                    }
                }
                l
            }
        };
        body.insert(
            "nextRecordsUrl".to_owned(),
            json!(format!(
                "/services/data/v{}/query/{locator}-{end}",
                req.version
            )),
        );
    }
    body.insert("records".to_owned(), Value::Array(records));
    Ok(Reply::json(StatusCode::OK, Value::Object(body)))
}

fn next_page(ctx: &Ctx, db: &mut Db, req: &Req, locator: &str) -> Result<Reply, Reply> {
    let invalid = || {
        Reply::error(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_LOCATOR",
            "invalid query locator",
        )
    };
    let (id, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let now = ctx.clock.now();
    let lifetime = TimeDelta::from_std(ctx.options.cursor_lifetime).unwrap_or(TimeDelta::MAX);
    let mut cursor = db.cursors.get(id).cloned().ok_or_else(invalid)?;
    if now - cursor.created > lifetime || offset >= cursor.ids.len() {
        db.cursors.remove(id);
        return Err(invalid());
    }
    if let Some(batch) = batch_size(req) {
        cursor.batch = batch.clamp(200, 2000);
    }
    page(ctx, db, req, cursor, Some(id.to_owned()), offset)
}

fn describe_global(db: &Db, version: &str) -> Reply {
    let objects: Vec<Value> = db
        .store
        .schemas()
        .iter()
        .map(|o| meta::global_entry(o, version))
        .collect();
    Reply::json(
        StatusCode::OK,
        json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects}),
    )
}

fn unknown_type(t: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
    .header("X-Sim-Unknown-Type", t.to_owned())
}

fn describe(ctx: &Ctx, db: &Db, req: &Req, t: &str) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(|| unknown_type(t))?;
    Ok(Reply::json(
        StatusCode::OK,
        meta::describe(schema, &req.version, &ctx.instance),
    ))
}

fn dml_error(e: DmlError) -> Reply {
    match e {
        DmlError::Invalid(items) => Reply::errors(StatusCode::BAD_REQUEST, &items),
        DmlError::NotFound(item) => Reply::errors(StatusCode::NOT_FOUND, &[item]),
        DmlError::Multiple(urls) => Reply::json(StatusCode::MULTIPLE_CHOICES, json!(urls)),
    }
}

/// The create body (201).
pub(crate) fn created_body(id: &str, warnings: bool) -> Value {
    if warnings {
        json!({"id": id, "success": true, "errors": [], "warnings": []})
    } else {
        json!({"id": id, "success": true, "errors": []})
    }
}

fn sobject_root(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
    t: &str,
) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(|| unknown_type(t))?.clone();
    match req.method {
        Method::GET => Ok(Reply::json(
            StatusCode::OK,
            json!({"objectDescribe": meta::global_entry(&schema, &req.version), "recentItems": []}),
        )),
        Method::POST => {
            let body = req.json_object()?;
            let id = records::create(ctx, db, caller, &schema.name, &body)
                .map_err(|e| Reply::errors(StatusCode::BAD_REQUEST, &e))?;
            Ok(
                Reply::json(StatusCode::CREATED, created_body(&id, false)).header(
                    "Location",
                    format!(
                        "/services/data/v{}/sobjects/{}/{id}",
                        req.version, schema.name
                    ),
                ),
            )
        }
        _ => Err(method_not_allowed(&req.method, "GET, POST")),
    }
}

fn fields_param(req: &Req) -> Option<Vec<String>> {
    req.param("fields").map(|f| {
        f.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn record(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
    t: &str,
    id: &str,
) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(|| unknown_type(t))?.clone();
    match req.method {
        Method::GET => {
            let record = db
                .store
                .get(&schema.name, id)
                .filter(|_| super::ids::is_valid(id))
                .ok_or_else(Reply::not_found)?;
            if record.get("IsDeleted").and_then(Val::as_bool) == Some(true) {
                return Err(Reply::error(
                    StatusCode::NOT_FOUND,
                    "ENTITY_IS_DELETED",
                    "entity is deleted",
                ));
            }
            let fields = fields_param(req);
            records::render(
                &req.version,
                &schema,
                &record.to_record(),
                fields.as_deref(),
            )
            .map(|v| Reply::json(StatusCode::OK, v))
            .map_err(|e| Reply::errors(StatusCode::BAD_REQUEST, &[e]))
        }
        Method::PATCH => {
            let body = req.json_object()?;
            records::update(ctx, db, caller, &schema.name, id, &body).map_err(dml_error)?;
            Ok(Reply::no_content())
        }
        Method::DELETE => {
            records::delete(ctx, db, caller, Some(&schema.name), id).map_err(dml_error)?;
            Ok(Reply::no_content())
        }
        _ => Err(method_not_allowed(&req.method, "GET, PATCH, DELETE")),
    }
}

fn by_external_id(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
    t: &str,
    field: &str,
    value: &str,
) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(|| unknown_type(t))?.clone();
    match req.method {
        Method::GET | Method::DELETE => {
            let Some(f) = schema.field(field) else {
                return Err(Reply::error(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    &format!(
                        "Provided external ID field does not exist or is not accessible: {field}"
                    ),
                ));
            };
            let matches = records::find_by_field(db, &schema.name, &f.name, value);
            match matches.as_slice() {
                [] => Err(Reply::not_found()),
                [id] => {
                    if req.method == Method::DELETE {
                        records::delete(ctx, db, caller, Some(&schema.name), id)
                            .map_err(dml_error)?;
                        return Ok(Reply::no_content());
                    }
                    let record = db
                        .store
                        .get(&schema.name, id)
                        .ok_or_else(Reply::not_found)?;
                    records::render(
                        &req.version,
                        &schema,
                        &record.to_record(),
                        fields_param(req).as_deref(),
                    )
                    .map(|v| Reply::json(StatusCode::OK, v))
                    .map_err(|e| Reply::errors(StatusCode::BAD_REQUEST, &[e]))
                }
                many => Err(dml_error(DmlError::Multiple(
                    many.iter()
                        .map(|id| {
                            format!(
                                "/services/data/v{}/sobjects/{}/{id}",
                                req.version, schema.name
                            )
                        })
                        .collect(),
                ))),
            }
        }
        Method::PATCH | Method::POST => {
            let body = req.json_object()?;
            let update_only = req.param("updateOnly").is_some_and(|v| v == "true");
            let (id, created) = records::upsert(
                ctx,
                db,
                caller,
                &schema.name,
                field,
                value,
                &body,
                update_only,
            )
            .map_err(dml_error)?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(Reply::json(
                status,
                json!({"id": id, "success": true, "errors": [], "created": created}),
            ))
        }
        _ => Err(method_not_allowed(&req.method, "GET, PATCH, DELETE")),
    }
}

/// Truncates to the minute.
pub(crate) fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}
