//! What the SOQL engine reads: the [`Dataset`] trait a record store implements, and
//! [`MemoryDataset`], a plain in-memory store for tests and small simulators. Both it and the
//! org's store keep their rows in [`Tables`].
//!
//! Records are JSON objects keyed by canonical field names (`Id`, `AccountId`…), values in wire
//! form: strings for ids, text, dates (`2024-01-02`) and datetimes
//! (`2024-01-02T03:04:05.000+0000`), numbers, booleans; a missing key reads as `null`.
//!
//! Storage is compact (a million contacts must fit in well under 2 GB): a stored [`Row`] is a
//! boxed slice of (field index, [`Val`]) pairs in the record's key order, the field index
//! naming a key in its table's field list; short strings (ids, names, phones) are stored in
//! place, longer ones as boxed `str`s, except that strings repeated within a row (the three
//! timestamps) or across rows (long lookup ids, keys of compound values) are shared `Arc<str>`s. The engine reads rows through [`RowRef`] without building
//! JSON; [`RowRef::to_record`] materialises a [`Record`] (same keys, order and values) when a
//! caller needs one.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Number, Value};

use crate::salesforce::ids;
use crate::salesforce::schema::{ObjectSchema, standard_objects};

/// One record: canonical field name → value.
pub type Record = Map<String, Value>;

/// A stored JSON value in compact form.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A short string, stored in place.
    Inline(InlineStr),
    /// A string owned by one row.
    Str(Box<str>),
    /// A string shared with other fields or rows.
    Shared(Arc<str>),
    /// An array.
    Array(Box<[Val]>),
    /// An object, keys in order.
    Object(Box<[(Arc<str>, Val)]>),
}

/// A string of at most [`InlineStr::CAPACITY`] bytes, stored without a heap allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineStr {
    len: u8,
    bytes: [u8; InlineStr::CAPACITY],
}

impl InlineStr {
    /// The longest string (in bytes) stored inline.
    pub const CAPACITY: usize = 22;

    fn new(s: &str) -> Option<Self> {
        if s.len() > Self::CAPACITY {
            return None;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Self {
            len: u8::try_from(s.len()).ok()?,
            bytes,
        })
    }

    /// The string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always valid: copied from a `str`.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

static INTERNED: LazyLock<Mutex<HashSet<Arc<str>>>> = LazyLock::new(Mutex::default);

fn intern(s: &str) -> Arc<str> {
    let mut set = INTERNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = set.get(s) {
        return found.clone();
    }
    let arc: Arc<str> = Arc::from(s);
    set.insert(arc.clone());
    arc
}

impl Val {
    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Inline(s) => Some(s.as_str()),
            Self::Str(s) => Some(s),
            Self::Shared(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The number as `i64`, if this is an integer that fits.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value as JSON.
    #[must_use]
    pub fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => Value::Number(n.clone()),
            Self::Inline(s) => Value::String(s.as_str().to_owned()),
            Self::Str(s) => Value::String(s.to_string()),
            Self::Shared(s) => Value::String(s.to_string()),
            Self::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// Compacts a JSON value (object keys shared).
    #[must_use]
    pub fn from_json(value: Value) -> Self {
        Self::nested(value)
    }

    /// A string value: in place when short, else boxed.
    fn string(s: String) -> Self {
        InlineStr::new(&s).map_or_else(|| Self::Str(s.into_boxed_str()), Self::Inline)
    }

    /// Compacts a nested JSON value (object keys shared).
    fn nested(value: Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => Self::Number(n),
            Value::String(s) => Self::string(s),
            Value::Array(items) => Self::Array(items.into_iter().map(Self::nested).collect()),
            Value::Object(map) => Self::Object(
                map.into_iter()
                    .map(|(k, v)| (intern(&k), Self::nested(v)))
                    .collect(),
            ),
        }
    }
}

/// One stored record: (field index, value) pairs in key order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    entries: Box<[(u16, Val)]>,
}

impl Row {
    fn get(&self, index: u16) -> Option<&Val> {
        self.entries
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| v)
    }
}

/// The keys a table's rows use, each named once.
#[derive(Debug, Default)]
pub struct Fields {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u16>,
}

impl Fields {
    fn index_of(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }

