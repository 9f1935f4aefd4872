//! SOQL parser: tokens → [`Query`], a recursive descent over the clause order Salesforce
//! enforces (`SELECT … FROM … [WHERE] [WITH] [ORDER BY] [LIMIT] [OFFSET] [FOR …]`).
//!
//! Syntax errors are `MALFORMED_QUERY` with Salesforce's wording (`unexpected token: OR`,
//! `expecting a right parentheses, found 'FROM'`). Like Salesforce, `AND` and `OR` cannot be
//! mixed at one level without parentheses. Nesting rules: child subqueries only in a select
//! list (up to five levels), semi-joins only in a `WHERE`, and never inside another semi-join.

use super::ast::{
    CompareOp, Condition, Count, DateLiteral, FieldPath, FieldsKind, Literal, Name, OrderItem,
    Query, SelectItem, Value,
};
use super::error::{SoqlError, SoqlErrorCode};
use super::escape;
use super::lexer::{Tok, Token, is_keyword, tokenize};
use super::like::LikePattern;

/// Deepest child-subquery nesting (parent-to-child levels) Salesforce accepts.
const MAX_CHILD_DEPTH: usize = 5;

/// Longest statement Salesforce accepts, in characters.
const MAX_QUERY_CHARS: usize = 100_000;

/// Where a (sub)query stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nesting {
    /// The statement itself.
    Top,
    /// A child relationship subquery at this depth (1 = directly under the top query).
    Child(usize),
    /// The inner query of a semi-join.
    SemiJoin,
}

