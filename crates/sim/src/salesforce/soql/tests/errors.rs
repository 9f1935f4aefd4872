//! Errors: exact codes, messages and caret columns.

use super::fixture::{contact, dataset, options};
use super::{caret_column, fail};
use crate::salesforce::soql::{SoqlErrorCode, execute};

const FIELD_HINT: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the \
                          custom field name. Please reference your WSDL or the describe call for the \
                          appropriate names.";

#[test]
fn unknown_object_matches_the_documented_message() {
    let error = fail("select count() from XYZZY");
    assert_eq!(error.code, SoqlErrorCode::InvalidType);
    assert_eq!(error.error_code(), "INVALID_TYPE");
    assert_eq!(
        error.message,
        "\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\nsObject type 'XYZZY' is not \
         supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity \
         name. Please reference your WSDL or the describe call for the appropriate names."
    );
    // The object is checked before the fields.
    assert_eq!(
        fail("SELECT Foo FROM Xyzzy").code,
        SoqlErrorCode::InvalidType
    );
}

#[test]
fn unknown_columns_and_relationships() {
    let error = fail("SELECT Id, Foo FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::InvalidField);
    assert_eq!(caret_column(&error), 12);
    assert!(error.message.ends_with(&format!(
        "\nNo such column 'Foo' on entity 'Contact'. {FIELD_HINT}"
    )));

    let error = fail("SELECT Id, Account.Foo FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::InvalidField);
    assert_eq!(caret_column(&error), 12);
    assert!(
        error
            .message
            .contains("\nNo such column 'Foo' on entity 'Account'. ")
    );

    let error = fail("SELECT Id, Acount.Name FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::InvalidField);
    assert!(
        error
            .message
            .contains("\nDidn't understand relationship 'Acount' in field path. ")
    );

    let error = fail("SELECT Id FROM Contact WHERE Foo = 1");
    assert_eq!(
        (error.code, caret_column(&error)),
        (SoqlErrorCode::InvalidField, 30)
    );

    let error = fail("SELECT Id FROM Contact ORDER BY Foo");
    assert_eq!(
        (error.code, caret_column(&error)),
        (SoqlErrorCode::InvalidField, 33)
    );

    // Opportunity.ContactId has no relationship name, so no path goes through it.
    assert_eq!(
        fail("SELECT Contact.Name FROM Opportunity").code,
        SoqlErrorCode::InvalidField
    );
}

#[test]
fn unknown_child_relationship() {
    let error = fail("SELECT Id, (SELECT Id FROM Taskz) FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::InvalidType);
    assert_eq!(caret_column(&error), 28);
    assert!(
        error
            .message
            .contains("\nDidn't understand relationship 'Taskz' in FROM part of query call. ")
    );
    let error = fail("SELECT Id, (SELECT Foo FROM Tasks) FROM Contact");
    assert!(
        error
            .message
            .contains("No such column 'Foo' on entity 'Task'")
    );
}

#[test]
fn literal_types_are_checked() {
    let error = fail("SELECT Id FROM Opportunity WHERE CloseDate = '2024-01-01'");
    assert_eq!(error.code, SoqlErrorCode::InvalidQueryFilterOperator);
    assert_eq!(caret_column(&error), 46);
    assert!(error.message.ends_with(
        "\nvalue of filter criterion for field 'CloseDate' must be of type date and should not be enclosed in quotes"
    ));
    let error = fail("SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01T00:00:00Z'");
    assert!(
        error
            .message
            .ends_with("must be of type dateTime and should not be enclosed in quotes")
    );
    let error = fail("SELECT Id FROM Contact WHERE Name = 5");
    assert!(
        error
            .message
            .ends_with("field 'Name' must be of type string and should be enclosed in quotes")
    );
    let error = fail("SELECT Id FROM Contact WHERE AccountId = 'nope'");
    assert_eq!(error.code, SoqlErrorCode::InvalidQueryFilterOperator);
    assert!(error.message.ends_with("\ninvalid ID field: nope"));
    let error = fail("SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-01T00:00:00Z");
    assert!(
        error
            .message
            .ends_with("field 'CloseDate' must be of type date")
    );
    assert_eq!(
        fail("SELECT Id FROM Opportunity WHERE Amount LIKE '5%'").code,
        SoqlErrorCode::InvalidQueryFilterOperator
    );
    assert_eq!(
        fail("SELECT Id FROM Opportunity WHERE IsWon > false").code,
        SoqlErrorCode::InvalidQueryFilterOperator
    );
    assert_eq!(
        fail("SELECT Id FROM Opportunity WHERE IsWon = 'true'").code,
        SoqlErrorCode::InvalidQueryFilterOperator
    );
    assert_eq!(
        fail("SELECT Id FROM Contact WHERE MailingAddress = null").code,
        SoqlErrorCode::InvalidField
    );
    // A well-formed id that matches nothing is not an error.
    let none = execute(
        &dataset(),
        "SELECT Id FROM Contact WHERE Id = '0031i000013x2TEAAY'",
        &options(),
    )
    .unwrap();
    assert_eq!(none.total_size, 0);
}

#[test]
fn string_escape_errors_point_at_the_literal() {
    let error = fail(r"SELECT Id FROM Contact WHERE Name = 'O\'Brien\q'");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    assert_eq!(caret_column(&error), 37);
    assert!(error.message.ends_with(
        r"Invalid string literal 'O\'Brien\q'. Illegal character sequence '\q' in string literal."
    ));
    // `\%` is only legal inside LIKE.
    assert_eq!(
        fail(r"SELECT Id FROM Contact WHERE Name = '100\%'").code,
        SoqlErrorCode::MalformedQuery
    );
}

#[test]
fn offset_limit() {
    let error = fail("SELECT Id FROM Contact OFFSET 2001");
    assert_eq!(error.code, SoqlErrorCode::NumberOutsideValidRange);
    assert_eq!(caret_column(&error), 31);
    assert!(
        error
            .message
            .ends_with("\nMaximum SOQL offset allowed for apiVersion 66.0 is 2000")
    );
    let old = execute(
        &dataset(),
        "SELECT Id FROM Contact OFFSET 5000",
        &options().api_version("45.0"),
    )
    .unwrap_err();
    assert!(old.message.ends_with("apiVersion 45.0 is 2000"));
}

#[test]
fn select_list_rules() {
    let error = fail("SELECT Id, FIELDS(STANDARD) FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::InvalidField);
    assert_eq!(error.message, "duplicate field selected: Id");
    assert_eq!(
        fail("SELECT Name, name FROM Contact").message,
        "duplicate field selected: Name"
    );
    let error = fail("SELECT FIELDS(ALL) FROM Contact");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    assert!(
        error
            .message
            .ends_with("The SOQL FIELDS function must have a LIMIT of at most 200")
    );
    assert_eq!(caret_column(&error), 8);
    assert_eq!(
        fail("SELECT FIELDS(ALL) FROM Contact LIMIT 201").code,
        SoqlErrorCode::MalformedQuery
    );
    let error = fail("SELECT COUNT(), Id FROM Contact");
    assert!(
        error
            .message
            .ends_with("COUNT() must be the only element in the SELECT list")
    );
    let error = fail("SELECT Name, COUNT(Id) FROM Contact");
    assert!(
        error
            .message
            .ends_with("Field must be grouped or aggregated: Name")
    );
}

#[test]
fn semi_join_rules() {
    let error = fail(
        "SELECT Id FROM Opportunity WHERE Name = 'x' OR Id IN (SELECT OpportunityId FROM OpportunityContactRole)",
    );
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    assert!(
        error
            .message
            .ends_with("Semi join sub-selects are not allowed with the 'OR' operator")
    );
    let error = fail("SELECT Id FROM Contact WHERE Id IN (SELECT Name FROM Contact)");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    let error = fail("SELECT Id FROM Contact WHERE Name IN (SELECT Id FROM Contact)");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    let error = fail("SELECT Id FROM Contact WHERE Id IN (SELECT Id FROM Xyzzy)");
    assert_eq!(error.code, SoqlErrorCode::InvalidType);
}

#[test]
fn syntax_errors() {
    let error = fail("SELECT Id FROM Contact WHERE Name = 'a' AND Email = null OR Title = null");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    assert_eq!(caret_column(&error), 58);
    assert!(error.message.ends_with("\nunexpected token: OR"));
    assert!(
        fail("SELECT Id FROM Contact WHERE Name = 'O'Brien'")
            .message
            .ends_with("unexpected token: 'Brien'")
    );
    let error = fail("SELECT Id\nFROM Contact\nWHERE Name = \"x\"");
    assert!(
        error
            .message
            .starts_with("\nWHERE Name = \"x\"\n             ^\nERROR at Row:3:Column:14\n"),
        "{}",
        error.message
    );
}

#[test]
fn content_document_link_needs_an_id_filter() {
    let error = fail("SELECT Id FROM ContentDocumentLink");
    assert_eq!(error.code, SoqlErrorCode::MalformedQuery);
    assert!(
        error
            .message
            .starts_with("Implementation restriction: ContentDocumentLink requires a filter")
    );
    assert!(
        fail(&format!(
            "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{}' OR ShareType = 'V'",
            contact(1)
        ))
        .message
        .starts_with("Implementation restriction")
    );
    let ok = execute(
        &dataset(),
        &format!(
            "SELECT Id FROM ContentDocumentLink l WHERE l.LinkedEntityId IN ('{}') AND ShareType = 'V'",
            contact(1)
        ),
        &options(),
    );
    assert_eq!(ok.unwrap().total_size, 1);
}