    fn add(&mut self, name: &str) -> u16 {
        if let Some(i) = self.index_of(name) {
            return i;
        }
        let i = u16::try_from(self.names.len()).expect("too many distinct keys in one table");
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    /// Compacts `record` into a row.
    fn compact(&mut self, record: Record) -> Row {
        // Strings repeated within the row are shared once.
        let strings: Vec<&str> = record
            .values()
            .filter_map(Value::as_str)
            .filter(|s| s.len() > InlineStr::CAPACITY)
            .collect();
        let repeated: Vec<&str> = strings
            .iter()
            .enumerate()
            .filter(|(i, s)| strings[..*i].contains(s) || strings[i + 1..].contains(s))
            .map(|(_, s)| *s)
            .collect();
        let repeated: Vec<String> = repeated.into_iter().map(str::to_owned).collect();
        let mut shared: Vec<Arc<str>> = Vec::new();
        let mut entries = Vec::with_capacity(record.len());
        for (key, value) in record {
            let index = self.add(&key);
            let val = match value {
                Value::String(s) if s.len() <= InlineStr::CAPACITY => Val::string(s),
                Value::String(s) if repeated.contains(&s) => {
                    if let Some(found) = shared.iter().find(|a| ***a == *s) {
                        Val::Shared(found.clone())
                    } else {
                        let arc: Arc<str> = Arc::from(s.as_str());
                        shared.push(arc.clone());
                        Val::Shared(arc)
                    }
                }
                Value::String(s) if key.len() > 2 && key.ends_with("Id") => Val::Shared(intern(&s)),
                other => Val::nested(other),
            };
            entries.push((index, val));
        }
        Row {
            entries: entries.into_boxed_slice(),
        }
    }
}

/// A stored row as the engine reads it: values by field name, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    row: &'a Row,
    fields: &'a Fields,
}

impl<'a> RowRef<'a> {
    /// The value stored under `name`, if the row has that key.
    #[must_use]
    pub fn get(self, name: &str) -> Option<&'a Val> {
        self.row.get(self.fields.index_of(name)?)
    }

    /// The string stored under `name`, if it is a string.
    #[must_use]
    pub fn str(self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Val::as_str)
    }

    /// The stored row, for keeping a copy.
    #[must_use]
    pub fn row(self) -> &'a Row {
        self.row
    }

    /// The row as JSON: same keys, order and values as the record stored.
    #[must_use]
    pub fn to_record(self) -> Record {
        self.row
            .entries
            .iter()
            .map(|(i, v)| (self.fields.names[usize::from(*i)].to_string(), v.to_value()))
            .collect()
    }
}

/// A store the engine can query.
///
/// The engine only reads, scans each object at most once per (sub)query, and never clones
/// rows it does not return; `get` backs parent paths (`Account.Name`).
pub trait Dataset {
    /// The schema of `object`, looked up case-insensitively (`contact` → `Contact`).
    fn schema(&self, object: &str) -> Option<&ObjectSchema>;

    /// Every row of `object` (its canonical name), soft-deleted ones included (`IsDeleted`
    /// true); the engine hides those unless the query is a `queryAll`.
    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = RowRef<'a>> + 'a>;

    /// The row of `object` (canonical name) with id `id` (15 or 18 characters, as stored in a
    /// lookup field), deleted or not.
    fn get<'a>(&'a self, object: &str, id: &str) -> Option<RowRef<'a>>;
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
    fields: Fields,
    rows: Vec<Row>,
    /// Id key (first 15 characters) → index in `rows`.
    by_id: HashMap<Box<str>, u32>,
}

