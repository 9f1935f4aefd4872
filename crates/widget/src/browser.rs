//! The browser APIs the panel uses besides the Desk SDK (`host.rs`) and HTTP (`api.rs`): the
//! session store, the sign-in popup and its message, and the clock.
//!
//! Sessions live in memory and in `sessionStorage` (per tab, gone when it closes) under
//! [`auth::storage_key`], never in `localStorage`, a URL or a log. Storage may be unavailable
//! (blocked third-party storage); the session then lasts as long as the page.

use std::cell::{Cell, RefCell};

use js_sys::{Date, Reflect};
use sfdesk_shared::session::SessionGrant;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Storage};

use crate::auth::{self, MessageKind, PopupMessage};
use crate::decode;
use crate::js_json;

/// Name and features of the sign-in popup.
const POPUP_NAME: &str = "sfdesk-signin";
const POPUP_FEATURES: &str = "popup,width=520,height=640";

thread_local! {
    /// The session in memory: (Desk user id, grant).
    static SESSION: RefCell<Option<(String, SessionGrant)>> = const { RefCell::new(None) };
    /// Whether the popup's message listener is registered (once per page).
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

/// The session of Desk user `user_id`: from memory, else from `sessionStorage`.
pub(crate) fn session(user_id: &str) -> Option<SessionGrant> {
    let in_memory = SESSION.with_borrow(|s| {
        s.as_ref()
            .filter(|(user, _)| user == user_id)
            .map(|(_, grant)| grant.clone())
    });
    if in_memory.is_some() {
        return in_memory;
    }
    let stored = storage()?.get_item(&auth::storage_key(user_id)).ok()??;
    let grant = decode::grant(&js_json::parse(&stored)?).ok()?;
    SESSION.set(Some((user_id.to_owned(), grant.clone())));
    Some(grant)
}

/// Keeps `grant` as the session of `user_id`.
pub(crate) fn save_session(user_id: &str, grant: SessionGrant) {
    let json = js_json::grant_text(&grant);
    if let (Some(storage), Some(json)) = (storage(), json) {
        // Full or blocked storage: the session still lives in memory.
        let _ = storage.set_item(&auth::storage_key(user_id), &json);
    }
    SESSION.set(Some((user_id.to_owned(), grant)));
}

/// Forgets the session of `user_id` everywhere.
pub(crate) fn forget_session(user_id: &str) {
    SESSION.with_borrow_mut(|s| {
        if s.as_ref().is_some_and(|(user, _)| user == user_id) {
            *s = None;
        }
    });
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&auth::storage_key(user_id));
    }
}

/// Opens the sign-in popup at `url`. Must run inside the click handler (browsers only allow
/// popups on a user gesture); `false` when the browser blocked it.
pub(crate) fn open_popup(url: &str) -> bool {
    web_sys::window()
        .and_then(|w| {
            w.open_with_url_and_target_and_features(url, POPUP_NAME, POPUP_FEATURES)
                .ok()
        })
        .flatten()
        .is_some()
}

/// Calls `on_message` with every [`PopupMessage`] posted to this window from its own origin.
/// Registers at most once per page; messages of other origins or shapes are ignored.
pub(crate) fn listen_for_sign_in(on_message: impl Fn(PopupMessage) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if LISTENING.replace(true) {
        return;
    }
    let origin = window.location().origin().unwrap_or_default();
    let listener = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if origin.is_empty() || event.origin() != origin {
            return;
        }
        if let Some(message) = popup_message(event.data()) {
            on_message(message);
        }
    });
    let _ = window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    listener.forget();
}

/// Reads a popup message: its `type`, then the grant or the error text.
fn popup_message(data: JsValue) -> Option<PopupMessage> {
    let field = |key: &str| Reflect::get(&data, &key.into()).ok()?.as_string();
    if !data.is_object() {
        return None;
    }
    match MessageKind::of(&field("type")?)? {
        MessageKind::Session => decode::grant(&data).ok().map(PopupMessage::Session),
        MessageKind::Error => Some(PopupMessage::Error(field("message").unwrap_or_default())),
    }
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> f64 {
    Date::now()
}

/// The local offset from UTC in minutes at instant `ms` (east positive).
pub(crate) fn utc_offset(ms: f64) -> i32 {
    -(Date::new(&JsValue::from_f64(ms)).get_timezone_offset() as i32)
}

fn storage() -> Option<Storage> {
    web_sys::window()?.session_storage().ok()?
}
