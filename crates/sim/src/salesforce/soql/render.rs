//! Result rows in the REST shape: `attributes {type, url}` first, then the selected fields in
//! select order under canonical names, `null` for empty ones; parent paths as nested records
//! (`null` when the lookup is empty); child subqueries as `{totalSize, done, records}` or `null`
//! when no child matched.

use serde_json::{Map, Value, json};

use super::dataset::{Dataset, RowRef, Val};
use super::eval;
use super::plan::{ChildPlan, Node};

/// Renders rows for one API version (`66.0`).
pub(crate) struct Renderer<'d, 'v> {
    pub(crate) dataset: &'d dyn Dataset,
    pub(crate) api_version: &'v str,
}

impl<'d> Renderer<'d, '_> {
    fn attributes(&self, object: &str, record: RowRef<'_>) -> Value {
        let id = record.str("Id").unwrap_or_default();
        json!({
            "type": object,
            "url": format!("/services/data/v{}/sobjects/{object}/{id}", self.api_version),
        })
    }

    /// Renders `rows` of `object` with the output tree `nodes`.
    pub(crate) fn rows(&self, object: &str, rows: &[RowRef<'d>], nodes: &[Node<'d>]) -> Vec<Value> {
        // Child results are computed for all rows at once, one child scan per subquery.
        let mut children: Vec<std::vec::IntoIter<Value>> = nodes
            .iter()
            .filter_map(|node| match node {
                Node::Child(child) => Some(self.children(child, rows).into_iter()),
                Node::Field(_) | Node::Parent { .. } => None,
            })
            .collect();
        rows.iter()
            .map(|&row| {
                let mut map = Map::new();
                map.insert("attributes".to_owned(), self.attributes(object, row));
                self.fill(&mut map, row, nodes, &mut children.iter_mut());
                Value::Object(map)
            })
            .collect()
    }

    fn fill(
        &self,
        map: &mut Map<String, Value>,
        row: RowRef<'d>,
        nodes: &[Node<'d>],
        children: &mut dyn Iterator<Item = &mut std::vec::IntoIter<Value>>,
    ) {
        for node in nodes {
            match node {
                Node::Field(name) => {
                    let value = row.get(name).map_or(Value::Null, Val::to_value);
                    map.insert((*name).to_owned(), value);
                }
                Node::Parent { hop, nodes } => {
                    let parent = eval::follow(self.dataset, row, hop).map(|(object, record)| {
                        let mut nested = Map::new();
                        nested.insert(
                            "attributes".to_owned(),
                            self.attributes(&object.name, record),
                        );
                        // Child subqueries only appear at the top of a select list.
                        self.fill(&mut nested, record, nodes, &mut std::iter::empty());
                        Value::Object(nested)
                    });
                    map.insert(hop.relationship.to_owned(), parent.unwrap_or(Value::Null));
                }
                Node::Child(child) => {
                    let value = children
                        .next()
                        .and_then(Iterator::next)
                        .unwrap_or(Value::Null);
                    map.insert(child.relationship.to_owned(), value);
                }
            }
        }
    }

    /// One value per parent: its child result, or `null` when it has no child rows.
    fn children(&self, child: &ChildPlan<'d>, parents: &[RowRef<'d>]) -> Vec<Value> {
        let buckets = eval::child_rows(self.dataset, child, parents);
        let sizes: Vec<usize> = buckets.iter().map(Vec::len).collect();
        let flat: Vec<RowRef<'d>> = buckets.into_iter().flatten().collect();
        let mut rendered = self
            .rows(&child.source.object.name, &flat, &child.nodes)
            .into_iter();
        sizes
            .into_iter()
            .map(|size| {
                if size == 0 {
                    return Value::Null;
                }
                let records: Vec<Value> = rendered.by_ref().take(size).collect();
                json!({"totalSize": size, "done": true, "records": records})
            })
            .collect()
    }
}
