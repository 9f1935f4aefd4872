//! The recycle bin (doc §8): `GET /recycleBin`, `POST /recycleBin/restore`,
//! `POST /recycleBin/delete`.
//!
//! Rows: `{id, displayName, type ("Contacts"/"Accounts"), departmentId, deletedById, deletedTime}`;
//! 0-based `from`, `limit` 1–100 (default 10), `moduleId` (or the deprecated `module`) filter,
//! `sortBy` on `deletedTime` / `displayName` (default newest first). Restore and delete answer 200
//! with per-id results in the `updateMany` shape.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::DeskError;
use super::model::{Module, Record, desk_time};
use super::params::{Params, bad_value};
use super::records::{body_object, data_or_204};
use super::state::Ctx;

/// `GET /recycleBin`.
pub(crate) async fn list(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(
        raw.as_deref(),
        &["from", "limit", "moduleId", "module", "sortBy"],
    )?;
    let from = p.int("from", 0, 0, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let sort = p
        .sort_by(&["deletedTime", "displayName"])?
        .unwrap_or(("deletedTime".to_owned(), true));
    let modules: Vec<Module> = match (p.get("moduleId"), p.get("module")) {
        (Some(id), _) => Module::ALL
            .into_iter()
            .filter(|m| m.module_id() == id)
            .collect(),
        (None, Some(name)) => {
            let m: Vec<Module> = Module::ALL
                .into_iter()
                .filter(|m| m.path().eq_ignore_ascii_case(name))
                .collect();
            if m.is_empty() {
                return Err(bad_value("module", name));
            }
            m
        }
        (None, None) => Module::ALL.to_vec(),
    };
    let db = ctx.db();
    let mut rows: Vec<&Record> = modules
        .iter()
        .flat_map(|m| db.table(*m).values())
        .filter(|r| r.is_trashed())
        .collect();
    rows.sort_by(|a, b| {
        let ord = match sort.0.as_str() {
            "displayName" => a
                .display_name()
                .to_lowercase()
                .cmp(&b.display_name().to_lowercase()),
            _ => a
                .trashed
                .as_ref()
                .map(|t| t.deleted_time)
                .cmp(&b.trashed.as_ref().map(|t| t.deleted_time)),
        };
        let ord = ord.then_with(|| a.id.cmp(&b.id));
        if sort.1 { ord.reverse() } else { ord }
    });
    let out: Vec<Value> = rows
        .into_iter()
        .skip(from)
        .take(limit)
        .map(|r| {
            let (deleted_by, deleted_time) = r
                .trashed
                .as_ref()
                .map(|t| (t.deleted_by.clone(), desk_time(t.deleted_time)))
                .unwrap_or_default();
            json!({"id": r.id, "displayName": r.display_name(), "type": r.module.type_name(),
                   "departmentId": null, "deletedById": deleted_by, "deletedTime": deleted_time})
        })
        .collect();
    Ok(data_or_204(out))
}

fn ids(body: &Bytes) -> Result<Vec<String>, DeskError> {
    let body = body_object(body)?;
    let ids: Option<Vec<String>> = body
        .get("ids")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
    match ids {
        Some(ids) if !ids.is_empty() => Ok(ids),
        _ => Err(DeskError::invalid_field(
            "/ids",
            "'ids' must be a non-empty array of ids.",
        )),
    }
}

fn results(outcomes: Vec<(String, bool)>) -> Response {
    let rows: Vec<Value> = outcomes
        .into_iter()
        .map(|(id, ok)| {
            if ok {
                json!({"success": true, "id": id, "errors": null})
            } else {
                json!({"success": false, "id": id, "errors": {"errorCode": "URL_NOT_FOUND", "httpCode": "404"}})
            }
        })
        .collect();
    Json(json!({"results": rows})).into_response()
}

/// `POST /recycleBin/restore`.
pub(crate) async fn restore(
    State(ctx): State<Arc<Ctx>>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let ids = ids(&body)?;
    let mut db = ctx.db();
    let outcomes = ids.into_iter().map(|id| {
        let ok = db.restore(&id);
        (id, ok)
    });
    Ok(results(outcomes.collect()))
}

/// `POST /recycleBin/delete`: purges for good.
pub(crate) async fn purge(State(ctx): State<Arc<Ctx>>, body: Bytes) -> Result<Response, DeskError> {
    let ids = ids(&body)?;
    let mut db = ctx.db();
    let outcomes = ids.into_iter().map(|id| {
        let ok = db.purge(&id);
        (id, ok)
    });
    Ok(results(outcomes.collect()))
}
