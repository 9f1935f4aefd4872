//! SOQL string literals (API notes, section 11): reading the escapes of a quoted literal, and
//! quoting values so they can be put into a query safely.
//!
//! Valid escapes are `\'` `\"` `\\` `\n` `\r` `\t` `\b` `\f` (upper-case letters too) and
//! `\uXXXX`; inside a `LIKE` pattern also `\%` and `\_`. Any other backslash is an error.

/// One character of a literal's body after escape processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A character as written (or produced by an ordinary escape).
    Plain(char),
    /// `%` or `_` written as `\%` / `\_`: literal inside a LIKE pattern, an error elsewhere.
    EscapedWildcard(char),
}

/// An illegal escape sequence at byte `offset` of the literal's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadEscape {
    /// Byte offset of the backslash within the body.
    pub(crate) offset: usize,
    /// The offending sequence as written, e.g. `\q`.
    pub(crate) sequence: String,
}

impl BadEscape {
    /// The Salesforce wording for an illegal sequence in the literal whose body is `body`.
    pub(crate) fn message(&self, body: &str) -> String {
        format!(
            "Invalid string literal '{body}'. Illegal character sequence '{}' in string literal.",
            self.sequence
        )
    }
}

/// Splits a literal's body (the text between the quotes) into characters, resolving escapes.
pub(crate) fn pieces(body: &str) -> Result<Vec<Piece>, BadEscape> {
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c != '\\' {
            out.push(Piece::Plain(c));
            continue;
        }
        let bad = |sequence: String| BadEscape { offset, sequence };
        let Some((_, next)) = chars.next() else {
            return Err(bad("\\".to_owned()));
        };
        let piece = match next {
            '\'' | '"' | '\\' => Piece::Plain(next),
            'n' | 'N' => Piece::Plain('\n'),
            'r' | 'R' => Piece::Plain('\r'),
            't' | 'T' => Piece::Plain('\t'),
            'b' | 'B' => Piece::Plain('\u{8}'),
            'f' | 'F' => Piece::Plain('\u{c}'),
            '%' | '_' => Piece::EscapedWildcard(next),
            'u' | 'U' => {
                let mut hex = String::with_capacity(4);
                while hex.len() < 4 {
                    match chars.peek() {
                        Some(&(_, h)) if h.is_ascii_hexdigit() => {
                            hex.push(h);
                            chars.next();
                        }
                        _ => return Err(bad(format!("\\{next}{hex}"))),
                    }
                }
                let code =
                    u32::from_str_radix(&hex, 16).map_err(|_| bad(format!("\\{next}{hex}")))?;
                // A lone surrogate has no `char`; Salesforce cannot store it either.
                Piece::Plain(char::from_u32(code).ok_or_else(|| bad(format!("\\{next}{hex}")))?)
            }
            other => return Err(bad(format!("\\{other}"))),
        };
        out.push(piece);
    }
    Ok(out)
}

/// Decodes the body of a literal outside LIKE, where `\%` and `\_` are illegal.
pub(crate) fn decode(body: &str) -> Result<String, BadEscape> {
    let mut out = String::with_capacity(body.len());
    for piece in pieces(body)? {
        match piece {
            Piece::Plain(c) => out.push(c),
            Piece::EscapedWildcard(c) => {
                let offset = escaped_wildcard_offset(body, c);
                return Err(BadEscape {
                    offset,
                    sequence: format!("\\{c}"),
                });
            }
        }
    }
    Ok(out)
}

/// Byte offset of the first `\%`/`\_` (for `c`) that is a real escape, not an escaped backslash
/// followed by `%`.
fn escaped_wildcard_offset(body: &str, c: char) -> usize {
    let mut chars = body.char_indices();
    while let Some((offset, ch)) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some((_, next)) if next == c => return offset,
                _ => {}
            }
        }
    }
    0
}

/// `value` as a quoted SOQL string literal: `\` first, then quotes, then control characters.
///
/// ```
/// use sfdesk_sim::salesforce::soql::quote;
/// assert_eq!(quote("O'Brien \\ co"), r"'O\'Brien \\ co'");
/// ```
#[must_use]
pub fn quote(value: &str) -> String {
    quote_with(value, false)
}

/// `value` as a quoted LIKE pattern matching it literally: as [`quote`], and `%`/`_` escaped.
///
/// ```
/// use sfdesk_sim::salesforce::soql::quote_like;
/// assert_eq!(quote_like("100%_sure"), r"'100\%\_sure'");
/// ```
#[must_use]
pub fn quote_like(value: &str) -> String {
    quote_with(value, true)
}

fn quote_with(value: &str, like: bool) -> String {
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
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_11_escapes_decode() {
        assert_eq!(decode(r"O\'Brien").unwrap(), "O'Brien");
        assert_eq!(decode(r#"say \"hi\""#).unwrap(), "say \"hi\"");
        assert_eq!(decode(r"a\\b").unwrap(), "a\\b");
        assert_eq!(decode(r"\n\r\t\b\f").unwrap(), "\n\r\t\u{8}\u{c}");
        assert_eq!(decode(r"\N\R\T\B\F").unwrap(), "\n\r\t\u{8}\u{c}");
        assert_eq!(decode(r"caf\u00e9 \U00E9").unwrap(), "café é");
    }

    #[test]
    fn other_backslashes_are_errors() {
        let err = decode(r"abc\qdef").unwrap_err();
        assert_eq!(
            err,
            BadEscape {
                offset: 3,
                sequence: r"\q".into()
            }
        );
        assert_eq!(
            err.message(r"abc\qdef"),
            r"Invalid string literal 'abc\qdef'. Illegal character sequence '\q' in string literal."
        );
        assert_eq!(decode(r"\u12").unwrap_err().sequence, r"\u12");
        assert_eq!(decode(r"\u12G4").unwrap_err().sequence, r"\u12");
        assert_eq!(decode(r"\ud800").unwrap_err().sequence, r"\ud800");
        assert_eq!(decode("tail\\").unwrap_err().sequence, "\\");
        assert_eq!(decode(r"\x41").unwrap_err().sequence, r"\x");
    }

    #[test]
    fn escaped_wildcards_only_inside_like() {
        assert_eq!(
            pieces(r"5\%_").unwrap(),
            vec![
                Piece::Plain('5'),
                Piece::EscapedWildcard('%'),
                Piece::Plain('_')
            ]
        );
        let err = decode(r"a\\%b\%").unwrap_err();
        assert_eq!(
            err,
            BadEscape {
                offset: 5,
                sequence: r"\%".into()
            }
        );
        assert_eq!(decode(r"a\\%").unwrap(), r"a\%");
    }

    #[test]
    fn quoting_round_trips() {
        for value in [
            "plain",
            "O'Brien",
            "back\\slash",
            "\"q\"",
            "l1\nl2\r\t\u{8}\u{c}",
            "50%_off",
            "ünï",
        ] {
            let quoted = quote(value);
            let body = &quoted[1..quoted.len() - 1];
            assert_eq!(decode(body).unwrap(), value, "{quoted}");
        }
        assert_eq!(quote_like("a%b_c\\"), r"'a\%b\_c\\'");
    }
}
