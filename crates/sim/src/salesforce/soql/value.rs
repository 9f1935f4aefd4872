//! Typed values for evaluation: how each field type compares, stored JSON read as typed
//! scalars, and filter literals converted to the type of their field.
//!
//! SOQL text comparisons and sorting ignore case (upper-case collation, as Salesforce does for
//! English locales); ids compare on their 15-character key, so 15- and 18-character forms are
//! equal. Dates are day numbers, datetimes milliseconds, both since the Unix epoch (UTC).

use std::cmp::Ordering;

use super::ast::{self, CompareOp};
use super::dataset::Val;
use super::dates;
use super::error::SoqlErrorCode;
use crate::salesforce::ids;
use crate::salesforce::schema::FieldType;

/// How values of a field compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Id,
    Text,
    Bool,
    Number,
    Date,
    DateTime,
    /// Compound or binary fields: selectable, not filterable or sortable.
    Opaque,
}

impl Kind {
    pub(crate) fn of(field_type: FieldType) -> Self {
        match field_type {
            FieldType::Id | FieldType::Reference => Self::Id,
            FieldType::String
            | FieldType::TextArea
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Url
            | FieldType::Picklist
            | FieldType::Combobox => Self::Text,
            FieldType::Boolean => Self::Bool,
            FieldType::Int | FieldType::Double | FieldType::Currency | FieldType::Percent => {
                Self::Number
            }
            FieldType::Date => Self::Date,
            FieldType::DateTime => Self::DateTime,
            FieldType::Address | FieldType::Base64 => Self::Opaque,
        }
    }
}

/// The type name Salesforce uses in filter messages.
pub(crate) fn type_name(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Id | FieldType::Reference => "id",
        FieldType::Boolean => "boolean",
        FieldType::Int => "int",
        FieldType::Double | FieldType::Currency | FieldType::Percent => "double",
        FieldType::Date => "date",
        FieldType::DateTime => "dateTime",
        _ => "string",
    }
}

/// A stored value read according to its field's [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Text(&'a str),
    Id(&'a str),
    Bool(bool),
    Number(f64),
    Day(i64),
    Millis(i64),
}

/// Reads a stored JSON value. Missing, `null`, empty strings and unparsable values are
/// [`Scalar::Null`], except for checkboxes, which are never null (missing = `false`).
pub(crate) fn read(value: Option<&Val>, kind: Kind) -> Scalar<'_> {
    let text = value.and_then(Val::as_str).filter(|s| !s.is_empty());
    match kind {
        Kind::Text => text.map_or(Scalar::Null, Scalar::Text),
        Kind::Id => text.map_or(Scalar::Null, Scalar::Id),
        Kind::Bool => Scalar::Bool(value.and_then(Val::as_bool).unwrap_or(false)),
        Kind::Number => value
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .map_or(Scalar::Null, Scalar::Number),
        Kind::Date => text
            .and_then(dates::parse_date)
            .map_or(Scalar::Null, Scalar::Day),
        Kind::DateTime => text
            .and_then(dates::parse_datetime)
            .map_or(Scalar::Null, Scalar::Millis),
        Kind::Opaque => Scalar::Null,
    }
}

/// Orders two non-null scalars of the same kind (mismatched kinds compare equal).
pub(crate) fn cmp_scalars(a: &Scalar<'_>, b: &Scalar<'_>) -> Ordering {
    match (a, b) {
        (Scalar::Text(a), Scalar::Text(b)) => cmp_ignore_case(a, b),
        (Scalar::Id(a), Scalar::Id(b)) => ids::key(a).cmp(ids::key(b)),
        (Scalar::Bool(a), Scalar::Bool(b)) => a.cmp(b),
        (Scalar::Number(a), Scalar::Number(b)) => a.total_cmp(b),
        (Scalar::Day(a), Scalar::Day(b)) | (Scalar::Millis(a), Scalar::Millis(b)) => a.cmp(b),
        _ => Ordering::Equal,
    }
}

/// Case-insensitive order (upper-case collation), without allocating.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase()))
    } else {
        a.chars()
            .flat_map(char::to_uppercase)
            .cmp(b.chars().flat_map(char::to_uppercase))
    }
}

/// A filter literal converted to the type of the field it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Null,
    Text(String),
    /// Canonical 18-character id.
    Id(String),
    Bool(bool),
    Number(f64),
    Day(i64),
    Millis(i64),
    /// A relative date literal: `[start, end)` in the field's unit (days or milliseconds).
    Range(i64, i64),
}

