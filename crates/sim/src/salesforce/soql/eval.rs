//! Row-level evaluation of a [`Plan`](super::plan::Plan): following lookups, testing filters,
//! ordering, `OFFSET`/`LIMIT`, and grouping child rows under their parents.
//!
//! Cost model, for large tables: one pass over the object per (sub)query, rows borrowed, never
//! cloned; without `ORDER BY` the scan stops as soon as `OFFSET + LIMIT` rows matched; with it,
//! only matching rows are keyed and sorted, and a `LIMIT` first selects the top rows in linear
//! time. Child subqueries scan the child object once for all parents (hash on parent id).

use std::cmp::Ordering;
use std::collections::HashMap;

use super::ast::CompareOp;
use super::dataset::{Dataset, RowRef, Val};
use super::plan::{ChildPlan, FieldRef, Filter, Hop, SortSpec, Source};
use super::value::{self, Scalar};
use crate::salesforce::ids;
use crate::salesforce::schema::ObjectSchema;

/// The record a lookup points to, and its object; `None` for an empty or dangling lookup.
pub(crate) fn follow<'d>(
    dataset: &'d dyn Dataset,
    record: RowRef<'d>,
    hop: &Hop<'d>,
) -> Option<(&'d ObjectSchema, RowRef<'d>)> {
    let id = record.str(hop.ref_field).filter(|id| !id.is_empty())?;
    let fetch = |object: &'d ObjectSchema| dataset.get(&object.name, id).map(|r| (object, r));
    if let [only] = hop.targets.as_slice() {
        return fetch(only);
    }
    // Polymorphic lookup: the key prefix names the object; try them all if it does not.
    let prefix = ids::key_prefix(id);
    hop.targets
        .iter()
        .find(|t| t.key_prefix.is_some() && t.key_prefix.as_deref() == prefix)
        .and_then(|t| fetch(t))
        .or_else(|| hop.targets.iter().find_map(|t| fetch(t)))
}

/// The stored value a field reference reads on `record`.
pub(crate) fn field_value<'d>(
    dataset: &'d dyn Dataset,
    record: RowRef<'d>,
    field: &FieldRef<'d>,
) -> Option<&'d Val> {
    let mut current = record;
    for hop in &field.hops {
        current = follow(dataset, current, hop)?.1;
    }
    current.get(field.field.name.as_str())
}

fn scalar<'d>(dataset: &'d dyn Dataset, record: RowRef<'d>, field: &FieldRef<'d>) -> Scalar<'d> {
    value::read(field_value(dataset, record, field), field.kind)
}

/// Whether `record` satisfies `filter`.
pub(crate) fn matches<'d>(
    dataset: &'d dyn Dataset,
    record: RowRef<'d>,
    filter: &Filter<'d>,
) -> bool {
    match filter {
        Filter::And(items) => items.iter().all(|f| matches(dataset, record, f)),
        Filter::Or(items) => items.iter().any(|f| matches(dataset, record, f)),
        Filter::Not(inner) => !matches(dataset, record, inner),
        Filter::Compare { field, op, operand } => {
            value::test(&scalar(dataset, record, field), *op, operand)
        }
        Filter::Like { field, pattern } => match scalar(dataset, record, field) {
            Scalar::Text(text) => pattern.matches(text),
            _ => false,
        },
        Filter::InList {
            field,
            values,
            negated,
        } => {
            let value = scalar(dataset, record, field);
            let hit = values
                .iter()
                .any(|operand| value::test(&value, CompareOp::Eq, operand));
            hit != *negated
        }
        Filter::InIds {
            field,
            keys,
            with_null,
            negated,
        } => {
            let hit = match scalar(dataset, record, field) {
                Scalar::Id(id) => keys.contains(ids::key(id)),
                Scalar::Null => *with_null,
                _ => false,
            };
            hit != *negated
        }
    }
}

fn is_deleted(record: RowRef<'_>) -> bool {
    record
        .get("IsDeleted")
        .and_then(Val::as_bool)
        .unwrap_or(false)
}

/// Whether `record` belongs to `source`'s result before ordering and limits.
fn is_visible<'d>(dataset: &'d dyn Dataset, source: &Source<'d>, record: RowRef<'d>) -> bool {
    (!source.hide_deleted || !is_deleted(record))
        && source
            .filter
            .as_ref()
            .is_none_or(|filter| matches(dataset, record, filter))
}

/// The rows of `source.object` that pass the recycle-bin rule and the filter, in scan order.
pub(crate) fn visible_rows<'d, 's>(
    dataset: &'d dyn Dataset,
    source: &'s Source<'d>,
) -> impl Iterator<Item = RowRef<'d>> + 's
where
    'd: 's,
{
    dataset
        .rows(&source.object.name)
        .filter(move |record| is_visible(dataset, source, *record))
}

