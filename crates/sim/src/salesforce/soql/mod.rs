//! The simulator's SOQL engine: a real lexer, parser, checker and evaluator for the subset
//! sfdesk and common Salesforce clients use.
//!
//! [`execute`] runs a query against any [`Dataset`] and returns rows in the REST `query`
//! shape; the HTTP layer adds paging (`nextRecordsUrl`) on top of [`QueryResult`]. Errors are
//! [`SoqlError`]s with Salesforce's codes and caret messages.
//!
//! Supported: field lists with parent paths (`Account.Owner.Name`, polymorphic `What.Name`),
//! child subqueries (nested up to five levels), `COUNT()`, `COUNT(field) [alias]`,
//! `FIELDS(ALL|STANDARD|CUSTOM)`, `FROM Object [alias]`, `WHERE` with `= != <> < <= > >=`,
//! `LIKE`, `[NOT] IN` lists and semi-joins, `AND`/`OR`/`NOT` and parentheses, every literal of
//! section 11 of the API notes (unquoted dates and datetimes, relative date literals),
//! `WITH SECURITY_ENFORCED`, `ORDER BY … [ASC|DESC] [NULLS FIRST|LAST]`, `LIMIT`, `OFFSET`
//! (≤ 2,000), `FOR VIEW|REFERENCE|UPDATE`. Not simulated (refused as `MALFORMED_QUERY`):
//! `GROUP BY`, `HAVING`, other functions, `TYPEOF`, `INCLUDES`/`EXCLUDES`, `USING SCOPE`.
//!
//! Layout: `lexer` → `parser` → [`ast`] → `plan` (schema checks, semi-joins) → `eval`
//! (filter, order, limit) → `render` (JSON); `escape`, `like`, `dates` and `value` hold the
//! literal and comparison rules; `dataset` the store interface ([`Dataset`]) and `error` the
//! error type; `objects` lists the objects a query reads ([`objects_read`]).

pub mod ast;
mod dataset;
mod dates;
mod error;
mod escape;
mod eval;
mod lexer;
mod like;
mod objects;
mod parser;
mod plan;
mod render;
mod value;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub(crate) use dataset::Tables;
pub use dataset::{
    Dataset, Fields, InlineStr, InsertError, MemoryDataset, Record, Row, RowRef, Val,
};
pub use error::{SoqlError, SoqlErrorCode};
pub use escape::{quote, quote_like};
pub use like::LikePattern;
pub use objects::objects_read;

use plan::{Output, Plan, Planner};
use render::Renderer;

/// API version used when none is given.
pub const DEFAULT_API_VERSION: &str = "66.0";

/// How to run a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryOptions {
    /// The current time; relative date literals (`TODAY`, `LAST_N_DAYS:n`) count from its UTC
    /// date. The engine reads no clock of its own.
    pub now: DateTime<Utc>,
    /// `queryAll` semantics: include soft-deleted rows (`IsDeleted = true`).
    pub query_all: bool,
    /// API version for record URLs and messages, e.g. `66.0`.
    pub api_version: String,
}

impl QueryOptions {
    /// A plain `query` at `now`, API version [`DEFAULT_API_VERSION`].
    #[must_use]
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now,
            query_all: false,
            api_version: DEFAULT_API_VERSION.to_owned(),
        }
    }

    /// Builder: `queryAll` semantics on or off.
    #[must_use]
    pub fn query_all(mut self, query_all: bool) -> Self {
        self.query_all = query_all;
        self
    }

    /// Builder: the API version (`66.0`).
    #[must_use]
    pub fn api_version(mut self, version: &str) -> Self {
        version.clone_into(&mut self.api_version);
        self
    }
}

/// The complete result of a query, before paging.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// `totalSize`: rows in the whole result (after `LIMIT`/`OFFSET`), or the count for
    /// `COUNT()`.
    pub total_size: usize,
    /// The rows, in the REST shape; empty for `COUNT()`.
    pub records: Vec<Value>,
}

impl QueryResult {
    /// The single-batch response body: `{"totalSize", "done": true, "records"}`.
    #[must_use]
    pub fn into_json(self) -> Value {
        json!({"totalSize": self.total_size, "done": true, "records": self.records})
    }
}

/// Parses `soql` without checking it against any schema.
///
/// # Errors
///
/// `MALFORMED_QUERY` for a syntax error or an illegal escape in a string literal.
pub fn parse(soql: &str) -> Result<ast::Query, SoqlError> {
    parser::parse(soql)
}

