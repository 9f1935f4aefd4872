//! Typed calls to the sfdesk API (same origin as the widget), over `fetch` ([`http`]).
//!
//! Every call carries the agent's bearer token and follows [`auth::next_step`]: on `401
//! session_expired` the session is refreshed once and the call replayed; on any other 401 the
//! session is forgotten and the caller gets [`WidgetError::SignInRequired`]. Bodies are parsed
//! by the browser (`JSON.parse`) and read by [`decode`], which keeps `serde_json` and serde's
//! derived decoders out of the wasm. The profile is revalidated with `If-None-Match`: a `304`
//! re-shows the last answer for the same record.

use std::cell::RefCell;

use sfdesk_shared::error::ErrorBody;
use sfdesk_shared::profile::{ActionResult, ProfileResponse};
use sfdesk_shared::session::SessionGrant;
use wasm_bindgen::JsValue;
use web_sys::Response;

use crate::auth::{self, Step};
use crate::browser;
use crate::decode::{self, Invalid, Json};
use crate::error::WidgetError;
use crate::http::{self, Call};
use crate::js_json;
use crate::model::{ActionKind, Desk};

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
    let key = format!("{}={}", target.param(), auth::encode(target.id()));
    let mut url = format!("/api/v1/profile?{key}");
    if refresh {
        url.push_str("&refresh=true");
    }
    // A forced refresh wants the new `fetched_at`, so it never asks for a 304.
    let etag = LAST
        .with_borrow(|c| {
            c.as_ref()
                .filter(|c| c.target == key)
                .map(|c| c.etag.clone())
        })
        .filter(|_| !refresh);
    let headers: &[(&str, &str)] = match &etag {
        Some(etag) => &[("If-None-Match", etag)],
        None => &[],
    };
    let call = Call {
        method: "GET",
        url: &url,
        headers,
        body: None,
    };
    let response = match send(&desk.user.id, call).await {
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
    let new_etag = response.headers().get("etag").ok().flatten();
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
    let body = js_json::action_text(&request).ok_or_else(|| decode_error("request body"))?;
    let url = format!("/api/v1/profile/actions/{}", kind.path());
    let call = Call {
        method: "POST",
        url: &url,
        headers: &[],
        body: Some(&body),
    };
    let response = send(&desk.user.id, call).await?;
    checked(decode::action_result(&json_value(&response).await?))
}

/// `DELETE /api/v1/session`, then forgets the session whatever the answer.
pub(crate) async fn sign_out(user_id: &str) {
    if let Some(grant) = browser::session(user_id) {
        // Best effort: an unreachable server must not keep the agent signed in here.
        let call = Call {
            method: "DELETE",
            url: "/api/v1/session",
            headers: &[],
            body: None,
        };
        let _ = http::send(&call, &grant.token).await;
    }
    browser::forget_session(user_id);
}

/// Error code of an installation without a connected Salesforce org.
const CODE_NOT_CONNECTED: &str = "not_connected";

/// Sends one call with the session of `user_id`, refreshing it once when it expired.
async fn send(user_id: &str, call: Call<'_>) -> Result<Response, WidgetError> {
    let mut grant = browser::session(user_id).ok_or(WidgetError::SignInRequired)?;
    let mut refreshed = false;
    loop {
        let response = http::send(&call, &grant.token)
            .await
            .map_err(WidgetError::Network)?;
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
    let call = Call {
        method: "POST",
        url: "/api/v1/session/refresh",
        headers: &[],
        body: None,
    };
    let response = http::send(&call, token)
        .await
        .map_err(WidgetError::Network)?;
    let status = response.status();
    match auth::next_step(status, None, true) {
        Step::Accept => {
            let grant = checked(decode::grant(&json_value(&response).await?))?;
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

/// A `ProfileResponse` body. The variant is picked by `status` first and its fields read
/// straight from the parsed object.
async fn profile_answer(response: &Response) -> Result<ProfileResponse, WidgetError> {
    let value = json_value(response).await?;
    let status = value.get("status").and_then(|s| s.string());
    Ok(match status.as_deref() {
        Some("hidden") => ProfileResponse::Hidden,
        Some("not_found") => ProfileResponse::NotFound(checked(decode::not_found(&value))?),
        Some("found") => ProfileResponse::Found(Box::new(checked(decode::profile(&value))?)),
        _ => return Err(decode_error("unknown profile status")),
    })
}

/// The body, parsed by the browser (read by the `decode` functions, synchronously).
async fn json_value(response: &Response) -> Result<JsValue, WidgetError> {
    let text = http::text(response).await.map_err(WidgetError::Network)?;
    js_json::parse(&text).ok_or_else(|| decode_error("not JSON"))
}

fn checked<T>(read: Result<T, Invalid>) -> Result<T, WidgetError> {
    read.map_err(|Invalid(what)| decode_error(&format!("invalid {what}")))
}

/// The `ErrorBody` of a failed answer, or a stand-in naming the status.
async fn error_body(response: &Response) -> ErrorBody {
    let body = json_value(response).await.map(|v| decode::error_body(&v));
    body.ok().and_then(Result::ok).unwrap_or_else(|| ErrorBody {
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

fn decode_error(what: &str) -> WidgetError {
    WidgetError::Decode(what.to_owned())
}
