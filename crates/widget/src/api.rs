//! Typed calls to the sfdesk API (same origin as the widget), over `gloo-net`.
//!
//! Every call carries the agent's bearer token and follows [`auth::next_step`]: on `401
//! session_expired` the session is refreshed once and the call replayed; on any other 401 the
//! session is forgotten and the caller gets [`WidgetError::SignInRequired`]. Bodies are parsed
//! by the browser (`JSON.parse`) and read with `serde-wasm-bindgen`, which keeps `serde_json`
//! out of the wasm. The profile is revalidated with `If-None-Match`: a `304` re-shows the last
//! answer for the same record.

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use js_sys::{JSON, Reflect};
use serde::de::DeserializeOwned;
use sfdesk_shared::error::ErrorBody;
use sfdesk_shared::profile::{ActionResult, ProfileResponse};
use sfdesk_shared::session::SessionGrant;

use crate::auth::{self, Step};
use crate::browser;
use crate::error::WidgetError;
use crate::model::{ActionKind, Desk};
use wasm_bindgen::JsValue;

/// What the panel shows below the context card.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loaded {
    /// The page has no record to look up (settings, unsupported locations).
    NoRecord,
    /// No session: the sign-in button.
    SignIn,
    /// The profile answer.
    Profile(ProfileResponse),
    /// The installation has no Salesforce org connected yet.
    NotConnected,
}

impl Loaded {
    /// The answer's `fetched_at`, when it has one (found and not-found answers).
    pub(crate) fn fetched_at(&self) -> Option<&str> {
        match self {
            Self::Profile(ProfileResponse::Found(p)) => Some(&p.fetched_at),
            Self::Profile(ProfileResponse::NotFound(n)) => Some(&n.fetched_at),
            _ => None,
        }
    }
}

/// The last profile answer with its ETag, for `If-None-Match`.
struct Cached {
    /// `param=id` of the record it is about.
    target: String,
    etag: String,
    answer: ProfileResponse,
}

