//! The HTML page that ends the sign-in popup: it posts the outcome to the widget that opened
//! it (`window.opener.postMessage`, target origin = our own public origin, so no other page
//! can receive a token) and closes, or shows why sign-in failed.
//!
//! Nothing secret goes into a URL. Every embedded value is escaped: text for HTML, the message
//! as a JSON literal with `<`, `>` and `&` written as `\u003c`… so it cannot end the script.
//! The page carries its own strict CSP (nothing but its nonce'd script and style), is never
//! cached and sends no referrer (the callback URL holds the authorization code).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};
use sfdesk_shared::session::{MESSAGE_SESSION, MESSAGE_SESSION_ERROR, SessionGrant};

/// The page for a successful sign-in: posts `{type:"sfdesk-session", …grant}` and closes.
pub(crate) fn success(grant: &SessionGrant, origin: &str) -> Response {
    let mut message = serde_json::to_value(grant).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut message {
        fields.insert("type".to_owned(), json!(MESSAGE_SESSION));
    }
    let text = format!(
        "Signed in to sfdesk as {}. You can close this window.",
        grant.agent.name
    );
    render(StatusCode::OK, &text, &message, origin, true)
}

/// The page for a failed sign-in: posts `{type:"sfdesk-session-error", message}` and shows
/// the message.
pub(crate) fn failure(status: StatusCode, message: &str, origin: &str) -> Response {
    let posted = json!({"type": MESSAGE_SESSION_ERROR, "message": message});
    let text = format!("Sign-in to sfdesk failed: {message}");
    render(status, &text, &posted, origin, false)
}

fn render(status: StatusCode, text: &str, message: &Value, origin: &str, close: bool) -> Response {
    let nonce = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>sfdesk sign-in</title>\
         <style nonce=\"{nonce}\">body{{font:15px system-ui,sans-serif;margin:2em;color:#222}}\
         </style></head><body><p id=\"status\">{text}</p>\n<script nonce=\"{nonce}\">\
         (function(){{var m={message};var o={origin};var c={close};\
         if(window.opener){{try{{window.opener.postMessage(m,o);}}catch(e){{}}}}\
         if(c&&window.opener){{window.close();}}}})();</script></body></html>\n",
        text = escape_html(text),
        message = js_literal(message),
        origin = js_literal(&json!(origin)),
    );
    let mut response = (status, html).into_response();
    set_headers(response.headers_mut(), &nonce);
    response
}

fn set_headers(headers: &mut HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// `value` as a JavaScript literal that is safe inside `<script>`: JSON with `<`, `>` and `&`
/// escaped (they only occur inside JSON strings, where `\u003c` means the same).
pub(crate) fn js_literal(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `text` escaped for HTML element content and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_values_cannot_break_out() {
        let hostile = "</script><script>alert(1)</script>&\"'";
        let literal = js_literal(&json!({"message": hostile}));
        assert!(!literal.contains('<') && !literal.contains('>'));
        let back: Value = serde_json::from_str(&literal).expect("still JSON");
        assert_eq!(back["message"], hostile);
        assert_eq!(
            escape_html(hostile),
            "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"
        );
    }
}
