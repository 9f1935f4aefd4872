//! Webhooks (doc §12): the subscription API and the delivery of events.
//!
//! **API.** `POST /webhooks` (200 + the stored object), `GET /webhooks` (`{data}` or 204),
//! `GET` / `PATCH` / `DELETE /webhooks/{id}`. `url` and `subscriptions` are required; on create and
//! on a URL change the simulator validates the URL like Desk: a bodiless GET, then a bodiless POST
//! if the GET did not answer 200; if neither did, the call fails with 422 `INVALID_DATA`. Edition
//! quotas (Free / Express / Standard 0, Professional 5, Enterprise 10, at most 20) answer 403
//! `LICENSE_ACCESS_LIMITED`.
//!
//! **Delivery.** Each API or UI write becomes events routed, under the data lock, to every enabled
//! webhook subscribed to the event type, except those whose `ignoreSourceId` equals the call's
//! `sourceId` header. A batcher task gathers events for a short window (default 50 ms) and hands
//! one JSON array per webhook to that webhook's worker, which delivers batches in order:
//! `POST` with `X-ZDesk-JWT`; 200 is success, 410 deletes the subscription, anything else or a
//! timeout (5 s) is retried after each delay of the retry schedule **(unconfirmed)**. Every attempt
//! is recorded ([`DeliveryAttempt`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::api::Caller;
use super::error::{DeskError, FieldError};
use super::jwt::JwtSigner;
use super::model::{Module, desk_time};
use super::records::{body_object, data_or_204};
use super::state::{Change, ChangeKind, Ctx, Db};
use crate::common::lock;

/// Header carrying the delivery JWT.
pub const JWT_HEADER: &str = "X-ZDesk-JWT";

/// Event types the simulator accepts in `subscriptions`.
const EVENT_TYPES: &[&str] = &[
    "Contact_Add",
    "Contact_Update",
    "Contact_Delete",
    "Account_Add",
    "Account_Update",
    "Account_Delete",
    "Ticket_Add",
    "Ticket_Update",
    "Ticket_Delete",
];

/// A stored subscription.
#[derive(Clone, Debug)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    name: Option<String>,
    pub(crate) url: String,
    description: Option<String>,
    is_enabled: bool,
    ignore_source_id: String,
    subscriptions: Map<String, Value>,
    include_events_from: Vec<String>,
    created_by: String,
    created_time: DateTime<Utc>,
    modified_time: DateTime<Utc>,
}

impl Webhook {
    /// The API JSON.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "description": self.description,
            "type": "CUSTOMER_WEBHOOK",
            "isEnabled": self.is_enabled,
            "ignoreSourceId": self.ignore_source_id,
            "subscriptions": self.subscriptions,
            "includeEventsFrom": self.include_events_from,
            "createdBy": self.created_by,
            "createdTime": desk_time(self.created_time),
            "modifiedTime": desk_time(self.modified_time),
        })
    }
}

/// One delivery attempt, as recorded by the simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// Target subscription.
    pub webhook_id: String,
    /// 1 for the first try, 2 for the first retry, …
    pub attempt: u32,
    /// `eventType` of each event in the batch, in order.
    pub event_types: Vec<String>,
    /// The receiver's status, `None` on a transport error or timeout.
    pub status: Option<u16>,
    /// The transport error, if any.
    pub error: Option<String>,
    /// Simulated time of the attempt.
    pub at: DateTime<Utc>,
}

/// An event bound for one webhook.
#[derive(Debug)]
pub(crate) struct Routed {
    webhook_id: String,
    event: Value,
}

