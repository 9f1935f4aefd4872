//! The demo's Desk-like host page: what Zoho Desk would be around the widget iframe.
//!
//! `/` looks like a Desk ticket view (top bar with an agent and a language switcher, ticket
//! list, ticket and thread, right panel) and embeds `<iframe src="/widget/ticket">` (or the
//! contact or account page of the requester). Its script (`/demo/host.js`) answers the demo SDK
//! shim's `postMessage` calls (`extension.onload`, `get`, `instance.on` events) with the data in
//! `/demo/context.json`, so the widget boots exactly as inside Desk. That document comes from a
//! [`DemoContext`] the demo installs as a request extension (built from the Desk simulator);
//! without one the route answers 404. Used by `sfdesk demo` and the browser tests; production
//! routers do not mount it.
//!
//! The files live in `crates/server/assets/demo/` and are embedded at compile time (read from
//! disk in debug builds).

use std::fmt;
use std::sync::Arc;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use rust_embed::RustEmbed;
use serde_json::Value;

use crate::api::error::AppError;

/// The host page's files.
#[derive(RustEmbed)]
#[folder = "assets/demo/"]
struct DemoAssets;

/// The host page's policy: only its own files, and frames only from itself (the widget).
const HOST_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'self'";

/// Where `/demo/context.json` comes from: a function producing the document on each request.
/// The demo adds it to every request as an [`Extension`].
#[derive(Clone)]
pub struct DemoContext(Arc<dyn Fn() -> Value + Send + Sync>);

impl DemoContext {
    /// A context produced by `build` on every request.
    pub fn new(build: impl Fn() -> Value + Send + Sync + 'static) -> Self {
        Self(Arc::new(build))
    }
}

impl fmt::Debug for DemoContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DemoContext(..)")
    }
}

/// `/` (the Desk-like ticket page), `/demo/context.json` (its data) and `/demo/{file}` (its
/// script and styles).
pub fn demo_host_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(host_page))
        .route("/demo/context.json", get(context_json))
        .route("/demo/{file}", get(demo_file))
}

async fn context_json(context: Option<Extension<DemoContext>>) -> Result<Response, AppError> {
    let Extension(context) =
        context.ok_or_else(|| AppError::NotFound("no demo context".to_owned()))?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Json((context.0)()),
    )
        .into_response())
}

async fn host_page() -> Result<Response, AppError> {
    let mut response = demo_file(Path("index.html".to_owned())).await?;
    if let Ok(value) = HeaderValue::from_str(HOST_CSP) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

async fn demo_file(Path(file): Path<String>) -> Result<Response, AppError> {
    let asset =
        DemoAssets::get(&file).ok_or_else(|| AppError::NotFound(format!("no demo file {file}")))?;
    let content_type = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    use super::*;

    async fn get(path: &str) -> (StatusCode, String, String) {
        let response = demo_host_routes::<()>()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
        (
            status,
            content_type,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn host_page_embeds_the_ticket_widget() {
        let (status, content_type, html) = get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(html.contains(r#"data-testid="desk-host""#));
        assert!(html.contains(r#"src="/widget/ticket""#));
        assert!(html.contains(r#"data-testid="sfdesk-frame""#));
        assert!(html.contains(r#"<script src="/demo/host.js">"#));
        assert!(html.contains(r#"data-testid="agent-switcher""#));
        assert!(html.contains(r#"data-testid="locale-switcher""#));
        assert!(html.contains(r#"data-testid="desk-ticket-list""#));
        // No inline script: the page's CSP allows only its own files.
        assert!(!html.contains("<script>"));
    }

    #[tokio::test]
    async fn script_and_styles_have_their_types() {
        let (status, content_type, js) = get("/demo/host.js").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "text/javascript; charset=utf-8");
        assert!(js.contains("postMessage"));
        assert!(js.contains("/demo/context.json"));
        let (_, content_type, _) = get("/demo/host.css").await;
        assert_eq!(content_type, "text/css; charset=utf-8");
        let (status, content_type, _) = get("/demo/missing.js").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(content_type.starts_with("application/json"));
    }

    #[tokio::test]
    async fn context_comes_from_the_installed_source() {
        let (status, content_type, _) = get("/demo/context.json").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(content_type.starts_with("application/json"));

        let routes = demo_host_routes::<()>().layer(Extension(DemoContext::new(
            || serde_json::json!({"tickets": [{"number": "101"}]}),
        )));
        let response = routes
            .oneshot(
                Request::get("/demo/context.json")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
        let context: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(context["tickets"][0]["number"], "101");
    }
}
