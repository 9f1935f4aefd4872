//! `WHERE` semantics: comparisons, `LIKE`, `IN`, semi-joins, logic, date literals, escapes and
//! the recycle bin.

use super::fixture::{contact, opportunity};
use super::{column, names, run, run_all};

#[test]
fn sidebar_semi_join_hides_deleted_roles() {
    let query = format!(
        "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon FROM Opportunity \
         WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = '{}') ORDER BY Name",
        contact(1)
    );
    let result = run(&query);
    assert_eq!(column(&result, "Name"), ["Acme Big Deal", "Globex Pilot"]);
    assert_eq!(result.records[1]["Amount"], serde_json::Value::Null);
    assert_eq!(result.records[0]["Amount"], 50000.0);
    // The role on "Acme Renewal" is in the recycle bin: only queryAll sees it.
    assert_eq!(
        column(&run_all(&query), "Name"),
        ["Acme Big Deal", "Acme Renewal", "Globex Pilot"]
    );
    let anti = format!(
        "SELECT Name FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole \
         WHERE ContactId = '{}')",
        contact(1)
    );
    assert_eq!(names(&anti), ["Acme Renewal"]);
    let direct = format!(
        "SELECT Name FROM Opportunity WHERE ContactId = '{}'",
        &contact(1)[..15]
    );
    assert_eq!(names(&direct), ["Acme Big Deal"]);
}

#[test]
fn like_wildcards_escapes_and_case() {
    let accounts = |pattern: &str| {
        names(&format!(
            "SELECT Name FROM Account WHERE Name LIKE '{pattern}' ORDER BY Name"
        ))
    };
    assert_eq!(accounts(r"Globex 100\% Fun\_d"), ["Globex 100% Fun_d"]);
    assert_eq!(accounts(r"%100\%%"), ["Globex 100% Fun_d"]);
    assert!(accounts(r"%100\%").is_empty());
    assert_eq!(accounts("acme%"), ["Acme Corp"]);
    assert_eq!(accounts("Acme_Corp"), ["Acme Corp"]);
    assert!(accounts(r"Acme\_Corp").is_empty());
    assert_eq!(accounts("%"), ["Acme Corp", "Globex 100% Fun_d"]);
    // Null never matches, not even `%`.
    assert_eq!(
        names("SELECT Name FROM Contact WHERE Title LIKE '%'").len(),
        3
    );
    assert_eq!(
        names("SELECT Name FROM Contact WHERE NOT Name LIKE 'a%' ORDER BY Name"),
        ["Bob O'Brien", "Carol Nolookup", "eve lower"]
    );
}

#[test]
fn in_and_not_in() {
    let contacts = |clause: &str| {
        names(&format!(
            "SELECT Name FROM Contact WHERE {clause} ORDER BY Name"
        ))
    };
    assert_eq!(contacts("Title IN ('cto')"), ["Ada Lovelace", "eve lower"]);
    // SOQL is two-valued: a null title is NOT IN any list.
    assert_eq!(
        contacts("Title NOT IN ('CTO')"),
        ["Bob O'Brien", "Carol Nolookup"]
    );
    assert_eq!(
        contacts("Title IN ('CTO', null)"),
        ["Ada Lovelace", "Bob O'Brien", "eve lower"]
    );
    let c1_15 = &contact(1)[..15];
    let c3_upper = contact(3).to_ascii_uppercase();
    assert_eq!(
        contacts(&format!("Id IN ('{c1_15}', '{c3_upper}')")),
        ["Ada Lovelace", "Carol Nolookup"]
    );
    assert_eq!(
        contacts(&format!("Id NOT IN ('{c1_15}')")),
        ["Bob O'Brien", "Carol Nolookup", "eve lower"]
    );
    assert_eq!(contacts("AccountId IN (null)"), ["Carol Nolookup"]);
    assert_eq!(contacts("AccountId = null"), ["Carol Nolookup"]);
    assert_eq!(contacts("AccountId != null").len(), 3);
}