/// Routes events and owns the delivery machinery.
pub(crate) struct Dispatcher {
    tx: mpsc::UnboundedSender<Routed>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Routed>>>,
    pub(crate) attempts: Mutex<Vec<DeliveryAttempt>>,
    pub(crate) signer: JwtSigner,
    pub(crate) http: reqwest::Client,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Dispatcher {
    pub(crate) fn new(signer: JwtSigner) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
            attempts: Mutex::new(Vec::new()),
            signer,
            // Deliveries and handshakes target the test's own receivers; never a proxy.
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
            tasks: Mutex::new(Vec::new()),
        }
    }

    /// Starts the batcher (once).
    pub(crate) fn start(ctx: &Arc<Ctx>) {
        let Some(rx) = lock(&ctx.hooks.rx).take() else {
            return;
        };
        let task = tokio::spawn(batcher(Arc::downgrade(ctx), rx));
        lock(&ctx.hooks.tasks).push(task);
    }

    /// The served JWKS.
    pub(crate) fn signer_jwks(&self) -> Value {
        self.signer.jwks().clone()
    }

    /// Stops every delivery task.
    pub(crate) fn stop(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }

    /// Turns changes into events for the subscribed webhooks (call under the data lock).
    pub(crate) fn route(
        &self,
        ctx: &Ctx,
        db: &Db,
        changes: &[Change],
        source_id: Option<&str>,
    ) -> Vec<Routed> {
        let switches = &ctx.options.switches;
        let mut out = Vec::new();
        for change in changes {
            let suffix = match change.kind {
                ChangeKind::Add => "Add",
                ChangeKind::Update => "Update",
                ChangeKind::Delete => "Delete",
            };
            let event_type = format!("{}_{suffix}", change.record.module.event_prefix());
            let time = match (&change.kind, &change.record.trashed) {
                (ChangeKind::Delete, Some(t)) => t.deleted_time,
                _ => change.record.modified_time,
            };
            let payload = if change.kind == ChangeKind::Delete && !switches.delete_payload_full {
                json!({"id": change.record.id})
            } else {
                ctx.full_json(db, &change.record)
            };
            for hook in db.webhooks.values().filter(|w| w.is_enabled) {
                let Some(filter) = hook.subscriptions.get(&event_type) else {
                    continue;
                };
                if !hook.ignore_source_id.is_empty()
                    && source_id == Some(hook.ignore_source_id.as_str())
                {
                    continue;
                }
                let mut event = json!({
                    "eventType": event_type,
                    "orgId": db.org.id,
                    "eventTime": time.timestamp_millis().to_string(),
                    "payload": payload,
                });
                let wants_prev = filter
                    .get("includePrevState")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if change.kind == ChangeKind::Update && wants_prev {
                    event["prevState"] = match (&change.prev_record, switches.prev_state_full) {
                        (Some(old), true) => ctx.full_json(db, old),
                        _ => Value::Object(change.prev.clone()),
                    };
                }
                out.push(Routed {
                    webhook_id: hook.id.clone(),
                    event,
                });
            }
        }
        out
    }

    /// Queues routed events for delivery (call after releasing the data lock).
    pub(crate) fn send(&self, events: Vec<Routed>) {
        for event in events {
            // The receiver only closes when the simulator shuts down.
            let _ = self.tx.send(event);
        }
    }
}

async fn batcher(ctx: Weak<Ctx>, mut rx: mpsc::UnboundedReceiver<Routed>) {
    let mut workers: HashMap<String, mpsc::UnboundedSender<Vec<Value>>> = HashMap::new();
    while let Some(first) = rx.recv().await {
        let Some(window) = ctx.upgrade().map(|c| c.options.webhook_batch_window) else {
            return;
        };
        let deadline = tokio::time::Instant::now() + window;
        let mut batch = vec![first];
        while let Ok(Some(next)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            batch.push(next);
        }
        let mut groups: BTreeMap<usize, (String, Vec<Value>)> = BTreeMap::new();
        let mut order: HashMap<String, usize> = HashMap::new();
        for routed in batch {
            let n = order.len();
            let slot = *order.entry(routed.webhook_id.clone()).or_insert(n);
            groups
                .entry(slot)
                .or_insert_with(|| (routed.webhook_id.clone(), Vec::new()))
                .1
                .push(routed.event);
        }
        for (_, (webhook_id, events)) in groups {
            let sender = workers.entry(webhook_id.clone()).or_insert_with(|| {
                let (tx, rx) = mpsc::unbounded_channel();
                let task = tokio::spawn(worker(ctx.clone(), webhook_id.clone(), rx));
                if let Some(c) = ctx.upgrade() {
                    lock(&c.hooks.tasks).push(task);
                }
                tx
            });
            let _ = sender.send(events);
        }
    }
}

async fn worker(ctx: Weak<Ctx>, webhook_id: String, mut rx: mpsc::UnboundedReceiver<Vec<Value>>) {
    while let Some(events) = rx.recv().await {
        deliver(&ctx, &webhook_id, &events).await;
    }
}

async fn deliver(weak: &Weak<Ctx>, webhook_id: &str, events: &[Value]) {
    let event_types: Vec<String> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let Some(ctx) = weak.upgrade() else {
            return;
        };
        let (url, org_id) = {
            let db = ctx.db();
            match db.webhooks.get(webhook_id) {
                Some(w) if w.is_enabled => (w.url.clone(), db.org.id.clone()),
                _ => return,
            }
        };
        let now = ctx.clock.now();
        let jwt = ctx.hooks.signer.sign(
            &org_id,
            webhook_id,
            now,
            ctx.options.switches.jwt_times_in_millis,
        );
        let result = ctx
            .hooks
            .http
            .post(&url)
            .header(JWT_HEADER, jwt)
            .json(events)
            .timeout(ctx.options.webhook_timeout)
            .send()
            .await;
        let (status, error) = match &result {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        lock(&ctx.hooks.attempts).push(DeliveryAttempt {
            webhook_id: webhook_id.to_owned(),
            attempt,
            event_types: event_types.clone(),
            status,
            error,
            at: now,
        });
        match status {
            Some(200) => return,
            Some(410) => {
                ctx.db().webhooks.remove(webhook_id);
                return;
            }
            _ => {}
        }
        let Some(delay) = ctx
            .options
            .switches
            .webhook_retry_delays
            .get(attempt as usize - 1)
            .copied()
        else {
            return;
        };
        drop(ctx);
        tokio::time::sleep(delay).await;
    }
}

