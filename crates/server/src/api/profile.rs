//! The widget's profile API: `GET /api/v1/profile` and the two actions under
//! `/api/v1/profile/actions/`. Agent session required; the installation and role come from the
//! token, never from the request.
//!
//! The profile answers with a strong `ETag` and `Cache-Control: private, no-cache`; a matching
//! `If-None-Match` gets `304` without a body.

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sfdesk_shared::profile::{ActionRequest, ProfileTarget};

use super::error::AppError;
use crate::profile::cache::View;
use crate::profile::check_desk_id;
use crate::session::AgentSession;
use crate::state::AppState;

/// The profile routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/profile", get(profile))
        .route("/api/v1/profile/actions/create", post(create))
        .route("/api/v1/profile/actions/log-ticket", post(log_ticket))
}

/// The query of `GET /api/v1/profile`.
#[derive(Debug, PartialEq, Eq)]
struct ProfileQuery {
    target: ProfileTarget,
    refresh: bool,
}

/// Exactly one of `ticket_id`, `desk_contact_id`, `desk_account_id` (a Desk id), optional
/// `refresh=true|false`, nothing else.
fn parse_query(raw: Option<&str>) -> Result<ProfileQuery, AppError> {
    let mut target = None;
    let mut refresh = None;
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        let make: fn(String) -> ProfileTarget = match &*name {
            "ticket_id" => ProfileTarget::TicketId,
            "desk_contact_id" => ProfileTarget::DeskContactId,
            "desk_account_id" => ProfileTarget::DeskAccountId,
            "refresh" => {
                if refresh.is_some() {
                    return Err(AppError::BadRequest("refresh is given twice".into()));
                }
                refresh = Some(match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(AppError::BadRequest("refresh must be true or false".into()));
                    }
                });
                continue;
            }
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown query parameter {other:?}; expected one of ticket_id, \
                     desk_contact_id, desk_account_id and optionally refresh"
                )));
            }
        };
        check_desk_id(&name, &value)?;
        if target.is_some() {
            return Err(AppError::BadRequest(
                "give exactly one of ticket_id, desk_contact_id, desk_account_id".into(),
            ));
        }
        target = Some(make(value));
    }
    let target = target.ok_or_else(|| {
        AppError::BadRequest(
            "give exactly one of ticket_id, desk_contact_id, desk_account_id".into(),
        )
    })?;
    Ok(ProfileQuery {
        target,
        refresh: refresh.unwrap_or(false),
    })
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` matches).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// `200` with the view's bytes, or `304` when the client has them.
fn respond(view: &View, headers: &HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&view.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache = HeaderValue::from_static("private, no-cache");
    if not_modified(headers, &view.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(ETAG, etag), (CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (ETAG, etag),
            (CACHE_CONTROL, cache),
        ],
        Body::from(view.body.clone()),
    )
        .into_response()
}

/// `GET /api/v1/profile`.
async fn profile(
    AgentSession(claims): AgentSession,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let query = parse_query(raw.as_deref())?;
    let view = state
        .profiles
        .view(&claims, query.target, query.refresh)
        .await?;
    Ok(respond(&view, &headers))
}

/// A JSON body, or `400` (syntax) / `422` (a value or field) with serde's message.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        let message = format!("invalid request body: {e}");
        if e.is_data() {
            AppError::Unprocessable(message)
        } else {
            AppError::BadRequest(message)
        }
    })
}

/// `POST /api/v1/profile/actions/create`.
async fn create(
    AgentSession(claims): AgentSession,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: ActionRequest = json_body(&body)?;
    let result = state.profiles.create(&claims, &request).await?;
    Ok((StatusCode::CREATED, Json(result)).into_response())
}

/// `POST /api/v1/profile/actions/log-ticket`.
async fn log_ticket(
    AgentSession(claims): AgentSession,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: ActionRequest = json_body(&body)?;
    let result = state.profiles.log_ticket(&claims, &request).await?;
    Ok((StatusCode::CREATED, Json(result)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters() {
        assert_eq!(
            parse_query(Some("ticket_id=123&refresh=true")).expect("ok"),
            ProfileQuery {
                target: ProfileTarget::TicketId("123".into()),
                refresh: true
            }
        );
        assert!(!parse_query(Some("desk_account_id=1")).expect("ok").refresh);
        for (bad, names) in [
            ("", "exactly one"),
            ("ticket_id=1&desk_contact_id=2", "exactly one"),
            ("ticket_id=abc", "ticket_id"),
            ("desk_contact_id=12345678901234567890", "desk_contact_id"),
            ("desk_account_id=1%27%20OR%201", "desk_account_id"),
            ("ticket_id=1&role_id=admin", "role_id"),
            ("ticket_id=1&refresh=yes", "refresh"),
        ] {
            let err = parse_query(Some(bad)).expect_err(bad);
            assert!(err.to_string().contains(names), "{bad}: {err}");
        }
    }

    #[test]
    fn if_none_match() {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(not_modified(&headers, "\"b\""));
        assert!(!not_modified(&headers, "\"c\""));
        assert!(!not_modified(&HeaderMap::new(), "\"c\""));
    }
}
