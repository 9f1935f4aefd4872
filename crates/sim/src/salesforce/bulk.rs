//! Bulk API 2.0: query jobs (`/jobs/query`) and ingest jobs (`/jobs/ingest`), CSV in and out.
//!
//! Query jobs are created `UploadComplete`; the first poll runs the query and shows
//! `InProgress`, the next ones `JobComplete`. Results are CSV pages (`maxRecords`, default and
//! max 50,000 here) with `Sforce-NumberOfRecords` and `Sforce-Locator` (opaque base64 of the
//! next offset; the literal `null` at the end). Ingest jobs are `Open` until
//! `{"state":"UploadComplete"}`, which processes the uploaded CSV at once (the job then reads
//! `JobComplete`); result CSVs carry `sf__Id`,`sf__Created` / `sf__Id`,`sf__Error` before the
//! input columns. `contentUrl` has no leading slash. A job read through another API version
//! than the one that created it answers 409.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::errors::{Body, ErrorItem, Reply};
use super::records::{self, Caller};
use super::rest::Req;
use super::sim::{Ctx, Db};
use super::soql::{self, Dataset, QueryOptions, ast::SelectItem};

const MAX_RECORDS: usize = 50_000;

/// One Bulk 2.0 job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    info: Map<String, Value>,
    kind: Kind,
    version: String,
    /// Query: the CSV header and rows once run. Ingest: the uploaded CSV text.
    header: String,
    rows: Vec<String>,
    upload: String,
    polls: u32,
    /// Ingest results: (success rows, failure rows).
    ok: Vec<String>,
    failed: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Query,
    Ingest,
}

impl Job {
    /// The text property `key` of the job info (`""` when absent or not a string).
    fn text(&self, key: &str) -> String {
        self.info
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

/// Bulk jobs by id.
pub(crate) type Jobs = HashMap<String, Job>;

fn bad(code: &str, message: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, code, message)
}

fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) || value.is_empty() {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn csv_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses an RFC 4180 upload into rows of cells (the header row first).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, csv::Error> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|row| Ok(row?.iter().map(str::to_owned).collect()))
        .collect()
}

fn get_ci<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn job_reply(job: &Job) -> Reply {
    Reply::json(StatusCode::OK, Value::Object(job.info.clone()))
}

/// Routes `/jobs/...`.
pub(crate) fn route(ctx: &Ctx, db: &mut Db, caller: &Caller, req: &Req) -> Result<Reply, Reply> {
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (s.as_slice(), &req.method) {
        (["jobs", kind @ ("query" | "ingest")], &Method::POST) => {
            create(ctx, db, caller, req, kind)
        }
        (["jobs", kind @ ("query" | "ingest")], &Method::GET) => {
            let records: Vec<Value> = db
                .jobs
                .values()
                .filter(|j| (j.kind == Kind::Query) == (*kind == "query"))
                .map(|j| Value::Object(j.info.clone()))
                .collect();
            Ok(Reply::json(
                StatusCode::OK,
                json!({"done": true, "records": records, "nextRecordsUrl": null}),
            ))
        }
        (["jobs", _, id], &Method::GET) => {
            let is_query = job_mut(db, req, id)?.kind == Kind::Query;
            if is_query {
                poll_query(ctx, &mut db.store_and_job(id));
            }
            Ok(job_reply(job_mut(db, req, id)?))
        }
        (["jobs", _, id], &Method::PATCH) => patch(ctx, db, caller, req, id),
        (["jobs", _, id], &Method::DELETE) => {
            job_mut(db, req, id)?;
            db.jobs.remove(*id);
            Ok(Reply::no_content())
        }
        (["jobs", "query", id, "results"], &Method::GET) => results(ctx, db, req, id),
        (["jobs", "ingest", id, "batches"], &Method::PUT) => {
            let job = job_mut(db, req, id)?;
            if job.info.get("state") != Some(&json!("Open")) {
                return Err(Reply::error(
                    StatusCode::CONFLICT,
                    "INVALIDJOBSTATE",
                    "Job is not in the Open state",
                ));
            }
            job.upload
                .push_str(&String::from_utf8_lossy(&req.body).replace("\r\n", "\n"));
            Ok(Reply {
                status: StatusCode::CREATED,
                body: Body::Empty,
                headers: Vec::new(),
            })
        }
        (
            [
                "jobs",
                "ingest",
                id,
                which @ ("successfulResults" | "failedResults" | "unprocessedrecords"),
            ],
            &Method::GET,
        ) => {
            let job = job_mut(db, req, id)?;
            let input_header = job.upload.lines().next().unwrap_or_default().to_owned();
            let text = match *which {
                "successfulResults" => csv_page(
                    &format!("\"sf__Id\",\"sf__Created\",{input_header}"),
                    &job.ok,
                ),
                "failedResults" => csv_page(
                    &format!("\"sf__Id\",\"sf__Error\",{input_header}"),
                    &job.failed,
                ),
                _ => format!("{input_header}\n"),
            };
            Ok(Reply {
                status: StatusCode::OK,
                body: Body::Text(text, "text/csv"),
                headers: Vec::new(),
            })
        }
        _ => Err(Reply::not_found()),
    }
}