/// Parses one SOQL statement.
pub(crate) fn parse(query: &str) -> Result<Query, SoqlError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(SoqlError::new(
            SoqlErrorCode::MalformedQuery,
            "SOQL statements cannot be longer than 100,000 characters",
        ));
    }
    let tokens = tokenize(query);
    let mut parser = Parser {
        query,
        tokens,
        at: 0,
    };
    let parsed = parser.query(Nesting::Top)?;
    if parser.peek().tok != Tok::Eof {
        return Err(parser.unexpected());
    }
    Ok(parsed)
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // `tokenize` always ends with `Eof`, and `advance` never moves past it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if !matches!(token.tok, Tok::Eof | Tok::Error(_)) {
            self.at += 1;
        }
        token
    }

    fn is_kw(&self, keyword: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn eat_kw(&mut self, keyword: &str) -> bool {
        let found = self.is_kw(keyword);
        if found {
            self.advance();
        }
        found
    }

    fn expect_kw(&mut self, keyword: &str) -> Result<usize, SoqlError> {
        if self.is_kw(keyword) {
            Ok(self.advance().pos)
        } else {
            Err(self.unexpected())
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let found = &self.peek().tok == tok;
        if found {
            self.advance();
        }
        found
    }

    fn error(&self, pos: usize, text: &str) -> SoqlError {
        SoqlError::at(SoqlErrorCode::MalformedQuery, self.query, pos, text)
    }

    /// The error for the next token not fitting: the lexical error if the text could not be
    /// tokenised this far, else `unexpected token`.
    fn unexpected(&self) -> SoqlError {
        let token = self.peek();
        if let Tok::Error(error) = &token.tok {
            return (**error).clone();
        }
        self.error(
            token.pos,
            &format!("unexpected token: {}", token.describe(self.query)),
        )
    }

    /// `expecting a <what>, found <token>` unless the next token is `tok`.
    fn expect(&mut self, tok: &Tok, what: &str) -> Result<usize, SoqlError> {
        if &self.peek().tok == tok {
            return Ok(self.advance().pos);
        }
        let token = self.peek();
        if let Tok::Error(error) = &token.tok {
            return Err((**error).clone());
        }
        Err(self.error(
            token.pos,
            &format!("expecting a {what}, found {}", token.describe(self.query)),
        ))
    }

    /// A non-keyword identifier.
    fn name(&mut self) -> Result<Name, SoqlError> {
        match &self.peek().tok {
            Tok::Ident(word) if !is_keyword(word) => {
                let text = word.clone();
                let pos = self.advance().pos;
                Ok(Name { text, pos })
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&mut self) -> Result<FieldPath, SoqlError> {
        let mut parts = vec![self.name()?];
        while self.eat(&Tok::Dot) {
            parts.push(self.name()?);
        }
        Ok(FieldPath { parts })
    }

    fn query(&mut self, nesting: Nesting) -> Result<Query, SoqlError> {
        let pos = self.expect_kw("SELECT")?;
        let mut select = vec![self.select_item(nesting)?];
        while self.eat(&Tok::Comma) {
            select.push(self.select_item(nesting)?);
        }
        self.expect_kw("FROM")?;
        let from = self.name()?;
        let alias = match &self.peek().tok {
            Tok::Ident(word) if !is_keyword(word) => Some(self.name()?),
            _ => None,
        };
        let filter = if self.eat_kw("WHERE") {
            Some(self.condition(nesting)?)
        } else {
            None
        };
        if self.eat_kw("WITH") {
            // Sharing and security modes change nothing in a single-user simulator.
            let mode = self.name()?;
            let known = ["SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"];
            if !known.iter().any(|k| k.eq_ignore_ascii_case(&mode.text)) {
                return Err(self.error(mode.pos, &format!("unexpected token: '{}'", mode.text)));
            }
        }
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            order_by.push(self.order_item()?);
            while self.eat(&Tok::Comma) {
                order_by.push(self.order_item()?);
            }
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.count()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            Some(self.count()?)
        } else {
            None
        };
        if nesting == Nesting::Top && self.eat_kw("FOR") {
            let what = self.name()?;
            if !["VIEW", "REFERENCE", "UPDATE"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&what.text))
            {
                return Err(self.error(what.pos, &format!("unexpected token: '{}'", what.text)));
            }
        }
        Ok(Query {
            select,
            from,
            alias,
            filter,
            order_by,
            limit,
            offset,
            pos,
        })
    }

    fn select_item(&mut self, nesting: Nesting) -> Result<SelectItem, SoqlError> {
        if self.peek().tok == Tok::LParen {
            let child_depth = match nesting {
                Nesting::Top => Some(1),
                Nesting::Child(depth) if depth < MAX_CHILD_DEPTH => Some(depth + 1),
                Nesting::Child(_) | Nesting::SemiJoin => None,
            };
            let Some(depth) = child_depth else {
                return Err(self.unexpected());
            };
            self.advance();
            let sub = self.query(Nesting::Child(depth))?;
            self.expect(&Tok::RParen, "right parentheses")?;
            return Ok(SelectItem::Subquery(Box::new(sub)));
        }
        let function = match (&self.peek().tok, &self.peek_at(1).tok) {
            (Tok::Ident(word), Tok::LParen) => Some(word.to_ascii_uppercase()),
            _ => None,
        };
        match function.as_deref() {
            Some("COUNT") => {
                let pos = self.advance().pos;
                self.advance();
                if self.eat(&Tok::RParen) {
                    return Ok(SelectItem::Count { pos });
                }
                let field = self.path()?;
                self.expect(&Tok::RParen, "right parentheses")?;
                let alias = match &self.peek().tok {
                    Tok::Ident(word) if !is_keyword(word) => Some(self.name()?),
                    _ => None,
                };
                Ok(SelectItem::CountOf { field, alias, pos })
            }
            Some("FIELDS") => {
                let pos = self.advance().pos;
                self.advance();
                let arg = self.name()?;
                let kind = match arg.text.to_ascii_uppercase().as_str() {
                    "ALL" => FieldsKind::All,
                    "STANDARD" => FieldsKind::Standard,
                    "CUSTOM" => FieldsKind::Custom,
                    _ => {
                        return Err(
                            self.error(arg.pos, &format!("unexpected token: '{}'", arg.text))
                        );
                    }
                };
                self.expect(&Tok::RParen, "right parentheses")?;
                Ok(SelectItem::Fields { kind, pos })
            }
            Some(_) => {
                // Other functions (aggregates, toLabel, FORMAT…) are not simulated.
                let paren = self.peek_at(1).pos;
                Err(self.error(paren, "unexpected token: '('"))
            }
            None => Ok(SelectItem::Field(self.path()?)),
        }
    }

    fn order_item(&mut self) -> Result<OrderItem, SoqlError> {
        let field = self.path()?;
        let descending = if self.eat_kw("DESC") {
            true
        } else {
            self.eat_kw("ASC");
            false
        };
        let nulls_first = if self.eat_kw("NULLS") {
            if self.eat_kw("FIRST") {
                Some(true)
            } else {
                self.expect_kw("LAST")?;
                Some(false)
            }
        } else {
            None
        };
        Ok(OrderItem {
            field,
            descending,
            nulls_first,
        })
    }

    /// A non-negative integer (`LIMIT`/`OFFSET` argument).
    fn count(&mut self) -> Result<Count, SoqlError> {
        let token = self.peek().clone();
        let Tok::Number(text) = &token.tok else {
            return Err(self.unexpected());
        };
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.unexpected());
        }
        let value = text
            .parse::<u64>()
            .map_err(|_| self.error(token.pos, &format!("numeric value out of range: {text}")))?;
        self.advance();
        Ok(Count {
            value,
            pos: token.pos,
        })
    }

    /// A condition: operands joined by only `AND` or only `OR`.
    fn condition(&mut self, nesting: Nesting) -> Result<Condition, SoqlError> {
        let first = self.unary(nesting)?;
        let joiner = if self.is_kw("AND") {
            "AND"
        } else if self.is_kw("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let other = if joiner == "AND" { "OR" } else { "AND" };
        let mut items = vec![first];
        while self.eat_kw(joiner) {
            items.push(self.unary(nesting)?);
            if self.is_kw(other) {
                return Err(self.unexpected());
            }
        }
        Ok(if joiner == "AND" {
            Condition::And(items)
        } else {
            Condition::Or(items)
        })
    }

    fn unary(&mut self, nesting: Nesting) -> Result<Condition, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Condition::Not(Box::new(self.unary(nesting)?)));
        }
        if self.eat(&Tok::LParen) {
            let inner = self.condition(nesting)?;
            self.expect(&Tok::RParen, "right parentheses")?;
            return Ok(inner);
        }
        self.simple(nesting)
    }

    fn simple(&mut self, nesting: Nesting) -> Result<Condition, SoqlError> {
        let field = self.path()?;
        let op = match self.peek().tok {
            Tok::Eq => Some(CompareOp::Eq),
            Tok::Ne => Some(CompareOp::Ne),
            Tok::Lt => Some(CompareOp::Lt),
            Tok::Le => Some(CompareOp::Le),
            Tok::Gt => Some(CompareOp::Gt),
            Tok::Ge => Some(CompareOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let value = self.literal()?;
            return Ok(Condition::Compare { field, op, value });
        }
        if self.eat_kw("LIKE") {
            let token = self.peek().clone();
            let Tok::Str(body) = &token.tok else {
                return Err(self.unexpected());
            };
            let pattern = LikePattern::compile(body)
                .map_err(|bad| self.error(token.pos, &bad.message(body)))?;
            self.advance();
            return Ok(Condition::Like {
                field,
                pattern,
                pos: token.pos,
            });
        }
        let negated = if self.is_kw("NOT")
            && matches!(&self.peek_at(1).tok, Tok::Ident(w) if w.eq_ignore_ascii_case("IN"))
        {
            self.advance();
            true
        } else {
            false
        };
        if !self.eat_kw("IN") {
            return Err(self.unexpected());
        }
        self.expect(&Tok::LParen, "left parentheses")?;
        if self.is_kw("SELECT") {
            if nesting == Nesting::SemiJoin {
                let pos = self.peek().pos;
                return Err(self.error(pos, "Nesting of semi join sub-selects is not supported"));
            }
            let query = self.query(Nesting::SemiJoin)?;
            self.expect(&Tok::RParen, "right parentheses")?;
            return Ok(Condition::SemiJoin {
                field,
                negated,
                query: Box::new(query),
            });
        }
        let mut values = vec![self.literal()?];
        while self.eat(&Tok::Comma) {
            values.push(self.literal()?);
        }
        self.expect(&Tok::RParen, "right parentheses")?;
        Ok(Condition::In {
            field,
            negated,
            values,
        })
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let token = self.peek().clone();
        let pos = token.pos;
        let value = match &token.tok {
            Tok::Str(body) => Value::String(
                escape::decode(body).map_err(|bad| self.error(pos, &bad.message(body)))?,
            ),
            Tok::Number(text) => Value::Number(text.parse().map_err(|_| self.unexpected())?),
            Tok::Date(date) => Value::Date(*date),
            Tok::DateTime(millis) => Value::DateTime(*millis),
            Tok::Colon => {
                return Err(self.error(pos, "Bind variables only allowed in Apex code"));
            }
            Tok::Ident(word) if word.eq_ignore_ascii_case("NULL") => Value::Null,
            Tok::Ident(word) if word.eq_ignore_ascii_case("TRUE") => Value::Bool(true),
            Tok::Ident(word) if word.eq_ignore_ascii_case("FALSE") => Value::Bool(false),
            Tok::Ident(word) if DateLiteral::takes_argument(word) => {
                self.advance();
                self.expect(&Tok::Colon, "colon")?;
                let n = self.count()?;
                let n = u32::try_from(n.value).map_err(|_| {
                    self.error(n.pos, &format!("numeric value out of range: {}", n.value))
                })?;
                let literal = DateLiteral::from_name(word, Some(n))
                    .map_err(|_| self.error(pos, "invalid date literal"))?;
                return Ok(Literal {
                    value: Value::Relative(literal),
                    pos,
                });
            }
            Tok::Ident(word) => match DateLiteral::from_name(word, None) {
                Ok(literal) => Value::Relative(literal),
                Err(_) => return Err(self.unexpected()),
            },
            _ => return Err(self.unexpected()),
        };
        self.advance();
        Ok(Literal { value, pos })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn condition(where_clause: &str) -> Condition {
        parse(&format!("SELECT Id FROM Contact WHERE {where_clause}"))
            .unwrap()
            .filter
            .unwrap()
    }

    fn path(p: &FieldPath) -> String {
        p.text()
    }

    fn malformed(query: &str) -> String {
        let err = parse(query).unwrap_err();
        assert_eq!(err.code, SoqlErrorCode::MalformedQuery, "{query}");
        err.message
    }

    #[test]
    fn full_statement() {
        let q = parse(
            "select Id, Account.Name, COUNT(Id) n, FIELDS(standard), \
             (SELECT Id, Subject FROM Tasks ORDER BY ActivityDate DESC NULLS LAST LIMIT 5) \
             from Contact c where Name = 'x' with SECURITY_ENFORCED \
             order by Name, c.Email desc, Title nulls last limit 10 offset 20 for view",
        )
        .unwrap();
        assert_eq!(q.from.text, "Contact");
        assert_eq!(q.alias.as_ref().unwrap().text, "c");
        assert_eq!(q.select.len(), 5);
        match &q.select[1] {
            SelectItem::Field(p) => assert_eq!(path(p), "Account.Name"),
            other => panic!("{other:?}"),
        }
        match &q.select[2] {
            SelectItem::CountOf { field, alias, .. } => {
                assert_eq!(path(field), "Id");
                assert_eq!(alias.as_ref().unwrap().text, "n");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            q.select[3],
            SelectItem::Fields {
                kind: FieldsKind::Standard,
                ..
            }
        ));
        let SelectItem::Subquery(sub) = &q.select[4] else {
            panic!("no subquery")
        };
        assert_eq!(sub.from.text, "Tasks");
        assert_eq!(sub.limit.unwrap().value, 5);
        assert_eq!(
            sub.order_by,
            vec![OrderItem {
                field: FieldPath {
                    parts: vec![Name {
                        text: "ActivityDate".into(),
                        pos: sub.order_by[0].field.pos()
                    }]
                },
                descending: true,
                nulls_first: Some(false),
            }]
        );
        let orders: Vec<(String, bool, Option<bool>)> = q
            .order_by
            .iter()
            .map(|o| (path(&o.field), o.descending, o.nulls_first))
            .collect();
        assert_eq!(
            orders,
            vec![
                ("Name".into(), false, None),
                ("c.Email".into(), true, None),
                ("Title".into(), false, Some(false)),
            ]
        );
        assert_eq!(q.limit.unwrap().value, 10);
        assert_eq!(q.offset.unwrap().value, 20);
    }

    #[test]
    fn count_star() {
        let q = parse("SELECT count() FROM Contact").unwrap();
        assert_eq!(q.select, vec![SelectItem::Count { pos: 7 }]);
    }

    #[test]
    fn and_or_need_parentheses_to_mix() {
        let message = malformed("SELECT Id FROM Contact WHERE a = 1 AND b = 2 OR c = 3");
        assert!(
            message.ends_with("ERROR at Row:1:Column:46\nunexpected token: OR"),
            "{message}"
        );
        let Condition::Or(items) = condition("(a = 1 AND b = 2) OR c = 3") else {
            panic!("not an OR")
        };
        assert!(matches!(items[0], Condition::And(_)));
        let Condition::And(items) = condition("a = 1 AND (b = 2 OR c = 3) AND NOT d = 4") else {
            panic!("not an AND")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(items[1], Condition::Or(_)));
        assert!(matches!(items[2], Condition::Not(_)));
    }

    #[test]
    fn literals() {
        let values = |clause: &str| match condition(clause) {
            Condition::In { values, .. } => values.into_iter().map(|l| l.value).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            values(
                r"x IN ('O\'Brien', 1.5, -2, true, FALSE, null, 2024-01-02, TODAY, last_n_days:30)"
            ),
            vec![
                Value::String("O'Brien".into()),
                Value::Number(1.5),
                Value::Number(-2.0),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::Date(NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()),
                Value::Relative(DateLiteral::Today),
                Value::Relative(DateLiteral::LastNDays(30)),
            ]
        );
        assert!(matches!(
            condition("x NOT IN ('a')"),
            Condition::In { negated: true, .. }
        ));
        let Condition::Like { pattern, .. } = condition(r"Name LIKE 'a\%b%'") else {
            panic!("not LIKE")
        };
        assert!(pattern.matches("A%Bcd"));
        assert!(!pattern.matches("AxBcd"));
    }

    #[test]
    fn semi_joins() {
        let Condition::SemiJoin {
            field,
            negated,
            query,
        } = condition(
            "Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = '003000000000001')",
        )
        else {
            panic!("not a semi-join")
        };
        assert_eq!(path(&field), "Id");
        assert!(!negated);
        assert_eq!(query.from.text, "OpportunityContactRole");
        let message = malformed(
            "SELECT Id FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole \
             WHERE ContactId IN (SELECT Id FROM Contact))",
        );
        assert!(message.ends_with("Nesting of semi join sub-selects is not supported"));
    }

    #[test]
    fn syntax_errors_use_salesforce_wording() {
        assert!(
            malformed("SELECT FROM Contact")
                .ends_with("ERROR at Row:1:Column:8\nunexpected token: FROM")
        );
        assert!(malformed("SELECT Id FROM Contact WHERE").ends_with("unexpected token: <EOF>"));
        assert!(
            malformed("SELECT Id FROM Contact WHERE Name = 'O'Brien'")
                .ends_with("unexpected token: 'Brien'")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE Id IN :ids")
                .ends_with("expecting a left parentheses, found ':'")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE Id = :id")
                .ends_with("Bind variables only allowed in Apex code")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE (Name = 'a'")
                .ends_with("expecting a right parentheses, found <EOF>")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS")
                .ends_with("expecting a colon, found <EOF>")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE Name = Acme")
                .ends_with("unexpected token: 'Acme'")
        );
        assert!(malformed("SELECT Id FROM Contact LIMIT x").ends_with("unexpected token: 'x'"));
        assert!(
            malformed("SELECT Id FROM Contact LIMIT 99999999999999999999")
                .contains("numeric value out of range")
        );
        assert!(
            malformed("SELECT Id FROM Contact GROUP BY Name").ends_with("unexpected token: GROUP")
        );
        assert!(
            malformed("SELECT Id FROM Contact WHERE Name = 'a\\%'")
                .ends_with("Illegal character sequence '\\%' in string literal.")
        );
        assert!(
            malformed("SELECT MAX(Amount) FROM Opportunity").ends_with("unexpected token: '('")
        );
        assert!(malformed("SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id IN (SELECT (SELECT Id FROM Tasks) FROM Contact)")
            .ends_with("unexpected token: '('"));
        assert!(
            malformed("SELECT Id FROM Contact extra tokens")
                .ends_with("unexpected token: 'tokens'")
        );
    }

    #[test]
    fn statements_are_limited_to_100_000_characters() {
        let padded = |len: usize| format!("SELECT Id FROM Contact{}", " ".repeat(len - 22));
        assert!(parse(&padded(100_000)).is_ok());
        assert_eq!(
            parse(&padded(100_001)).unwrap_err().message,
            "SOQL statements cannot be longer than 100,000 characters"
        );
    }

    #[test]
    fn child_subqueries_nest_up_to_five_levels() {
        let mut query = "SELECT Id FROM L5".to_owned();
        for level in (0..5).rev() {
            query = format!("SELECT Id, ({query}) FROM L{level}");
        }
        assert!(parse(&query).is_ok());
        let too_deep = format!("SELECT Id, ({query}) FROM Top");
        assert!(malformed(&too_deep).ends_with("unexpected token: '('"));
    }
}
