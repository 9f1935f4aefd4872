//! Contacts and accounts: list, get, create, PATCH, `moveToTrash`, `updateMany`, `count`,
//! `contactsByIds` and the contact ↔ account association lists (doc §5 / §6).
//!
//! Lists are 1-based (`from` ≥ 1, `limit` 1–100, default 10) and answer 204 with an empty body
//! past the end; their rows are slim (see [`super::model::slim_keys`]). Default order is creation
//! order; `sortBy` accepts only the documented fields.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::api::Caller;
use super::error::DeskError;
use super::model::{Module, Record, account_ref, desk_time, is_standard, owner_json, slim_row};
use super::params::{Params, bad_value};
use super::state::{Ctx, Db};
use super::validate::{Mode, validate};

/// `200 {"data": rows}`, or `204` with an empty body when there are no rows.
pub(crate) fn data_or_204(rows: Vec<Value>) -> Response {
    if rows.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Json(json!({"data": rows})).into_response()
    }
}

/// Parses a JSON object body: empty → `EMPTY_PAYLOAD`, not JSON → `BAD_REQUEST`.
pub(crate) fn body_object(body: &Bytes) -> Result<Map<String, Value>, DeskError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DeskError::EmptyPayload);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(DeskError::BadRequest),
    }
}

fn sort_fields(module: Module) -> &'static [&'static str] {
    match module {
        Module::Contacts => &[
            "firstName",
            "lastName",
            "phone",
            "email",
            "account",
            "createdTime",
            "modifiedTime",
        ],
        Module::Accounts => &[
            "website",
            "email",
            "phone",
            "accountName",
            "createdTime",
            "modifiedTime",
        ],
    }
}

/// The value a record sorts by for `field` (lower-cased text; `None` sorts last).
pub(crate) fn sort_key(db: &Db, record: &Record, field: &str) -> Option<String> {
    match field {
        "createdTime" => Some(desk_time(record.created_time)),
        "modifiedTime" => Some(desk_time(record.modified_time)),
        "account" => record
            .str("accountId")
            .and_then(|id| db.table(Module::Accounts).get(id))
            .and_then(|a| a.str("accountName"))
            .map(str::to_lowercase),
        _ => record.str(field).map(str::to_lowercase),
    }
}

/// Sorts `rows` by `sort` (`(field, descending)`), nulls last, ties by id.
pub(crate) fn sort_records(db: &Db, rows: &mut [&Record], sort: Option<&(String, bool)>) {
    let Some((field, desc)) = sort else {
        return;
    };
    rows.sort_by(|a, b| {
        let (ka, kb) = (sort_key(db, a, field), sort_key(db, b, field));
        let ord = match (ka, kb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if *desc => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
        };
        ord.then_with(|| a.id.cmp(&b.id))
    });
}

