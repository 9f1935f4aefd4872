//! Which objects a query reads: the `FROM` object, the object behind each child-relationship
//! subquery and the object of each semi-join, at any depth.
//!
//! The simulator counts these per executed query (`soql:<Object>` counters), so tests can prove
//! that no Salesforce data of some kind was fetched. Parent paths (`Account.Name`) are not reads
//! of their own: Salesforce answers them from the same query.

use std::collections::BTreeSet;

use super::Dataset;
use super::ast::{Condition, Query, SelectItem};
use crate::salesforce::schema::ObjectSchema;

/// The canonical names of the objects `query` reads, each once, sorted. Names the dataset does
/// not know are skipped (such a query fails its check anyway).
#[must_use]
pub fn objects_read(dataset: &dyn Dataset, query: &Query) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(object) = dataset.schema(&query.from.text) {
        walk(dataset, object, query, &mut out);
    }
    out
}

/// Adds `object` (read by `query`) and everything `query` reads below it.
fn walk(dataset: &dyn Dataset, object: &ObjectSchema, query: &Query, out: &mut BTreeSet<String>) {
    out.insert(object.name.clone());
    for item in &query.select {
        if let SelectItem::Subquery(child) = item {
            let child_object = object
                .child_relationship(&child.from.text)
                .and_then(|rel| dataset.schema(&rel.child_object));
            if let Some(child_object) = child_object {
                walk(dataset, child_object, child, out);
            }
        }
    }
    if let Some(filter) = &query.filter {
        semi_joins(dataset, filter, out);
    }
}

fn semi_joins(dataset: &dyn Dataset, condition: &Condition, out: &mut BTreeSet<String>) {
    match condition {
        Condition::And(parts) | Condition::Or(parts) => {
            for part in parts {
                semi_joins(dataset, part, out);
            }
        }
        Condition::Not(inner) => semi_joins(dataset, inner, out),
        Condition::SemiJoin { query, .. } => {
            if let Some(object) = dataset.schema(&query.from.text) {
                walk(dataset, object, query, out);
            }
        }
        Condition::Compare { .. } | Condition::Like { .. } | Condition::In { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::soql::{MemoryDataset, parse};

    fn read(soql: &str) -> Vec<String> {
        let dataset = MemoryDataset::with_standard_objects();
        let query = parse(soql).expect("parses");
        objects_read(&dataset, &query).into_iter().collect()
    }

    #[test]
    fn from_children_and_semi_joins() {
        assert_eq!(read("SELECT Id, Account.Name FROM contact"), ["Contact"]);
        assert_eq!(
            read(
                "SELECT Id, (SELECT Id FROM Tasks), (SELECT ContentDocumentId FROM \
                 ContentDocumentLinks WHERE ContentDocument.FileType = 'SNOTE') FROM Contact"
            ),
            ["Contact", "ContentDocumentLink", "Task"]
        );
        assert_eq!(
            read(
                "SELECT Id FROM Opportunity WHERE IsClosed = false AND Id IN (SELECT \
                 OpportunityId FROM OpportunityContactRole WHERE ContactId = '003')"
            ),
            ["Opportunity", "OpportunityContactRole"]
        );
        assert_eq!(
            read("SELECT Id FROM Account WHERE NOT (Id IN (SELECT AccountId FROM Contact))"),
            ["Account", "Contact"]
        );
        assert!(read("SELECT Id FROM Nope").is_empty());
    }
}
