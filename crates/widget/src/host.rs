//! The only bridge to the Zoho Desk client SDK (`ZOHODESK`): `wasm-bindgen` externs wrapped in
//! typed async functions that return [`HostError`] instead of throwing.
//!
//! The page loads `sdk.js` before the app: in Desk that is Zoho's `ZohoDeskClientSDK.min.js`, in
//! the demo our shim that speaks the same surface over `postMessage`. Every SDK call returns a
//! Promise, awaited through `JsFuture` with a timeout, because outside Desk the SDK never answers.
//! `extension.onload()` runs once per page; its App object is cached for later calls.
//! Keys read: `ticket`, `contact.id`, `contact.email`, `account.id`, `account.accountName`,
//! `portal.id` (the Desk org id, a number or a string) and `user` (`{id, fullName, email, …}`).

use std::cell::{Cell, RefCell};
use std::fmt;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::decode::{self, Invalid};
use crate::model::{Desk, DeskContext, Page, Record};

/// How long one SDK call may take before the panel gives up and offers a retry.
const SDK_TIMEOUT_MS: i32 = 10_000;

/// Desk events after which the record on screen may have changed (list unconfirmed by Zoho).
const CONTEXT_EVENTS: [&str; 2] = ["ticket_Shift", "pageChange"];

#[wasm_bindgen]
extern "C" {
    /// `ZOHODESK.extension.onload()`: resolves with the App object once Desk is ready.
    #[wasm_bindgen(catch, js_namespace = ["ZOHODESK", "extension"], js_name = onload)]
    fn sdk_onload() -> Result<JsValue, JsValue>;

    /// `ZOHODESK.get(key)`: resolves with `{ [key]: value, status: "success" }`.
    #[wasm_bindgen(catch, js_namespace = ZOHODESK, js_name = get)]
    fn sdk_get(key: &str) -> Result<JsValue, JsValue>;

    /// `App.instance`: the handle events are subscribed on.
    #[derive(Clone)]
    type AppInstance;

    /// `App.instance.on(event, callback)`.
    #[wasm_bindgen(catch, method, js_name = on)]
    fn on(this: &AppInstance, event: &str, callback: &Function) -> Result<JsValue, JsValue>;
}

/// Why the host could not give the widget its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostError {
    /// `ZOHODESK` is not defined: the page is not running inside Desk (or `sdk.js` failed).
    SdkMissing,
    /// An SDK call did not settle in time.
    Timeout {
        /// The call that timed out, e.g. `extension.onload` or `get(ticket)`.
        call: String,
    },
    /// An SDK call threw or rejected.
    Call {
        /// The failed call.
        call: String,
        /// The JavaScript error text.
        message: String,
    },
    /// An SDK answer did not have the documented shape.
    Decode {
        /// The key that was read.
        key: String,
        /// What did not match.
        message: String,
    },
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SdkMissing => {
                f.write_str("The Zoho Desk SDK is not available. Open this panel inside Zoho Desk.")
            }
            Self::Timeout { call } => write!(f, "Zoho Desk did not answer ({call})."),
            Self::Call { call, message } => write!(f, "Zoho Desk refused {call}: {message}"),
            Self::Decode { key, message } => {
                write!(f, "Zoho Desk sent an unexpected \"{key}\": {message}")
            }
        }
    }
}

impl std::error::Error for HostError {}

/// What `extension.onload()` told us about where the widget runs.
#[derive(Clone)]
pub(crate) struct HostApp {
    /// App location, e.g. `desk.ticket.detail.rightpanel`.
    location: Option<String>,
    /// The agent's locale, e.g. `en`.
    locale: Option<String>,
    /// `App.instance`, when the SDK provides one.
    instance: Option<AppInstance>,
}

thread_local! {
    /// The App object of the one successful `onload()` of this page.
    static APP: RefCell<Option<HostApp>> = const { RefCell::new(None) };
    /// Whether context-change listeners are registered (once per page).
    static SUBSCRIBED: Cell<bool> = const { Cell::new(false) };
}

/// Waits for the SDK's `extension.onload()` (once per page; later calls reuse its App).
///
/// # Errors
/// [`HostError::SdkMissing`] outside Desk, otherwise a timeout, a rejection or a bad App shape.
pub(crate) async fn connect() -> Result<HostApp, HostError> {
    if let Some(app) = APP.with_borrow(Clone::clone) {
        return Ok(app);
    }
    if !sdk_present() {
        return Err(HostError::SdkMissing);
    }
    let call = "extension.onload";
    let promise = sdk_onload().map_err(|e| call_error(call, &e))?;
    let app = settle(call, promise).await?;
    let host = HostApp {
        location: string_prop(&app, "location"),
        locale: string_prop(&app, "locale"),
        instance: Reflect::get(&app, &"instance".into())
            .ok()
            .filter(JsValue::is_object)
            .map(JsCast::unchecked_into),
    };
    APP.set(Some(host.clone()));
    Ok(host)
}

/// Calls `on_change` whenever Desk reports that the record on screen may have changed.
/// Registers at most once per page; a missing `App.instance` silently means no events.
pub(crate) fn subscribe_context_changes(app: &HostApp, on_change: impl Fn() + 'static) {
    let Some(instance) = &app.instance else {
        return;
    };
    if SUBSCRIBED.replace(true) {
        return;
    }
    let callback = Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| on_change());
    for event in CONTEXT_EVENTS {
        // An SDK without this event just never calls back; nothing to report.
        let _ = instance.on(event, callback.as_ref().unchecked_ref());
    }
    // The listeners live as long as the page.
    callback.forget();
}

