//! SOQL lexer: query text → tokens with byte offsets.
//!
//! Identifiers and keywords are one token kind (keywords are recognised by the parser, case
//! insensitively). String bodies are kept as written, their escapes checked here but decoded by
//! the parser, which knows whether `\%`/`\_` are allowed (only in `LIKE`). Unquoted dates and
//! datetimes are recognised here because `2024-01-02` is not three numbers.
//!
//! A lexical error does not fail at once: it becomes a final [`Tok::Error`] token, reported only
//! if the parser gets that far, so `Name = 'O'Brien'` fails on `Brien` as in Salesforce rather
//! than on the unterminated quote after it.

use chrono::NaiveDate;

use super::error::{SoqlError, SoqlErrorCode, locate};
use super::escape;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Identifier or keyword.
    Ident(String),
    /// Quoted string; the body between the quotes, escapes not yet decoded.
    Str(String),
    /// Number as written (`42`, `-1.5`).
    Number(String),
    /// Unquoted date.
    Date(NaiveDate),
    /// Unquoted datetime, milliseconds since the epoch (UTC).
    DateTime(i64),
    Comma,
    Dot,
    LParen,
    RParen,
    Colon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
    /// A lexical error at this position; always the last token.
    Error(Box<SoqlError>),
}

/// A token and the byte range it covers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
    pub(crate) end: usize,
}

impl Token {
    /// How Salesforce names the token in "unexpected token" messages: keywords and symbols bare,
    /// other words and literals quoted, the end as `<EOF>`.
    pub(crate) fn describe(&self, query: &str) -> String {
        let text = &query[self.pos..self.end];
        match &self.tok {
            Tok::Eof | Tok::Error(_) => "<EOF>".to_owned(),
            Tok::Ident(word) if is_keyword(word) => text.to_owned(),
            Tok::Ident(_) | Tok::Number(_) | Tok::Date(_) | Tok::DateTime(_) => format!("'{text}'"),
            Tok::Str(_) => text.to_owned(),
            _ => format!("'{text}'"),
        }
    }
}

/// Reserved words: never an alias, shown bare in messages.
pub(crate) fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 28] = [
        "AND", "ASC", "BY", "DESC", "EXCLUDES", "FALSE", "FIRST", "FOR", "FROM", "GROUP", "HAVING",
        "IN", "INCLUDES", "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OFFSET", "OR", "ORDER",
        "SELECT", "TRUE", "TYPEOF", "USING", "WHERE", "WITH",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Splits `query` into tokens, ending with [`Tok::Eof`], or with [`Tok::Error`] at the first
/// lexical error.
///
/// The end token sits on the last non-blank character, which is where Salesforce puts the
/// caret for an unexpected end of query.
pub(crate) fn tokenize(query: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    if let Err(error) = scan(query, &mut tokens) {
        let pos = tokens.last().map_or(0, |t| t.end);
        tokens.push(Token {
            tok: Tok::Error(Box::new(error)),
            pos,
            end: pos,
        });
        return tokens;
    }
    let trimmed = query.trim_end();
    let eof = trimmed
        .char_indices()
        .next_back()
        .map_or(0, |(offset, _)| offset);
    tokens.push(Token {
        tok: Tok::Eof,
        pos: eof,
        end: eof,
    });
    tokens
}

fn scan(query: &str, tokens: &mut Vec<Token>) -> Result<(), SoqlError> {
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Tok::Ident(query[start..i].to_owned())
            }
            b'0'..=b'9' => {
                let (tok, end) = number_or_date(query, start)?;
                i = end;
                tok
            }
            b'-' | b'+' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (tok, end) = number_or_date(query, start + 1)?;
                let Tok::Number(_) = tok else {
                    return Err(no_viable(query, start));
                };
                i = end;
                Tok::Number(query[start..end].to_owned())
            }
            b'\'' => {
                let (body, end) = string_body(query, start)?;
                i = end;
                Tok::Str(body)
            }
            b',' => single(&mut i, Tok::Comma),
            b'.' => single(&mut i, Tok::Dot),
            b'(' => single(&mut i, Tok::LParen),
            b')' => single(&mut i, Tok::RParen),
            b':' => single(&mut i, Tok::Colon),
            b'=' => single(&mut i, Tok::Eq),
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Ne
            }
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => double(&mut i, Tok::Le),
                Some(b'>') => double(&mut i, Tok::Ne),
                _ => single(&mut i, Tok::Lt),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => double(&mut i, Tok::Ge),
                _ => single(&mut i, Tok::Gt),
            },
            _ => return Err(no_viable(query, start)),
        };
        tokens.push(Token {
            tok,
            pos: start,
            end: i,
        });
    }
    Ok(())
}

