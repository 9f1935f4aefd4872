//! The simulated org's data (`Db`), the shared server context (`Ctx`) and the test-facing
//! [`DeskState`] handle.
//!
//! One `std::sync::Mutex` guards the whole `Db`: every API call locks it briefly, never across an
//! `.await` (webhook handshakes and deliveries copy what they need first). Writes produce
//! `Change`s; the caller turns them into webhook events while still holding the lock (so events
//! carry the record exactly as written) and hands them to the dispatcher after releasing it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};
use serde_json::{Map, Value};
use url::Url;

use super::error::DeskError;
use super::model::{
    Agent, Department, FieldDef, Module, Profile, Record, RenderCtx, Role, Ticket, Trashed,
    full_record,
};
use super::oauth::OAuthDb;
use super::validate::{Changes, Mode, validate};
use super::webhooks::{Dispatcher, Webhook};
use super::{DeskSimOptions, Edition};
use crate::common::{Counters, Faults, SimClock, lock};

/// The simulated org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    /// Numeric org id (the `orgId` header).
    pub id: String,
    /// Company name.
    pub company_name: String,
    /// Portal name (used in `webUrl`s).
    pub portal_name: String,
    /// Edition.
    pub edition: Edition,
}

/// Credits spent on one simulated day.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CreditDay {
    pub(crate) day: NaiveDate,
    pub(crate) used: u64,
}

/// What kind of change a write made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Add,
    Update,
    Delete,
}

/// One record change, the raw material of a webhook event.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub(crate) kind: ChangeKind,
    pub(crate) record: Record,
    /// Old values of the changed keys (`cf` changes nested under `"cf"`).
    pub(crate) prev: Map<String, Value>,
    /// The old full record (for the full-prevState switch).
    pub(crate) prev_record: Option<Record>,
}

/// All data of the simulated org.
#[derive(Debug)]
pub(crate) struct Db {
    pub(crate) org: Org,
    next_id: u64,
    pub(crate) records: BTreeMap<Module, BTreeMap<String, Record>>,
    pub(crate) custom_fields: BTreeMap<Module, Vec<FieldDef>>,
    /// Contact id → id of its PRIMARY account mapping.
    pub(crate) mappings: HashMap<String, String>,
    pub(crate) agents: Vec<Agent>,
    pub(crate) roles: Vec<Role>,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) departments: Vec<Department>,
    pub(crate) tickets: BTreeMap<String, Ticket>,
    pub(crate) webhooks: BTreeMap<String, Webhook>,
    pub(crate) oauth: OAuthDb,
    pub(crate) credits: CreditDay,
    pub(crate) layout_ids: BTreeMap<Module, String>,
}

/// Prefix of every generated id: ids are this plus six digits, so they sort like numbers.
const ID_PREFIX: &str = "1892000000";

/// Writes `changes` into `values` (`null` removes the key) and returns the previous value
/// (`null` when absent) of every key it actually changed.
fn write_changes(
    values: &mut Map<String, Value>,
    changes: Map<String, Value>,
) -> Map<String, Value> {
    let mut prev = Map::new();
    for (k, v) in changes {
        let before = values.get(&k).cloned().unwrap_or(Value::Null);
        if before != v {
            prev.insert(k.clone(), before);
            if v.is_null() {
                values.remove(&k);
            } else {
                values.insert(k, v);
            }
        }
    }
    prev
}

impl Db {
    pub(crate) fn new(org: Org, today: NaiveDate) -> Self {
        let mut db = Self {
            org,
            next_id: 100_000,
            records: Module::ALL.iter().map(|m| (*m, BTreeMap::new())).collect(),
            custom_fields: Module::ALL.iter().map(|m| (*m, Vec::new())).collect(),
            mappings: HashMap::new(),
            agents: Vec::new(),
            roles: Vec::new(),
            profiles: Vec::new(),
            departments: Vec::new(),
            tickets: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            oauth: OAuthDb::default(),
            credits: CreditDay {
                day: today,
                used: 0,
            },
            layout_ids: BTreeMap::new(),
        };
        for module in Module::ALL {
            let id = db.new_id();
            db.layout_ids.insert(module, id);
        }
        db
    }

