//! Query planning: checks a parsed [`Query`] against the dataset's schemas and turns it into an
//! executable [`Plan`] with canonical names, typed filter operands and pre-computed semi-joins.
//!
//! Checks run in Salesforce's order (object, select list, filter, ordering, limits) so the first
//! error reported is the one Salesforce would report. Semi-join subqueries are evaluated here,
//! once, into id sets; the outer scan then only does hash lookups.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::ast::{self, CompareOp, Condition, FieldPath, FieldsKind, Query, SelectItem};
use super::dataset::Dataset;
use super::error::{SoqlError, SoqlErrorCode};
use super::eval;
use super::like::LikePattern;
use super::value::{self, Kind, Operand};
use crate::salesforce::ids;
use crate::salesforce::schema::{FieldSchema, ObjectSchema};

/// Largest `OFFSET` Salesforce accepts.
const MAX_OFFSET: u64 = 2000;
/// Largest `LIMIT` allowed with `FIELDS(ALL)` / `FIELDS(CUSTOM)`.
const MAX_FIELDS_LIMIT: u64 = 200;

/// One step of a relationship path: read `ref_field`, then fetch the record it points to,
/// which is of one of `targets` (several for polymorphic lookups).
#[derive(Debug)]
pub(crate) struct Hop<'d> {
    pub(crate) ref_field: &'d str,
    pub(crate) relationship: &'d str,
    pub(crate) targets: Vec<&'d ObjectSchema>,
}

/// A resolved field reference: relationship hops, then a field of the last object.
#[derive(Debug)]
pub(crate) struct FieldRef<'d> {
    pub(crate) hops: Vec<Hop<'d>>,
    pub(crate) field: &'d FieldSchema,
    pub(crate) kind: Kind,
}

/// An executable `WHERE` condition.
#[derive(Debug)]
pub(crate) enum Filter<'d> {
    And(Vec<Filter<'d>>),
    Or(Vec<Filter<'d>>),
    Not(Box<Filter<'d>>),
    Compare {
        field: FieldRef<'d>,
        op: CompareOp,
        operand: Operand,
    },
    Like {
        field: FieldRef<'d>,
        pattern: LikePattern,
    },
    /// `IN` / `NOT IN` with a literal list on a non-id field.
    InList {
        field: FieldRef<'d>,
        values: Vec<Operand>,
        negated: bool,
    },
    /// `IN` / `NOT IN` on an id field: a literal list or a semi-join, as id keys.
    InIds {
        field: FieldRef<'d>,
        keys: HashSet<String>,
        with_null: bool,
        negated: bool,
    },
}

/// One `ORDER BY` key.
#[derive(Debug)]
pub(crate) struct SortSpec<'d> {
    pub(crate) field: FieldRef<'d>,
    pub(crate) descending: bool,
    pub(crate) nulls_first: bool,
}

/// Which rows a (sub)query takes from one object, in which order.
#[derive(Debug)]
pub(crate) struct Source<'d> {
    pub(crate) object: &'d ObjectSchema,
    pub(crate) filter: Option<Filter<'d>>,
    pub(crate) order: Vec<SortSpec<'d>>,
    pub(crate) limit: Option<usize>,
    pub(crate) offset: usize,
    /// Skip rows with `IsDeleted = true` (a plain query on an object with a recycle bin).
    pub(crate) hide_deleted: bool,
}

/// One output column, or a group of them.
#[derive(Debug)]
pub(crate) enum Node<'d> {
    /// A field of the current record, under its canonical name.
    Field(&'d str),
    /// A parent record reached through a lookup, rendered as a nested object.
    Parent { hop: Hop<'d>, nodes: Vec<Node<'d>> },
    /// A child relationship subquery.
    Child(Box<ChildPlan<'d>>),
}

/// A child relationship subquery: rows of `source.object` whose `link_field` is the parent id.
#[derive(Debug)]
pub(crate) struct ChildPlan<'d> {
    pub(crate) relationship: &'d str,
    pub(crate) link_field: &'d str,
    pub(crate) source: Source<'d>,
    pub(crate) nodes: Vec<Node<'d>>,
}

/// An aggregate column: `COUNT(field)` under `key`.
#[derive(Debug)]
pub(crate) struct CountColumn<'d> {
    pub(crate) key: String,
    pub(crate) field: FieldRef<'d>,
}

/// What the query returns.
#[derive(Debug)]
pub(crate) enum Output<'d> {
    Rows(Vec<Node<'d>>),
    /// `COUNT()`.
    Count,
    /// `COUNT(field)` columns, one `AggregateResult` row.
    Aggregate(Vec<CountColumn<'d>>),
}

/// A checked, executable query.
#[derive(Debug)]
pub(crate) struct Plan<'d> {
    pub(crate) source: Source<'d>,
    pub(crate) output: Output<'d>,
}

