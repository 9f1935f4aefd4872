//! One call to our API with `gloo-net` (the browser's `fetch`). Every call carries the agent's
//! token as `Authorization: Bearer …`.

use gloo_net::http::{Method, RequestBuilder};
use web_sys::Response;

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
    let method = match call.method {
        "POST" => Method::POST,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut request = RequestBuilder::new(call.url)
        .method(method)
        .header("Authorization", &format!("Bearer {token}"));
    for (name, value) in call.headers {
        request = request.header(name, value);
    }
    let request = match call.body {
        Some(body) => request
            .header("Content-Type", "application/json")
            .body(body)
            .map_err(message)?,
        None => request.build().map_err(message)?,
    };
    let answer = request.send().await.map_err(message)?;
    Ok(answer.into())
}

/// The body as text.
///
/// # Errors
/// The browser's message when the body could not be read.
pub(crate) async fn text(response: &Response) -> Result<String, String> {
    gloo_net::http::Response::from(Clone::clone(response))
        .text()
        .await
        .map_err(message)
}

/// What the browser said (a `TypeError: Failed to fetch`, say). Only JavaScript errors carry a
/// message worth showing; formatting the whole error would link `serde_json`'s error texts.
fn message(error: gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(js) => js.message,
        _ => "request failed".to_owned(),
    }
}
