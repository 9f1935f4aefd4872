//! Request ids: every request gets an `x-request-id` (the caller's or a fresh UUID), echoed in
//! the response, recorded on the request's tracing span and in error bodies.
//!
//! The id is also kept in a task-local for the duration of the request so that
//! [`AppError`](crate::api::error::AppError) can put it in the JSON body without every handler
//! extracting it.

use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;

/// The header carrying the request id.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Middleware: runs the rest of the stack with the request's id in scope. Must sit inside
/// the layer that assigns ids.
pub(crate) async fn scope(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    CURRENT.scope(id, next.run(request)).await
}
