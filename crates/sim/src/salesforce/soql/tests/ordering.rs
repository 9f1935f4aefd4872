//! `ORDER BY` (directions, null placement, types, parent paths), `LIMIT` and `OFFSET`.

use super::names;

#[test]
fn nulls_first_by_default_in_both_directions() {
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Title"),
        ["Bob O'Brien", "Ada Lovelace", "eve lower", "Carol Nolookup"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Title DESC"),
        ["Bob O'Brien", "Carol Nolookup", "Ada Lovelace", "eve lower"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Title DESC NULLS LAST"),
        ["Carol Nolookup", "Ada Lovelace", "eve lower", "Bob O'Brien"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Title ASC NULLS LAST, Name DESC"),
        ["eve lower", "Ada Lovelace", "Carol Nolookup", "Bob O'Brien"]
    );
}

#[test]
fn order_by_parent_path() {
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Account.Name DESC NULLS LAST, Name"),
        ["Bob O'Brien", "Ada Lovelace", "eve lower", "Carol Nolookup"]
    );
}

#[test]
fn order_by_each_type() {
    // Text ignores case.
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Name"),
        ["Ada Lovelace", "Bob O'Brien", "Carol Nolookup", "eve lower"]
    );
    assert_eq!(
        names("SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS LAST"),
        ["Acme Big Deal", "Acme Renewal", "Globex Pilot"]
    );
    assert_eq!(
        names("SELECT Name FROM Opportunity ORDER BY Amount"),
        ["Globex Pilot", "Acme Renewal", "Acme Big Deal"]
    );
    assert_eq!(
        names("SELECT Name FROM Opportunity ORDER BY CloseDate"),
        ["Acme Renewal", "Globex Pilot", "Acme Big Deal"]
    );
    assert_eq!(
        names("SELECT Name FROM Opportunity ORDER BY IsClosed, Name"),
        ["Acme Big Deal", "Globex Pilot", "Acme Renewal"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY CreatedDate DESC LIMIT 2"),
        ["Ada Lovelace", "Bob O'Brien"]
    );
}

#[test]
fn limit_and_offset() {
    let result = super::run("SELECT Name FROM Contact ORDER BY Name LIMIT 2 OFFSET 1");
    assert_eq!(result.total_size, 2);
    assert_eq!(
        super::column(&result, "Name"),
        ["Bob O'Brien", "Carol Nolookup"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact ORDER BY Name OFFSET 3"),
        ["eve lower"]
    );
    assert!(names("SELECT Name FROM Contact ORDER BY Name OFFSET 10").is_empty());
    assert!(names("SELECT Name FROM Contact ORDER BY Name LIMIT 0").is_empty());
    assert!(names("SELECT Name FROM Contact OFFSET 2000").is_empty());
    // Without ORDER BY: scan order.
    assert_eq!(
        names("SELECT Name FROM Contact LIMIT 2"),
        ["Ada Lovelace", "Bob O'Brien"]
    );
    assert_eq!(
        names("SELECT Name FROM Contact LIMIT 2 OFFSET 2"),
        ["Carol Nolookup", "eve lower"]
    );
}