/// `GET /{module}`.
pub(crate) async fn list(
    ctx: Arc<Ctx>,
    raw: Option<String>,
    module: Module,
) -> Result<Response, DeskError> {
    let mut allowed = vec!["from", "limit", "viewId", "filterId", "fields", "sortBy"];
    if module == Module::Contacts {
        allowed.push("include");
    }
    let p = Params::parse(raw.as_deref(), &allowed)?;
    let from = p.int("from", 1, 1, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let include = p.list("include", &["accounts"])?;
    let sort = p.sort_by(sort_fields(module))?;
    let db = ctx.db();
    let fields = match p.get("fields") {
        None => None,
        Some(v) => Some(selected_fields(&db, module, v)?),
    };
    let mut rows: Vec<&Record> = db.live_records(module).collect();
    sort_records(&db, &mut rows, sort.as_ref());
    let render = ctx.render(&db, module);
    let out = rows
        .into_iter()
        .skip(from - 1)
        .take(limit)
        .map(|r| {
            let mut row = match &fields {
                None => slim_row(r, &render),
                Some(names) => pick_fields(&ctx, &db, r, names),
            };
            if !include.is_empty() {
                let account = r
                    .str("accountId")
                    .and_then(|id| db.live(Module::Accounts, id));
                row.insert("account".to_owned(), account_ref(account));
            }
            Value::Object(row)
        })
        .collect();
    Ok(data_or_204(out))
}

fn selected_fields(db: &Db, module: Module, v: &str) -> Result<Vec<String>, DeskError> {
    let names: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let known = |n: &str| {
        is_standard(module, n)
            || matches!(n, "createdTime" | "modifiedTime" | "webUrl")
            || db.custom(module).iter().any(|d| d.api_name == n)
    };
    if names.is_empty() || names.len() > 30 || names.iter().any(|n| !known(n)) {
        return Err(bad_value("fields", v));
    }
    Ok(names)
}

/// `id` plus the requested fields of the full record (custom ones under `cf`).
fn pick_fields(ctx: &Ctx, db: &Db, record: &Record, names: &[String]) -> Map<String, Value> {
    let full = ctx.full_json(db, record);
    let mut row = Map::new();
    row.insert("id".to_owned(), json!(record.id));
    let mut cf = Map::new();
    for name in names {
        if name.starts_with("cf_") {
            cf.insert(name.clone(), full["cf"][name].clone());
        } else {
            row.insert(name.clone(), full[name].clone());
        }
    }
    if !cf.is_empty() {
        row.insert("cf".to_owned(), Value::Object(cf));
    }
    row
}

/// The full record with the requested includes, or 404 for an unknown or trashed id.
fn record_with_includes(
    ctx: &Ctx,
    db: &Db,
    module: Module,
    id: &str,
    include: &[String],
) -> Result<Value, DeskError> {
    let record = match db.table(module).get(id) {
        Some(r) if !r.is_trashed() || !ctx.options.switches.trashed_get_404 => r,
        _ => return Err(DeskError::NotFound),
    };
    let mut full = ctx.full_json(db, record);
    if include.iter().any(|i| i == "owner") {
        full["owner"] = owner_json(record.str("ownerId").and_then(|o| db.agent(o)));
    }
    if include.iter().any(|i| i == "accounts") {
        let account = record
            .str("accountId")
            .and_then(|a| db.live(Module::Accounts, a));
        full["account"] = account_ref(account);
    }
    Ok(full)
}

/// `GET /{module}/{id}`.
pub(crate) async fn get_one(
    ctx: Arc<Ctx>,
    id: String,
    raw: Option<String>,
    module: Module,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["include"])?;
    let include = match module {
        Module::Contacts => p.list("include", &["accounts", "owner"])?,
        Module::Accounts => p.list("include", &["owner"])?,
    };
    let db = ctx.db();
    Ok(Json(record_with_includes(&ctx, &db, module, &id, &include)?).into_response())
}

/// `POST /{module}`: 200 + the full record.
pub(crate) async fn create(
    ctx: Arc<Ctx>,
    caller: Caller,
    body: Bytes,
    module: Module,
) -> Result<Response, DeskError> {
    let body = body_object(&body)?;
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let changes = validate(&db, module, &body, Mode::Create)?;
    let change = db.create(module, changes, now, &caller.agent_id);
    let out = ctx.full_json(&db, &change.record);
    ctx.notify(db, &[change], caller.source_id.as_deref());
    Ok(Json(out).into_response())
}

/// `PATCH /{module}/{id}`: 200 + the full record.
pub(crate) async fn patch(
    ctx: Arc<Ctx>,
    caller: Caller,
    id: String,
    body: Bytes,
    module: Module,
) -> Result<Response, DeskError> {
    let now = ctx.clock.now();
    let mut db = ctx.db();
    if db.live(module, &id).is_none() {
        return Err(DeskError::NotFound);
    }
    let body = body_object(&body)?;
    let changes = validate(&db, module, &body, Mode::Update)?;
    let (record, change) = db
        .update(module, &id, changes, now)
        .ok_or(DeskError::NotFound)?;
    let out = ctx.full_json(&db, &record);
    ctx.notify(db, change.as_slice(), caller.source_id.as_deref());
    Ok(Json(out).into_response())
}

