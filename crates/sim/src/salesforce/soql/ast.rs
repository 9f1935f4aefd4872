//! The syntax tree of a SOQL query, as written: names keep the user's spelling and every node
//! keeps the byte offset it starts at, so later checks can point a caret at it.
//!
//! Literals are already decoded (escapes read, dates parsed, `LIKE` patterns compiled); nothing
//! here has been checked against a schema yet.

use chrono::NaiveDate;

use super::like::LikePattern;

/// A name as written (object, field, relationship or alias) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The spelling in the query.
    pub text: String,
    /// Byte offset in the query.
    pub pos: usize,
}

/// A dotted field path: `Name`, `Account.Name`, `Account.Owner.Name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// The segments; relationships first, the field last. Never empty.
    pub parts: Vec<Name>,
}

impl FieldPath {
    /// Byte offset of the first segment.
    #[must_use]
    pub fn pos(&self) -> usize {
        self.parts.first().map_or(0, |p| p.pos)
    }

    /// The path as written, segments joined by dots.
    #[must_use]
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.parts.iter().map(|p| p.text.as_str()).collect();
        parts.join(".")
    }
}

/// A `SELECT … FROM …` statement, top-level or nested.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The select list, in order.
    pub select: Vec<SelectItem>,
    /// The object after `FROM` (a child relationship name in a child subquery).
    pub from: Name,
    /// Optional alias after the object name (`FROM Contact c`).
    pub alias: Option<Name>,
    /// The `WHERE` condition.
    pub filter: Option<Condition>,
    /// `ORDER BY` items, in order.
    pub order_by: Vec<OrderItem>,
    /// `LIMIT n`.
    pub limit: Option<Count>,
    /// `OFFSET n`.
    pub offset: Option<Count>,
    /// Byte offset of `SELECT`.
    pub pos: usize,
}

/// A non-negative integer clause argument (`LIMIT 10`) and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The value.
    pub value: u64,
    /// Byte offset of the number.
    pub pos: usize,
}

/// One element of the select list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// A field or a parent relationship path.
    Field(FieldPath),
    /// `COUNT()`: the query returns only the number of matching rows.
    Count {
        /// Byte offset of `COUNT`.
        pos: usize,
    },
    /// `COUNT(field) [alias]`: an aggregate column.
    CountOf {
        /// The counted field.
        field: FieldPath,
        /// The column alias; `exprN` when absent.
        alias: Option<Name>,
        /// Byte offset of `COUNT`.
        pos: usize,
    },
    /// `FIELDS(ALL|STANDARD|CUSTOM)`.
    Fields {
        /// Which fields.
        kind: FieldsKind,
        /// Byte offset of `FIELDS`.
        pos: usize,
    },
    /// A child relationship subquery: `(SELECT Id FROM Tasks …)`.
    Subquery(Box<Query>),
}

/// The argument of `FIELDS()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsKind {
    /// Every field.
    All,
    /// Standard fields (all but `__c`).
    Standard,
    /// Custom fields (`__c`).
    Custom,
}

/// A `WHERE` condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Conjunction of two or more conditions.
    And(Vec<Condition>),
    /// Disjunction of two or more conditions.
    Or(Vec<Condition>),
    /// `NOT condition`.
    Not(Box<Condition>),
    /// `field <op> value`.
    Compare {
        /// Left-hand side.
        field: FieldPath,
        /// Operator.
        op: CompareOp,
        /// Right-hand side.
        value: Literal,
    },
    /// `field LIKE 'pattern'`.
    Like {
        /// Left-hand side.
        field: FieldPath,
        /// The compiled pattern.
        pattern: LikePattern,
        /// Byte offset of the pattern literal.
        pos: usize,
    },
    /// `field [NOT] IN (value, …)`.
    In {
        /// Left-hand side.
        field: FieldPath,
        /// `NOT IN`.
        negated: bool,
        /// The listed values (at least one).
        values: Vec<Literal>,
    },
    /// `field [NOT] IN (SELECT … )`: a semi-join (anti-join when negated).
    SemiJoin {
        /// Left-hand side.
        field: FieldPath,
        /// `NOT IN`.
        negated: bool,
        /// The inner query.
        query: Box<Query>,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A literal value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    /// The value.
    pub value: Value,
    /// Byte offset of the literal.
    pub pos: usize,
}

/// The value of a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, e.g. `42`, `-1.5`.
    Number(f64),
    /// A quoted string, escapes decoded.
    String(String),
    /// An unquoted date, `2024-01-02`.
    Date(NaiveDate),
    /// An unquoted datetime, as milliseconds since the Unix epoch (UTC).
    DateTime(i64),
    /// A relative date literal such as `TODAY` or `LAST_N_DAYS:30`.
    Relative(DateLiteral),
}