/// Desk's URL validation: a bodiless GET, then a bodiless POST if the GET was not 200.
async fn handshake(http: &reqwest::Client, url: &str, timeout: Duration) -> bool {
    let ok = |r: Result<reqwest::Response, reqwest::Error>| {
        r.is_ok_and(|r| r.status() == StatusCode::OK)
    };
    ok(http.get(url).timeout(timeout).send().await)
        || ok(http.post(url).timeout(timeout).send().await)
}

/// The validated fields of a create or patch body.
#[derive(Default)]
struct HookInput {
    name: Option<Option<String>>,
    url: Option<String>,
    description: Option<Option<String>>,
    is_enabled: Option<bool>,
    ignore_source_id: Option<String>,
    subscriptions: Option<Map<String, Value>>,
    include_events_from: Option<Vec<String>>,
}

fn opt_text(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<Option<String>> {
    match body.get(key)? {
        Value::Null => Some(None),
        Value::String(s) if s.chars().count() <= max => Some(Some(s.clone())),
        _ => {
            errors.push(FieldError::invalid(
                format!("/{key}"),
                format!("'{key}' must be a string of at most {max} characters."),
            ));
            None
        }
    }
}

fn parse_hook(body: &Map<String, Value>, create: bool) -> Result<HookInput, DeskError> {
    let mut errors = Vec::new();
    let mut input = HookInput::default();
    for key in body.keys() {
        if !matches!(
            key.as_str(),
            "name"
                | "url"
                | "description"
                | "isEnabled"
                | "ignoreSourceId"
                | "subscriptions"
                | "includeEventsFrom"
        ) {
            errors.push(FieldError::invalid(
                format!("/{key}"),
                format!("Extra key '{key}' is present in the input."),
            ));
        }
    }
    input.name = opt_text(body, "name", 100, &mut errors);
    input.description = opt_text(body, "description", 3000, &mut errors);
    match body.get("url") {
        None if create => errors.push(FieldError::missing("/url")),
        None => {}
        Some(Value::String(u))
            if u.chars().count() <= 500
                && url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")) =>
        {
            input.url = Some(u.clone());
        }
        Some(_) => errors.push(FieldError::invalid(
            "/url",
            "'url' must be an http(s) URL of at most 500 characters.",
        )),
    }
    match body.get("isEnabled") {
        None => {}
        Some(Value::Bool(b)) => input.is_enabled = Some(*b),
        Some(_) => errors.push(FieldError::invalid(
            "/isEnabled",
            "'isEnabled' must be a boolean.",
        )),
    }
    match body.get("ignoreSourceId") {
        None => {}
        Some(Value::Null) => input.ignore_source_id = Some(String::new()),
        Some(Value::String(s)) if s.is_empty() || uuid::Uuid::parse_str(s).is_ok() => {
            input.ignore_source_id = Some(s.clone())
        }
        Some(_) => errors.push(FieldError::invalid(
            "/ignoreSourceId",
            "'ignoreSourceId' must be a UUID or \"\".",
        )),
    }
    match body.get("includeEventsFrom") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(|i| i.as_str() == Some("AUTOMATION")) => {
            input.include_events_from = Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        Some(_) => errors.push(FieldError::invalid(
            "/includeEventsFrom",
            "Only \"AUTOMATION\" is allowed.",
        )),
    }
    match body.get("subscriptions") {
        None if create => errors.push(FieldError::missing("/subscriptions")),
        None => {}
        Some(Value::Object(subs)) if !subs.is_empty() => {
            for (event, filter) in subs {
                let path = format!("/subscriptions/{event}");
                if !EVENT_TYPES.contains(&event.as_str()) {
                    errors.push(FieldError::invalid(
                        path,
                        format!("Unknown event '{event}'."),
                    ));
                    continue;
                }
                let ok = match (event.ends_with("_Update"), filter) {
                    (_, Value::Null) => true,
                    (true, Value::Object(f)) => f.iter().all(|(k, v)| match k.as_str() {
                        "includePrevState" => v.is_boolean(),
                        "departmentIds" | "fields" => v.is_array(),
                        _ => false,
                    }),
                    (false, Value::Object(f)) => f.keys().all(|k| k == "departmentIds"),
                    _ => false,
                };
                if !ok {
                    errors.push(FieldError::invalid(path, "Invalid filter."));
                }
            }
            input.subscriptions = Some(subs.clone());
        }
        Some(_) => errors.push(FieldError::invalid(
            "/subscriptions",
            "'subscriptions' must be a non-empty object.",
        )),
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(DeskError::invalid_fields(errors))
    }
}

fn handshake_failed() -> DeskError {
    DeskError::invalid_field(
        "/url",
        "The URL did not answer 200 to the validation request.",
    )
}

/// `POST /webhooks`.
pub(crate) async fn create(
    State(ctx): State<Arc<Ctx>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = body_object(&body)?;
    let input = parse_hook(&body, true)?;
    {
        let db = ctx.db();
        let edition = db.org.edition;
        let max = edition.webhook_quota().min(20);
        if db.webhooks.len() >= max as usize {
            return Err(DeskError::LicenseLimited {
                max_allowed: max,
                feature: "WEBHOOKS".to_owned(),
                edition: edition.name().to_owned(),
            });
        }
    }
    let url = input.url.clone().unwrap_or_default();
    if !handshake(&ctx.hooks.http, &url, ctx.options.webhook_timeout).await {
        return Err(handshake_failed());
    }
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let hook = Webhook {
        id: db.new_id(),
        name: input.name.flatten(),
        url,
        description: input.description.flatten(),
        is_enabled: input.is_enabled.unwrap_or(true),
        ignore_source_id: input.ignore_source_id.unwrap_or_default(),
        subscriptions: input.subscriptions.unwrap_or_default(),
        include_events_from: input.include_events_from.unwrap_or_default(),
        created_by: caller.agent_id,
        created_time: now,
        modified_time: now,
    };
    let out = hook.to_json();
    db.webhooks.insert(hook.id.clone(), hook);
    Ok(Json(out).into_response())
}

/// `GET /webhooks`.
pub(crate) async fn list(
    State(ctx): State<Arc<Ctx>>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, DeskError> {
    // Paging parameters are accepted; the simulator answers every subscription at once.
    super::params::Params::parse(raw.as_deref(), &["from", "limit", "type"])?;
    let rows = ctx.db().webhooks.values().map(Webhook::to_json).collect();
    Ok(data_or_204(rows))
}

/// `GET /webhooks/{id}`.
pub(crate) async fn get_one(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let db = ctx.db();
    let hook = db.webhooks.get(&id).ok_or(DeskError::NotFound)?;
    Ok(Json(hook.to_json()).into_response())
}

/// `PATCH /webhooks/{id}`.
pub(crate) async fn patch(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = body_object(&body)?;
    let input = parse_hook(&body, false)?;
    let old_url = ctx
        .db()
        .webhooks
        .get(&id)
        .map(|w| w.url.clone())
        .ok_or(DeskError::NotFound)?;
    if let Some(url) = input.url.as_ref().filter(|u| **u != old_url)
        && !handshake(&ctx.hooks.http, url, ctx.options.webhook_timeout).await
    {
        return Err(handshake_failed());
    }
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let hook = db.webhooks.get_mut(&id).ok_or(DeskError::NotFound)?;
    if let Some(v) = input.name {
        hook.name = v;
    }
    if let Some(v) = input.url {
        hook.url = v;
    }
    if let Some(v) = input.description {
        hook.description = v;
    }
    if let Some(v) = input.is_enabled {
        hook.is_enabled = v;
    }
    if let Some(v) = input.ignore_source_id {
        hook.ignore_source_id = v;
    }
    if let Some(v) = input.subscriptions {
        hook.subscriptions = v;
    }
    if let Some(v) = input.include_events_from {
        hook.include_events_from = v;
    }
    hook.modified_time = now;
    Ok(Json(hook.to_json()).into_response())
}

/// `DELETE /webhooks/{id}`: 204.
pub(crate) async fn delete(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    ctx.db().webhooks.remove(&id).ok_or(DeskError::NotFound)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /.well-known/jwks.json`.
pub(crate) async fn jwks(State(ctx): State<Arc<Ctx>>) -> Response {
    Json(ctx.hooks.signer.jwks().clone()).into_response()
}

/// Which module an event type belongs to (for tests and tools).
pub fn event_module(event_type: &str) -> Option<Module> {
    match event_type.split('_').next()? {
        "Contact" => Some(Module::Contacts),
        "Account" => Some(Module::Accounts),
        _ => None,
    }
}
