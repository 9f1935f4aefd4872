//! [`Store`]: the simulated org's records, queried by the SOQL engine through
//! [`Dataset`].
//!
//! One table per object, rows indexed by id key (first 15 characters). Soft-deleted rows stay in
//! their table with `IsDeleted = true` (the recycle bin); a deletion time is kept per row for
//! `getDeleted`. Writes can be journaled ([`Store::begin`] / [`Store::rollback`]) so composite
//! `allOrNone` and collection calls undo what they already did.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ids;
use super::schema::ObjectSchema;
use super::soql::{Dataset, Record};

#[derive(Debug, Default)]
struct Table {
    rows: Vec<Record>,
    by_id: HashMap<String, usize>,
}

/// One undo step: the row as it was before a write (`None`: the row did not exist).
#[derive(Debug)]
struct Undo {
    object: String,
    id: String,
    before: Option<Record>,
    deleted_at: Option<Option<DateTime<Utc>>>,
}

/// The records of the simulated org.
#[derive(Debug, Default)]
pub struct Store {
    schemas: Vec<ObjectSchema>,
    tables: HashMap<String, Table>,
    /// Id key → deletion time of soft-deleted rows.
    deleted_at: HashMap<String, DateTime<Utc>>,
    journal: Option<Vec<Undo>>,
}

impl Store {
    /// An empty store for `schemas`.
    #[must_use]
    pub fn new(schemas: Vec<ObjectSchema>) -> Self {
        Self {
            schemas,
            ..Self::default()
        }
    }

    /// Every object schema, in describe-global order.
    #[must_use]
    pub fn schemas(&self) -> &[ObjectSchema] {
        &self.schemas
    }

    /// Canonical object name for `name` (any casing).
    #[must_use]
    pub fn canonical(&self, name: &str) -> Option<&str> {
        self.schema(name).map(|s| s.name.as_str())
    }

    /// The object whose key prefix starts `id`.
    #[must_use]
    pub fn object_of_id(&self, id: &str) -> Option<&str> {
        let prefix = ids::key_prefix(id)?;
        self.schemas
            .iter()
            .find(|s| s.key_prefix.as_deref() == Some(prefix))
            .map(|s| s.name.as_str())
    }

    /// Inserts or replaces a row (by its `Id`), journaling the previous state.
    pub fn put(&mut self, object: &str, record: Record) {
        let Some(id) = record.get("Id").and_then(Value::as_str).map(str::to_owned) else {
            return;
        };
        let key = ids::key(&id).to_owned();
        let before = self.get(object, &id).cloned();
        if let Some(journal) = self.journal.as_mut() {
            journal.push(Undo {
                object: object.to_owned(),
                id: id.clone(),
                before,
                deleted_at: Some(self.deleted_at.get(&key).copied()),
            });
        }
        let table = self.tables.entry(object.to_owned()).or_default();
        if let Some(&index) = table.by_id.get(&key) {
            table.rows[index] = record;
        } else {
            table.by_id.insert(key, table.rows.len());
            table.rows.push(record);
        }
    }

    /// Records (or clears) the deletion time of `id`.
    pub fn set_deleted_at(&mut self, id: &str, at: Option<DateTime<Utc>>) {
        let key = ids::key(id).to_owned();
        match at {
            Some(at) => self.deleted_at.insert(key, at),
            None => self.deleted_at.remove(&key),
        };
    }

    /// When `id` was soft-deleted.
    #[must_use]
    pub fn deleted_at(&self, id: &str) -> Option<DateTime<Utc>> {
        self.deleted_at.get(ids::key(id)).copied()
    }

    fn remove(&mut self, object: &str, id: &str) {
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

    /// Starts journaling writes (nested calls keep the outer journal).
    pub fn begin(&mut self) -> bool {
        if self.journal.is_some() {
            return false;
        }
        self.journal = Some(Vec::new());
        true
    }

    /// Stops journaling and keeps the writes.
    pub fn commit(&mut self) {
        self.journal = None;
    }

    /// Undoes every journaled write and stops journaling.
    pub fn rollback(&mut self) {
        let Some(journal) = self.journal.take() else {
            return;
        };
        for undo in journal.into_iter().rev() {
            match undo.before {
                Some(before) => {
                    let key = ids::key(&undo.id).to_owned();
                    if let Some(table) = self.tables.get_mut(&undo.object)
                        && let Some(&index) = table.by_id.get(&key)
                    {
                        table.rows[index] = before;
                    }
                }
                None => self.remove(&undo.object, &undo.id),
            }
            if let Some(deleted) = undo.deleted_at {
                self.set_deleted_at(&undo.id, deleted);
            }
        }
    }

    /// Number of rows of `object`, deleted ones included.
    #[must_use]
    pub fn len(&self, object: &str) -> usize {
        self.tables.get(object).map_or(0, |t| t.rows.len())
    }

    /// Whether no object has rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tables.values().all(|t| t.rows.is_empty())
    }
}

impl Dataset for Store {
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