/// Relative date literals. Each denotes a half-open range of days relative to "today"; weeks
/// start on Sunday (en_US locale), quarters are calendar quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLiteral {
    /// `YESTERDAY`
    Yesterday,
    /// `TODAY`
    Today,
    /// `TOMORROW`
    Tomorrow,
    /// `LAST_WEEK`
    LastWeek,
    /// `THIS_WEEK`
    ThisWeek,
    /// `NEXT_WEEK`
    NextWeek,
    /// `LAST_MONTH`
    LastMonth,
    /// `THIS_MONTH`
    ThisMonth,
    /// `NEXT_MONTH`
    NextMonth,
    /// `LAST_90_DAYS`
    Last90Days,
    /// `NEXT_90_DAYS`
    Next90Days,
    /// `LAST_QUARTER`
    LastQuarter,
    /// `THIS_QUARTER`
    ThisQuarter,
    /// `NEXT_QUARTER`
    NextQuarter,
    /// `LAST_YEAR`
    LastYear,
    /// `THIS_YEAR`
    ThisYear,
    /// `NEXT_YEAR`
    NextYear,
    /// `LAST_N_DAYS:n`
    LastNDays(u32),
    /// `NEXT_N_DAYS:n`
    NextNDays(u32),
    /// `N_DAYS_AGO:n`
    NDaysAgo(u32),
    /// `LAST_N_WEEKS:n`
    LastNWeeks(u32),
    /// `NEXT_N_WEEKS:n`
    NextNWeeks(u32),
    /// `N_WEEKS_AGO:n`
    NWeeksAgo(u32),
    /// `LAST_N_MONTHS:n`
    LastNMonths(u32),
    /// `NEXT_N_MONTHS:n`
    NextNMonths(u32),
    /// `N_MONTHS_AGO:n`
    NMonthsAgo(u32),
    /// `LAST_N_QUARTERS:n`
    LastNQuarters(u32),
    /// `NEXT_N_QUARTERS:n`
    NextNQuarters(u32),
    /// `LAST_N_YEARS:n`
    LastNYears(u32),
    /// `NEXT_N_YEARS:n`
    NextNYears(u32),
    /// `N_YEARS_AGO:n`
    NYearsAgo(u32),
}

impl DateLiteral {
    /// The literal called `name` (any casing), given its `:n` argument when it takes one.
    /// `Err(true)` when the name needs an argument it did not get (or got one it must not
    /// have), `Err(false)` when the name is not a date literal.
    pub(crate) fn from_name(name: &str, n: Option<u32>) -> Result<Self, bool> {
        let upper = name.to_ascii_uppercase();
        let fixed = match upper.as_str() {
            "YESTERDAY" => Some(Self::Yesterday),
            "TODAY" => Some(Self::Today),
            "TOMORROW" => Some(Self::Tomorrow),
            "LAST_WEEK" => Some(Self::LastWeek),
            "THIS_WEEK" => Some(Self::ThisWeek),
            "NEXT_WEEK" => Some(Self::NextWeek),
            "LAST_MONTH" => Some(Self::LastMonth),
            "THIS_MONTH" => Some(Self::ThisMonth),
            "NEXT_MONTH" => Some(Self::NextMonth),
            "LAST_90_DAYS" => Some(Self::Last90Days),
            "NEXT_90_DAYS" => Some(Self::Next90Days),
            "LAST_QUARTER" => Some(Self::LastQuarter),
            "THIS_QUARTER" => Some(Self::ThisQuarter),
            "NEXT_QUARTER" => Some(Self::NextQuarter),
            "LAST_YEAR" => Some(Self::LastYear),
            "THIS_YEAR" => Some(Self::ThisYear),
            "NEXT_YEAR" => Some(Self::NextYear),
            _ => None,
        };
        if let Some(fixed) = fixed {
            return if n.is_none() { Ok(fixed) } else { Err(true) };
        }
        let with_n: fn(u32) -> Self = match upper.as_str() {
            "LAST_N_DAYS" => Self::LastNDays,
            "NEXT_N_DAYS" => Self::NextNDays,
            "N_DAYS_AGO" => Self::NDaysAgo,
            "LAST_N_WEEKS" => Self::LastNWeeks,
            "NEXT_N_WEEKS" => Self::NextNWeeks,
            "N_WEEKS_AGO" => Self::NWeeksAgo,
            "LAST_N_MONTHS" => Self::LastNMonths,
            "NEXT_N_MONTHS" => Self::NextNMonths,
            "N_MONTHS_AGO" => Self::NMonthsAgo,
            "LAST_N_QUARTERS" => Self::LastNQuarters,
            "NEXT_N_QUARTERS" => Self::NextNQuarters,
            "LAST_N_YEARS" => Self::LastNYears,
            "NEXT_N_YEARS" => Self::NextNYears,
            "N_YEARS_AGO" => Self::NYearsAgo,
            _ => return Err(false),
        };
        n.map(with_n).ok_or(true)
    }

    /// Whether `name` (any casing) is a literal that takes a `:n` argument.
    pub(crate) fn takes_argument(name: &str) -> bool {
        Self::from_name(name, Some(1)).is_ok()
    }
}

/// One `ORDER BY` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    /// The sort field.
    pub field: FieldPath,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`), `NULLS LAST` (`Some(false)`) or unspecified (nulls first).
    pub nulls_first: Option<bool>,
}