fn csv_page(header: &str, rows: &[String]) -> String {
    let mut out = String::with_capacity(rows.len() * 64 + header.len() + 1);
    out.push_str(header);
    out.push('\n');
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out
}

fn job_mut<'a>(db: &'a mut Db, req: &Req, id: &str) -> Result<&'a mut Job, Reply> {
    let job = db.jobs.get_mut(id).ok_or_else(|| {
        Reply::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    })?;
    if job.version != req.version {
        return Err(Reply::error(
            StatusCode::CONFLICT,
            "API_VERSION_MISMATCH",
            &format!(
                "The job was created with API version {} and must be accessed with it",
                job.version
            ),
        ));
    }
    Ok(job)
}

fn create(ctx: &Ctx, db: &mut Db, caller: &Caller, req: &Req, kind: &str) -> Result<Reply, Reply> {
    let body = req.parse_body()?;
    let id = db.next_id("750");
    let now = records::audit_now(ctx);
    let version: f64 = req.version.parse().unwrap_or(66.0);
    let mut info = Map::new();
    info.insert("id".to_owned(), json!(id));
    let kind = if kind == "query" {
        let operation = body
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or("query");
        if !matches!(operation, "query" | "queryAll") {
            return Err(bad(
                "INVALIDJOB",
                &format!("Invalid operation: {operation}"),
            ));
        }
        let Some(q) = body.get("query").and_then(Value::as_str) else {
            return Err(bad("INVALIDJOB", "query is required"));
        };
        // Check the query now, as the real API does on create.
        let options = QueryOptions::new(ctx.clock.now()).api_version(&req.version);
        soql::parse(q)
            .and_then(|_| soql::select_ids(&db.store, q, &options).map(|_| ()))
            .map_err(|e| bad(e.error_code(), &e.message))?;
        info.insert("operation".to_owned(), json!(operation));
        info.insert(
            "object".to_owned(),
            json!(soql::parse(q).map(|p| p.from.text).unwrap_or_default()),
        );
        info.insert("query".to_owned(), json!(q));
        Kind::Query
    } else {
        let operation = body
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !matches!(
            operation,
            "insert" | "update" | "upsert" | "delete" | "hardDelete"
        ) {
            return Err(bad(
                "INVALIDJOB",
                &format!("Invalid operation: {operation}"),
            ));
        }
        let object = body
            .get("object")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(object) = db.store.canonical(object).map(str::to_owned) else {
            return Err(bad(
                "INVALIDJOB",
                &format!("Unable to find object: {object}"),
            ));
        };
        if operation == "upsert"
            && body
                .get("externalIdFieldName")
                .and_then(Value::as_str)
                .is_none()
        {
            return Err(bad("INVALIDJOB", "External ID was blank for upsert"));
        }
        info.insert("operation".to_owned(), json!(operation));
        info.insert("object".to_owned(), json!(object));
        if let Some(ext) = body.get("externalIdFieldName") {
            info.insert("externalIdFieldName".to_owned(), ext.clone());
        }
        Kind::Ingest
    };
    info.insert("createdById".to_owned(), json!(caller.user_id));
    info.insert("createdDate".to_owned(), json!(now));
    info.insert("systemModstamp".to_owned(), json!(now));
    let state = if kind == Kind::Query {
        "UploadComplete"
    } else {
        "Open"
    };
    info.insert("state".to_owned(), json!(state));
    info.insert("concurrencyMode".to_owned(), json!("Parallel"));
    info.insert("contentType".to_owned(), json!("CSV"));
    info.insert("apiVersion".to_owned(), json!(version));
    if kind == Kind::Ingest {
        info.insert(
            "contentUrl".to_owned(),
            json!(format!(
                "services/data/v{}/jobs/ingest/{id}/batches",
                req.version
            )),
        );
    }
    info.insert(
        "lineEnding".to_owned(),
        json!(
            body.get("lineEnding")
                .and_then(Value::as_str)
                .unwrap_or("LF")
        ),
    );
    info.insert("columnDelimiter".to_owned(), json!("COMMA"));
    let job = Job {
        info,
        kind,
        version: req.version.clone(),
        header: String::new(),
        rows: Vec::new(),
        upload: String::new(),
        polls: 0,
        ok: Vec::new(),
        failed: Vec::new(),
    };
    let reply = job_reply(&job);
    db.jobs.insert(id, job);
    Ok(reply)
}

