//! SOQL errors: the `errorCode` values a query can fail with and the caret diagnostic message.
//!
//! Salesforce reports query errors as `"\n<query line>\n<spaces>^\nERROR at Row:R:Column:C\n<text>"`
//! (row and column 1-based, column counted in characters); [`SoqlError::at`] builds exactly that
//! from a byte offset into the query.

use std::fmt;

/// The `errorCode` of a failed query. All of them answer HTTP 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SoqlErrorCode {
    /// Syntax error, or a construct that is not allowed where it stands.
    MalformedQuery,
    /// Unknown column or relationship, or a duplicate field.
    InvalidField,
    /// Unknown object or child relationship.
    InvalidType,
    /// A literal of the wrong type for its field, an operator the field type does not support,
    /// or a malformed id literal.
    InvalidQueryFilterOperator,
    /// `OFFSET` above 2,000.
    NumberOutsideValidRange,
}

impl SoqlErrorCode {
    /// The wire spelling, e.g. `MALFORMED_QUERY`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedQuery => "MALFORMED_QUERY",
            Self::InvalidField => "INVALID_FIELD",
            Self::InvalidType => "INVALID_TYPE",
            Self::InvalidQueryFilterOperator => "INVALID_QUERY_FILTER_OPERATOR",
            Self::NumberOutsideValidRange => "NUMBER_OUTSIDE_VALID_RANGE",
        }
    }
}

impl fmt::Display for SoqlErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A query that Salesforce would refuse, with the body it would answer:
/// `[{"message": message, "errorCode": code}]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SoqlError {
    /// The `errorCode`.
    pub code: SoqlErrorCode,
    /// The `message`, usually a caret diagnostic.
    pub message: String,
}

impl SoqlError {
    /// An error without a caret diagnostic.
    #[must_use]
    pub fn new(code: SoqlErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An error whose message points at byte `offset` of `query` (clamped to the query).
    #[must_use]
    pub fn at(code: SoqlErrorCode, query: &str, offset: usize, text: &str) -> Self {
        let (row, column, line) = locate(query, offset);
        let pad = " ".repeat(column - 1);
        Self::new(
            code,
            format!("\n{line}\n{pad}^\nERROR at Row:{row}:Column:{column}\n{text}"),
        )
    }

    /// The wire spelling of [`Self::code`].
    #[must_use]
    pub fn error_code(&self) -> &'static str {
        self.code.as_str()
    }
}

/// Row (1-based), column (1-based, in characters) and text of the line holding byte `offset`.
pub(crate) fn locate(query: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(query.len());
    while !query.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = query[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = query[offset..]
        .find('\n')
        .map_or(query.len(), |i| offset + i);
    let row = query[..line_start].matches('\n').count() + 1;
    let column = query[line_start..offset].chars().count() + 1;
    let line = query[line_start..line_end].trim_end_matches('\r');
    (row, column, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_message_matches_the_documented_shape() {
        let query = "select count() from XYZZY";
        let err = SoqlError::at(
            SoqlErrorCode::InvalidType,
            query,
            20,
            "sObject type 'XYZZY' is not supported.",
        );
        assert_eq!(
            err.message,
            "\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\nsObject type 'XYZZY' is not supported."
        );
        assert_eq!(err.error_code(), "INVALID_TYPE");
        assert_eq!(err.to_string(), format!("INVALID_TYPE: {}", err.message));
    }

    #[test]
    fn multi_line_queries_report_the_offending_line() {
        let query = "SELECT Id\r\nFROM Contact\r\nWHERE Fóo = 1";
        let offset = query.find("Fóo").unwrap();
        assert_eq!(locate(query, offset), (3, 7, "WHERE Fóo = 1"));
        let after = query.find("= 1").unwrap();
        // Columns count characters, not bytes.
        assert_eq!(locate(query, after).1, 11);
        assert_eq!(locate(query, 10_000), (3, 14, "WHERE Fóo = 1"));
    }
}