/// Applies `ORDER BY`, `OFFSET` and `LIMIT` to already-filtered rows.
pub(crate) fn arrange<'d>(
    dataset: &'d dyn Dataset,
    source: &Source<'d>,
    rows: impl Iterator<Item = RowRef<'d>>,
) -> Vec<RowRef<'d>> {
    let limit = source.limit.unwrap_or(usize::MAX);
    if source.order.is_empty() {
        // Lazy: stops scanning once enough rows matched.
        return rows.skip(source.offset).take(limit).collect();
    }
    let wanted = source.offset.saturating_add(limit);
    if wanted == 0 {
        return Vec::new();
    }
    // Sort keys live in one flat vector (`width` per row) instead of one allocation per row.
    let width = source.order.len();
    let mut keys: Vec<Scalar<'d>> = Vec::new();
    let mut entries: Vec<(usize, RowRef<'d>)> = Vec::new();
    for (index, record) in rows.enumerate() {
        keys.extend(
            source
                .order
                .iter()
                .map(|spec| scalar(dataset, record, &spec.field)),
        );
        entries.push((index, record));
    }
    let keys_of = |index: usize| &keys[index * width..(index + 1) * width];
    // Ties keep scan order, so results are deterministic whichever path runs.
    let order = |a: &(usize, RowRef<'d>), b: &(usize, RowRef<'d>)| {
        compare_keys(&source.order, keys_of(a.0), keys_of(b.0)).then(a.0.cmp(&b.0))
    };
    if wanted < entries.len() {
        entries.select_nth_unstable_by(wanted - 1, order);
        entries.truncate(wanted);
    }
    entries.sort_unstable_by(order);
    entries
        .into_iter()
        .skip(source.offset)
        .map(|(_, record)| record)
        .collect()
}

fn compare_keys(specs: &[SortSpec<'_>], a: &[Scalar<'_>], b: &[Scalar<'_>]) -> Ordering {
    for ((spec, a), b) in specs.iter().zip(a).zip(b) {
        let nulls = if spec.nulls_first {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        let ordering = match (a, b) {
            (Scalar::Null, Scalar::Null) => Ordering::Equal,
            (Scalar::Null, _) => nulls,
            (_, Scalar::Null) => nulls.reverse(),
            _ if spec.descending => value::cmp_scalars(a, b).reverse(),
            _ => value::cmp_scalars(a, b),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The selected rows of a top-level source.
pub(crate) fn select<'d>(dataset: &'d dyn Dataset, source: &Source<'d>) -> Vec<RowRef<'d>> {
    arrange(dataset, source, visible_rows(dataset, source))
}

/// `COUNT()`: the number of rows the query would return.
pub(crate) fn count<'d>(dataset: &'d dyn Dataset, source: &Source<'d>) -> usize {
    visible_rows(dataset, source)
        .skip(source.offset)
        .take(source.limit.unwrap_or(usize::MAX))
        .count()
}

/// `COUNT(field)` for each field: the number of visible rows where it is not null.
pub(crate) fn count_non_null<'d>(
    dataset: &'d dyn Dataset,
    source: &Source<'d>,
    fields: &[&FieldRef<'d>],
) -> Vec<usize> {
    let mut counts = vec![0; fields.len()];
    for record in visible_rows(dataset, source) {
        for (count, field) in counts.iter_mut().zip(fields) {
            if field_value(dataset, record, field).is_some_and(|v| !v.is_null()) {
                *count += 1;
            }
        }
    }
    counts
}

/// For each parent, its rows of the child subquery, filtered, ordered and limited.
pub(crate) fn child_rows<'d>(
    dataset: &'d dyn Dataset,
    child: &ChildPlan<'d>,
    parents: &[RowRef<'d>],
) -> Vec<Vec<RowRef<'d>>> {
    let mut buckets: Vec<Vec<RowRef<'d>>> = vec![Vec::new(); parents.len()];
    let index: HashMap<&str, usize> = parents
        .iter()
        .enumerate()
        .filter_map(|(i, parent)| Some((ids::key(parent.str("Id")?), i)))
        .collect();
    if index.is_empty() {
        return buckets;
    }
    for record in dataset.rows(&child.source.object.name) {
        let Some(link) = record.str(child.link_field) else {
            continue;
        };
        let Some(&i) = index.get(ids::key(link)) else {
            continue;
        };
        if is_visible(dataset, &child.source, record) {
            buckets[i].push(record);
        }
    }
    buckets
        .into_iter()
        .map(|bucket| arrange(dataset, &child.source, bucket.into_iter()))
        .collect()
}
