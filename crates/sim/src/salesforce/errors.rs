//! Salesforce error bodies and the simulator's reply type.
//!
//! REST errors are JSON arrays of `{"message", "errorCode"[, "fields"]}` ([`ErrorItem::rest`]);
//! sObject Collections rows carry `{"statusCode", "message", "fields"}` instead
//! ([`ErrorItem::row`]); OAuth errors are `{"error", "error_description"}` ([`oauth_error`]).
//! Every JSON answer has `Content-Type: application/json;charset=UTF-8`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The JSON content type Salesforce answers with.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// One error of a REST error array.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorItem {
    /// `errorCode` / `statusCode`, e.g. `REQUIRED_FIELD_MISSING`.
    pub code: String,
    /// `message`.
    pub message: String,
    /// `fields`; `None` leaves the key out of REST bodies.
    pub fields: Option<Vec<String>>,
    /// Extra keys placed before `errorCode` (the `duplicateResut` block); boxed to keep the
    /// error small.
    pub extra: Option<Box<Map<String, Value>>>,
}

impl ErrorItem {
    /// An error without `fields`.
    #[must_use]
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            fields: None,
            extra: None,
        }
    }

    /// An error naming `fields`.
    #[must_use]
    pub fn with_fields(code: &str, message: impl Into<String>, fields: Vec<String>) -> Self {
        Self {
            fields: Some(fields),
            ..Self::new(code, message)
        }
    }

    /// The REST array element: `{"message", "errorCode"[, "fields"]}`.
    #[must_use]
    pub fn rest(&self) -> Value {
        let mut map = self.extra.as_deref().cloned().unwrap_or_default();
        if map.is_empty() {
            map.insert("message".to_owned(), json!(self.message));
            map.insert("errorCode".to_owned(), json!(self.code));
        } else {
            map.insert("errorCode".to_owned(), json!(self.code));
            map.insert("message".to_owned(), json!(self.message));
        }
        if let Some(fields) = &self.fields {
            map.insert("fields".to_owned(), json!(fields));
        }
        Value::Object(map)
    }

    /// The Collections row error: `{"statusCode", "message", "fields"}` (fields always present).
    #[must_use]
    pub fn row(&self) -> Value {
        json!({
            "statusCode": self.code,
            "message": self.message,
            "fields": self.fields.clone().unwrap_or_default(),
        })
    }
}

/// What a simulated endpoint answers.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Body, if any.
    pub body: Body,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

/// The body of a [`Reply`].
#[derive(Debug, Clone)]
pub enum Body {
    /// No body (204).
    Empty,
    /// A JSON document.
    Json(Value),
    /// Text with its content type (CSV, XML).
    Text(String, &'static str),
}

impl Reply {
    /// A JSON answer.
    #[must_use]
    pub fn json(status: StatusCode, value: Value) -> Self {
        Self {
            status,
            body: Body::Json(value),
            headers: Vec::new(),
        }
    }

    /// `204 No Content`.
    #[must_use]
    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// An error array.
    #[must_use]
    pub fn errors(status: StatusCode, errors: &[ErrorItem]) -> Self {
        Self::json(
            status,
            Value::Array(errors.iter().map(ErrorItem::rest).collect()),
        )
    }

    /// A one-element error array.
    #[must_use]
    pub fn error(status: StatusCode, code: &str, message: &str) -> Self {
        Self::errors(status, &[ErrorItem::new(code, message)])
    }

    /// 404 `NOT_FOUND`.
    #[must_use]
    pub fn not_found() -> Self {
        Self::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// 401 `INVALID_SESSION_ID`.
    #[must_use]
    pub fn invalid_session() -> Self {
        Self::error(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    /// The JSON body, if any.
    #[must_use]
    pub fn json_body(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(v) => Some(v),
            _ => None,
        }
    }

    /// Builder: adds a header.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Body::Empty => self.status.into_response(),
            Body::Json(value) => {
                let mut r = (self.status, value.to_string()).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(JSON_CONTENT_TYPE),
                );
                r
            }
            Body::Text(text, content_type) => {
                let mut r = (self.status, text).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                r
            }
        };
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, v);
            }
        }
        response
    }
}

/// An OAuth error: `{"error", "error_description"}` with `status` (usually 400).
#[must_use]
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}