/// Reads the record the widget's page refers to: the ticket (with requester), contact or account.
///
/// # Errors
/// Any failed or malformed `ZOHODESK.get` for the record's id.
async fn load_context(app: &HostApp) -> Result<DeskContext, HostError> {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let record = match Page::resolve(app.location.as_deref(), &path) {
        Page::Ticket => Record::Ticket(get("ticket").await?.read(decode::ticket)?),
        Page::Contact => Record::Contact {
            id: get("contact.id").await?.read(decode::id)?,
            email: get("contact.email")
                .await
                .and_then(|v| v.read(decode::string))
                .ok(),
        },
        Page::Account => Record::Account {
            id: get("account.id").await?.read(decode::id)?,
            name: get("account.accountName")
                .await
                .and_then(|v| v.read(decode::string))
                .ok(),
        },
        Page::Settings => Record::Settings,
        Page::Unsupported(location) => Record::Unsupported(location),
    };
    Ok(DeskContext {
        locale: app.locale.clone().unwrap_or_else(|| "en".to_owned()),
        record,
    })
}

/// Reads everything the panel needs: the record ([`load_context`]), the Desk org id
/// (`get("portal.id")`) and the signed-in agent (`get("user")`).
///
/// # Errors
/// Any failed or malformed `ZOHODESK.get`.
pub(crate) async fn load_desk(app: &HostApp) -> Result<Desk, HostError> {
    let context = load_context(app).await?;
    let org_id = get("portal.id").await?.read(decode::id)?;
    let user = get("user").await?.read(decode::desk_user)?;
    Ok(Desk {
        context,
        org_id,
        user,
    })
}

/// One value the SDK gave, with the key it was asked for.
struct Got<'a> {
    key: &'a str,
    value: JsValue,
}

impl Got<'_> {
    /// The value as `read` reads it (synchronous, so only this is generic, not the call).
    ///
    /// # Errors
    /// [`HostError::Decode`] when `read` refuses the value.
    fn read<T>(self, read: fn(&JsValue) -> Result<T, Invalid>) -> Result<T, HostError> {
        read(&self.value).map_err(|Invalid(what)| HostError::Decode {
            key: self.key.to_owned(),
            message: format!("expected {what}"),
        })
    }
}

/// `ZOHODESK.get(key)`: the answer's `[key]` property.
///
/// # Errors
/// A rejection, a non-`success` status or a timeout.
async fn get(key: &str) -> Result<Got<'_>, HostError> {
    if !sdk_present() {
        return Err(HostError::SdkMissing);
    }
    let call = format!("get({key})");
    let promise = sdk_get(key).map_err(|e| call_error(&call, &e))?;
    let answer = settle(&call, promise).await?;
    if let Some(status) = string_prop(&answer, "status").filter(|s| s != "success") {
        return Err(HostError::Call {
            call,
            message: format!("status {status}"),
        });
    }
    let value = Reflect::get(&answer, &key.into()).unwrap_or(JsValue::UNDEFINED);
    Ok(Got { key, value })
}

/// Whether `globalThis.ZOHODESK` exists.
fn sdk_present() -> bool {
    Reflect::get(&js_sys::global(), &"ZOHODESK".into()).is_ok_and(|v| v.is_object())
}

/// Awaits `value` (a Promise or a plain value) for at most [`SDK_TIMEOUT_MS`].
async fn settle(call: &str, value: JsValue) -> Result<JsValue, HostError> {
    let timed_out = Object::new();
    let timer = {
        let marker = timed_out.clone();
        Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_1(
                    &resolve,
                    SDK_TIMEOUT_MS,
                    &marker,
                );
            }
        })
    };
    let race = Promise::race(&Array::of2(&Promise::resolve(&value), &timer));
    match JsFuture::from(race).await {
        Ok(result) if Object::is(&result, &timed_out) => Err(HostError::Timeout {
            call: call.to_owned(),
        }),
        Ok(result) => Ok(result),
        Err(e) => Err(call_error(call, &e)),
    }
}

fn call_error(call: &str, error: &JsValue) -> HostError {
    let message = error
        .as_string()
        .or_else(|| string_prop(error, "message"))
        .unwrap_or_else(|| "unknown error".to_owned());
    if mentions(&message, "ZOHODESK") && mentions(&message, "not defined") {
        return HostError::SdkMissing;
    }
    HostError::Call {
        call: call.to_owned(),
        message,
    }
}

/// Whether `text` contains `word` (a plain scan: `str::contains`'s searcher is kilobytes of
/// wasm for two checks on a short error message).
fn mentions(text: &str, word: &str) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|w| w == word.as_bytes())
}

fn string_prop(target: &JsValue, key: &str) -> Option<String> {
    if !target.is_object() {
        return None;
    }
    Reflect::get(target, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_sdk_messages_are_recognised() {
        assert!(mentions(
            "ReferenceError: ZOHODESK is not defined",
            "ZOHODESK"
        ));
        assert!(!mentions("ZOHO", "ZOHODESK"));
        assert!(!mentions("Zoho Desk is not defined", "ZOHODESK"));
    }

    #[test]
    fn errors_read_well() {
        assert_eq!(
            HostError::Timeout {
                call: "get(ticket)".into()
            }
            .to_string(),
            "Zoho Desk did not answer (get(ticket))."
        );
        assert!(
            HostError::SdkMissing
                .to_string()
                .contains("inside Zoho Desk")
        );
    }
}