/// Checks queries against `dataset`.
pub(crate) struct Planner<'d, 'q> {
    pub(crate) dataset: &'d dyn Dataset,
    pub(crate) query: &'q str,
    pub(crate) query_all: bool,
    pub(crate) api_version: &'q str,
    pub(crate) today: NaiveDate,
}

/// The object a (sub)query reads and the alias its paths may start with.
#[derive(Clone, Copy)]
struct Scope<'d, 'a> {
    object: &'d ObjectSchema,
    alias: Option<&'a str>,
}

impl<'d> Planner<'d, '_> {
    fn error(&self, code: SoqlErrorCode, pos: usize, text: &str) -> SoqlError {
        SoqlError::at(code, self.query, pos, text)
    }

    /// The object `query` reads (`INVALID_TYPE` if the dataset has no such object) and its alias.
    fn scope<'a>(&self, query: &'a Query) -> Result<Scope<'d, 'a>, SoqlError> {
        let object = self.dataset.schema(&query.from.text).ok_or_else(|| {
            self.error(
                SoqlErrorCode::InvalidType,
                query.from.pos,
                &format!(
                    "sObject type '{}' is not supported. If you are attempting to use a custom \
                     object, be sure to append the '__c' after the entity name. Please reference \
                     your WSDL or the describe call for the appropriate names.",
                    query.from.text
                ),
            )
        })?;
        Ok(Scope {
            object,
            alias: query.alias.as_ref().map(|a| a.text.as_str()),
        })
    }

    /// Plans a top-level query.
    pub(crate) fn plan(&self, query: &Query) -> Result<Plan<'d>, SoqlError> {
        let scope = self.scope(query)?;
        let object = scope.object;
        let output = self.output(scope, query)?;
        let source = self.source(scope, query)?;
        if object.name == "ContentDocumentLink"
            && !query
                .filter
                .as_ref()
                .is_some_and(|c| filters_on_link(c, scope.alias))
        {
            return Err(SoqlError::new(
                SoqlErrorCode::MalformedQuery,
                "Implementation restriction: ContentDocumentLink requires a filter by a single Id \
                 on ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's \
                 using the IN operator.",
            ));
        }
        Ok(Plan { source, output })
    }

    fn output(&self, scope: Scope<'d, '_>, query: &Query) -> Result<Output<'d>, SoqlError> {
        if let Some(pos) = query.select.iter().find_map(|item| match item {
            SelectItem::Count { pos } => Some(*pos),
            _ => None,
        }) {
            if query.select.len() > 1 {
                return Err(self.error(
                    SoqlErrorCode::MalformedQuery,
                    pos,
                    "COUNT() must be the only element in the SELECT list",
                ));
            }
            return Ok(Output::Count);
        }
        if query
            .select
            .iter()
            .any(|item| matches!(item, SelectItem::CountOf { .. }))
        {
            return self.aggregate(scope, query).map(Output::Aggregate);
        }
        let mut nodes = Vec::new();
        for item in &query.select {
            match item {
                SelectItem::Field(path) => {
                    let field = self.field_ref(scope, path)?;
                    insert(&mut nodes, field.hops, &field.field.name)?;
                }
                SelectItem::Fields { kind, pos } => {
                    let bounded = query.limit.is_some_and(|l| l.value <= MAX_FIELDS_LIMIT);
                    if *kind != FieldsKind::Standard && !bounded {
                        return Err(self.error(
                            SoqlErrorCode::MalformedQuery,
                            *pos,
                            "The SOQL FIELDS function must have a LIMIT of at most 200",
                        ));
                    }
                    for field in &scope.object.fields {
                        let custom = field.name.ends_with("__c");
                        let wanted = match kind {
                            FieldsKind::All => true,
                            FieldsKind::Standard => !custom,
                            FieldsKind::Custom => custom,
                        };
                        if wanted {
                            insert(&mut nodes, Vec::new(), &field.name)?;
                        }
                    }
                }
                SelectItem::Subquery(sub) => {
                    nodes.push(Node::Child(Box::new(self.child(scope.object, sub)?)));
                }
                SelectItem::Count { .. } | SelectItem::CountOf { .. } => {}
            }
        }
        Ok(Output::Rows(nodes))
    }

    fn aggregate(
        &self,
        scope: Scope<'d, '_>,
        query: &Query,
    ) -> Result<Vec<CountColumn<'d>>, SoqlError> {
        let mut columns = Vec::new();
        let mut unnamed = 0;
        for item in &query.select {
            match item {
                SelectItem::CountOf { field, alias, .. } => {
                    let key = if let Some(alias) = alias {
                        alias.text.clone()
                    } else {
                        unnamed += 1;
                        format!("expr{}", unnamed - 1)
                    };
                    columns.push(CountColumn {
                        key,
                        field: self.field_ref(scope, field)?,
                    });
                }
                SelectItem::Field(path) => {
                    return Err(self.error(
                        SoqlErrorCode::MalformedQuery,
                        path.pos(),
                        &format!("Field must be grouped or aggregated: {}", path.text()),
                    ));
                }
                SelectItem::Fields { pos, .. } | SelectItem::Count { pos } => {
                    return Err(self.error(
                        SoqlErrorCode::MalformedQuery,
                        *pos,
                        "Field must be grouped or aggregated",
                    ));
                }
                SelectItem::Subquery(sub) => {
                    return Err(self.error(
                        SoqlErrorCode::MalformedQuery,
                        sub.pos,
                        "Aggregate query does not support subqueries",
                    ));
                }
            }
        }
        Ok(columns)
    }

    fn child(&self, parent: &'d ObjectSchema, query: &Query) -> Result<ChildPlan<'d>, SoqlError> {
        let not_understood = || {
            self.error(
                SoqlErrorCode::InvalidType,
                query.from.pos,
                &format!(
                    "Didn't understand relationship '{}' in FROM part of query call. If you are \
                     attempting to use a custom relationship, be sure to append the '__r' after \
                     the custom relationship name. Please reference your WSDL or the describe \
                     call for the appropriate names.",
                    query.from.text
                ),
            )
        };
        let relationship = parent
            .child_relationship(&query.from.text)
            .ok_or_else(not_understood)?;
        let object = self
            .dataset
            .schema(&relationship.child_object)
            .ok_or_else(not_understood)?;
        let link = object
            .field(&relationship.field)
            .ok_or_else(not_understood)?;
        let scope = Scope {
            object,
            alias: query.alias.as_ref().map(|a| a.text.as_str()),
        };
        let nodes = match self.output(scope, query)? {
            Output::Rows(nodes) => nodes,
            Output::Count | Output::Aggregate(_) => {
                return Err(self.error(
                    SoqlErrorCode::MalformedQuery,
                    query.pos,
                    "Aggregate functions are not supported in a child relationship subquery",
                ));
            }
        };
        Ok(ChildPlan {
            relationship: &relationship.relationship_name,
            link_field: &link.name,
            source: self.source(scope, query)?,
            nodes,
        })
    }

    fn source(&self, scope: Scope<'d, '_>, query: &Query) -> Result<Source<'d>, SoqlError> {
        let filter = query
            .filter
            .as_ref()
            .map(|c| self.filter(scope, c, false))
            .transpose()?;
        let order = query
            .order_by
            .iter()
            .map(|item| {
                let field = self.field_ref(scope, &item.field)?;
                if field.kind == Kind::Opaque {
                    return Err(self.error(
                        SoqlErrorCode::InvalidField,
                        item.field.pos(),
                        &format!(
                            "field '{}' can not be sorted in a query call",
                            field.field.name
                        ),
                    ));
                }
                Ok(SortSpec {
                    field,
                    descending: item.descending,
                    nulls_first: item.nulls_first.unwrap_or(true),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(offset) = query.offset.filter(|o| o.value > MAX_OFFSET) {
            return Err(self.error(
                SoqlErrorCode::NumberOutsideValidRange,
                offset.pos,
                &format!(
                    "Maximum SOQL offset allowed for apiVersion {} is {MAX_OFFSET}",
                    self.api_version
                ),
            ));
        }
        Ok(Source {
            object: scope.object,
            filter,
            order,
            limit: query
                .limit
                .map(|l| usize::try_from(l.value).unwrap_or(usize::MAX)),
            offset: query
                .offset
                .map_or(0, |o| usize::try_from(o.value).unwrap_or(usize::MAX)),
            hide_deleted: !self.query_all && scope.object.has_recycle_bin(),
        })
    }

    /// Resolves a field path (`Name`, `Account.Owner.Name`, `c.Email`) from `scope`.
    fn field_ref(&self, scope: Scope<'d, '_>, path: &FieldPath) -> Result<FieldRef<'d>, SoqlError> {
        let mut parts = path.parts.as_slice();
        if parts.len() > 1
            && scope
                .alias
                .is_some_and(|alias| alias.eq_ignore_ascii_case(&parts[0].text))
        {
            parts = &parts[1..];
        }
        let Some((last, relationships)) = parts.split_last() else {
            return Err(self.error(
                SoqlErrorCode::MalformedQuery,
                path.pos(),
                "empty field path",
            ));
        };
        let mut objects = vec![scope.object];
        let mut hops = Vec::with_capacity(relationships.len());
        for relationship in relationships {
            let lookup = objects
                .iter()
                .find_map(|o| o.relationship(&relationship.text));
            let targets: Vec<&'d ObjectSchema> = lookup
                .map(|l| {
                    l.reference_to
                        .iter()
                        .filter_map(|t| self.dataset.schema(t))
                        .collect()
                })
                .unwrap_or_default();
            let (Some(lookup), false) = (lookup, targets.is_empty()) else {
                return Err(self.error(
                    SoqlErrorCode::InvalidField,
                    path.pos(),
                    &format!(
                        "Didn't understand relationship '{}' in field path. If you are attempting \
                         to use a custom relationship, be sure to append the '__r' after the \
                         custom relationship name. Please reference your WSDL or the describe \
                         call for the appropriate names.",
                        relationship.text
                    ),
                ));
            };
            hops.push(Hop {
                ref_field: &lookup.name,
                relationship: lookup.relationship_name.as_deref().unwrap_or(&lookup.name),
                targets: targets.clone(),
            });
            objects = targets;
        }
        let field = objects
            .iter()
            .find_map(|o| o.field(&last.text))
            .ok_or_else(|| {
                self.error(
                    SoqlErrorCode::InvalidField,
                    path.pos(),
                    &format!(
                        "No such column '{}' on entity '{}'. If you are attempting to use a custom \
                     field, be sure to append the '__c' after the custom field name. Please \
                     reference your WSDL or the describe call for the appropriate names.",
                        last.text, objects[0].name
                    ),
                )
            })?;
        Ok(FieldRef {
            hops,
            field,
            kind: Kind::of(field.field_type),
        })
    }

    fn filter(
        &self,
        scope: Scope<'d, '_>,
        condition: &Condition,
        under_or: bool,
    ) -> Result<Filter<'d>, SoqlError> {
        Ok(match condition {
            Condition::And(items) => Filter::And(
                items
                    .iter()
                    .map(|c| self.filter(scope, c, under_or))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Or(items) => Filter::Or(
                items
                    .iter()
                    .map(|c| self.filter(scope, c, true))
                    .collect::<Result<_, _>>()?,
            ),
            Condition::Not(inner) => Filter::Not(Box::new(self.filter(scope, inner, under_or)?)),
            Condition::Compare { field, op, value } => {
                let field = self.field_ref(scope, field)?;
                let operand = self.operand(&field, value)?;
                if field.kind == Kind::Bool && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    return Err(self.error(
                        SoqlErrorCode::InvalidQueryFilterOperator,
                        value.pos,
                        &format!("invalid operator on boolean field '{}'", field.field.name),
                    ));
                }
                Filter::Compare {
                    field,
                    op: *op,
                    operand,
                }
            }
            Condition::Like {
                field,
                pattern,
                pos,
            } => {
                let field = self.field_ref(scope, field)?;
                if field.kind != Kind::Text {
                    let ty = value::type_name(field.field.field_type);
                    return Err(self.error(
                        SoqlErrorCode::InvalidQueryFilterOperator,
                        *pos,
                        &format!("invalid operator on {ty} field '{}'", field.field.name),
                    ));
                }
                Filter::Like {
                    field,
                    pattern: pattern.clone(),
                }
            }
            Condition::In {
                field,
                negated,
                values,
            } => {
                let field = self.field_ref(scope, field)?;
                let operands = values
                    .iter()
                    .map(|v| self.operand(&field, v))
                    .collect::<Result<Vec<_>, _>>()?;
                if field.kind == Kind::Id {
                    let with_null = operands.contains(&Operand::Null);
                    let keys = operands
                        .into_iter()
                        .filter_map(|o| match o {
                            Operand::Id(id) => Some(ids::key(&id).to_owned()),
                            _ => None,
                        })
                        .collect();
                    Filter::InIds {
                        field,
                        keys,
                        with_null,
                        negated: *negated,
                    }
                } else {
                    Filter::InList {
                        field,
                        values: operands,
                        negated: *negated,
                    }
                }
            }
            Condition::SemiJoin {
                field,
                negated,
                query,
            } => {
                if under_or {
                    return Err(self.error(
                        SoqlErrorCode::MalformedQuery,
                        query.pos,
                        "Semi join sub-selects are not allowed with the 'OR' operator",
                    ));
                }
                let field = self.field_ref(scope, field)?;
                if field.kind != Kind::Id {
                    return Err(self.error(
                        SoqlErrorCode::MalformedQuery,
                        query.pos,
                        &format!(
                            "Semi join sub-selects can only be compared with an Id or a reference \
                             field, not '{}'",
                            field.field.name
                        ),
                    ));
                }
                Filter::InIds {
                    field,
                    keys: self.semi_join(query)?,
                    with_null: false,
                    negated: *negated,
                }
            }
        })
    }

    /// Evaluates a semi-join's inner query to the id keys it selects.
    fn semi_join(&self, query: &Query) -> Result<HashSet<String>, SoqlError> {
        let scope = self.scope(query)?;
        let [SelectItem::Field(path)] = query.select.as_slice() else {
            return Err(self.error(
                SoqlErrorCode::MalformedQuery,
                query.pos,
                "Semi join sub-selects must select exactly one Id or reference field",
            ));
        };
        let selected = self.field_ref(scope, path)?;
        if selected.kind != Kind::Id || !selected.hops.is_empty() {
            return Err(self.error(
                SoqlErrorCode::MalformedQuery,
                path.pos(),
                "Semi join sub-selects must select exactly one Id or reference field",
            ));
        }
        if let Some(pos) = query
            .order_by
            .first()
            .map(|o| o.field.pos())
            .or_else(|| query.limit.map(|l| l.pos))
            .or_else(|| query.offset.map(|o| o.pos))
        {
            return Err(self.error(
                SoqlErrorCode::MalformedQuery,
                pos,
                "ORDER BY, LIMIT and OFFSET are not supported in semi join sub-selects",
            ));
        }
        let source = self.source(scope, query)?;
        let name = selected.field.name.as_str();
        Ok(eval::visible_rows(self.dataset, &source)
            .filter_map(|row| row.str(name))
            .filter(|id| !id.is_empty())
            .map(|id| ids::key(id).to_owned())
            .collect())
    }

    fn operand(&self, field: &FieldRef<'d>, literal: &ast::Literal) -> Result<Operand, SoqlError> {
        value::operand(
            &field.field.name,
            field.field.field_type,
            &literal.value,
            self.today,
        )
        .map_err(|(code, text)| self.error(code, literal.pos, &text))
    }
}

/// Adds a selected field to the output tree, grouping paths through the same relationship.
fn insert<'d>(
    nodes: &mut Vec<Node<'d>>,
    mut hops: Vec<Hop<'d>>,
    name: &'d str,
) -> Result<(), SoqlError> {
    if hops.is_empty() {
        if nodes
            .iter()
            .any(|n| matches!(n, Node::Field(f) if *f == name))
        {
            return Err(SoqlError::new(
                SoqlErrorCode::InvalidField,
                format!("duplicate field selected: {name}"),
            ));
        }
        nodes.push(Node::Field(name));
        return Ok(());
    }
    let hop = hops.remove(0);
    let existing = nodes.iter().position(
        |n| matches!(n, Node::Parent { hop: h, .. } if h.relationship == hop.relationship),
    );
    let index = existing.unwrap_or_else(|| {
        nodes.push(Node::Parent {
            hop,
            nodes: Vec::new(),
        });
        nodes.len() - 1
    });
    match &mut nodes[index] {
        Node::Parent { nodes, .. } => insert(nodes, hops, name),
        Node::Field(_) | Node::Child(_) => Ok(()),
    }
}

/// Whether a top-level `WHERE` pins `ContentDocumentLink` rows by `ContentDocumentId` or
/// `LinkedEntityId` with `=` or `IN`, as Salesforce requires.
fn filters_on_link(condition: &Condition, alias: Option<&str>) -> bool {
    let is_link_field = |path: &FieldPath| {
        let parts: Vec<&str> = path.parts.iter().map(|p| p.text.as_str()).collect();
        let name = match parts.as_slice() {
            [name] => *name,
            [prefix, name] if alias.is_some_and(|a| a.eq_ignore_ascii_case(prefix)) => *name,
            _ => return false,
        };
        name.eq_ignore_ascii_case("ContentDocumentId")
            || name.eq_ignore_ascii_case("LinkedEntityId")
    };
    match condition {
        Condition::And(items) => items.iter().any(|c| filters_on_link(c, alias)),
        Condition::Compare {
            field,
            op: CompareOp::Eq,
            ..
        }
        | Condition::In {
            field,
            negated: false,
            ..
        }
        | Condition::SemiJoin {
            field,
            negated: false,
            ..
        } => is_link_field(field),
        _ => false,
    }
}
