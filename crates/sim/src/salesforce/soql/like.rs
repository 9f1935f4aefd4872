//! `LIKE` patterns: `%` matches any run of characters, `_` exactly one, `\%` and `\_` the
//! characters themselves; matching is case-insensitive, like every SOQL text comparison.
//!
//! Matching is the linear-space wildcard algorithm (remember the last `%`, retry from one
//! character further on a mismatch); no allocation for ASCII text.

use super::escape::{self, BadEscape, Piece};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// One literal character, upper-cased.
    Literal(char),
    /// `_`
    One,
    /// `%`
    Any,
}

/// A compiled `LIKE` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LikePattern {
    tokens: Vec<Token>,
}

impl LikePattern {
    /// Compiles the body of a quoted pattern (the text between the quotes, escapes unread).
    pub(crate) fn compile(body: &str) -> Result<Self, BadEscape> {
        let mut tokens = Vec::with_capacity(body.len());
        for piece in escape::pieces(body)? {
            match piece {
                Piece::Plain('%') => {
                    // `%%` is the same as `%`; keeping one keeps matching linear.
                    if tokens.last() != Some(&Token::Any) {
                        tokens.push(Token::Any);
                    }
                }
                Piece::Plain('_') => tokens.push(Token::One),
                Piece::Plain(c) | Piece::EscapedWildcard(c) => {
                    tokens.extend(c.to_uppercase().map(Token::Literal));
                }
            }
        }
        Ok(Self { tokens })
    }

    /// Whether `text` matches the whole pattern, ignoring case.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        if text.is_ascii() {
            let bytes = text.as_bytes();
            wildcard_match(&self.tokens, bytes.len(), |i| {
                char::from(bytes[i].to_ascii_uppercase())
            })
        } else {
            let chars: Vec<char> = text.chars().flat_map(char::to_uppercase).collect();
            wildcard_match(&self.tokens, chars.len(), |i| chars[i])
        }
    }
}

fn wildcard_match(pattern: &[Token], len: usize, at: impl Fn(usize) -> char) -> bool {
    let (mut p, mut t) = (0, 0);
    // After the last `%` seen: where the pattern resumes and which text position it took.
    let mut retry: Option<(usize, usize)> = None;
    while t < len {
        match pattern.get(p) {
            Some(Token::Any) => {
                retry = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(Token::One) => {
                p += 1;
                t += 1;
                continue;
            }
            Some(&Token::Literal(c)) if c == at(t) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        let Some((resume, taken)) = retry else {
            return false;
        };
        p = resume;
        t = taken + 1;
        retry = Some((resume, taken + 1));
    }
    pattern[p..].iter().all(|token| *token == Token::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn like(pattern: &str, text: &str) -> bool {
        LikePattern::compile(pattern).unwrap().matches(text)
    }

    #[test]
    fn wildcards() {
        assert!(like("Acme%", "Acme Corp"));
        assert!(like("%corp", "Acme Corp"));
        assert!(like("%me%", "Acme Corp"));
        assert!(like("A_me%", "Acme"));
        assert!(!like("A_me", "Ame"));
        assert!(like("%", ""));
        assert!(!like("_", ""));
        assert!(like("a%b%c", "aXbYbZc"));
        assert!(!like("a%b%c", "aXbYbZ"));
        assert!(like("%%a", "bba"));
        assert!(!like("Acme", "Acme Corp"));
    }

    #[test]
    fn case_insensitive_including_non_ascii() {
        assert!(like("acme%", "ACME corp"));
        assert!(like("ÉCOLE%", "école normale"));
        // ß upper-cases to two characters, so `_` cannot stand for it.
        assert!(!like("stra_e", "STRAßE"));
        assert!(like("%ü%", "MÜNCHEN"));
    }

    #[test]
    fn escaped_wildcards_are_literal() {
        assert!(like(r"100\%", "100%"));
        assert!(!like(r"100\%", "1000"));
        assert!(like(r"a\_b", "a_b"));
        assert!(!like(r"a\_b", "axb"));
        assert!(like(r"%\%%", "50% off"));
        assert!(!like(r"%\%%", "50 off"));
        assert!(like(r"O\'B%", "O'Brien"));
    }

    #[test]
    fn bad_escape_is_reported() {
        assert_eq!(LikePattern::compile(r"a\q").unwrap_err().sequence, r"\q");
    }
}