    /// A fresh 16-digit id.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{ID_PREFIX}{:06}", self.next_id)
    }

    pub(crate) fn table(&self, module: Module) -> &BTreeMap<String, Record> {
        // Every module has a table from `new`.
        self.records
            .get(&module)
            .unwrap_or_else(|| unreachable!("no table for {module}"))
    }

    fn table_mut(&mut self, module: Module) -> &mut BTreeMap<String, Record> {
        self.records.entry(module).or_default()
    }

    /// A live (not trashed) record.
    pub(crate) fn live(&self, module: Module, id: &str) -> Option<&Record> {
        self.table(module).get(id).filter(|r| !r.is_trashed())
    }

    pub(crate) fn live_records(&self, module: Module) -> impl Iterator<Item = &Record> {
        self.table(module).values().filter(|r| !r.is_trashed())
    }

    pub(crate) fn custom(&self, module: Module) -> &[FieldDef] {
        self.custom_fields.get(&module).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub(crate) fn admin_id(&self) -> String {
        self.agents
            .iter()
            .find(|a| a.role_permission_type == "Admin")
            .or(self.agents.first())
            .map(|a| a.id.clone())
            .unwrap_or_default()
    }

    fn remap(&mut self, record: &Record) {
        if record.module != Module::Contacts {
            return;
        }
        if record.str("accountId").is_some() {
            let id = self.new_id();
            self.mappings.insert(record.id.clone(), id);
        } else {
            self.mappings.remove(&record.id);
        }
    }

    /// Inserts a validated record.
    pub(crate) fn create(
        &mut self,
        module: Module,
        changes: Changes,
        now: DateTime<Utc>,
        owner: &str,
    ) -> Change {
        let id = self.new_id();
        let mut fields = Map::new();
        if !owner.is_empty() {
            fields.insert("ownerId".to_owned(), Value::String(owner.to_owned()));
        }
        for (k, v) in changes.fields {
            if !v.is_null() {
                fields.insert(k, v);
            }
        }
        let cf = changes
            .cf
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect();
        let record = Record {
            id: id.clone(),
            module,
            fields,
            cf,
            created_time: now,
            modified_time: now,
            trashed: None,
        };
        self.remap(&record);
        self.table_mut(module).insert(id, record.clone());
        Change {
            kind: ChangeKind::Add,
            record,
            prev: Map::new(),
            prev_record: None,
        }
    }

    /// Applies validated changes to a live record; `None` if it does not exist. A change that
    /// alters nothing leaves `modifiedTime` alone and yields no event.
    pub(crate) fn update(
        &mut self,
        module: Module,
        id: &str,
        changes: Changes,
        now: DateTime<Utc>,
    ) -> Option<(Record, Option<Change>)> {
        let old = self.live(module, id)?.clone();
        let mut record = old.clone();
        let mut prev = write_changes(&mut record.fields, changes.fields);
        let prev_cf = write_changes(&mut record.cf, changes.cf);
        if !prev_cf.is_empty() {
            prev.insert("cf".to_owned(), Value::Object(prev_cf));
        }
        if prev.is_empty() {
            return Some((record, None));
        }
        record.modified_time = now;
        if prev.contains_key("accountId") {
            self.remap(&record);
        }
        self.table_mut(module).insert(id.to_owned(), record.clone());
        let change = Change {
            kind: ChangeKind::Update,
            record: record.clone(),
            prev,
            prev_record: Some(old),
        };
        Some((record, Some(change)))
    }

    /// Moves live records to the recycle bin.
    pub(crate) fn trash(
        &mut self,
        module: Module,
        ids: &[String],
        now: DateTime<Utc>,
        by: &str,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for id in ids {
            if let Some(record) = self
                .table_mut(module)
                .get_mut(id)
                .filter(|r| !r.is_trashed())
            {
                record.trashed = Some(Trashed {
                    deleted_time: now,
                    deleted_by: by.to_owned(),
                });
                changes.push(Change {
                    kind: ChangeKind::Delete,
                    record: record.clone(),
                    prev: Map::new(),
                    prev_record: None,
                });
            }
        }
        changes
    }

    /// The trashed record with this id, in any module.
    pub(crate) fn trashed(&self, id: &str) -> Option<&Record> {
        Module::ALL
            .iter()
            .find_map(|m| self.table(*m).get(id))
            .filter(|r| r.is_trashed())
    }

    /// Restores a trashed record; `false` if `id` is not in the recycle bin.
    pub(crate) fn restore(&mut self, id: &str) -> bool {
        let Some(module) = self.trashed(id).map(|r| r.module) else {
            return false;
        };
        if let Some(r) = self.table_mut(module).get_mut(id) {
            r.trashed = None;
        }
        true
    }

    /// Deletes a trashed record for good.
    pub(crate) fn purge(&mut self, id: &str) -> bool {
        let Some(module) = self.trashed(id).map(|r| r.module) else {
            return false;
        };
        self.table_mut(module).remove(id);
        self.mappings.remove(id);
        true
    }
}

