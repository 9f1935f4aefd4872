//! `POST /composite` and the sObject Collections (`/composite/sobjects…`).
//!
//! Composite runs its subrequests in order through the same dispatcher as top-level calls
//! (unmetered: the whole call counts once), resolving `@{ref.path}` references against earlier
//! results (`@{acct.id}`, `@{q.records[0].Id}`), in the raw `url` text: a reference must be
//! written unencoded even inside an otherwise URL-encoded `q` (`%40%7B…%7D` stays literal). With `allOrNone` the first failure rolls every
//! write back and every other subrequest answers 400 `PROCESSING_HALTED`; without it only
//! subrequests referring to a failed one are skipped.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};

use super::errors::{ErrorItem, Reply};
use super::records::{self, Caller, DmlError};
use super::rest::{self, Req};
use super::sim::{Ctx, Db};
use super::soql::{Dataset, Val};

const MAX_SUBREQUESTS: usize = 25;
const MAX_QUERIES: usize = 5;
const MAX_COLLECTION: usize = 200;

fn bad(code: &str, message: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, code, message)
}

fn halted() -> Value {
    json!([{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}])
}

/// Resolves a reference path (`id`, `records[0].Id`) inside `value`.
fn walk<'a>(mut value: &'a Value, path: &str) -> Option<&'a Value> {
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            value = value.get(name)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            let n: usize = index.trim_end_matches(']').parse().ok()?;
            value = value.get(n)?;
        }
    }
    Some(value)
}

enum Resolve {
    Ok(String),
    Missing(String, String),
}

