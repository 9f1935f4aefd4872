//! Building SOQL text safely: the ONE place string literals are made (API notes, section 11).
//!
//! [`string_literal`] and [`like_literal`] both go through one private builder: escape `\`
//! first, then quotes, then control characters (`\n \r \t \b \f`, any other control character as
//! `\uXXXX`); the LIKE variant also escapes `%` and `_`. Values therefore can never end a literal
//! early. Dates and datetimes are unquoted ([`datetime_literal`], [`date_literal`]). Object and
//! field names cannot be escaped: [`name`] only lets plain API names through.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::Error;

/// `value` as a quoted SOQL string literal, e.g. `O'Brien` → `'O\'Brien'`.
#[must_use]
pub fn string_literal(value: &str) -> String {
    quote(value, false)
}

/// `value` as a quoted `LIKE` pattern matching it literally (`%` and `_` escaped too). Add
/// wildcards around the escaped text with [`like_pattern`].
#[must_use]
pub fn like_literal(value: &str) -> String {
    quote(value, true)
}

/// A `LIKE` literal: `prefix_wildcard`/`suffix_wildcard` add an unescaped `%` around `value`
/// (e.g. "contains" = both).
#[must_use]
pub fn like_pattern(value: &str, prefix_wildcard: bool, suffix_wildcard: bool) -> String {
    let inner = like_literal(value);
    let body = &inner[1..inner.len() - 1];
    let pre = if prefix_wildcard { "%" } else { "" };
    let post = if suffix_wildcard { "%" } else { "" };
    format!("'{pre}{body}{post}'")
}

/// The one literal builder.
fn quote(value: &str, like: bool) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '%' | '_' if like => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                // Every control character is in the BMP; writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `IN` list of quoted values: `('a','b')`. Empty input gives `('')`, which matches no id.
#[must_use]
pub fn in_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = values.into_iter().map(string_literal).collect();
    if items.is_empty() {
        return "('')".to_owned();
    }
    format!("({})", items.join(","))
}

/// Unquoted datetime literal, second precision: `2024-01-02T03:04:05Z`.
#[must_use]
pub fn datetime_literal(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Unquoted date literal: `2024-01-02`.
#[must_use]
pub fn date_literal(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `name` if it is a plain API name (`Contact`, `Desk_Id__c`, `Account.Name`); names cannot be
/// escaped, so anything else is refused.
///
/// # Errors
/// [`Error::InvalidRequest`] for anything but letters, digits and `_` in dot-separated parts,
/// each starting with a letter.
pub fn name(name: &str) -> Result<&str, Error> {
    let ok = !name.is_empty()
        && name.split('.').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok {
        Ok(name)
    } else {
        Err(Error::InvalidRequest(format!("not an API name: {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sfdesk_sim::salesforce::soql::ast::{CompareOp, Condition, Value};
    use sfdesk_sim::salesforce::soql::parse;

    use super::*;

    #[test]
    fn documented_escapes() {
        assert_eq!(string_literal("O'Brien"), r"'O\'Brien'");
        assert_eq!(string_literal(r"a\b"), r"'a\\b'");
        assert_eq!(string_literal("say \"hi\""), r#"'say \"hi\"'"#);
        assert_eq!(string_literal("l1\nl2\r\t\u{8}\u{c}"), r"'l1\nl2\r\t\b\f'");
        assert_eq!(string_literal("nul\u{0}bel\u{7}"), r"'nul\u0000bel\u0007'");
        assert_eq!(string_literal("50%_off"), "'50%_off'");
        assert_eq!(like_literal("50%_off\\"), r"'50\%\_off\\'");
        assert_eq!(like_pattern("a_b", true, true), r"'%a\_b%'");
        assert_eq!(in_list(["a", "b'"]), r"('a','b\'')");
        assert_eq!(in_list([]), "('')");
    }

    #[test]
    fn dates_are_unquoted() {
        let at = DateTime::from_timestamp(1_704_164_645, 0).unwrap_or_default();
        assert_eq!(datetime_literal(at), "2024-01-02T03:04:05Z");
        let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
        assert_eq!(date_literal(d), "2024-01-02");
    }

    #[test]
    fn names_are_allow_listed() {
        assert!(name("Contact").is_ok());
        assert!(name("Account.Desk_Id__c").is_ok());
        for bad in ["", "Id FROM User --", "a'b", "1abc", "a..b", "Name,Email"] {
            assert!(name(bad).is_err(), "{bad}");
        }
    }

    /// Parses `SELECT Id FROM Contact WHERE Email = <lit> AND Id = 'x'` with the simulator's
    /// SOQL parser; returns the value of the first comparison, and checks the structure is
    /// exactly the two comparisons (nothing escaped the literal).
    fn round_trip(value: &str) -> String {
        let query = format!(
            "SELECT Id FROM Contact WHERE Email = {} AND Id = 'x'",
            string_literal(value)
        );
        let parsed = parse(&query).unwrap_or_else(|e| panic!("{query:?}: {e:?}"));
        let Some(Condition::And(parts)) = parsed.filter else {
            panic!("not a conjunction: {query:?}");
        };
        assert_eq!(parts.len(), 2, "{query:?}");
        match (&parts[0], &parts[1]) {
            (
                Condition::Compare {
                    field,
                    op: CompareOp::Eq,
                    value: lit,
                },
                Condition::Compare { value: tail, .. },
            ) => {
                assert_eq!(field.text(), "Email");
                assert_eq!(tail.value, Value::String("x".to_owned()));
                match &lit.value {
                    Value::String(s) => s.clone(),
                    other => panic!("not a string: {other:?}"),
                }
            }
            other => panic!("unexpected structure {other:?}"),
        }
    }

    fn like_round_trip(value: &str) {
        let query = format!(
            "SELECT Id FROM Contact WHERE Email LIKE {} AND Id = 'x'",
            like_literal(value)
        );
        let parsed = parse(&query).unwrap_or_else(|e| panic!("{query:?}: {e:?}"));
        let Some(Condition::And(parts)) = parsed.filter else {
            panic!("not a conjunction: {query:?}");
        };
        assert_eq!(parts.len(), 2, "{query:?}");
        let Condition::Like { pattern, .. } = &parts[0] else {
            panic!("not LIKE: {query:?}");
        };
        // The pattern matches the value itself and nothing longer: no wildcard survived.
        assert!(pattern.matches(value), "{query:?}");
        assert!(!pattern.matches(&format!("{value}x")), "{query:?}");
    }

    #[test]
    fn tricky_values_round_trip() {
        for v in [
            "",
            "'",
            "\\",
            "\\'",
            "' OR Id != '",
            "\\' OR Name LIKE '%",
            "é\u{0}\u{1f}\u{7f}\u{85}",
            "🙂",
        ] {
            assert_eq!(round_trip(v), v);
            like_round_trip(v);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_string_round_trips(value in any::<String>()) {
            prop_assert_eq!(round_trip(&value), value);
        }

        #[test]
        fn quote_heavy_strings_round_trip(value in "[\\\\'\"%_ a\\n\\r\\t\u{0}-\u{1f}]{0,24}") {
            prop_assert_eq!(round_trip(&value), value.clone());
            like_round_trip(&value);
        }

        #[test]
        fn any_string_is_a_literal_like_pattern(value in any::<String>()) {
            like_round_trip(&value);
        }
    }
}