/// The shared context of every handler, middleware and background task of one simulator.
pub(crate) struct Ctx {
    pub(crate) db: Mutex<Db>,
    pub(crate) clock: SimClock,
    pub(crate) options: DeskSimOptions,
    pub(crate) counters: Counters,
    pub(crate) faults: Faults,
    /// API calls in flight (for the concurrency cap).
    pub(crate) inflight: AtomicUsize,
    /// `http://127.0.0.1:<port>/`.
    pub(crate) base_url: Url,
    /// `<base>/support/<portal>/ShowHomePage.do` (prefix of every `webUrl`).
    pub(crate) web_base: String,
    pub(crate) hooks: Dispatcher,
}

impl Ctx {
    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        lock(&self.db)
    }

    /// Fires the webhooks of `changes`: routes them while `db` is still locked, then unlocks it
    /// before queueing the events for delivery.
    pub(crate) fn notify(
        &self,
        db: MutexGuard<'_, Db>,
        changes: &[Change],
        source_id: Option<&str>,
    ) {
        let events = self.hooks.route(self, &db, changes, source_id);
        drop(db);
        self.hooks.send(events);
    }

    pub(crate) fn render<'a>(&'a self, db: &'a Db, module: Module) -> RenderCtx<'a> {
        RenderCtx {
            web_base: &self.web_base,
            custom_fields: db.custom(module),
            layout_id: db.layout_ids.get(&module).map_or("", String::as_str),
        }
    }

    /// The full JSON of a record.
    pub(crate) fn full_json(&self, db: &Db, record: &Record) -> Value {
        Value::Object(full_record(record, &self.render(db, record.module)))
    }
}

/// Direct access to the simulated org's data, for test set-up and assertions.
///
/// Plain set-up writes ([`insert`](Self::insert), [`update`](Self::update)) fire no webhook;
/// the `ui_*` methods simulate an agent editing in the Desk web UI and fire webhooks like a real
/// edit (with no `sourceId`, so no subscription ignores them).
#[derive(Clone)]
pub struct DeskState {
    pub(crate) ctx: Arc<Ctx>,
}

impl DeskState {
    /// Live (not trashed) contacts, in id order.
    pub fn contacts(&self) -> Vec<Record> {
        self.records(Module::Contacts)
    }

    /// Live accounts, in id order.
    pub fn accounts(&self) -> Vec<Record> {
        self.records(Module::Accounts)
    }

    /// Live records of `module`, in id order.
    pub fn records(&self, module: Module) -> Vec<Record> {
        self.ctx.db().live_records(module).cloned().collect()
    }

