//! Evaluator tests over the fixture org ([`fixture`]): result shapes, filters, ordering and
//! limits, date literals, `queryAll`, errors with exact codes and carets, and the cost model on
//! larger tables ([`scale`]).

mod errors;
mod filters;
mod fixture;
mod ordering;
mod scale;
mod shapes;

use serde_json::Value;

use super::{QueryResult, SoqlError, execute};

/// Runs a plain query on the fixture org.
fn run(query: &str) -> QueryResult {
    execute(&fixture::dataset(), query, &fixture::options())
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Runs a `queryAll` on the fixture org.
fn run_all(query: &str) -> QueryResult {
    let options = fixture::options().query_all(true);
    execute(&fixture::dataset(), query, &options).unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// The error a query fails with on the fixture org.
fn fail(query: &str) -> SoqlError {
    match execute(&fixture::dataset(), query, &fixture::options()) {
        Ok(result) => panic!("{query} succeeded: {result:?}"),
        Err(error) => error,
    }
}

/// One column of the result, `null` shown as `<null>`.
fn column(result: &QueryResult, key: &str) -> Vec<String> {
    result
        .records
        .iter()
        .map(|record| match &record[key] {
            Value::Null => "<null>".to_owned(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// The `Name` column of a query.
fn names(query: &str) -> Vec<String> {
    column(&run(query), "Name")
}

/// The caret column of a diagnostic (`ERROR at Row:1:Column:N`).
fn caret_column(error: &SoqlError) -> usize {
    let marker = "ERROR at Row:1:Column:";
    let start = error
        .message
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no caret in {error}"));
    let digits: String = error.message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let column = digits.parse().unwrap();
    // The caret line must agree with the column.
    let caret_line = error.message.split('\n').nth(2).unwrap();
    assert_eq!(
        caret_line,
        format!("{}^", " ".repeat(column - 1)),
        "{error}"
    );
    column
}
