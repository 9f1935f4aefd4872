//! `GET /lightning/r/{Object}/{Id}/view`: a small HTML stand-in for the Lightning record page,
//! so "View in Salesforce" links lead somewhere in the demo and in browser tests.
//!
//! It is a browser page, not an API: no session is checked and no call is metered. The page
//! shows the object, the id and the record's fields (`data-testid="sf-record"`); an unknown
//! object or id answers 404 with a short page.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

use super::ids;
use super::sim::Ctx;

/// The handler.
pub(crate) async fn record_page(
    State(ctx): State<Arc<Ctx>>,
    Path((object, id)): Path<(String, String)>,
) -> Response {
    let found = {
        let db = ctx.db();
        db.store
            .canonical(&object)
            .map(str::to_owned)
            .and_then(|name| {
                let id = ids::to_18(&id)?;
                db.store.record(&name, &id).map(|record| (name, id, record))
            })
    };
    match found {
        Some((name, id, record)) => Html(record_html(&name, &id, &record)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html(page(
                "Record not found",
                &format!(
                    "<h1>Record not found</h1><p data-testid=\"sf-not-found\">No {} with id {}.</p>",
                    escape(&object),
                    escape(&id)
                ),
            )),
        )
            .into_response(),
    }
}

fn record_html(object: &str, id: &str, record: &serde_json::Map<String, Value>) -> String {
    let title = record
        .get("Name")
        .or_else(|| record.get("Title"))
        .or_else(|| record.get("Subject"))
        .and_then(Value::as_str)
        .unwrap_or(id);
    let mut rows = String::new();
    for (field, value) in record {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Writing into a String cannot fail.
        let _ = write!(
            rows,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(field),
            escape(&text)
        );
    }
    page(
        title,
        &format!(
            "<p class=\"object\">{object}</p><h1>{title}</h1>\
             <table data-testid=\"sf-record\" data-object=\"{object}\" data-id=\"{id}\">{rows}</table>",
            object = escape(object),
            title = escape(title),
            id = escape(id),
        ),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{} | Salesforce (simulated)</title>\
         <style>body{{font:14px sans-serif;margin:2rem}}th{{text-align:left;padding-right:1rem}}\
         .object{{color:#555;text-transform:uppercase;font-size:12px}}</style></head>\
         <body>{body}</body></html>",
        escape(title)
    )
}

/// HTML text escaping (`& < > " '`).
fn escape(text: &str) -> String {
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
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
