//! Serves the widget Trunk built: its pages, hashed assets and the Desk SDK script it loads.
//!
//! Routes (see [`widget_routes`]):
//! - `/widget/{ticket,contact,account,settings}` (and `/widget/index.html`): the widget's
//!   `index.html` with a fresh CSP nonce; `503` with a JSON error when the widget was not built.
//! - `/widget/sdk.js`: `302` to Zoho's CDN, or the demo shim that talks to the demo host page.
//! - `/widget/{*asset}`: js, wasm, css… with their content types; Trunk's content-hashed files are
//!   cached for a year, everything else revalidates.
//!
//! The build output (`target/widget`, made by `trunk build --release` at the workspace root) is
//! embedded with `rust-embed`: in release builds the files are compiled in (an absent folder
//! embeds nothing, so the server still compiles and answers 503); in debug builds they are read
//! from disk on each request, so a rebuilt widget shows up without rebuilding the server.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use rust_embed::RustEmbed;

use crate::api::error::AppError;
use crate::config::FrameAncestor;

/// Where Zoho's widget SDK is served from.
pub const ZOHO_SDK_URL: &str =
    "https://js.zohostatic.com/support/developer_sdk/v1/js/ZohoDeskClientSDK.min.js";

/// The placeholder Trunk writes into `nonce` attributes (`create_nonce = true` in `Trunk.toml`).
const NONCE_PLACEHOLDER: &str = "{{__TRUNK NONCE__}}";

/// The demo SDK shim: the `ZOHODESK` surface the widget uses, answered by the parent window.
const DEMO_SDK_JS: &str = include_str!("../../assets/sdk/demo-sdk.js");

/// The pages Desk's manifest points at; all answer the same `index.html`, the widget reads its
/// location from the SDK (and from the path as a fallback).
const PAGES: [&str; 4] = ["ticket", "contact", "account", "settings"];

/// What `/widget/sdk.js` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkSource {
    /// A `302` to Zoho's `ZohoDeskClientSDK.min.js`: the widget runs inside Zoho Desk.
    ZohoCdn,
    /// Our shim with the same `ZOHODESK` surface, talking to the demo host page (`/`) by
    /// `postMessage`: for `sfdesk demo` and the browser tests.
    DemoHost,
}

/// Trunk's output folder, relative to this crate.
#[derive(RustEmbed)]
#[folder = "../../target/widget/"]
#[allow_missing = true]
struct WidgetBuild;

/// The widget's WebAssembly module as built (for the size report of `sfdesk bench profile`);
/// `None` before the first widget build.
pub fn widget_wasm() -> Option<Vec<u8>> {
    WidgetBuild::iter()
        .find(|name| name.ends_with(".wasm"))
        .and_then(|name| WidgetBuild::get(&name))
        .map(|file| file.data.into_owned())
}

/// The widget's routes, stateless so they merge into any router. `frame_ancestors` are the
/// origins allowed to frame widget pages (`server.frame_ancestors` in the configuration).
pub fn widget_routes<S: Clone + Send + Sync + 'static>(
    sdk: SdkSource,
    frame_ancestors: &[FrameAncestor],
) -> Router<S> {
    routes_from::<WidgetBuild, S>(sdk, frame_ancestors)
}

/// [`widget_routes`] over any embedded folder, so tests can serve a fixture build.
fn routes_from<A: RustEmbed + Send + Sync + 'static, S: Clone + Send + Sync + 'static>(
    sdk: SdkSource,
    frame_ancestors: &[FrameAncestor],
) -> Router<S> {
    let ancestors: Arc<str> = frame_ancestors
        .iter()
        .map(FrameAncestor::as_str)
        .collect::<Vec<_>>()
        .join(" ")
        .into();
    let for_assets = Arc::clone(&ancestors);
    let mut router = Router::new()
        .route("/widget/sdk.js", get(move || sdk_js(sdk)))
        .route(
            "/widget/{*asset}",
            get(move |path| asset::<A>(path, Arc::clone(&for_assets))),
        );
    for name in PAGES.iter().copied().chain(["index.html"]) {
        let ancestors = Arc::clone(&ancestors);
        router = router.route(
            &format!("/widget/{name}"),
            get(move || page::<A>(Arc::clone(&ancestors))),
        );
    }
    router
}

