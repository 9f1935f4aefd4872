//! `getUpdated` / `getDeleted`: `GET /sobjects/{Type}/updated/?start=…&end=…` and
//! `…/deleted/…`.
//!
//! Both read `SystemModstamp` (deletion time for `deleted`) with minute granularity: seconds of
//! `start` and `end` are ignored, the window is `[start, end)`. `updated` reaches back 30 days,
//! `deleted` 15 (`INVALID_REPLICATION_DATE` otherwise); more than 600,000 ids →
//! `EXCEEDED_ID_LIMIT`.

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::errors::Reply;
use super::records::{format_datetime, parse_datetime};
use super::rest::{Req, to_minute};
use super::sim::{Ctx, Db};
use super::soql::{Dataset, RowRef, Val};

const MAX_IDS: usize = 600_000;

fn bad(code: &str, message: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, code, message)
}

fn param_time(req: &Req, name: &str) -> Result<DateTime<Utc>, Reply> {
    let raw = req.param(name).ok_or_else(|| {
        bad(
            "MISSING_ARGUMENT",
            &format!("Missing required parameter: {name}"),
        )
    })?;
    parse_datetime(raw.trim()).ok_or_else(|| {
        bad(
            "INVALID_REPLICATION_DATE",
            &format!("{name} is not a valid date: {raw}"),
        )
    })
}

/// Answers `updated` or `deleted` for object `t`.
pub(crate) fn replication(
    ctx: &Ctx,
    db: &Db,
    req: &Req,
    t: &str,
    op: &str,
) -> Result<Reply, Reply> {
    let schema = db.store.schema(t).ok_or_else(Reply::not_found)?;
    let start = to_minute(param_time(req, "start")?);
    let end = to_minute(param_time(req, "end")?);
    let now = ctx.clock.now();
    if end < start {
        return Err(bad(
            "INVALID_REPLICATION_DATE",
            "EndDate can not be before StartDate",
        ));
    }
    let horizon_days = if op == "updated" { 30 } else { 15 };
    let earliest = to_minute(now - TimeDelta::days(horizon_days));
    if start < earliest {
        return Err(bad(
            "INVALID_REPLICATION_DATE",
            &format!("startDate cannot be more than {horizon_days} days ago"),
        ));
    }
    let covered_end = end.min(to_minute(now));
    let latest = if ctx.options.switches.latest_covered_minute_before_end {
        covered_end - TimeDelta::minutes(1)
    } else {
        covered_end
    };
    let in_window = |t: DateTime<Utc>| t >= start && t < covered_end;
    let id_of = |r: RowRef<'_>| r.str("Id").map(str::to_owned);
    if op == "updated" {
        let ids: Vec<String> = db
            .store
            .rows(&schema.name)
            .filter(|r| r.get("IsDeleted").and_then(Val::as_bool) != Some(true))
            .filter(|r| {
                r.str("SystemModstamp")
                    .and_then(parse_datetime)
                    .is_some_and(in_window)
            })
            .filter_map(id_of)
            .collect();
        if ids.len() > MAX_IDS {
            return Err(bad(
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 600000 records into this call",
            ));
        }
        return Ok(Reply::json(
            StatusCode::OK,
            json!({"ids": ids, "latestDateCovered": format_datetime(latest)}),
        ));
    }
    let deleted: Vec<Value> = db
        .store
        .rows(&schema.name)
        .filter_map(|r| {
            let id = id_of(r)?;
            let at = db.store.deleted_at(&id)?;
            in_window(at).then(|| json!({"id": id, "deletedDate": format_datetime(at)}))
        })
        .collect();
    if deleted.len() > MAX_IDS {
        return Err(bad(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 600000 records into this call",
        ));
    }
    Ok(Reply::json(
        StatusCode::OK,
        json!({
            "deletedRecords": deleted,
            "earliestDateAvailable": format_datetime(earliest),
            "latestDateCovered": format_datetime(latest),
        }),
    ))
}
