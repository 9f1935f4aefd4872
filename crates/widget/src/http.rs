//! One call to our API with the browser's `fetch`, straight over `web_sys` (an HTTP client
//! crate brings its own request model, error texts and query encoding into the wasm). Every
//! call carries the agent's token as `Authorization: Bearer …`.

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// A request to our own origin.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// `GET`, `POST` or `DELETE`.
    pub(crate) method: &'static str,
    /// Path and query.
    pub(crate) url: &'a str,
    /// `(name, value)` pairs.
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// A JSON body (sent with `Content-Type: application/json`).
    pub(crate) body: Option<&'a str>,
}

/// Sends `call` with the bearer `token`.
///
/// # Errors
/// The browser's message when the request got no answer.
pub(crate) async fn send(call: &Call<'_>, token: &str) -> Result<Response, String> {
    let headers = Headers::new().map_err(|e| message(&e))?;
    headers
        .append("Authorization", &format!("Bearer {token}"))
        .map_err(|e| message(&e))?;
    for (name, value) in call.headers {
        headers.append(name, value).map_err(|e| message(&e))?;
    }
    let init = RequestInit::new();
    init.set_method(call.method);
    if let Some(body) = call.body {
        headers
            .append("Content-Type", "application/json")
            .map_err(|e| message(&e))?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(|| "no window".to_owned())?;
    let answer = settle(window.fetch_with_str_and_init(call.url, &init)).await?;
    Ok(answer.unchecked_into())
}

/// The body as text.
///
/// # Errors
/// The browser's message when the body could not be read.
pub(crate) async fn text(response: &Response) -> Result<String, String> {
    let text = settle(response.text().map_err(|e| message(&e))?).await?;
    Ok(text.as_string().unwrap_or_default())
}

async fn settle(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| message(&e))
}

/// A thrown value's `message` (a `TypeError: Failed to fetch`, say).
fn message(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "request failed".to_owned())
}