/// A store and one job, borrowed together.
pub(crate) struct StoreAndJob<'a> {
    store: &'a super::store::Store,
    job: Option<&'a mut Job>,
}

impl Db {
    pub(crate) fn store_and_job(&mut self, id: &str) -> StoreAndJob<'_> {
        StoreAndJob {
            store: &self.store,
            job: self.jobs.get_mut(id),
        }
    }
}

fn poll_query(ctx: &Ctx, both: &mut StoreAndJob<'_>) {
    let Some(job) = both.job.as_deref_mut() else {
        return;
    };
    job.polls += 1;
    if job.polls == 1 {
        job.info.insert("state".to_owned(), json!("InProgress"));
        let q = job.text("query");
        let all = job.info.get("operation") == Some(&json!("queryAll"));
        let options = QueryOptions::new(ctx.clock.now())
            .query_all(all)
            .api_version(&job.version);
        let (columns, result) = match (soql::parse(&q), soql::execute(both.store, &q, &options)) {
            (Ok(ast), Ok(result)) => {
                ctx.count_soql(both.store, &q);
                (ast.select, result)
            }
            (_, Err(e)) | (Err(e), _) => {
                job.info.insert("state".to_owned(), json!("Failed"));
                job.info.insert("errorMessage".to_owned(), json!(e.message));
                return;
            }
        };
        let paths: Vec<Vec<String>> = columns
            .iter()
            .filter_map(|c| match c {
                SelectItem::Field(p) => Some(p.parts.iter().map(|n| n.text.clone()).collect()),
                _ => None,
            })
            .collect();
        job.header = paths
            .iter()
            .map(|p| format!("\"{}\"", p.join(".")))
            .collect::<Vec<_>>()
            .join(",");
        job.rows = result
            .records
            .iter()
            .map(|r| {
                paths
                    .iter()
                    .map(|p| {
                        let mut v = Some(r);
                        for part in p {
                            v = v.and_then(|x| get_ci(x, part));
                        }
                        csv_cell(&v.map(csv_text).unwrap_or_default())
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        job.info
            .insert("numberRecordsProcessed".to_owned(), json!(job.rows.len()));
    } else if job.info.get("state") == Some(&json!("InProgress")) {
        job.info.insert("state".to_owned(), json!("JobComplete"));
    }
    job.info.insert("jobType".to_owned(), json!("V2Query"));
    job.info.entry("retries").or_insert(json!(0));
    job.info.entry("totalProcessingTime").or_insert(json!(0));
}

fn results(ctx: &Ctx, db: &mut Db, req: &Req, id: &str) -> Result<Reply, Reply> {
    if job_mut(db, req, id)?.polls == 0 {
        // Results of a job nobody polled yet: run it now.
        poll_query(ctx, &mut db.store_and_job(id));
        poll_query(ctx, &mut db.store_and_job(id));
    }
    let job = job_mut(db, req, id)?;
    if job.info.get("state") != Some(&json!("JobComplete")) {
        job.info.insert("state".to_owned(), json!("JobComplete"));
    }
    let offset = match req.param("locator") {
        Some(l) if !l.is_empty() => STANDARD
            .decode(l.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| bad("INVALIDLOCATOR", "Invalid locator"))?,
        _ => 0,
    };
    let max = req
        .param("maxRecords")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(MAX_RECORDS)
        .clamp(1, MAX_RECORDS);
    let end = (offset + max).min(job.rows.len());
    let page = job.rows.get(offset..end).unwrap_or_default();
    let locator = if end < job.rows.len() {
        STANDARD.encode(end.to_string())
    } else {
        "null".to_owned()
    };
    Ok(Reply {
        status: StatusCode::OK,
        body: Body::Text(csv_page(&job.header, page), "text/csv"),
        headers: vec![
            ("Sforce-NumberOfRecords", page.len().to_string()),
            ("Sforce-Locator", locator),
        ],
    })
}

fn patch(ctx: &Ctx, db: &mut Db, caller: &Caller, req: &Req, id: &str) -> Result<Reply, Reply> {
    let body = req.parse_body()?;
    let wanted = body
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let job = job_mut(db, req, id)?;
    let state = job.text("state");
    match wanted.as_str() {
        "Aborted" if !matches!(state.as_str(), "JobComplete" | "Failed" | "Aborted") => {
            job.info.insert("state".to_owned(), json!("Aborted"));
            Ok(job_reply(job))
        }
        "UploadComplete" if job.kind == Kind::Ingest && state == "Open" => {
            job.info.insert("state".to_owned(), json!("UploadComplete"));
            let reply = job_reply(job);
            let job = job.clone();
            let processed = ingest(ctx, db, caller, job);
            db.jobs.insert(id.to_owned(), processed);
            Ok(reply)
        }
        _ => Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "INVALIDJOBSTATE",
            &format!("Changing the state of the job from {state} to {wanted} is not allowed"),
        )),
    }
}

fn error_text(items: &[ErrorItem]) -> String {
    items
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{} --",
                e.code,
                e.message,
                e.fields.clone().unwrap_or_default().join(",")
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn ingest(ctx: &Ctx, db: &mut Db, caller: &Caller, mut job: Job) -> Job {
    let rows = match parse_csv(&job.upload) {
        Ok(rows) => rows,
        Err(e) => {
            job.info.insert("state".to_owned(), json!("Failed"));
            job.info.insert(
                "errorMessage".to_owned(),
                json!(format!("InvalidBatch : {e}")),
            );
            return job;
        }
    };
    let object = job.text("object");
    let operation = job.text("operation");
    let ext = job
        .info
        .get("externalIdFieldName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some((header, data)) = rows.split_first() else {
        job.info.insert("state".to_owned(), json!("Failed"));
        job.info
            .insert("errorMessage".to_owned(), json!("InvalidBatch : Empty CSV"));
        return job;
    };
    let schema = db.store.schema(&object).cloned();
    if let Some(schema) = &schema
        && let Some(unknown) = header.iter().find(|h| {
            let h = h.trim();
            match h.split_once('.') {
                Some((rel, _)) => schema.relationship(rel).is_none(),
                None => schema.field(h).is_none(),
            }
        })
    {
        job.info.insert("state".to_owned(), json!("Failed"));
        job.info.insert(
            "errorMessage".to_owned(),
            json!(format!("InvalidBatch : Field name not found : {unknown}")),
        );
        return job;
    }
    let raw_line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    for cells in data {
        let mut fields = Map::new();
        let mut id_value = None;
        for (name, cell) in header.iter().zip(cells) {
            let name = name.trim();
            if name.eq_ignore_ascii_case("Id") {
                id_value = Some(cell.clone());
                continue;
            }
            if cell.is_empty() {
                continue;
            }
            let value = if cell == "#N/A" {
                Value::Null
            } else {
                json!(cell)
            };
            match name.split_once('.') {
                Some((rel, ext_field)) => {
                    let target = schema.as_ref().and_then(|s| s.relationship(rel)).cloned();
                    if let Some(reference) = target {
                        let parent = reference.reference_to.first().cloned().unwrap_or_default();
                        let found = records::find_by_field(db, &parent, ext_field, cell);
                        fields.insert(
                            reference.name.clone(),
                            found.first().map_or_else(|| json!(cell), |id| json!(id)),
                        );
                    }
                }
                None => {
                    fields.insert(name.to_owned(), value);
                }
            }
        }
        let outcome: Result<(String, bool), Vec<ErrorItem>> = match operation.as_str() {
            "insert" => records::create(ctx, db, caller, &object, &fields).map(|id| (id, true)),
            "update" => match &id_value {
                Some(id) => records::update(ctx, db, caller, &object, id, &fields)
                    .map(|()| (id.clone(), false))
                    .map_err(records::DmlError::into_items),
                None => Err(vec![ErrorItem::new(
                    "MISSING_ARGUMENT",
                    "Id not specified in an update call",
                )]),
            },
            "upsert" => {
                let ext = ext.clone().unwrap_or_default();
                let value = fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&ext))
                    .map(|(_, v)| csv_text(v))
                    .or_else(|| id_value.clone());
                match value {
                    Some(v) => {
                        fields.retain(|k, _| !k.eq_ignore_ascii_case(&ext));
                        records::upsert(ctx, db, caller, &object, &ext, &v, &fields, false)
                            .map_err(records::DmlError::into_items)
                    }
                    None => Err(vec![ErrorItem::new(
                        "MISSING_ARGUMENT",
                        format!("{ext} not specified"),
                    )]),
                }
            }
            _ => match &id_value {
                Some(id) => records::delete(ctx, db, caller, Some(&object), id)
                    .map(|()| (id.clone(), false))
                    .map_err(records::DmlError::into_items),
                None => Err(vec![ErrorItem::new("MISSING_ARGUMENT", "Id not specified")]),
            },
        };
        match outcome {
            Ok((id, created)) => job
                .ok
                .push(format!("\"{id}\",\"{created}\",{}", raw_line(cells))),
            Err(errors) => job.failed.push(format!(
                "\"{}\",{},{}",
                id_value.unwrap_or_default(),
                csv_cell(&error_text(&errors)),
                raw_line(cells)
            )),
        }
    }
    job.info.insert("state".to_owned(), json!("JobComplete"));
    job.info.insert("jobType".to_owned(), json!("V2Ingest"));
    job.info.insert(
        "numberRecordsProcessed".to_owned(),
        json!(job.ok.len() + job.failed.len()),
    );
    job.info
        .insert("numberRecordsFailed".to_owned(), json!(job.failed.len()));
    job.info.insert("retries".to_owned(), json!(0));
    job.info.insert("totalProcessingTime".to_owned(), json!(0));
    job.info
        .insert("apiActiveProcessingTime".to_owned(), json!(0));
    job.info.insert("apexProcessingTime".to_owned(), json!(0));
    job
}