fn single(i: &mut usize, tok: Tok) -> Tok {
    *i += 1;
    tok
}

fn double(i: &mut usize, tok: Tok) -> Tok {
    *i += 2;
    tok
}

/// `line R:C no viable alternative at character 'x'` for the character at `offset`.
fn no_viable(query: &str, offset: usize) -> SoqlError {
    let (row, column, _) = locate(query, offset);
    let found = query
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or_else(|| "<EOF>".to_owned(), String::from);
    SoqlError::at(
        SoqlErrorCode::MalformedQuery,
        query,
        offset,
        &format!("line {row}:{column} no viable alternative at character '{found}'"),
    )
}

/// The body of the string literal opening at `start` and the offset after its closing quote.
fn string_body(query: &str, start: usize) -> Result<(String, usize), SoqlError> {
    let body_start = start + 1;
    let mut escaped = false;
    for (offset, c) in query[body_start..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '\'' => {
                let body = &query[body_start..body_start + offset];
                if let Err(bad) = escape::pieces(body) {
                    return Err(SoqlError::at(
                        SoqlErrorCode::MalformedQuery,
                        query,
                        start,
                        &bad.message(body),
                    ));
                }
                return Ok((body.to_owned(), body_start + offset + 1));
            }
            _ => {}
        }
    }
    let (row, column, _) = locate(query, query.len());
    Err(SoqlError::at(
        SoqlErrorCode::MalformedQuery,
        query,
        query.len(),
        &format!("line {row}:{column} mismatched character '<EOF>' expecting '''"),
    ))
}