#[test]
fn comparisons_by_type() {
    let opportunities = |clause: &str| {
        names(&format!(
            "SELECT Name FROM Opportunity WHERE {clause} ORDER BY Name"
        ))
    };
    assert_eq!(opportunities("Amount > 25000"), ["Acme Big Deal"]);
    assert_eq!(
        opportunities("Amount != 50000"),
        ["Acme Renewal", "Globex Pilot"]
    );
    assert_eq!(
        opportunities("Amount <> 50000.0"),
        ["Acme Renewal", "Globex Pilot"]
    );
    assert_eq!(opportunities("Amount = null"), ["Globex Pilot"]);
    assert_eq!(
        opportunities("Amount >= 20000 AND Amount <= 50000"),
        ["Acme Big Deal", "Acme Renewal"]
    );
    assert_eq!(opportunities("Amount < -1"), Vec::<String>::new());
    assert_eq!(
        opportunities("IsClosed = false"),
        ["Acme Big Deal", "Globex Pilot"]
    );
    assert_eq!(
        opportunities("IsWon != TRUE"),
        ["Acme Big Deal", "Globex Pilot"]
    );
    assert_eq!(
        opportunities("Name > 'acme c'"),
        ["Acme Renewal", "Globex Pilot"]
    );
    assert_eq!(opportunities("StageName = 'closed won'"), ["Acme Renewal"]);
    assert_eq!(
        opportunities(&format!("Id = '{}'", opportunity(3))),
        ["Globex Pilot"]
    );
}

#[test]
fn and_or_grouping_follows_the_parentheses() {
    let contacts = |clause: &str| {
        names(&format!(
            "SELECT Name FROM Contact WHERE {clause} ORDER BY Name"
        ))
    };
    assert!(
        contacts("Account.Name = 'Acme Corp' AND (Title = 'VP Sales' OR Email = null)").is_empty()
    );
    assert_eq!(
        contacts("(Account.Name = 'Acme Corp' AND Title = 'VP Sales') OR Email = null"),
        ["Bob O'Brien"]
    );
    assert_eq!(
        contacts("(Title = 'CTO' OR Email = null) AND Account.Name = 'Acme Corp'"),
        ["Ada Lovelace", "eve lower"]
    );
    assert_eq!(
        contacts("Title = 'CTO' OR (Email = null AND AccountId != null)"),
        ["Ada Lovelace", "Bob O'Brien", "eve lower"]
    );
    assert_eq!(
        contacts("NOT (Title = 'CTO' OR Title = null)"),
        ["Carol Nolookup"]
    );
    assert_eq!(
        contacts("Title = 'CTO' AND FirstName = 'eve' AND LastName = 'LOWER'"),
        ["eve lower"]
    );
}