    /// Records of `module` in the recycle bin.
    pub fn trashed(&self, module: Module) -> Vec<Record> {
        self.ctx
            .db()
            .table(module)
            .values()
            .filter(|r| r.is_trashed())
            .cloned()
            .collect()
    }

    /// A record by id, trashed or not.
    pub fn record(&self, module: Module, id: &str) -> Option<Record> {
        self.ctx.db().table(module).get(id).cloned()
    }

    /// A contact by id (trashed or not).
    pub fn contact(&self, id: &str) -> Option<Record> {
        self.record(Module::Contacts, id)
    }

    /// An account by id (trashed or not).
    pub fn account(&self, id: &str) -> Option<Record> {
        self.record(Module::Accounts, id)
    }

    /// The full API JSON of a record, as `GET /{module}/{id}` would show it.
    pub fn record_json(&self, module: Module, id: &str) -> Option<Value> {
        let db = self.ctx.db();
        let record = db.table(module).get(id)?;
        Some(self.ctx.full_json(&db, record))
    }

    /// Creates a record from an API-shaped body (validated like `POST`), without webhooks.
    ///
    /// # Errors
    /// The body fails the API's validation.
    pub fn insert(&self, module: Module, body: Value) -> Result<Record, DeskError> {
        self.write_create(module, body, false)
    }

    /// Creates a contact (see [`insert`](Self::insert)).
    ///
    /// # Errors
    /// The body fails the API's validation.
    pub fn insert_contact(&self, body: Value) -> Result<Record, DeskError> {
        self.insert(Module::Contacts, body)
    }

    /// Creates an account (see [`insert`](Self::insert)).
    ///
    /// # Errors
    /// The body fails the API's validation.
    pub fn insert_account(&self, body: Value) -> Result<Record, DeskError> {
        self.insert(Module::Accounts, body)
    }

    /// Patches a record from an API-shaped body (validated like `PATCH`), without webhooks.
    ///
    /// # Errors
    /// Unknown id (`URL_NOT_FOUND`) or invalid body.
    pub fn update(&self, module: Module, id: &str, body: Value) -> Result<Record, DeskError> {
        self.write_update(module, id, body, false)
    }

