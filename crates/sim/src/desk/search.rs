//! `GET /contacts/search` and `GET /accounts/search` (doc §7).
//!
//! `from` is 0-based and must stay in 0–4999 (else 422 `UNPROCESSABLE_ENTITY`, wording
//! **(unconfirmed)**), `limit` 1–100 (default 10). Filters combine with AND: field filters match
//! case-insensitively, exactly, or as a wildcard when the value contains `*`; `_all` is a free-text
//! substring over every text value; `customFieldN=cf_x:value` (`${empty}` / `${notempty}` allowed);
//! `createdTimeRange` / `modifiedTimeRange` = `"<isoStart>,<isoEnd>"`, both ends inclusive. Rows are
//! full records; the answer is `{"data":[…],"count":N}` (N = all matches) or 204.
//! Switches: rows include `modifiedTime` (default on, **(unconfirmed)**); an index lag hides
//! records modified less than the lag ago (default none, **(unconfirmed)**).

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::error::DeskError;
use super::model::{Module, Record};
use super::params::{Params, bad_value};
use super::records::sort_records;
use super::state::{Ctx, Db};

const CONTACT_FILTERS: &[&str] = &[
    "id",
    "email",
    "firstName",
    "lastName",
    "fullName",
    "phone",
    "mobile",
    "accountName",
];
const ACCOUNT_FILTERS: &[&str] = &["id", "accountName", "website", "email", "phone"];

/// Largest allowed `from`.
pub const MAX_SEARCH_FROM: i64 = 4999;

fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_lowercase(), text.to_lowercase());
    if !p.contains('*') {
        return p == t;
    }
    let parts: Vec<&str> = p.split('*').collect();
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

fn field_value(db: &Db, record: &Record, field: &str) -> Option<String> {
    match field {
        "id" => Some(record.id.clone()),
        "fullName" => Some(record.display_name()),
        "accountName" if record.module == Module::Contacts => record
            .str("accountId")
            .and_then(|a| db.live(Module::Accounts, a))
            .and_then(|a| a.str("accountName"))
            .map(str::to_owned),
        _ => record.str(field).map(str::to_owned),
    }
}

fn parse_range(name: &str, v: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), DeskError> {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s.trim()).map(|t| t.with_timezone(&Utc));
    match v.split_once(',') {
        Some((a, b)) => match (parse(a), parse(b)) {
            (Ok(a), Ok(b)) if a <= b => Ok((a, b)),
            _ => Err(bad_value(name, v)),
        },
        None => Err(bad_value(name, v)),
    }
}

fn text_values(record: &Record) -> impl Iterator<Item = &str> {
    record
        .fields
        .values()
        .chain(record.cf.values())
        .filter_map(Value::as_str)
}

/// The search handler for `module`.
pub(crate) async fn search(
    ctx: Arc<Ctx>,
    raw: Option<String>,
    module: Module,
) -> Result<Response, DeskError> {
    let filters = match module {
        Module::Contacts => CONTACT_FILTERS,
        Module::Accounts => ACCOUNT_FILTERS,
    };
    let mut allowed = vec![
        "from",
        "limit",
        "sortBy",
        "_all",
        "createdTimeRange",
        "modifiedTimeRange",
        "customField*",
    ];
    allowed.extend_from_slice(filters);
    let p = Params::parse(raw.as_deref(), &allowed)?;
    let from = match p.int("from", 0, 0, MAX_SEARCH_FROM) {
        Ok(n) => n as usize,
        Err(_) => {
            return Err(DeskError::Unprocessable(format!(
                "The value passed for 'from' must be between 0 and {MAX_SEARCH_FROM}."
            )));
        }
    };
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let sort = p.sort_by(&["relevance", "modifiedTime", "createdTime"])?;
    let created = p
        .get("createdTimeRange")
        .map(|v| parse_range("createdTimeRange", v))
        .transpose()?;
    let modified = p
        .get("modifiedTimeRange")
        .map(|v| parse_range("modifiedTimeRange", v))
        .transpose()?;
    let mut custom = Vec::new();
    for (name, value) in p
        .pairs()
        .iter()
        .filter(|(n, _)| n.starts_with("customField"))
    {
        match value.split_once(':') {
            Some((field, wanted)) if field.starts_with("cf_") => {
                custom.push((field.to_owned(), wanted.to_owned()))
            }
            _ => return Err(bad_value(name, value)),
        }
    }
    let field_filters: Vec<(&str, &str)> = p
        .pairs()
        .iter()
        .filter(|(n, _)| filters.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let all = p.get("_all").map(str::to_lowercase);

    let now = ctx.clock.now();
    let lag =
        TimeDelta::from_std(ctx.options.switches.search_index_lag).unwrap_or(TimeDelta::zero());
    let db = ctx.db();
    let mut hits: Vec<&Record> = db
        .live_records(module)
        .filter(|r| lag.is_zero() || r.modified_time <= now - lag)
        .filter(|r| created.is_none_or(|(a, b)| r.created_time >= a && r.created_time <= b))
        .filter(|r| modified.is_none_or(|(a, b)| r.modified_time >= a && r.modified_time <= b))
        .filter(|r| {
            field_filters
                .iter()
                .all(|(f, v)| field_value(&db, r, f).is_some_and(|x| wildcard(v, &x)))
        })
        .filter(|r| {
            custom.iter().all(|(f, v)| {
                let value = r.cf_str(f).filter(|s| !s.is_empty());
                match v.as_str() {
                    "${empty}" => value.is_none(),
                    "${notempty}" => value.is_some(),
                    _ => value.is_some_and(|x| wildcard(v, x)),
                }
            })
        })
        .filter(|r| {
            all.as_ref()
                .is_none_or(|q| text_values(r).any(|t| t.to_lowercase().contains(q.as_str())))
        })
        .collect();
    match sort.as_ref().filter(|(f, _)| f != "relevance") {
        Some(s) => sort_records(&db, &mut hits, Some(s)),
        // Relevance of a filter search is not defined for exact matches: keep creation order,
        // reversed for `-relevance`.
        None if sort.as_ref().is_some_and(|(_, desc)| *desc) => hits.reverse(),
        None => {}
    }
    let count = hits.len();
    let rows: Vec<Value> = hits
        .into_iter()
        .skip(from)
        .take(limit)
        .map(|r| {
            let mut full = ctx.full_json(&db, r);
            if !ctx.options.switches.search_includes_modified_time
                && let Some(obj) = full.as_object_mut()
            {
                obj.remove("modifiedTime");
            }
            full
        })
        .collect();
    if rows.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(json!({"data": rows, "count": count})).into_response())
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("jade@zylker.com", "JADE@zylker.com"));
        assert!(wildcard("jad*", "Jade"));
        assert!(wildcard("*@zylker.com", "jade@zylker.com"));
        assert!(wildcard("j*e@*.com", "jade@zylker.com"));
        assert!(!wildcard("jade", "jaded"));
        assert!(!wildcard("x*", "jade"));
    }
}