/// Replaces every `@{ref.path}` in `text`; JSON-string contexts get the raw scalar.
fn resolve(text: &str, results: &Map<String, Value>) -> Resolve {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("@{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let expr = &after[..close];
        let (reference, path) = expr.split_once('.').unwrap_or((expr, ""));
        let value = results.get(reference).and_then(|body| {
            if path.is_empty() {
                Some(body)
            } else {
                walk(body, path)
            }
        });
        match value {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {
                return Resolve::Missing(expr.to_owned(), reference.to_owned());
            }
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Resolve::Ok(out)
}

fn resolve_json(value: &Value, results: &Map<String, Value>) -> Result<Value, (String, String)> {
    Ok(match value {
        Value::String(s) => match resolve(s, results) {
            Resolve::Ok(s) => Value::String(s),
            Resolve::Missing(e, r) => return Err((e, r)),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_json(v, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok::<_, (String, String)>((k.clone(), resolve_json(v, results)?)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn is_query_like(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    path.contains("/query") || path.contains("/composite/sobjects")
}

/// `POST /composite`.
pub(crate) fn composite(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
) -> Result<Reply, Reply> {
    let body = req.parse_body()?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(subs) = body.get("compositeRequest").and_then(Value::as_array) else {
        return Err(bad("INVALID_INPUT", "compositeRequest is required"));
    };
    if subs.len() > MAX_SUBREQUESTS {
        return Err(bad(
            "LIMIT_EXCEEDED",
            &format!("Composite request may only have up to {MAX_SUBREQUESTS} subrequests"),
        ));
    }
    let queries = subs
        .iter()
        .filter(|s| {
            s.get("url")
                .and_then(Value::as_str)
                .is_some_and(is_query_like)
        })
        .count();
    if queries > MAX_QUERIES {
        return Err(bad(
            "LIMIT_EXCEEDED",
            &format!(
                "Composite request may only have up to {MAX_QUERIES} query or sObject Collections subrequests"
            ),
        ));
    }
    let began = db.store.begin();
    let mut results = Map::new();
    let mut responses: Vec<Value> = Vec::new();
    let mut failed = false;
    for sub in subs {
        let reference = sub
            .get("referenceId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if failed && all_or_none {
            responses.push(json!({"body": halted(), "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference}));
            continue;
        }
        let url = sub.get("url").and_then(Value::as_str).unwrap_or_default();
        let method = sub.get("method").and_then(Value::as_str).unwrap_or("GET");
        let resolved = match resolve(url, &results) {
            Resolve::Ok(u) => Ok(u),
            Resolve::Missing(e, r) => Err((e, r)),
        }
        .and_then(|u| {
            let b = sub
                .get("body")
                .map(|b| resolve_json(b, &results))
                .transpose()?;
            Ok((u, b))
        });
        let (url, sub_body) = match resolved {
            Ok(x) => x,
            Err((expr, r)) => {
                failed = true;
                let message = format!(
                    "Invalid reference specified. No value for {expr} found in {r}. Provided referenceId ('{reference}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_')."
                );
                responses.push(json!({"body": [{"errorCode": "PROCESSING_HALTED", "message": message}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference}));
                continue;
            }
        };
        let reply = run_sub(
            ctx,
            db,
            caller,
            req,
            method,
            &url,
            sub_body,
            sub.get("httpHeaders"),
        );
        let status = reply.status.as_u16();
        let mut body = reply.json_body().cloned().unwrap_or(Value::Null);
        if status == 201
            && ctx.options.switches.composite_create_warnings
            && let Value::Object(map) = &mut body
        {
            map.insert("warnings".to_owned(), json!([]));
        }
        let mut headers = Map::new();
        for (name, value) in &reply.headers {
            headers.insert((*name).to_owned(), json!(value));
        }
        if status >= 400 {
            failed = true;
        } else {
            results.insert(reference.clone(), body.clone());
        }
        responses.push(json!({"body": body, "httpHeaders": headers, "httpStatusCode": status, "referenceId": reference}));
    }
    if failed && all_or_none {
        if began {
            db.store.rollback();
        }
        for r in &mut responses {
            if r.get("httpStatusCode")
                .and_then(Value::as_u64)
                .is_some_and(|s| s < 400)
            {
                r["body"] = halted();
                r["httpStatusCode"] = json!(400);
                r["httpHeaders"] = json!({});
            }
        }
    } else if began {
        db.store.commit();
    }
    Ok(Reply::json(
        StatusCode::OK,
        json!({"compositeResponse": responses}),
    ))
}

#[allow(clippy::too_many_arguments)]
fn run_sub(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    outer: &Req,
    method: &str,
    url: &str,
    body: Option<Value>,
    headers: Option<&Value>,
) -> Reply {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (url, None),
    };
    let Some(rest) = path.strip_prefix("/services/data/") else {
        return Reply::not_found();
    };
    let mut segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if segments.is_empty() {
        return Reply::not_found();
    }
    let version = segments.remove(0);
    let version = version.strip_prefix('v').unwrap_or(&version).to_owned();
    let mut header_map = HeaderMap::new();
    if let Some(Value::Object(h)) = headers {
        for (k, v) in h {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(k.as_bytes()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                header_map.insert(name, value);
            }
        }
    }
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return bad("INVALID_INPUT", "bad method");
    };
    let sub = Req {
        method,
        segments,
        query,
        headers: header_map,
        body: body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())),
        version: if version.is_empty() {
            outer.version.clone()
        } else {
            version
        },
    };
    rest::dispatch(ctx, db, caller, &sub, false)
}

fn row_ok(id: &str, created: Option<bool>) -> Value {
    match created {
        Some(c) => json!({"id": id, "success": true, "errors": [], "created": c}),
        None => json!({"id": id, "success": true, "errors": []}),
    }
}

fn row_err(errors: &[ErrorItem]) -> Value {
    json!({"success": false, "errors": errors.iter().map(ErrorItem::row).collect::<Vec<_>>()})
}

fn rolled_back() -> Value {
    row_err(&[ErrorItem::with_fields(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
        Vec::new(),
    )])
}

/// `EXCEEDED_ID_LIMIT`: a collection call over [`MAX_COLLECTION`] records or ids.
fn too_many_records() -> Reply {
    bad(
        "EXCEEDED_ID_LIMIT",
        "Record limit exceeded: an sObject Collection request takes at most 200 records",
    )
}

/// Ends a collection call. With `allOrNone` and a failed row, undoes the writes and turns every
/// successful row into a rolled-back one; otherwise keeps them. `began`: this call opened the
/// store's journal, so it closes it.
fn finish_collection(
    db: &mut Db,
    began: bool,
    all_or_none: bool,
    any_failed: bool,
    mut rows: Vec<Value>,
) -> Reply {
    if any_failed && all_or_none {
        if began {
            db.store.rollback();
        }
        for row in &mut rows {
            if row.get("success") == Some(&json!(true)) {
                *row = rolled_back();
            }
        }
    } else if began {
        db.store.commit();
    }
    Reply::json(StatusCode::OK, Value::Array(rows))
}

fn record_type(record: &Map<String, Value>) -> Option<String> {
    record
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `/composite/sobjects…`: create, update, upsert, delete, retrieve.
pub(crate) fn collections(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
) -> Result<Reply, Reply> {
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (s.as_slice(), &req.method) {
        (["composite", "sobjects"], &Method::DELETE) => delete_rows(ctx, db, caller, req),
        (["composite", "sobjects", t], &Method::GET | &Method::POST) => retrieve(db, req, t),
        (["composite", "sobjects"], &Method::POST | &Method::PATCH) => {
            write_rows(ctx, db, caller, req, None)
        }
        (["composite", "sobjects", t, field], &Method::PATCH) => {
            write_rows(ctx, db, caller, req, Some((t, field)))
        }
        _ => Err(Reply::not_found()),
    }
}

fn write_rows(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
    upsert: Option<(&str, &str)>,
) -> Result<Reply, Reply> {
    let body = req.parse_body()?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let records = body
        .get("records")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if records.is_empty() {
        return Err(Reply::errors(
            StatusCode::BAD_REQUEST,
            &[ErrorItem::with_fields(
                "REQUIRED_FIELD_MISSING",
                "At least 1 record is required",
                Vec::new(),
            )],
        ));
    }
    if records.len() > MAX_COLLECTION {
        return Err(too_many_records());
    }
    let began = db.store.begin();
    let mut rows = Vec::new();
    let mut any_failed = false;
    for record in &records {
        let Value::Object(record) = record else {
            rows.push(row_err(&[ErrorItem::new(
                "INVALID_INPUT",
                "record must be an object",
            )]));
            any_failed = true;
            continue;
        };
        let result = write_one(ctx, db, caller, req, record, upsert);
        if result.get("success") != Some(&json!(true)) {
            any_failed = true;
        }
        rows.push(result);
    }
    Ok(finish_collection(db, began, all_or_none, any_failed, rows))
}

fn write_one(
    ctx: &Ctx,
    db: &mut Db,
    caller: &Caller,
    req: &Req,
    record: &Map<String, Value>,
    upsert: Option<(&str, &str)>,
) -> Value {
    let object = match upsert {
        Some((t, _)) => Some(t.to_owned()),
        None => record_type(record),
    };
    let Some(object) = object.and_then(|o| db.store.canonical(&o).map(str::to_owned)) else {
        return row_err(&[ErrorItem::with_fields(
            "INVALID_TYPE",
            "Must specify a valid sObject type in the attributes field",
            Vec::new(),
        )]);
    };
    let mut fields = record.clone();
    fields.remove("attributes");
    let dml_row = |e: DmlError| row_err(&e.into_items());
    match (upsert, &req.method) {
        (Some((_, ext)), _) => {
            let value = fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(ext))
                .and_then(|(_, v)| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            let Some(value) = value else {
                return row_err(&[ErrorItem::with_fields(
                    "MISSING_ARGUMENT",
                    format!("{ext} not specified"),
                    Vec::new(),
                )]);
            };
            let mut body = fields.clone();
            body.retain(|k, _| !k.eq_ignore_ascii_case(ext));
            match records::upsert(ctx, db, caller, &object, ext, &value, &body, false) {
                Ok((id, created)) => row_ok(&id, Some(created)),
                Err(e) => dml_row(e),
            }
        }
        (None, &Method::POST) => {
            if fields.keys().any(|k| k.eq_ignore_ascii_case("Id")) {
                return row_err(&[ErrorItem::with_fields(
                    "INVALID_FIELD",
                    "cannot specify Id in an insert call",
                    vec!["Id".to_owned()],
                )]);
            }
            match records::create(ctx, db, caller, &object, &fields) {
                Ok(id) => row_ok(&id, None),
                Err(e) => row_err(&e),
            }
        }
        _ => {
            let id = fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("Id"))
                .and_then(|(_, v)| v.as_str().map(str::to_owned));
            let Some(id) = id else {
                return row_err(&[ErrorItem::with_fields(
                    "MISSING_ARGUMENT",
                    "Id not specified in an update call",
                    Vec::new(),
                )]);
            };
            fields.retain(|k, _| !k.eq_ignore_ascii_case("Id"));
            match records::update(ctx, db, caller, &object, &id, &fields) {
                Ok(()) => row_ok(&super::ids::to_18(&id).unwrap_or(id), None),
                Err(e) => dml_row(e),
            }
        }
    }
}

fn delete_rows(ctx: &Ctx, db: &mut Db, caller: &Caller, req: &Req) -> Result<Reply, Reply> {
    let ids: Vec<String> = req
        .param("ids")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(bad("MISSING_ARGUMENT", "ids parameter is required"));
    }
    if ids.len() > MAX_COLLECTION {
        return Err(too_many_records());
    }
    let all_or_none = req.param("allOrNone").is_some_and(|v| v == "true");
    let began = db.store.begin();
    let mut rows = Vec::new();
    let mut any_failed = false;
    for id in &ids {
        match records::delete(ctx, db, caller, None, id) {
            Ok(()) => rows.push(row_ok(
                &super::ids::to_18(id).unwrap_or_else(|| id.clone()),
                None,
            )),
            Err(e) => {
                any_failed = true;
                let mut items = e.into_items();
                for item in &mut items {
                    if item.fields.is_none() {
                        item.fields = Some(Vec::new());
                    }
                }
                rows.push(row_err(&items));
            }
        }
    }
    Ok(finish_collection(db, began, all_or_none, any_failed, rows))
}

fn retrieve(db: &Db, req: &Req, t: &str) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(Reply::not_found)?.clone();
    let (ids, fields): (Vec<String>, Vec<String>) = if req.method == Method::POST {
        let body = req.parse_body()?;
        let list = |k: &str| -> Vec<String> {
            body.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        (list("ids"), list("fields"))
    } else {
        let split = |v: Option<String>| -> Vec<String> {
            v.unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        (split(req.param("ids")), split(req.param("fields")))
    };
    if ids.len() > 2000 {
        return Err(bad("EXCEEDED_ID_LIMIT", "too many ids"));
    }
    if fields.is_empty() {
        return Err(bad("MISSING_ARGUMENT", "fields parameter is required"));
    }
    let mut rows = Vec::new();
    for id in &ids {
        match db.store.get(&schema.name, id) {
            Some(r) if r.get("IsDeleted").and_then(Val::as_bool) != Some(true) => {
                let v = records::render(&req.version, &schema, &r.to_record(), Some(&fields))
                    .map_err(|e| Reply::errors(StatusCode::BAD_REQUEST, &[e]))?;
                rows.push(v);
            }
            _ => rows.push(Value::Null),
        }
    }
    Ok(Reply::json(StatusCode::OK, Value::Array(rows)))
}
