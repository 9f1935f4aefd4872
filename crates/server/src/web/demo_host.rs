//! The demo's Desk-like host page: what Zoho Desk would be around the widget iframe.
//!
//! `/` looks like a Desk ticket view (top bar, ticket and thread, right panel) and embeds
//! `<iframe src="/widget/ticket">`. Its script (`/demo/host.js`) answers the demo SDK shim's
//! `postMessage` calls (`extension.onload`, `get`, `instance.on` events) with the seeded data in
//! `/demo/seed.json`, so the widget boots exactly as inside Desk. Used by `sfdesk demo` and the
//! browser tests; production routers do not mount it.
//!
//! The files live in `crates/server/assets/demo/` and are embedded at compile time (read from
//! disk in debug builds).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::api::error::AppError;

/// The host page's files.
#[derive(RustEmbed)]
#[folder = "assets/demo/"]
struct DemoAssets;

/// The host page's policy: only its own files, and frames only from itself (the widget).
const HOST_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'self'";

/// `/` (the Desk-like ticket page) and `/demo/{file}` (its script, styles and seed data).
pub fn demo_host_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(host_page))
        .route("/demo/{file}", get(demo_file))
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
    }

    #[tokio::test]
    async fn script_styles_and_seed_have_their_types() {
        let (status, content_type, js) = get("/demo/host.js").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "text/javascript; charset=utf-8");
        assert!(js.contains("postMessage"));
        let (_, content_type, _) = get("/demo/host.css").await;
        assert_eq!(content_type, "text/css; charset=utf-8");
        let (status, content_type, _) = get("/demo/missing.js").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(content_type.starts_with("application/json"));
    }

    #[tokio::test]
    async fn seed_has_the_ticket_shapes_the_widget_reads() {
        let (status, content_type, seed) = get("/demo/seed.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/json");
        let seed: serde_json::Value = serde_json::from_str(&seed).expect("seed json");
        let ticket = &seed["tickets"][0];
        assert_eq!(ticket["number"], "101");
        assert_eq!(ticket["email"], "jade@zylker.com");
        for ticket in seed["tickets"].as_array().expect("tickets") {
            let contact = &seed["contacts"][ticket["contactId"].as_str().expect("contactId")];
            assert_eq!(contact["email"], ticket["email"]);
            let account = &seed["accounts"][ticket["accountId"].as_str().expect("accountId")];
            assert_eq!(account["id"], ticket["accountId"]);
        }
    }
}