impl Operand {
    fn as_scalar(&self) -> Scalar<'_> {
        match self {
            Self::Null | Self::Range(..) => Scalar::Null,
            Self::Text(s) => Scalar::Text(s),
            Self::Id(s) => Scalar::Id(s),
            Self::Bool(b) => Scalar::Bool(*b),
            Self::Number(n) => Scalar::Number(*n),
            Self::Day(d) => Scalar::Day(*d),
            Self::Millis(m) => Scalar::Millis(*m),
        }
    }
}

/// Evaluates `value <op> operand`. SOQL logic is two-valued: a null value equals only a null
/// operand, differs from everything else, and fails every ordering comparison.
pub(crate) fn test(value: &Scalar<'_>, op: CompareOp, operand: &Operand) -> bool {
    let value_key = match value {
        Scalar::Day(v) | Scalar::Millis(v) => Some(*v),
        _ => None,
    };
    if let (Operand::Range(start, end), Some(v)) = (operand, value_key) {
        let inside = (*start..*end).contains(&v);
        return match op {
            CompareOp::Eq => inside,
            CompareOp::Ne => !inside,
            CompareOp::Lt => v < *start,
            CompareOp::Le => v < *end,
            CompareOp::Gt => v >= *end,
            CompareOp::Ge => v >= *start,
        };
    }
    let is_null = matches!(value, Scalar::Null);
    let operand_null = matches!(operand, Operand::Null | Operand::Range(..));
    let ordering = if is_null || operand_null {
        None
    } else {
        Some(cmp_scalars(value, &operand.as_scalar()))
    };
    match op {
        CompareOp::Eq => {
            ordering == Some(Ordering::Equal) || (is_null && matches!(operand, Operand::Null))
        }
        CompareOp::Ne => {
            !(ordering == Some(Ordering::Equal) || (is_null && matches!(operand, Operand::Null)))
        }
        CompareOp::Lt => ordering == Some(Ordering::Less),
        CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        CompareOp::Gt => ordering == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Why a literal does not fit its field: the error code and message.
pub(crate) type Mismatch = (SoqlErrorCode, String);

/// Converts `literal` for comparison with field `field` of type `field_type`; `today` anchors
/// relative date literals.
pub(crate) fn operand(
    field: &str,
    field_type: FieldType,
    literal: &ast::Value,
    today: chrono::NaiveDate,
) -> Result<Operand, Mismatch> {
    let kind = Kind::of(field_type);
    let ty = type_name(field_type);
    let mismatch = |quoted: Option<bool>| {
        let tail = match quoted {
            Some(true) => " and should be enclosed in quotes",
            Some(false) => " and should not be enclosed in quotes",
            None => "",
        };
        Err((
            SoqlErrorCode::InvalidQueryFilterOperator,
            format!("value of filter criterion for field '{field}' must be of type {ty}{tail}"),
        ))
    };
    if kind == Kind::Opaque {
        return Err((
            SoqlErrorCode::InvalidField,
            format!("field '{field}' can not be filtered in a query call"),
        ));
    }
    if matches!(literal, ast::Value::Null) {
        return Ok(Operand::Null);
    }
    match (kind, literal) {
        (Kind::Text, ast::Value::String(s)) if s.is_empty() => Ok(Operand::Null),
        (Kind::Text, ast::Value::String(s)) => Ok(Operand::Text(s.clone())),
        (Kind::Text | Kind::Id, _) if !matches!(literal, ast::Value::String(_)) => {
            mismatch(Some(true))
        }
        (Kind::Id, ast::Value::String(s)) if s.is_empty() => Ok(Operand::Null),
        (Kind::Id, ast::Value::String(s)) => ids::to_18(s).map(Operand::Id).ok_or_else(|| {
            (
                SoqlErrorCode::InvalidQueryFilterOperator,
                format!("invalid ID field: {s}"),
            )
        }),
        (_, ast::Value::String(_)) => mismatch(Some(false)),
        (Kind::Bool, ast::Value::Bool(b)) => Ok(Operand::Bool(*b)),
        (Kind::Number, ast::Value::Number(n)) => Ok(Operand::Number(*n)),
        (Kind::Date, ast::Value::Date(d)) => Ok(Operand::Day(dates::day_number(*d))),
        (Kind::DateTime, ast::Value::DateTime(ms)) => Ok(Operand::Millis(*ms)),
        (Kind::Date, ast::Value::Relative(lit)) => {
            let (start, end) = dates::range(*lit, today);
            Ok(Operand::Range(start, end))
        }
        (Kind::DateTime, ast::Value::Relative(lit)) => {
            let (start, end) = dates::range(*lit, today);
            Ok(Operand::Range(
                dates::day_start_millis(start),
                dates::day_start_millis(end),
            ))
        }
        _ => mismatch(None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reading_stored_values() {
        assert_eq!(
            read(Some(&Val::from_json(json!("Acme"))), Kind::Text),
            Scalar::Text("Acme")
        );
        assert_eq!(
            read(Some(&Val::from_json(json!(""))), Kind::Text),
            Scalar::Null
        );
        assert_eq!(read(None, Kind::Text), Scalar::Null);
        assert_eq!(read(None, Kind::Bool), Scalar::Bool(false));
        assert_eq!(
            read(Some(&Val::from_json(json!(12.5))), Kind::Number),
            Scalar::Number(12.5)
        );
        assert_eq!(
            read(Some(&Val::from_json(json!("1970-01-03"))), Kind::Date),
            Scalar::Day(2)
        );
        assert_eq!(
            read(
                Some(&Val::from_json(json!("1970-01-01T00:00:01.000+0000"))),
                Kind::DateTime
            ),
            Scalar::Millis(1000)
        );
    }

    #[test]
    fn text_ignores_case_and_ids_ignore_the_suffix() {
        assert_eq!(cmp_ignore_case("acme", "ACME"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("a", "B"), Ordering::Less);
        assert_eq!(cmp_ignore_case("école", "ÉCOLE"), Ordering::Equal);
        let long = Operand::Id("0031i000013x2TEAAY".into());
        assert!(test(&Scalar::Id("0031i000013x2TE"), CompareOp::Eq, &long));
        assert!(!test(&Scalar::Id("0031i000013x2TF"), CompareOp::Eq, &long));
    }

    #[test]
    fn null_semantics_are_two_valued() {
        let five = Operand::Number(5.0);
        assert!(!test(&Scalar::Null, CompareOp::Eq, &five));
        assert!(test(&Scalar::Null, CompareOp::Ne, &five));
        assert!(!test(&Scalar::Null, CompareOp::Lt, &five));
        assert!(test(&Scalar::Null, CompareOp::Eq, &Operand::Null));
        assert!(test(&Scalar::Number(1.0), CompareOp::Ne, &Operand::Null));
        assert!(!test(&Scalar::Number(1.0), CompareOp::Gt, &Operand::Null));
    }

    #[test]
    fn ranges() {
        let range = Operand::Range(10, 20);
        let at = |v| Scalar::Day(v);
        assert!(test(&at(10), CompareOp::Eq, &range));
        assert!(!test(&at(20), CompareOp::Eq, &range));
        assert!(test(&at(20), CompareOp::Gt, &range));
        assert!(!test(&at(19), CompareOp::Gt, &range));
        assert!(test(&at(9), CompareOp::Lt, &range));
        assert!(test(&at(19), CompareOp::Le, &range));
        assert!(test(&at(10), CompareOp::Ge, &range));
        assert!(!test(&Scalar::Null, CompareOp::Eq, &range));
        assert!(test(&Scalar::Null, CompareOp::Ne, &range));
    }

    #[test]
    fn literal_conversion_checks_types() {
        let today = chrono::NaiveDate::from_ymd_opt(2024, 5, 15).unwrap();
        let quoted_date = operand(
            "CloseDate",
            FieldType::Date,
            &ast::Value::String("2024-01-01".into()),
            today,
        );
        assert_eq!(
            quoted_date.unwrap_err(),
            (
                SoqlErrorCode::InvalidQueryFilterOperator,
                "value of filter criterion for field 'CloseDate' must be of type date and should not be enclosed in quotes".into()
            )
        );
        let number_for_text = operand("Name", FieldType::String, &ast::Value::Number(1.0), today);
        assert!(
            number_for_text
                .unwrap_err()
                .1
                .ends_with("must be of type string and should be enclosed in quotes")
        );
        let bad_id = operand(
            "AccountId",
            FieldType::Reference,
            &ast::Value::String("001xyz".into()),
            today,
        );
        assert_eq!(bad_id.unwrap_err().1, "invalid ID field: 001xyz");
        let id = operand(
            "Id",
            FieldType::Id,
            &ast::Value::String("001D000000IqhSL".into()),
            today,
        );
        assert_eq!(id.unwrap(), Operand::Id("001D000000IqhSLIAZ".into()));
        let date_for_datetime = operand(
            "CreatedDate",
            FieldType::DateTime,
            &ast::Value::Date(today),
            today,
        );
        assert_eq!(
            date_for_datetime.unwrap_err().1,
            "value of filter criterion for field 'CreatedDate' must be of type dateTime"
        );
        let address = operand(
            "MailingAddress",
            FieldType::Address,
            &ast::Value::Null,
            today,
        );
        assert_eq!(address.unwrap_err().0, SoqlErrorCode::InvalidField);
    }
}
