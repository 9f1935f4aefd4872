//! The cost model on larger tables, observed through a dataset that counts what the engine
//! reads: one scan per (sub)query, early exit for `LIMIT` without `ORDER BY`, and top-k
//! selection that agrees with a full sort.

use std::cell::{Cell, RefCell};

use serde_json::json;

use super::fixture::{contact, now};
use crate::salesforce::ids;
use crate::salesforce::schema::ObjectSchema;
use crate::salesforce::soql::{Dataset, MemoryDataset, QueryOptions, QueryResult, RowRef, execute};

const CONTACTS: u64 = 20_000;

/// Wraps a dataset and records each scan and how many rows the engine pulled.
struct Counting {
    inner: MemoryDataset,
    scans: RefCell<Vec<String>>,
    pulled: Cell<usize>,
    gets: Cell<usize>,
}

impl Counting {
    fn reset(&self) {
        self.scans.borrow_mut().clear();
        self.pulled.set(0);
        self.gets.set(0);
    }
}

impl Dataset for Counting {
    fn schema(&self, object: &str) -> Option<&ObjectSchema> {
        self.inner.schema(object)
    }

    fn rows<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = RowRef<'a>> + 'a> {
        self.scans.borrow_mut().push(object.to_owned());
        Box::new(
            self.inner
                .rows(object)
                .inspect(|_| self.pulled.set(self.pulled.get() + 1)),
        )
    }

    fn get<'a>(&'a self, object: &str, id: &str) -> Option<RowRef<'a>> {
        self.gets.set(self.gets.get() + 1);
        self.inner.get(object, id)
    }
}

/// `CONTACTS` contacts (last names repeat every 7, every 10th title empty), one task each, and
/// one account.
fn big() -> Counting {
    let mut inner = MemoryDataset::with_standard_objects();
    let account = ids::generate("001", 1).unwrap();
    let insert = |ds: &mut MemoryDataset, object: &str, value: serde_json::Value| {
        let serde_json::Value::Object(map) = value else {
            unreachable!()
        };
        ds.insert(object, map).unwrap();
    };
    insert(&mut inner, "Account", json!({"Id": account, "Name": "Big"}));
    for i in 1..=CONTACTS {
        let title = (i % 10 != 0).then(|| format!("T{}", i % 3));
        insert(
            &mut inner,
            "Contact",
            json!({"Id": contact(i), "LastName": format!("L{}", i % 7), "Title": title, "AccountId": account}),
        );
        insert(
            &mut inner,
            "Task",
            json!({"Id": ids::generate("00T", i).unwrap(), "Subject": format!("S{i}"), "WhoId": contact(i)}),
        );
    }
    Counting {
        inner,
        scans: RefCell::new(Vec::new()),
        pulled: Cell::new(0),
        gets: Cell::new(0),
    }
}

fn run(ds: &Counting, query: &str) -> QueryResult {
    ds.reset();
    execute(ds, query, &QueryOptions::new(now())).unwrap_or_else(|e| panic!("{query}: {e}"))
}

#[test]
fn limit_without_order_stops_the_scan() {
    let ds = big();
    let result = run(&ds, "SELECT Id FROM Contact LIMIT 10");
    assert_eq!(result.total_size, 10);
    assert_eq!(*ds.scans.borrow(), ["Contact"]);
    assert_eq!(ds.pulled.get(), 10);

    // L3 is every 7th row: the 5th match is row 31.
    let result = run(&ds, "SELECT Id FROM Contact WHERE LastName = 'L3' LIMIT 5");
    assert_eq!(result.total_size, 5);
    assert_eq!(ds.pulled.get(), 31);

    let result = run(
        &ds,
        "SELECT COUNT() FROM Contact WHERE LastName = 'L3' LIMIT 5",
    );
    assert_eq!(result.total_size, 5);
    assert_eq!(ds.pulled.get(), 31);
}

#[test]
fn child_subqueries_and_semi_joins_scan_each_table_once() {
    let ds = big();
    let result = run(&ds, "SELECT Id, (SELECT Subject FROM Tasks) FROM Contact");
    assert_eq!(result.total_size, usize::try_from(CONTACTS).unwrap());
    assert_eq!(*ds.scans.borrow(), ["Contact", "Task"]);
    let last = result.records.last().unwrap();
    assert_eq!(
        last["Tasks"]["records"][0]["Subject"],
        format!("S{CONTACTS}")
    );

    let result = run(
        &ds,
        "SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Task WHERE Subject = 'S5')",
    );
    assert_eq!(result.records[0]["Id"], contact(5));
    assert_eq!(*ds.scans.borrow(), ["Task", "Contact"]);

    // One lookup per returned row for a parent path, none for rows filtered out.
    let result = run(
        &ds,
        "SELECT Account.Name FROM Contact WHERE LastName = 'L1'",
    );
    assert_eq!(ds.gets.get(), result.total_size);
}

#[test]
fn top_k_agrees_with_the_full_sort() {
    let ds = big();
    let order = "ORDER BY LastName DESC, Title NULLS LAST";
    let full = run(&ds, &format!("SELECT Id FROM Contact {order}"));
    assert_eq!(full.total_size, usize::try_from(CONTACTS).unwrap());
    let page = run(
        &ds,
        &format!("SELECT Id FROM Contact {order} LIMIT 25 OFFSET 40"),
    );
    assert_eq!(page.records, full.records[40..65]);
    // First come the L6 rows titled T0, in creation order (ties keep scan order).
    let expected: Vec<String> = (1..=CONTACTS)
        .filter(|i| i % 7 == 6 && i % 10 != 0 && i % 3 == 0)
        .take(100)
        .map(contact)
        .collect();
    let first: Vec<&str> = full.records[..100]
        .iter()
        .map(|r| r["Id"].as_str().unwrap())
        .collect();
    assert_eq!(first, expected);
    let last = full.records.last().unwrap();
    // Last: L0 with an empty title (NULLS LAST), the latest such row.
    let last_expected = (1..=CONTACTS)
        .rev()
        .find(|i| i % 7 == 0 && i % 10 == 0)
        .map(contact)
        .unwrap();
    assert_eq!(last["Id"], last_expected);
}
