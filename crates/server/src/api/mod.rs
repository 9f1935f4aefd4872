//! The HTTP surface of sfdesk: [`router`] is the one place routes and middleware are assembled.
//!
//! Layout:
//! - [`error`]: `AppError`, the only error handlers return, mapped to status + JSON body.
//! - [`request_id`]: `x-request-id` assignment and its task-local for error bodies.
//! - `health`: `/healthz` and `/readyz`.
//! - `metrics`: per-request metrics middleware and `/metrics`.
//! - `profile`: the widget's `GET /api/v1/profile` and its actions.
//! - `admin`: role permissions and profile settings (Desk administrators).
//!
//! Widget pages and the demo host page come from [`crate::web`].

mod admin;
pub mod error;
mod health;
mod metrics;
mod profile;
pub mod request_id;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{Method, Uri};
use axum::middleware;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::web::{self, SdkSource};
use error::AppError;

/// Which pages the router serves besides the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Real deployment: widget pages load Zoho's SDK, no demo host page.
    Production,
    /// `sfdesk demo`: a Desk-like host page at `/` and an SDK shim that talks to it.
    Demo,
}

/// Builds the complete application: API routes, widget pages, middleware.
pub fn router(state: AppState, mode: Mode) -> Router {
    let max_body = state.config.server.max_body_bytes;
    let sdk = match mode {
        Mode::Production => SdkSource::ZohoCdn,
        Mode::Demo => SdkSource::DemoHost,
    };
    let mut routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .merge(crate::session::routes())
        .merge(profile::routes())
        .merge(admin::routes())
        .merge(web::widget_routes(
            sdk,
            &state.config.server.frame_ancestors,
        ));
    if mode == Mode::Demo {
        routes = routes.merge(web::demo_host_routes());
    }
    routes
        .fallback(not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id::HEADER, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(request_id::HEADER))
                .layer(middleware::from_fn(request_id::scope))
                .layer(middleware::from_fn(metrics::record))
                .layer(DefaultBodyLimit::max(max_body)),
        )
        .with_state(state)
}

/// The `http_request` span: method, matched route (never the raw URI) and request id.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str());
    let request_id = request
        .headers()
        .get(&request_id::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("http_request", method = %request.method(), route, request_id)
}

async fn not_found(method: Method, uri: Uri) -> AppError {
    AppError::NotFound(format!("no route for {method} {}", uri.path()))
}
