//! What the SOQL engine reads: the [`Dataset`] trait a record store implements, and
//! [`MemoryDataset`], a plain in-memory store for tests and small simulators. Both it and the
//! org's store keep their rows in [`Tables`].
//!
//! Records are JSON objects keyed by canonical field names (`Id`, `AccountId`…), values in wire
//! form: strings for ids, text, dates (`2024-01-02`) and datetimes
//! (`2024-01-02T03:04:05.000+0000`), numbers, booleans; a missing key reads as `null`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::salesforce::ids;
use crate::salesforce::schema::{ObjectSchema, standard_objects};

/// One record: canonical field name → value.
pub type Record = Map<String, Value>;

/// A store the engine can query.
///
/// The engine only reads, scans each object at most once per (sub)query, and never clones
/// rows it does not return; `get` backs parent paths (`Account.Name`).
pub trait Dataset {
    /// The schema of `object`, looked up case-insensitively (`contact` → `Contact`).
    fn schema(&self, object: &str) -> Option<&ObjectSchema>;

    /// Every row of `object` (its canonical name), soft-deleted ones included (`IsDeleted`
    /// true); the engine hides those unless the query is a `queryAll`.
    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Record> + 'a>;

    /// The row of `object` (canonical name) with id `id` (15 or 18 characters, as stored in a
    /// lookup field), deleted or not.
    fn get(&self, object: &str, id: &str) -> Option<&Record>;
}

/// Why [`MemoryDataset::insert`] refused a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsertError {
    /// No schema for the object.
    #[error("unknown object {0}")]
    UnknownObject(String),
    /// The record has no string `Id`.
    #[error("record has no Id")]
    MissingId,
}

/// One vector of records per object, indexed by id key (first 15 characters): the storage
/// shared by [`MemoryDataset`] and the org's [`Store`](crate::salesforce::store::Store).
///
/// Object names are taken as given; callers canonicalise them first.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    schemas: Vec<ObjectSchema>,
    tables: HashMap<String, Table>,
}

#[derive(Debug, Default)]
struct Table {
    rows: Vec<Record>,
    /// Id key (first 15 characters) → index in `rows`.
    by_id: HashMap<String, usize>,
}

impl Tables {
    /// Empty tables for the given objects.
    pub(crate) fn new(schemas: Vec<ObjectSchema>) -> Self {
        Self {
            schemas,
            tables: HashMap::new(),
        }
    }

    /// Every object schema, in the order given.
    pub(crate) fn schemas(&self) -> &[ObjectSchema] {
        &self.schemas
    }

    /// Adds `record` to `object` under id key `key`, replacing the row with the same key;
    /// returns the replaced row.
    pub(crate) fn put(&mut self, object: &str, key: String, record: Record) -> Option<Record> {
        let table = self.tables.entry(object.to_owned()).or_default();
        if let Some(&index) = table.by_id.get(&key) {
            return Some(std::mem::replace(&mut table.rows[index], record));
        }
        table.by_id.insert(key, table.rows.len());
        table.rows.push(record);
        None
    }

    /// The row of `object` with id `id`, for writing in place.
    pub(crate) fn get_mut(&mut self, object: &str, id: &str) -> Option<&mut Record> {
        let table = self.tables.get_mut(object)?;
        let index = *table.by_id.get(ids::key(id))?;
        Some(&mut table.rows[index])
    }

    /// Drops the row of `object` with id `id`, if any (row order is not kept).
    pub(crate) fn remove(&mut self, object: &str, id: &str) {
        let Some(table) = self.tables.get_mut(object) else {
            return;
        };
        let Some(index) = table.by_id.remove(ids::key(id)) else {
            return;
        };
        table.rows.swap_remove(index);
        if let Some(moved) = table.rows.get(index)
            && let Some(moved_id) = moved.get("Id").and_then(Value::as_str)
        {
            table.by_id.insert(ids::key(moved_id).to_owned(), index);
        }
    }

    /// Number of rows of `object`, deleted ones included.
    pub(crate) fn len(&self, object: &str) -> usize {
        self.tables.get(object).map_or(0, |t| t.rows.len())
    }

    /// Whether no object has rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.tables.values().all(|t| t.rows.is_empty())
    }
}

impl Dataset for Tables {
    fn schema(&self, object: &str) -> Option<&ObjectSchema> {
        self.schemas
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(object))
    }

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Record> + 'a> {
        match self.tables.get(object) {
            Some(table) => Box::new(table.rows.iter()),
            None => Box::new(std::iter::empty()),
        }
    }

    fn get(&self, object: &str, id: &str) -> Option<&Record> {
        let table = self.tables.get(object)?;
        table.by_id.get(ids::key(id)).map(|&i| &table.rows[i])
    }
}

/// An in-memory [`Dataset`]: one vector of records per object, indexed by id.
#[derive(Debug, Default)]
pub struct MemoryDataset {
    tables: Tables,
}

impl MemoryDataset {
    /// An empty store for the given objects.
    #[must_use]
    pub fn new(schemas: Vec<ObjectSchema>) -> Self {
        Self {
            tables: Tables::new(schemas),
        }
    }

    /// An empty store for [`standard_objects`].
    #[must_use]
    pub fn with_standard_objects() -> Self {
        Self::new(standard_objects())
    }

    /// Adds `record` to `object` (any casing), replacing the row with the same id; returns the
    /// replaced row.
    ///
    /// # Errors
    ///
    /// [`InsertError`] if the object is unknown or the record has no `Id`.
    pub fn insert(&mut self, object: &str, record: Record) -> Result<Option<Record>, InsertError> {
        let name = self
            .schema(object)
            .ok_or_else(|| InsertError::UnknownObject(object.to_owned()))?
            .name
            .clone();
        let key = record
            .get("Id")
            .and_then(Value::as_str)
            .map(|id| ids::key(id).to_owned())
            .ok_or(InsertError::MissingId)?;
        Ok(self.tables.put(&name, key, record))
    }

    /// Number of rows of `object` (canonical name), deleted ones included.
    #[must_use]
    pub fn len(&self, object: &str) -> usize {
        self.tables.len(object)
    }

    /// Whether the store holds no rows at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

impl Dataset for MemoryDataset {
    fn schema(&self, object: &str) -> Option<&ObjectSchema> {
        self.tables.schema(object)
    }

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Record> + 'a> {
        self.tables.rows(object)
    }

    fn get(&self, object: &str, id: &str) -> Option<&Record> {
        self.tables.get(object, id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(value: Value) -> Record {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn insert_get_and_replace() {
        let mut ds = MemoryDataset::with_standard_objects();
        assert!(ds.is_empty());
        let id = "001D000000IqhSLIAZ";
        let first = ds
            .insert("account", record(json!({"Id": id, "Name": "A"})))
            .unwrap();
        assert_eq!(first, None);
        let replaced = ds
            .insert("Account", record(json!({"Id": id, "Name": "B"})))
            .unwrap();
        assert_eq!(replaced.unwrap()["Name"], "A");
        assert_eq!(ds.len("Account"), 1);
        assert_eq!(ds.get("Account", "001D000000IqhSL").unwrap()["Name"], "B");
        assert_eq!(ds.rows("Account").count(), 1);
        assert_eq!(ds.rows("Contact").count(), 0);
        assert_eq!(
            ds.insert("Xyzzy", Record::new()),
            Err(InsertError::UnknownObject("Xyzzy".into()))
        );
        assert_eq!(
            ds.insert("Account", Record::new()),
            Err(InsertError::MissingId)
        );
    }
}
