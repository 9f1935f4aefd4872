//! The axum middlewares that apply [`Counters`] and [`Faults`] to a simulator's router.
//!
//! Install both with `Router::route_layer` so the matched route template is known (unmatched
//! paths are neither counted nor faulted). Typical order, outermost first:
//! [`count_calls`] → the simulator's own auth / limit layer → [`inject_faults`] → handler, so every
//! call is counted and injected latency holds a concurrency slot like a slow real call would.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{Counters, Fault, Faults};

/// The name of an endpoint: `"<METHOD> <route template>"`, e.g. `"GET /api/v1/contacts/{id}"`.
/// Inserted into the request extensions by [`count_calls`] and [`inject_faults`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EndpointKey(pub String);

impl EndpointKey {
    /// The key of a request: its method and matched route (the raw path if no route matched).
    pub fn of(req: &Request) -> Self {
        let path = route_template(req);
        Self(format!("{} {path}", req.method()))
    }
}

fn route_template(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned())
}

/// Builds the service-specific answers of the generic faults.
pub trait FaultResponder: Send + Sync + 'static {
    /// The answer for `fault` (never called for [`Fault::Timeout`] or [`Fault::DropConnection`],
    /// which the middleware handles itself, nor for [`Fault::Custom`], which builds its own).
    fn respond(&self, fault: &Fault) -> Response;
}

/// State of [`inject_faults`].
#[derive(Clone)]
pub struct FaultLayerState {
    /// The plan to apply.
    pub faults: Faults,
    /// Turns generic faults into the service's answers.
    pub responder: Arc<dyn FaultResponder>,
    /// How long [`Fault::Timeout`] sleeps before answering normally.
    pub timeout_delay: Duration,
}

/// Middleware: counts one call for the request's [`EndpointKey`] in the `Counters` state.
pub async fn count_calls(
    State(counters): State<Counters>,
    mut req: Request,
    next: Next,
) -> Response {
    let key = EndpointKey::of(&req);
    counters.record_call(&key.0);
    req.extensions_mut().insert(key);
    next.run(req).await
}

/// Middleware: adds the configured latency, then applies the next queued fault, if any.
pub async fn inject_faults(
    State(state): State<FaultLayerState>,
    req: Request,
    next: Next,
) -> Response {
    let path = route_template(&req);
    let (latency, fault) = state.faults.take(req.method().as_str(), &path);
    if let Some(latency) = latency {
        tokio::time::sleep(latency.sample()).await;
    }
    match fault {
        None => next.run(req).await,
        Some(Fault::Timeout) => {
            tokio::time::sleep(state.timeout_delay).await;
            next.run(req).await
        }
        Some(Fault::DropConnection) => aborted_response(),
        Some(Fault::Custom(build)) => build(),
        Some(other) => state.responder.respond(&other),
    }
}

/// A response whose body fails before any byte is sent: hyper then closes the connection
/// without flushing the status line, so the client sees a dropped connection.
pub fn aborted_response() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))
    });
    Response::new(Body::from_stream(failing))
}
