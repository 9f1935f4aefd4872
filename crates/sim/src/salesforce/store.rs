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
use super::soql::{Dataset, Record, Row, RowRef, Tables};

/// One undo step: the row as it was before a write (`None`: the row did not exist).
#[derive(Debug)]
struct Undo {
    object: String,
    id: String,
    before: Option<Row>,
    deleted_at: Option<Option<DateTime<Utc>>>,
}

/// The records of the simulated org.
#[derive(Debug, Default)]
pub struct Store {
    tables: Tables,
    /// Id key → deletion time of soft-deleted rows.
    deleted_at: HashMap<String, DateTime<Utc>>,
    journal: Option<Vec<Undo>>,
}

impl Store {
    /// An empty store for `schemas`.
    #[must_use]
    pub fn new(schemas: Vec<ObjectSchema>) -> Self {
        Self {
            tables: Tables::new(schemas),
            ..Self::default()
        }
    }

    /// Every object schema, in describe-global order.
    #[must_use]
    pub fn schemas(&self) -> &[ObjectSchema] {
        self.tables.schemas()
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
        self.schemas()
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
        let before = if self.journal.is_some() {
            self.get(object, &id).map(|row| row.row().clone())
        } else {
            None
        };
        if let Some(journal) = self.journal.as_mut() {
            journal.push(Undo {
                object: object.to_owned(),
                id: id.clone(),
                before,
                deleted_at: Some(self.deleted_at.get(&key).copied()),
            });
        }
        self.tables.put_row_as_record(object, &key, record);
    }

    /// The row of `object` with id `id` as JSON, deleted or not.
    #[must_use]
    pub fn record(&self, object: &str, id: &str) -> Option<Record> {
        self.get(object, id).map(RowRef::to_record)
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
                    if self.tables.get(&undo.object, &undo.id).is_some() {
                        self.tables
                            .put_row(&undo.object, ids::key(&undo.id), before);
                    }
                }
                None => self.tables.remove(&undo.object, &undo.id),
            }
            if let Some(deleted) = undo.deleted_at {
                self.set_deleted_at(&undo.id, deleted);
            }
        }
    }

    /// Number of rows of `object`, deleted ones included.
    #[must_use]
    pub fn len(&self, object: &str) -> usize {
        self.tables.len(object)
    }

    /// Whether no object has rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

impl Dataset for Store {
    fn schema(&self, object: &str) -> Option<&ObjectSchema> {
        self.tables.schema(object)
    }

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = RowRef<'a>> + 'a> {
        self.tables.rows(object)
    }

    fn get<'a>(&'a self, object: &str, id: &str) -> Option<RowRef<'a>> {
        self.tables.get(object, id)
    }
}