/// Parses `soql` and checks it against `dataset`'s schemas.
fn check<'d>(
    dataset: &'d dyn Dataset,
    soql: &str,
    options: &QueryOptions,
) -> Result<Plan<'d>, SoqlError> {
    let query = parser::parse(soql)?;
    let planner = Planner {
        dataset,
        query: soql,
        query_all: options.query_all,
        api_version: &options.api_version,
        today: options.now.date_naive(),
    };
    planner.plan(&query)
}

/// Parses, checks and runs `soql` against `dataset`.
///
/// # Errors
///
/// A [`SoqlError`] as Salesforce would answer it: `MALFORMED_QUERY` (syntax),
/// `INVALID_TYPE` (unknown object or child relationship), `INVALID_FIELD` (unknown column or
/// relationship, duplicate field), `INVALID_QUERY_FILTER_OPERATOR` (literal of the wrong type,
/// quoted date, malformed id), `NUMBER_OUTSIDE_VALID_RANGE` (`OFFSET` over 2,000).
pub fn execute(
    dataset: &dyn Dataset,
    soql: &str,
    options: &QueryOptions,
) -> Result<QueryResult, SoqlError> {
    let plan = check(dataset, soql, options)?;
    let source = &plan.source;
    Ok(match &plan.output {
        Output::Count => QueryResult {
            total_size: eval::count(dataset, source),
            records: Vec::new(),
        },
        Output::Aggregate(columns) => {
            let fields: Vec<_> = columns.iter().map(|c| &c.field).collect();
            let counts = eval::count_non_null(dataset, source, &fields);
            let mut row = serde_json::Map::new();
            row.insert("attributes".to_owned(), json!({"type": "AggregateResult"}));
            for (column, count) in columns.iter().zip(counts) {
                row.insert(column.key.clone(), json!(count));
            }
            QueryResult {
                total_size: 1,
                records: vec![Value::Object(row)],
            }
        }
        Output::Rows(nodes) => {
            let rows = eval::select(dataset, source);
            let renderer = Renderer {
                dataset,
                api_version: &options.api_version,
            };
            let records = renderer.rows(&source.object.name, &rows, nodes);
            QueryResult {
                total_size: records.len(),
                records,
            }
        }
    })
}

/// The outcome of [`select_ids`]: either a finished result (`COUNT()` and aggregates, which
/// never page) or the ids of the selected rows, in result order, to render page by page with
/// [`render_ids`].
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// A result that fits one answer.
    Complete(QueryResult),
    /// The ids of every selected row, in order (`totalSize` = their count).
    Rows {
        /// Canonical name of the queried object.
        object: String,
        /// The row ids as stored.
        ids: Vec<String>,
    },
}

/// Parses, checks and runs `soql` like [`execute`], but renders nothing for row queries: it
/// returns the selected ids so a pager can keep them per query locator and render each batch
/// with [`render_ids`] (the HTTP layer's `nextRecordsUrl` paging without re-running the query).
///
/// # Errors
///
/// As [`execute`].
pub fn select_ids(
    dataset: &dyn Dataset,
    soql: &str,
    options: &QueryOptions,
) -> Result<Selection, SoqlError> {
    let plan = check(dataset, soql, options)?;
    match &plan.output {
        Output::Rows(_) => {
            let ids = eval::select(dataset, &plan.source)
                .into_iter()
                .map(|row| row.str("Id").unwrap_or_default().to_owned())
                .collect();
            Ok(Selection::Rows {
                object: plan.source.object.name.clone(),
                ids,
            })
        }
        Output::Count | Output::Aggregate(_) => {
            execute(dataset, soql, options).map(Selection::Complete)
        }
    }
}

/// Renders the rows with the given ids (from [`select_ids`] for the same `soql`) in the REST
/// shape, child subqueries and parent paths included. Ids whose row no longer exists are skipped.
///
/// # Errors
///
/// As [`execute`] (the query is re-checked, which is cheap next to rendering).
pub fn render_ids(
    dataset: &dyn Dataset,
    soql: &str,
    options: &QueryOptions,
    ids: &[String],
) -> Result<Vec<Value>, SoqlError> {
    let plan = check(dataset, soql, options)?;
    let Output::Rows(nodes) = &plan.output else {
        return Ok(Vec::new());
    };
    let object = &plan.source.object.name;
    let rows: Vec<RowRef<'_>> = ids
        .iter()
        .filter_map(|id| dataset.get(object, id))
        .collect();
    let renderer = Renderer {
        dataset,
        api_version: &options.api_version,
    };
    Ok(renderer.rows(object, &rows, nodes))
}