#[test]
fn date_and_datetime_literals() {
    let contacts = |clause: &str| {
        names(&format!(
            "SELECT Name FROM Contact WHERE {clause} ORDER BY Name"
        ))
    };
    assert_eq!(contacts("CreatedDate = TODAY"), ["Ada Lovelace"]);
    assert!(contacts("CreatedDate = YESTERDAY").is_empty());
    assert_eq!(
        column(
            &run_all("SELECT Name FROM Contact WHERE CreatedDate = YESTERDAY"),
            "Name"
        ),
        ["Dan Deleted"]
    );
    assert_eq!(
        contacts("CreatedDate = LAST_N_DAYS:5"),
        ["Ada Lovelace", "Bob O'Brien"]
    );
    assert_eq!(contacts("CreatedDate = LAST_N_DAYS:4"), ["Ada Lovelace"]);
    assert_eq!(contacts("CreatedDate < LAST_N_DAYS:30"), ["Carol Nolookup"]);
    assert_eq!(
        contacts("CreatedDate = THIS_MONTH"),
        ["Ada Lovelace", "Bob O'Brien"]
    );
    assert_eq!(contacts("CreatedDate = last_month"), ["eve lower"]);
    assert_eq!(
        contacts("CreatedDate > 2024-05-10T09:30:00Z"),
        ["Ada Lovelace"]
    );
    assert_eq!(
        contacts("CreatedDate >= 2024-05-10T09:30:00.000+0000"),
        ["Ada Lovelace", "Bob O'Brien"]
    );
    assert_eq!(
        contacts("CreatedDate > 2024-05-10T10:00:00+01:00"),
        ["Ada Lovelace", "Bob O'Brien"]
    );

    let opportunities = |clause: &str| {
        names(&format!(
            "SELECT Name FROM Opportunity WHERE {clause} ORDER BY Name"
        ))
    };
    assert_eq!(opportunities("CloseDate = TOMORROW"), ["Globex Pilot"]);
    assert_eq!(
        opportunities("CloseDate > TODAY"),
        ["Acme Big Deal", "Globex Pilot"]
    );
    assert_eq!(
        opportunities("CloseDate = THIS_MONTH"),
        ["Acme Renewal", "Globex Pilot"]
    );
    assert_eq!(opportunities("CloseDate = 2024-05-16"), ["Globex Pilot"]);
    assert_eq!(opportunities("CloseDate < 2024-05-16"), ["Acme Renewal"]);
    assert_eq!(opportunities("CloseDate = NEXT_N_DAYS:1"), ["Globex Pilot"]);
    assert_eq!(opportunities("CloseDate = THIS_QUARTER").len(), 3);
    assert!(opportunities("CloseDate = NEXT_QUARTER").is_empty());
    assert_eq!(
        opportunities("CloseDate IN (2024-05-01, 2024-06-30)"),
        ["Acme Big Deal", "Acme Renewal"]
    );

    let events = |clause: &str| {
        column(
            &run(&format!("SELECT Subject FROM Event WHERE {clause}")),
            "Subject",
        )
    };
    assert_eq!(events("StartDateTime = NEXT_N_DAYS:1"), ["Meeting"]);
    assert_eq!(events("StartDateTime = LAST_N_DAYS:1"), ["Lunch"]);
}

#[test]
fn string_escapes_in_literals() {
    assert_eq!(
        names(r"SELECT Name FROM Contact WHERE Name = 'Bob O\'Brien'"),
        ["Bob O'Brien"]
    );
    assert_eq!(
        names(r"SELECT Name FROM Contact WHERE LastName = 'o\'brien'"),
        ["Bob O'Brien"]
    );
    assert_eq!(
        names(r"SELECT Name FROM Contact WHERE Name = 'Bob O\u0027Brien'"),
        ["Bob O'Brien"]
    );
    assert!(names(r"SELECT Name FROM Contact WHERE Name = 'Bob O\\Brien'").is_empty());
}

#[test]
fn query_all_and_the_recycle_bin() {
    assert!(
        run("SELECT Id FROM Contact WHERE IsDeleted = true")
            .records
            .is_empty()
    );
    assert_eq!(
        column(
            &run_all("SELECT Name FROM Contact WHERE IsDeleted = true"),
            "Name"
        ),
        ["Dan Deleted"]
    );
    assert_eq!(run_all("SELECT Id FROM Contact").total_size, 5);
    assert_eq!(run("SELECT Id FROM Contact").total_size, 4);
    // Change tracking (section 8): modstamp polling and deletes.
    let polled = run(
        "SELECT Name FROM Contact WHERE SystemModstamp >= 2024-05-14T00:00:00Z ORDER BY SystemModstamp, Id",
    );
    assert_eq!(column(&polled, "Name"), ["Bob O'Brien", "Ada Lovelace"]);
    let deleted = run_all(
        "SELECT Name FROM Contact WHERE IsDeleted = true AND SystemModstamp >= 2024-05-14T00:00:00Z",
    );
    assert_eq!(column(&deleted, "Name"), ["Dan Deleted"]);
}