    /// Overrides a record's timestamps (e.g. to place it in a search time range).
    pub fn set_times(
        &self,
        module: Module,
        id: &str,
        created: Option<DateTime<Utc>>,
        modified: Option<DateTime<Utc>>,
    ) -> bool {
        let mut db = self.ctx.db();
        let Some(record) = db.table_mut(module).get_mut(id) else {
            return false;
        };
        // Desk shows milliseconds; keep stored times at that precision so ranges match.
        let ms = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t);
        if let Some(t) = created {
            record.created_time = ms(t);
        }
        if let Some(t) = modified {
            record.modified_time = ms(t);
        }
        true
    }

    /// An agent creates a record in the Desk UI: fires `*_Add` webhooks.
    ///
    /// # Errors
    /// The body fails validation.
    pub fn ui_create(&self, module: Module, body: Value) -> Result<Record, DeskError> {
        self.write_create(module, body, true)
    }

    /// An agent edits a record in the Desk UI: fires `*_Update` webhooks.
    ///
    /// # Errors
    /// Unknown id or invalid body.
    pub fn ui_update(&self, module: Module, id: &str, body: Value) -> Result<Record, DeskError> {
        self.write_update(module, id, body, true)
    }

    /// An agent deletes a record in the Desk UI (to the recycle bin): fires `*_Delete` webhooks.
    ///
    /// # Errors
    /// `URL_NOT_FOUND` if the id is not a live record.
    pub fn ui_trash(&self, module: Module, id: &str) -> Result<(), DeskError> {
        let now = self.ctx.clock.now();
        let mut db = self.ctx.db();
        if db.live(module, id).is_none() {
            return Err(DeskError::NotFound);
        }
        let by = db.admin_id();
        let changes = db.trash(module, &[id.to_owned()], now, &by);
        self.ctx.notify(db, &changes, None);
        Ok(())
    }

    fn write_create(&self, module: Module, body: Value, notify: bool) -> Result<Record, DeskError> {
        let now = self.ctx.clock.now();
        let mut db = self.ctx.db();
        let body = as_object(body)?;
        let changes = validate(&db, module, &body, Mode::Create)?;
        let owner = db.admin_id();
        let change = db.create(module, changes, now, &owner);
        let record = change.record.clone();
        if notify {
            self.ctx.notify(db, &[change], None);
        }
        Ok(record)
    }

    fn write_update(
        &self,
        module: Module,
        id: &str,
        body: Value,
        notify: bool,
    ) -> Result<Record, DeskError> {
        let now = self.ctx.clock.now();
        let mut db = self.ctx.db();
        let body = as_object(body)?;
        if db.live(module, id).is_none() {
            return Err(DeskError::NotFound);
        }
        let changes = validate(&db, module, &body, Mode::Update)?;
        let (record, change) = db
            .update(module, id, changes, now)
            .ok_or(DeskError::NotFound)?;
        if let (true, Some(change)) = (notify, change) {
            self.ctx.notify(db, &[change], None);
        }
        Ok(record)
    }

    /// Adds a custom field to `module` (its values then appear in every record's `cf`).
    pub fn add_custom_field(&self, module: Module, field: FieldDef) {
        self.ctx
            .db()
            .custom_fields
            .entry(module)
            .or_default()
            .push(field);
    }

    /// The custom fields of `module`.
    pub fn custom_fields(&self, module: Module) -> Vec<FieldDef> {
        self.ctx.db().custom(module).to_vec()
    }

    /// The org.
    pub fn org(&self) -> Org {
        self.ctx.db().org.clone()
    }

    /// All agents.
    pub fn agents(&self) -> Vec<Agent> {
        self.ctx.db().agents.clone()
    }

    /// The agent signing in with `email` (case-insensitive).
    pub fn agent_by_email(&self, email: &str) -> Option<Agent> {
        self.ctx
            .db()
            .agents
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))
            .cloned()
    }

    /// All roles.
    pub fn roles(&self) -> Vec<Role> {
        self.ctx.db().roles.clone()
    }

    /// All profiles.
    pub fn profiles(&self) -> Vec<Profile> {
        self.ctx.db().profiles.clone()
    }

    /// All departments.
    pub fn departments(&self) -> Vec<Department> {
        self.ctx.db().departments.clone()
    }

    /// All tickets.
    pub fn tickets(&self) -> Vec<Ticket> {
        self.ctx.db().tickets.values().cloned().collect()
    }

    /// Adds a ticket; its `id` is replaced by a fresh one, which is returned.
    pub fn add_ticket(&self, mut ticket: Ticket) -> String {
        let mut db = self.ctx.db();
        ticket.id = db.new_id();
        let id = ticket.id.clone();
        db.tickets.insert(id.clone(), ticket);
        id
    }

    /// The webhook subscriptions, as `GET /webhooks/{id}` shows them.
    pub fn webhooks(&self) -> Vec<Value> {
        self.ctx
            .db()
            .webhooks
            .values()
            .map(Webhook::to_json)
            .collect()
    }

    /// Credits spent today (simulated day).
    pub fn credits_used(&self) -> u64 {
        super::api::credits_used(&self.ctx)
    }

    /// Sets the credits spent today (e.g. to test exhaustion without thousands of calls).
    pub fn set_credits_used(&self, used: u64) {
        super::api::set_credits_used(&self.ctx, used);
    }

    /// The daily credit budget of the org.
    pub fn daily_credits(&self) -> u64 {
        let db = self.ctx.db();
        super::api::daily_limit(&self.ctx, &db)
    }
}

pub(crate) fn as_object(body: Value) -> Result<Map<String, Value>, DeskError> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(DeskError::BadRequest),
    }
}