/// A number, date or datetime starting with the digit at `start`, and where it ends.
fn number_or_date(query: &str, start: usize) -> Result<(Tok, usize), SoqlError> {
    let bytes = query.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let is_date = (0..4).all(|k| digit_at(start + k))
        && bytes.get(start + 4) == Some(&b'-')
        && digit_at(start + 5)
        && digit_at(start + 6)
        && bytes.get(start + 7) == Some(&b'-')
        && digit_at(start + 8)
        && digit_at(start + 9);
    let (tok, end) = if is_date {
        let date_end = start + 10;
        if matches!(bytes.get(date_end), Some(b'T' | b't')) {
            let mut end = date_end + 1;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit()
                    || matches!(bytes[end], b':' | b'.' | b'+' | b'-' | b'Z' | b'z'))
            {
                end += 1;
            }
            let text = &query[start..end];
            let millis =
                super::dates::parse_datetime_literal(text).ok_or_else(|| no_viable(query, end))?;
            (Tok::DateTime(millis), end)
        } else {
            let date = NaiveDate::parse_from_str(&query[start..date_end], "%Y-%m-%d")
                .map_err(|_| no_viable(query, start))?;
            (Tok::Date(date), date_end)
        }
    } else {
        let mut end = start;
        while digit_at(end) {
            end += 1;
        }
        if bytes.get(end) == Some(&b'.') && digit_at(end + 1) {
            end += 1;
            while digit_at(end) {
                end += 1;
            }
        }
        (Tok::Number(query[start..end].to_owned()), end)
    };
    if bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return Err(no_viable(query, end));
    }
    Ok((tok, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens, or the lexical error.
    fn lex(query: &str) -> Result<Vec<Token>, SoqlError> {
        let tokens = tokenize(query);
        match tokens.last().map(|t| &t.tok) {
            Some(Tok::Error(error)) => Err((**error).clone()),
            _ => Ok(tokens),
        }
    }

    fn kinds(query: &str) -> Vec<Tok> {
        lex(query).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn ident(s: &str) -> Tok {
        Tok::Ident(s.into())
    }

    #[test]
    fn words_symbols_and_literals() {
        assert_eq!(
            kinds(
                "SELECT Id, Account.Name FROM Contact WHERE Amount >= -1.5 AND x != 'a\\'b' AND y <> 3"
            ),
            vec![
                ident("SELECT"),
                ident("Id"),
                Tok::Comma,
                ident("Account"),
                Tok::Dot,
                ident("Name"),
                ident("FROM"),
                ident("Contact"),
                ident("WHERE"),
                ident("Amount"),
                Tok::Ge,
                Tok::Number("-1.5".into()),
                ident("AND"),
                ident("x"),
                Tok::Ne,
                Tok::Str("a\\'b".into()),
                ident("AND"),
                ident("y"),
                Tok::Ne,
                Tok::Number("3".into()),
                Tok::Eof,
            ]
        );
        assert_eq!(
            kinds("a<b<=c>d(LAST_N_DAYS:30)"),
            vec![
                ident("a"),
                Tok::Lt,
                ident("b"),
                Tok::Le,
                ident("c"),
                Tok::Gt,
                ident("d"),
                Tok::LParen,
                ident("LAST_N_DAYS"),
                Tok::Colon,
                Tok::Number("30".into()),
                Tok::RParen,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn dates_and_datetimes() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(kinds("2024-01-02"), vec![Tok::Date(date), Tok::Eof]);
        let utc = 1_704_164_645_000; // 2024-01-02T03:04:05Z
        for text in [
            "2024-01-02T03:04:05Z",
            "2024-01-02T04:04:05+01:00",
            "2024-01-02T03:04:05.000+0000",
            "2024-01-01T22:04:05-05:00",
        ] {
            assert_eq!(kinds(text), vec![Tok::DateTime(utc), Tok::Eof], "{text}");
        }
        assert_eq!(kinds("(2024-01-02)")[1], Tok::Date(date));
    }

    #[test]
    fn malformed_literals_are_errors() {
        for query in [
            "x = 2024-13-01",
            "x = 2024-01-02T03:04:05",
            "x = 2024-01-02T25:00:00Z",
            "x = 12abc",
            "x = \"double\"",
            "x = 'open",
            "x = 'bad \\q'",
            "x # 1",
        ] {
            let err = lex(query).unwrap_err();
            assert_eq!(err.code, SoqlErrorCode::MalformedQuery, "{query}");
        }
        let err = lex("SELECT Id FROM Contact WHERE Name = 'a\\qb'").unwrap_err();
        assert!(err.message.ends_with(
            "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal."
        ));
        assert!(
            err.message.contains("ERROR at Row:1:Column:37\n"),
            "{}",
            err.message
        );
        let err = lex("x # 1").unwrap_err();
        let tokens = tokenize("x # 1");
        assert_eq!(
            tokens.len(),
            2,
            "the error token follows the tokens before it"
        );
        assert!(
            err.message
                .ends_with("line 1:3 no viable alternative at character '#'")
        );
    }

    #[test]
    fn eof_sits_on_the_last_character() {
        let tokens = lex("SELECT Id FROM Contact WHERE  \n").unwrap();
        let eof = tokens.last().unwrap();
        assert_eq!(eof.tok, Tok::Eof);
        assert_eq!(eof.pos, "SELECT Id FROM Contact WHER".len());
    }

    #[test]
    fn tokens_describe_themselves_like_salesforce() {
        let query = "OR Brien 'x' )";
        let tokens = lex(query).unwrap();
        let described: Vec<String> = tokens.iter().map(|t| t.describe(query)).collect();
        assert_eq!(described, ["OR", "'Brien'", "'x'", "')'", "<EOF>"]);
    }
}