thread_local! {
    static LAST: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// `GET /api/v1/profile` for the record on screen; `refresh` bypasses the server's cache.
///
/// # Errors
/// The server's message for 4xx/5xx answers, or a network/decoding failure.
pub(crate) async fn profile(desk: &Desk, refresh: bool) -> Result<Loaded, WidgetError> {
    let Some(target) = desk.context.target() else {
        return Ok(Loaded::NoRecord);
    };
    let key = format!("{}={}", target.param(), target.id());
    let mut query = vec![(target.param(), target.id())];
    if refresh {
        query.push(("refresh", "true"));
    }
    // A forced refresh wants the new `fetched_at`, so it never asks for a 304.
    let etag = LAST
        .with_borrow(|c| {
            c.as_ref()
                .filter(|c| c.target == key)
                .map(|c| c.etag.clone())
        })
        .filter(|_| !refresh);
    let build = || {
        let request = Request::get("/api/v1/profile").query(query.iter().copied());
        match &etag {
            Some(etag) => request.header("If-None-Match", etag),
            None => request,
        }
    };
    let response = match send(&desk.user.id, &build, None).await {
        Ok(response) => response,
        Err(WidgetError::SignInRequired) => return Ok(Loaded::SignIn),
        Err(WidgetError::Api { code, .. }) if code == CODE_NOT_CONNECTED => {
            return Ok(Loaded::NotConnected);
        }
        Err(e) => return Err(e),
    };
    // We only send `If-None-Match` with a cached answer for this record, so a 304 has one.
    if response.status() == 304
        && let Some(answer) = LAST.with_borrow(|c| {
            c.as_ref()
                .filter(|c| c.target == key)
                .map(|c| c.answer.clone())
        })
    {
        return Ok(Loaded::Profile(answer));
    }
    let new_etag = response.headers().get("etag");
    let answer = profile_answer(&response).await?;
    if let Some(etag) = new_etag {
        LAST.set(Some(Cached {
            target: key,
            etag,
            answer: answer.clone(),
        }));
    }
    Ok(Loaded::Profile(answer))
}

/// `POST /api/v1/profile/actions/{create,log-ticket}` for the record on screen.
///
/// # Errors
/// [`WidgetError::SignInRequired`] without a usable session, the server's message otherwise.
pub(crate) async fn act(desk: &Desk, kind: ActionKind) -> Result<ActionResult, WidgetError> {
    let request = desk
        .context
        .target()
        .and_then(|target| kind.request(&target))
        .ok_or(WidgetError::NoRecord)?;
    let body = to_json(&request)?;
    let url = format!("/api/v1/profile/actions/{}", kind.path());
    let response = send(&desk.user.id, &|| Request::post(&url), Some(&body)).await?;
    json(&response).await
}

/// `DELETE /api/v1/session`, then forgets the session whatever the answer.
pub(crate) async fn sign_out(user_id: &str) {
    if let Some(grant) = browser::session(user_id) {
        // Best effort: an unreachable server must not keep the agent signed in here.
        if let Ok(request) = authorized(Request::delete("/api/v1/session"), &grant.token).build() {
            let _ = request.send().await;
        }
    }
    browser::forget_session(user_id);
}

/// Error code of an installation without a connected Salesforce org.
const CODE_NOT_CONNECTED: &str = "not_connected";

/// Sends one call with the session of `user_id`, refreshing it once when it expired.
async fn send(
    user_id: &str,
    build: &dyn Fn() -> RequestBuilder,
    body: Option<&str>,
) -> Result<Response, WidgetError> {
    let mut grant = browser::session(user_id).ok_or(WidgetError::SignInRequired)?;
    let mut refreshed = false;
    loop {
        let mut request = authorized(build(), &grant.token);
        let request = match body {
            Some(body) => {
                request = request.header("Content-Type", "application/json");
                request.body(body)
            }
            None => request.build(),
        }
        .map_err(network)?;
        let response = request.send().await.map_err(network)?;
        let status = response.status();
        let error = match status {
            200..=299 | 304 => None,
            _ => Some(error_body(&response).await),
        };
        match auth::next_step(status, error.as_ref().map(|e| e.code.as_str()), refreshed) {
            Step::Accept => return Ok(response),
            Step::Refresh => {
                refreshed = true;
                grant = refresh(user_id, &grant.token).await?;
            }
            Step::SignIn => {
                browser::forget_session(user_id);
                return Err(WidgetError::SignInRequired);
            }
            Step::Fail => return Err(api_error(status, error)),
        }
    }
}

/// `POST /api/v1/session/refresh` with the expired token; keeps and returns the new grant.
async fn refresh(user_id: &str, token: &str) -> Result<SessionGrant, WidgetError> {
    let response = authorized(Request::post("/api/v1/session/refresh"), token)
        .build()
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    let status = response.status();
    match auth::next_step(status, None, true) {
        Step::Accept => {
            let grant: SessionGrant = json(&response).await?;
            browser::save_session(user_id, grant.clone());
            Ok(grant)
        }
        Step::SignIn | Step::Refresh => {
            browser::forget_session(user_id);
            Err(WidgetError::SignInRequired)
        }
        Step::Fail => Err(api_error(status, Some(error_body(&response).await))),
    }
}

fn authorized(request: RequestBuilder, token: &str) -> RequestBuilder {
    request.header("Authorization", &format!("Bearer {token}"))
}

/// A `ProfileResponse` body. The variant is picked by `status` first and its fields decoded
/// straight from the parsed object: deriving through the tagged enum would buffer every field
/// in serde's `Content` and double the decoding code in the wasm.
async fn profile_answer(response: &Response) -> Result<ProfileResponse, WidgetError> {
    let value = json_value(response).await?;
    let status = Reflect::get(&value, &"status".into())
        .ok()
        .and_then(|s| s.as_string());
    Ok(match status.as_deref() {
        Some("hidden") => ProfileResponse::Hidden,
        Some("not_found") => ProfileResponse::NotFound(from_js(value)?),
        Some("found") => ProfileResponse::Found(Box::new(from_js(value)?)),
        _ => return Err(decode("unknown profile status")),
    })
}

/// The body as `T`, parsed by the browser.
async fn json<T: DeserializeOwned>(response: &Response) -> Result<T, WidgetError> {
    from_js(json_value(response).await?)
}

async fn json_value(response: &Response) -> Result<JsValue, WidgetError> {
    let text = response.text().await.map_err(network)?;
    JSON::parse(&text).map_err(|_| decode("not JSON"))
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, WidgetError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| decode(&e.to_string()))
}

/// The request as JSON text, serialized by the browser.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, WidgetError> {
    serde_wasm_bindgen::to_value(value)
        .ok()
        .and_then(|v| JSON::stringify(&v).ok())
        .and_then(|s| s.as_string())
        .ok_or_else(|| decode("request body"))
}

/// The `ErrorBody` of a failed answer, or a stand-in naming the status.
async fn error_body(response: &Response) -> ErrorBody {
    json(response).await.unwrap_or_else(|_| ErrorBody {
        code: String::new(),
        message: format!("HTTP {} {}", response.status(), response.status_text()),
        request_id: None,
    })
}

fn api_error(status: u16, body: Option<ErrorBody>) -> WidgetError {
    let body = body.unwrap_or_else(|| ErrorBody {
        code: String::new(),
        message: format!("HTTP {status}"),
        request_id: None,
    });
    WidgetError::Api {
        status,
        code: body.code,
        message: body.message,
        request_id: body.request_id,
    }
}

/// The browser's own message for a failed fetch (`gloo_net::Error`'s `Display` would link
/// `serde_json`'s error texts into the wasm).
fn network(e: gloo_net::Error) -> WidgetError {
    WidgetError::Network(match e {
        gloo_net::Error::JsError(e) => e.message,
        _ => "request failed".to_owned(),
    })
}

fn decode(what: &str) -> WidgetError {
    WidgetError::Decode(what.to_owned())
}