fn id_list(body: &Map<String, Value>, key: &str) -> Result<Vec<String>, DeskError> {
    let path = format!("/{key}");
    let Some(value) = body.get(key) else {
        return Err(DeskError::invalid_fields(vec![
            super::error::FieldError::missing(path),
        ]));
    };
    let ids: Option<Vec<String>> = value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or(None);
    match ids {
        Some(ids) if !ids.is_empty() => Ok(ids),
        _ => Err(DeskError::invalid_field(
            &path,
            format!("'{key}' must be a non-empty array of ids."),
        )),
    }
}

/// `POST /{module}/moveToTrash`: 204.
pub(crate) async fn trash(
    ctx: Arc<Ctx>,
    caller: Caller,
    body: Bytes,
    module: Module,
) -> Result<Response, DeskError> {
    let body = body_object(&body)?;
    let key = module.trash_key();
    let ids = id_list(&body, key)?;
    let now = ctx.clock.now();
    let mut db = ctx.db();
    if let Some(bad) = ids.iter().find(|id| db.live(module, id).is_none()) {
        return Err(DeskError::invalid_field(
            &format!("/{key}"),
            format!("No live record with id '{bad}'."),
        ));
    }
    let changes = db.trash(module, &ids, now, &caller.agent_id);
    ctx.notify(db, &changes, caller.source_id.as_deref());
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /{module}/updateMany`: per-id results.
pub(crate) async fn update_many(
    ctx: Arc<Ctx>,
    caller: Caller,
    body: Bytes,
    module: Module,
) -> Result<Response, DeskError> {
    let body = body_object(&body)?;
    let ids = id_list(&body, "ids")?;
    let Some(field) = body.get("fieldName").and_then(Value::as_str) else {
        return Err(DeskError::invalid_fields(vec![
            super::error::FieldError::missing("/fieldName"),
        ]));
    };
    let is_custom = body
        .get("isCustomField")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let value = body.get("fieldValue").cloned().unwrap_or(Value::Null);
    let patch = if is_custom {
        json!({"cf": {field: value}})
    } else {
        json!({field: value})
    };
    let patch = super::state::as_object(patch)?;
    let now = ctx.clock.now();
    let mut db = ctx.db();
    let mut results = Vec::new();
    let mut changes = Vec::new();
    for id in ids {
        let outcome = if db.live(module, &id).is_none() {
            Err(())
        } else {
            match validate(&db, module, &patch, Mode::Update) {
                Ok(c) => db
                    .update(module, &id, c, now)
                    .map(|(_, change)| change)
                    .ok_or(()),
                Err(_) => Err(()),
            }
        };
        match outcome {
            Ok(change) => {
                changes.extend(change);
                results.push(json!({"success": true, "id": id, "errors": null}));
            }
            Err(()) => results.push(json!({"success": false, "id": id,
                "errors": {"errorCode": "UNPROCESSABLE_ENTITY", "httpCode": "422"}})),
        }
    }
    ctx.notify(db, &changes, caller.source_id.as_deref());
    Ok(Json(json!({"results": results})).into_response())
}

/// `GET /{module}/count`: `{"count":"42"}` (a string).
pub(crate) async fn count(
    ctx: Arc<Ctx>,
    raw: Option<String>,
    module: Module,
) -> Result<Response, DeskError> {
    Params::parse(raw.as_deref(), &["viewId"])?;
    let n = ctx.db().live_records(module).count();
    Ok(Json(json!({"count": n.to_string()})).into_response())
}

/// `GET /contacts/contactsByIds?ids=…` (≤ 20 ids): full records of the live ones.
pub(crate) async fn contacts_by_ids(
    ctx: Arc<Ctx>,
    raw: Option<String>,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["ids"])?;
    let ids = p.ids("ids", 20)?;
    let db = ctx.db();
    let rows = ids
        .iter()
        .filter_map(|id| db.live(Module::Contacts, id))
        .map(|r| ctx.full_json(&db, r))
        .collect();
    Ok(data_or_204(rows))
}

/// `GET /contacts/{id}/accounts` (`module` = Contacts) and `GET /accounts/{id}/contacts`.
pub(crate) async fn related(
    ctx: Arc<Ctx>,
    id: String,
    raw: Option<String>,
    module: Module,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["from", "limit"])?;
    let from = p.int("from", 1, 1, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let db = ctx.db();
    if db.live(module, &id).is_none() {
        return Err(DeskError::NotFound);
    }
    let pairs: Vec<(&Record, &Record)> = match module {
        Module::Contacts => db
            .live(Module::Contacts, &id)
            .and_then(|c| {
                c.str("accountId")
                    .and_then(|a| db.live(Module::Accounts, a))
                    .map(|a| (c, a))
            })
            .into_iter()
            .collect(),
        Module::Accounts => db
            .live_records(Module::Contacts)
            .filter(|c| c.str("accountId") == Some(id.as_str()))
            .filter_map(|c| db.live(Module::Accounts, &id).map(|a| (c, a)))
            .collect(),
    };
    let other = match module {
        Module::Contacts => Module::Accounts,
        Module::Accounts => Module::Contacts,
    };
    let render = ctx.render(&db, other);
    let rows = pairs
        .into_iter()
        .skip(from - 1)
        .take(limit)
        .map(|(contact, account)| {
            let shown = if module == Module::Contacts { account } else { contact };
            let mut row = slim_row(shown, &render);
            let mapping_id = db.mappings.get(&contact.id).cloned().unwrap_or_default();
            row.insert(
                "mappingInfo".to_owned(),
                json!({"mappingId": mapping_id, "mappingType": "PRIMARY", "isAccountTicketsViewable": true}),
            );
            Value::Object(row)
        })
        .collect();
    Ok(data_or_204(rows))
}

/// Wraps the handlers above as axum handlers for one module.
pub(crate) mod routes {
    use super::*;

    pub(crate) fn list(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::get(move |State(ctx): State<Arc<Ctx>>, RawQuery(q): RawQuery| {
            super::list(ctx, q, module)
        })
        .post(
            move |State(ctx): State<Arc<Ctx>>,
                  Extension(caller): Extension<Caller>,
                  body: Bytes| { super::create(ctx, caller, body, module) },
        )
    }

    pub(crate) fn one(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::get(
            move |State(ctx): State<Arc<Ctx>>, Path(id): Path<String>, RawQuery(q): RawQuery| {
                super::get_one(ctx, id, q, module)
            },
        )
        .patch(
            move |State(ctx): State<Arc<Ctx>>,
                  Extension(caller): Extension<Caller>,
                  Path(id): Path<String>,
                  body: Bytes| { super::patch(ctx, caller, id, body, module) },
        )
    }

    pub(crate) fn trash(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::post(
            move |State(ctx): State<Arc<Ctx>>,
                  Extension(caller): Extension<Caller>,
                  body: Bytes| { super::trash(ctx, caller, body, module) },
        )
    }

    pub(crate) fn update_many(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::post(
            move |State(ctx): State<Arc<Ctx>>,
                  Extension(caller): Extension<Caller>,
                  body: Bytes| { super::update_many(ctx, caller, body, module) },
        )
    }

    pub(crate) fn count(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::get(move |State(ctx): State<Arc<Ctx>>, RawQuery(q): RawQuery| {
            super::count(ctx, q, module)
        })
    }

    pub(crate) fn related(module: Module) -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::get(
            move |State(ctx): State<Arc<Ctx>>, Path(id): Path<String>, RawQuery(q): RawQuery| {
                super::related(ctx, id, q, module)
            },
        )
    }

    pub(crate) fn by_ids() -> axum::routing::MethodRouter<Arc<Ctx>> {
        axum::routing::get(|State(ctx): State<Arc<Ctx>>, RawQuery(q): RawQuery| {
            super::contacts_by_ids(ctx, q)
        })
    }
}