/// The widget's `index.html` with a fresh nonce, or 503 when the widget was not built.
async fn page<A: RustEmbed>(frame_ancestors: Arc<str>) -> Result<Response, AppError> {
    let Some(file) = A::get("index.html") else {
        return Err(AppError::Unavailable(
            "the widget was not built: run `cargo xtask dist` (or `trunk build --release` at \
             the workspace root), then restart the server"
                .to_owned(),
        ));
    };
    let nonce = new_nonce();
    let html = String::from_utf8_lossy(&file.data).replace(NONCE_PLACEHOLDER, &nonce);
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(csp) = HeaderValue::from_str(&page_csp(&nonce, &frame_ancestors)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}

/// One file of the build, with its content type and cache policy.
async fn asset<A: RustEmbed>(
    Path(path): Path<String>,
    frame_ancestors: Arc<str>,
) -> Result<Response, AppError> {
    if path == "index.html" {
        return page::<A>(frame_ancestors).await;
    }
    let file = (!path.split('/').any(|s| s == ".." || s.starts_with('.')))
        .then(|| A::get(&path))
        .flatten()
        .ok_or_else(|| AppError::NotFound(format!("no widget asset {path}")))?;
    let cache = if is_content_hashed(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let content_type = content_type(&path).map_or_else(
        || Cow::Owned(file.metadata.mimetype().to_owned()),
        Cow::Borrowed,
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.into_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        file.data,
    )
        .into_response())
}

/// `/widget/sdk.js`: Zoho's SDK by redirect, or the demo shim.
async fn sdk_js(sdk: SdkSource) -> Response {
    match sdk {
        SdkSource::ZohoCdn => (
            StatusCode::FOUND,
            [
                (header::LOCATION, ZOHO_SDK_URL),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
        )
            .into_response(),
        SdkSource::DemoHost => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            DEMO_SDK_JS,
        )
            .into_response(),
    }
}

/// The widget page's policy: own scripts, Trunk's nonce'd loader, WebAssembly, Zoho's SDK host;
/// API calls same-origin; framed only by Desk.
fn page_csp(nonce: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval' \
         https://js.zohostatic.com; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// 128 random bits, base64: a CSP nonce.
fn new_nonce() -> String {
    base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>())
}

/// Content types we must get right (browsers refuse `WebAssembly.instantiateStreaming` and
/// module scripts served with the wrong one); other files fall back to their guessed type.
fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map(|(_, ext)| ext)?;
    Some(match ext {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// Whether Trunk put a content hash in the file name (`app-318f99d7f1531a7c_bg.wasm`,
/// `style-3e6d7e3b4961bf.css`): such a file never changes under its name.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    /// A stand-in for Trunk's output with the same shape (nonce placeholder, hashed names).
    #[derive(RustEmbed)]
    #[folder = "assets/testdata/widget/"]
    struct FixtureBuild;

    /// A build folder that does not exist: the widget was never built.
    #[derive(RustEmbed)]
    #[folder = "assets/testdata/no-such-build/"]
    #[allow_missing = true]
    struct MissingBuild;

    async fn call(router: Router, path: &str) -> Response {
        router
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("infallible")
    }

    fn header(response: &Response, name: header::HeaderName) -> &str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn default_ancestors() -> Vec<FrameAncestor> {
        crate::config::ServerConfig::default().frame_ancestors
    }

    #[tokio::test]
    async fn configured_frame_ancestors_are_the_only_ones() {
        let router = routes_from::<FixtureBuild, ()>(
            SdkSource::ZohoCdn,
            &[FrameAncestor::try_from("https://desk.zoho.eu".to_owned()).expect("origin")],
        );
        let response = call(router, "/widget/ticket").await;
        let csp = header(&response, header::CONTENT_SECURITY_POLICY).to_owned();
        assert!(
            csp.ends_with("frame-ancestors https://desk.zoho.eu"),
            "{csp}"
        );
    }

    async fn body(response: Response) -> String {
        let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn pages_answer_index_with_a_fresh_nonce_and_csp() {
        for page in ["ticket", "contact", "account", "settings", "index.html"] {
            let router = routes_from::<FixtureBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
            let response = call(router, &format!("/widget/{page}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{page}");
            assert_eq!(
                header(&response, header::CONTENT_TYPE),
                "text/html; charset=utf-8"
            );
            assert_eq!(header(&response, header::CACHE_CONTROL), "no-store");
            let csp = header(&response, header::CONTENT_SECURITY_POLICY).to_owned();
            assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
            assert!(csp.contains("https://js.zohostatic.com"), "{csp}");
            assert!(
                csp.contains("frame-ancestors 'self' https://*.zoho.com https://*.zoho.eu"),
                "{csp}"
            );
            let html = body(response).await;
            assert!(!html.contains(NONCE_PLACEHOLDER), "{html}");
            let nonce = html
                .split("nonce=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("nonce attribute");
            assert!(nonce.len() >= 22, "{nonce}");
            assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
        }
    }

    #[tokio::test]
    async fn nonces_differ_per_response() {
        let router = routes_from::<FixtureBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
        let a = call(router.clone(), "/widget/ticket").await;
        let b = call(router, "/widget/ticket").await;
        assert_ne!(
            header(&a, header::CONTENT_SECURITY_POLICY),
            header(&b, header::CONTENT_SECURITY_POLICY)
        );
    }

    #[tokio::test]
    async fn assets_have_content_types_and_cache_policy() {
        let router = routes_from::<FixtureBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
        let cases = [
            (
                "/widget/app-0123456789abcdef_bg.wasm",
                "application/wasm",
                "public, max-age=31536000, immutable",
            ),
            (
                "/widget/app-0123456789abcdef.js",
                "text/javascript; charset=utf-8",
                "public, max-age=31536000, immutable",
            ),
            (
                "/widget/style-3e6d7e3b4961bf.css",
                "text/css; charset=utf-8",
                "public, max-age=31536000, immutable",
            ),
            ("/widget/img/logo.png", "image/png", "no-cache"),
        ];
        for (path, content_type, cache) in cases {
            let response = call(router.clone(), path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(
                header(&response, header::CONTENT_TYPE),
                content_type,
                "{path}"
            );
            assert_eq!(header(&response, header::CACHE_CONTROL), cache, "{path}");
            assert_eq!(header(&response, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        }
        let wasm = call(router, "/widget/app-0123456789abcdef_bg.wasm").await;
        let bytes = to_bytes(wasm.into_body(), 1 << 20).await.expect("body");
        assert_eq!(&bytes[..4], b"\0asm");
    }

    #[tokio::test]
    async fn unknown_and_escaping_assets_are_404() {
        let router = routes_from::<FixtureBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
        for path in [
            "/widget/nope.js",
            "/widget/../Cargo.toml",
            "/widget/img/../../widget.rs",
            "/widget/.stage/x.js",
        ] {
            let response = call(router.clone(), path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[tokio::test]
    async fn zoho_cdn_sdk_is_a_302() {
        let router = routes_from::<FixtureBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
        let response = call(router, "/widget/sdk.js").await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(header(&response, header::LOCATION), ZOHO_SDK_URL);
    }

    #[tokio::test]
    async fn demo_sdk_is_the_shim() {
        let router = routes_from::<FixtureBuild, ()>(SdkSource::DemoHost, &default_ancestors());
        let response = call(router, "/widget/sdk.js").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        let js = body(response).await;
        assert!(js.contains("ZOHODESK"));
        assert!(js.contains("postMessage"));
    }

    #[tokio::test]
    async fn missing_build_is_a_503_with_a_json_error() {
        let router = routes_from::<MissingBuild, ()>(SdkSource::ZohoCdn, &default_ancestors());
        let response = call(router.clone(), "/widget/ticket").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(header(&response, header::CONTENT_TYPE).starts_with("application/json"));
        let error: serde_json::Value = serde_json::from_str(&body(response).await).expect("json");
        assert_eq!(error["code"], "unavailable");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains("widget was not built"), "{message}");
        assert!(message.contains("trunk build"), "{message}");

        let asset = call(router, "/widget/app-0123456789abcdef.js").await;
        assert_eq!(asset.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn content_hashes_are_recognised() {
        assert!(is_content_hashed("sfdesk-widget-318f99d7f1531a7c_bg.wasm"));
        assert!(is_content_hashed("sfdesk-widget-318f99d7f1531a7c.js"));
        assert!(is_content_hashed("style-3e6d7e3b4961bf.css"));
        assert!(is_content_hashed("nested/dir/app-deadbeef.js"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("sdk.js"));
        assert!(!is_content_hashed("sfdesk-widget.js"));
        assert!(!is_content_hashed("img/logo-dark.png"));
    }

    #[test]
    fn wasm_and_js_types_are_pinned() {
        assert_eq!(content_type("a_bg.wasm"), Some("application/wasm"));
        assert_eq!(content_type("a.js"), Some("text/javascript; charset=utf-8"));
        assert_eq!(content_type("logo.png"), None);
        assert_eq!(content_type("README"), None);
    }
}