impl Table {
    fn row(&self, index: usize) -> RowRef<'_> {
        RowRef {
            row: &self.rows[index],
            fields: &self.fields,
        }
    }
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
    pub(crate) fn put(&mut self, object: &str, key: &str, record: Record) -> Option<Record> {
        let table = self.table(object);
        let row = table.fields.compact(record);
        Self::put_row_in(table, key, row).map(|old| {
            RowRef {
                row: &old,
                fields: &table.fields,
            }
            .to_record()
        })
    }

    /// Like [`Tables::put`], without materialising the replaced row.
    pub(crate) fn put_row_as_record(&mut self, object: &str, key: &str, record: Record) {
        let table = self.table(object);
        let row = table.fields.compact(record);
        Self::put_row_in(table, key, row);
    }

    /// Adds a stored row (from [`RowRef::row`]) to `object` under id key `key`, replacing the
    /// row with the same key; returns the replaced row.
    pub(crate) fn put_row(&mut self, object: &str, key: &str, row: Row) -> Option<Row> {
        Self::put_row_in(self.table(object), key, row)
    }

    fn table(&mut self, object: &str) -> &mut Table {
        if !self.tables.contains_key(object) {
            self.tables.insert(object.to_owned(), Table::default());
        }
        self.tables.get_mut(object).expect("just inserted")
    }

    fn put_row_in(table: &mut Table, key: &str, row: Row) -> Option<Row> {
        if let Some(&index) = table.by_id.get(key) {
            return Some(std::mem::replace(&mut table.rows[index as usize], row));
        }
        let index = u32::try_from(table.rows.len()).expect("too many rows in one table");
        table.by_id.insert(key.into(), index);
        table.rows.push(row);
        None
    }

    /// Drops the row of `object` with id `id`, if any (row order is not kept).
    pub(crate) fn remove(&mut self, object: &str, id: &str) {
        let Some(table) = self.tables.get_mut(object) else {
            return;
        };
        let Some(index) = table.by_id.remove(ids::key(id)) else {
            return;
        };
        let index = index as usize;
        table.rows.swap_remove(index);
        if index < table.rows.len()
            && let Some(moved_id) = table.row(index).str("Id")
        {
            let moved_key: Box<str> = ids::key(moved_id).into();
            table.by_id.insert(moved_key, index as u32);
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

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = RowRef<'a>> + 'a> {
        match self.tables.get(object) {
            Some(table) => Box::new(table.rows.iter().map(|row| RowRef {
                row,
                fields: &table.fields,
            })),
            None => Box::new(std::iter::empty()),
        }
    }

    fn get<'a>(&'a self, object: &str, id: &str) -> Option<RowRef<'a>> {
        let table = self.tables.get(object)?;
        table
            .by_id
            .get(ids::key(id))
            .map(|&i| table.row(i as usize))
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
        Ok(self.tables.put(&name, &key, record))
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

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = RowRef<'a>> + 'a> {
        self.tables.rows(object)
    }

    fn get<'a>(&'a self, object: &str, id: &str) -> Option<RowRef<'a>> {
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
    fn rows_keep_keys_order_nulls_and_nested_values() {
        assert_eq!(std::mem::size_of::<Val>(), 24);
        let stamp = "2024-01-02T03:04:05.000+0000";
        let original = record(json!({
            "Id": "003D000000IqhSLIAZ", "LastName": "Ng", "Title": null, "IsDeleted": false,
            "Email": "a.rather.long.address@example.com", "Amount": 12.5, "Count": 3,
            "CreatedDate": stamp, "SystemModstamp": stamp, "OwnerId": "005D000000IqhSLIAZ",
            "WhoId": "a-very-long-lookup-value-over-22", "Empty": "", "Tags": [1, "x", null],
            "MailingAddress": {"city": "Zürich", "country": null, "street": "Main St 1"},
        }));
        let mut ds = MemoryDataset::with_standard_objects();
        ds.insert("Contact", original.clone()).unwrap();
        let row = ds.get("Contact", "003D000000IqhSL").unwrap();
        assert_eq!(row.to_record(), original);
        let keys: Vec<&String> = original.keys().collect();
        let stored = row.to_record();
        assert_eq!(stored.keys().collect::<Vec<_>>(), keys);
        assert_eq!(row.str("Email"), Some("a.rather.long.address@example.com"));
        assert_eq!(row.get("Title"), Some(&Val::Null));
        assert_eq!(row.get("Missing"), None);
        assert_eq!(row.get("Amount").and_then(Val::as_f64), Some(12.5));
        assert_eq!(row.get("Count").and_then(Val::as_i64), Some(3));
        assert_eq!(row.get("IsDeleted").and_then(Val::as_bool), Some(false));
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
        assert_eq!(
            ds.get("Account", "001D000000IqhSL").unwrap().str("Name"),
            Some("B")
        );
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
