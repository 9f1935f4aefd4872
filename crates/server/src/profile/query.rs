//! The one composite request of an uncached profile view (replacing the earlier
//! `write::sidebar_request` sketch).
//!
//! Layout (`allOrNone: false`, in order, at most five queries — Salesforce's cap on query
//! subrequests in one composite):
//!
//! 1. `contact` or `account`: the subject record, always (`Id`, `AccountId` at least), with the
//!    info fields of the role's level, the account's as parent fields (`Account.Name`, …) on
//!    contact subjects, the admin's highlight field, and — only when notes are allowed — two
//!    child subqueries: classic notes (`Notes`, not private) and Lightning notes
//!    (`ContentDocumentLinks` whose document is an `SNOTE`). Putting both note kinds on the
//!    subject query is what keeps every view within five queries while each list keeps its
//!    own exact `LIMIT`: tasks and calls stay two Task queries (no shared cap to split in Rust).
//! 2. `opportunities` (open only): contact subjects through an `OpportunityContactRole`
//!    semi-join, account subjects by `AccountId`.
//! 3. `tasks` (`TaskSubtype != 'Call'`) and 4. `calls` (`TaskSubtype = 'Call'`).
//! 5. `meetings` (Event).
//!
//! Sections reference the subject with `@{contact.records[0].Id}` (or `account`), written
//! unencoded in the URL because composite resolves references in the raw text; a section whose
//! level is `None` is not in the request at all. A requester's account on a contact page of a
//! role that sees accounts only is found by a semi-join on Contact (`Id IN (SELECT AccountId
//! FROM Contact WHERE Email = …)`), so that case needs no extra query either.
//!
//! Every value from Desk enters the SOQL only through [`soql::string_literal`]; ids from sync
//! links are checked first. Field and object names come from the lists below; the admin's
//! highlight field passes [`soql::name`] and is checked against the Account describe before it
//! gets here. Each list asks for [`SECTION_CAP`] + 1 rows, so `more` is exact.

use sfdesk_shared::permissions::Access;

use crate::salesforce::Error;
use crate::salesforce::soql::{self, string_literal};
use crate::salesforce::wire::{CompositeRequest, CompositeSubrequest};
use crate::salesforce::write::check_id;

use super::plan::{Plan, Subject};

/// Most records shown per section.
pub const SECTION_CAP: usize = 50;

/// How the subject record is found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lookup {
    /// A Contact linked by the sync engine.
    ContactId(String),
    /// A Contact by email (case-insensitive in Salesforce).
    ContactEmail(String),
    /// An Account linked by the sync engine.
    AccountId(String),
    /// An Account by exact name.
    AccountName(String),
}

impl Lookup {
    /// What the agent may be told was looked up (the email or the name; not our link ids).
    #[must_use]
    pub fn looked_up(&self) -> Option<&str> {
        match self {
            Self::ContactEmail(value) | Self::AccountName(value) => Some(value),
            Self::ContactId(_) | Self::AccountId(_) => None,
        }
    }
}

/// One query subrequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Its `referenceId`.
    pub reference: &'static str,
    /// The SOQL (references unresolved).
    pub soql: String,
}

/// Reference ids of the subject query, by subject.
#[must_use]
pub fn subject_reference(subject: Subject) -> &'static str {
    match subject {
        Subject::Contact => "contact",
        Subject::AccountOfContact | Subject::Account => "account",
    }
}

const CONTACT_LIMITED: &[&str] = &["Name", "Title", "Department", "Email"];
const CONTACT_FULL: &[&str] = &[
    "Phone",
    "MobilePhone",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "Owner.Name",
];
const ACCOUNT_LIMITED: &[&str] = &["Name", "Type", "Industry", "Website"];
const ACCOUNT_FULL: &[&str] = &[
    "Phone",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "AnnualRevenue",
    "NumberOfEmployees",
    "Owner.Name",
];

/// The info fields of `level`: the limited set, plus the full-only ones.
fn info_fields(
    level: Access,
    limited: &[&'static str],
    full: &[&'static str],
) -> Vec<&'static str> {
    match level {
        Access::None => Vec::new(),
        Access::Limited => limited.to_vec(),
        Access::Full => limited.iter().chain(full).copied().collect(),
    }
}

/// The subject query's `SELECT` list.
fn subject_fields(plan: &Plan, highlight: Option<&str>) -> Vec<String> {
    let mut fields: Vec<String> = vec!["Id".to_owned()];
    let account_prefix = match plan.subject {
        Subject::Contact => {
            fields.push("AccountId".to_owned());
            fields.extend(
                info_fields(plan.contact_info, CONTACT_LIMITED, CONTACT_FULL)
                    .into_iter()
                    .map(str::to_owned),
            );
            "Account."
        }
        Subject::AccountOfContact | Subject::Account => "",
    };
    if plan.account_info.allows() {
        let mut account: Vec<&str> = info_fields(plan.account_info, ACCOUNT_LIMITED, ACCOUNT_FULL);
        if let Some(field) = highlight
            && !account.iter().any(|f| f.eq_ignore_ascii_case(field))
        {
            account.push(field);
        }
        fields.extend(account.into_iter().map(|f| format!("{account_prefix}{f}")));
    }
    if plan.notes.allows() {
        let body = if plan.notes.is_full() { "Body, " } else { "" };
        fields.push(format!(
            "(SELECT Id, Title, {body}CreatedDate, Owner.Name FROM Notes WHERE IsPrivate = false \
             ORDER BY CreatedDate DESC LIMIT {})",
            SECTION_CAP + 1
        ));
        fields.push(format!(
            "(SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.CreatedDate, \
             ContentDocument.Owner.Name FROM ContentDocumentLinks WHERE \
             ContentDocument.FileType = 'SNOTE' ORDER BY SystemModstamp DESC LIMIT {})",
            SECTION_CAP + 1
        ));
    }
    fields
}

/// The subject query's `WHERE` condition.
fn subject_filter(subject: Subject, lookup: &Lookup) -> Result<String, Error> {
    let contact = |lookup: &Lookup| -> Result<Option<String>, Error> {
        Ok(match lookup {
            Lookup::ContactId(id) => Some(format!("Id = {}", string_literal(check_id(id)?))),
            Lookup::ContactEmail(email) => Some(format!("Email = {}", string_literal(email))),
            Lookup::AccountId(_) | Lookup::AccountName(_) => None,
        })
    };
    let mismatch = || {
        Error::InvalidRequest(format!(
            "a {} profile cannot be looked up by {lookup:?}",
            subject.object()
        ))
    };
    match subject {
        Subject::Contact => contact(lookup)?.ok_or_else(mismatch),
        Subject::AccountOfContact => contact(lookup)?
            .map(|inner| format!("Id IN (SELECT AccountId FROM Contact WHERE {inner})"))
            .ok_or_else(mismatch),
        Subject::Account => match lookup {
            Lookup::AccountId(id) => Ok(format!("Id = {}", string_literal(check_id(id)?))),
            Lookup::AccountName(name) => Ok(format!("Name = {}", string_literal(name))),
            Lookup::ContactId(_) | Lookup::ContactEmail(_) => Err(mismatch()),
        },
    }
}

/// The queries of one view, subject first.
///
/// # Errors
/// [`Error::InvalidRequest`] when the lookup does not fit the subject, a linked id is not a
/// record id, or the highlight field is not an API name.
pub fn queries(plan: &Plan, lookup: &Lookup, highlight: Option<&str>) -> Result<Vec<Query>, Error> {
    let highlight = highlight.map(soql::name).transpose()?;
    let subject = plan.subject;
    let reference = subject_reference(subject);
    let mut out = vec![Query {
        reference,
        soql: format!(
            "SELECT {} FROM {} WHERE {} ORDER BY LastModifiedDate DESC LIMIT 1",
            subject_fields(plan, highlight).join(", "),
            subject.object(),
            subject_filter(subject, lookup)?
        ),
    }];
    let id = format!("'@{{{reference}.records[0].Id}}'");
    let on_contact = subject == Subject::Contact;
    let limit = SECTION_CAP + 1;
    let owner = |level: Access| if level.is_full() { ", Owner.Name" } else { "" };
    if plan.opportunities.allows() {
        let amount = if plan.opportunities.is_full() {
            ", Amount"
        } else {
            ""
        };
        let related = if on_contact {
            format!(
                "Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = {id})"
            )
        } else {
            format!("AccountId = {id}")
        };
        out.push(Query {
            reference: "opportunities",
            soql: format!(
                "SELECT Id, Name, StageName, CloseDate{amount}{} FROM Opportunity WHERE \
                 IsClosed = false AND {related} ORDER BY CloseDate ASC LIMIT {limit}",
                owner(plan.opportunities)
            ),
        });
    }
    let activity_link = if on_contact { "WhoId" } else { "AccountId" };
    for (reference, level, op) in [("tasks", plan.tasks, "!="), ("calls", plan.calls, "=")] {
        if level.allows() {
            out.push(Query {
                reference,
                soql: format!(
                    "SELECT Id, Subject, ActivityDate, Status{} FROM Task WHERE \
                     {activity_link} = {id} AND TaskSubtype {op} 'Call' ORDER BY ActivityDate \
                     DESC NULLS LAST LIMIT {limit}",
                    owner(level)
                ),
            });
        }
    }
    if plan.meetings.allows() {
        out.push(Query {
            reference: "meetings",
            soql: format!(
                "SELECT Id, Subject, StartDateTime, EndDateTime{} FROM Event WHERE \
                 {activity_link} = {id} ORDER BY StartDateTime DESC LIMIT {limit}",
                owner(plan.meetings)
            ),
        });
    }
    Ok(out)
}

/// The composite request of one view.
///
/// # Errors
/// As [`queries`].
pub fn composite(
    plan: &Plan,
    lookup: &Lookup,
    highlight: Option<&str>,
    api_version: &str,
) -> Result<CompositeRequest, Error> {
    let subject_ref = format!("@{{{}.records[0].Id}}", subject_reference(plan.subject));
    let composite_request = queries(plan, lookup, highlight)?
        .into_iter()
        .enumerate()
        .map(|(i, query)| CompositeSubrequest {
            method: "GET".to_owned(),
            // The subject query carries Desk's values: it is encoded whole, so an `@{` in an
            // email stays text. Section queries hold only our text and the reference.
            url: query_url(api_version, &query.soql, (i > 0).then_some(&*subject_ref)),
            reference_id: query.reference.to_owned(),
            body: None,
        })
        .collect();
    Ok(CompositeRequest {
        all_or_none: false,
        collate_subrequests: false,
        composite_request,
    })
}

/// `/services/data/vNN.0/query?q=…`, URL-encoded except `reference`.
fn query_url(api_version: &str, soql: &str, reference: Option<&str>) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let q = match reference {
        Some(reference) => soql
            .split(reference)
            .map(encode)
            .collect::<Vec<_>>()
            .join(reference),
        None => encode(soql),
    };
    format!("/services/data/v{api_version}/query?q={q}")
}

#[cfg(test)]
mod tests {
    use sfdesk_shared::permissions::{ActivityKinds, RolePermissions};
    use sfdesk_sim::salesforce::soql::parse;

    use super::super::plan::{Page, plan};
    use super::*;

    fn planned(page: Page, edit: impl FnOnce(&mut RolePermissions)) -> Plan {
        let mut p = RolePermissions::default();
        edit(&mut p);
        plan(&p, page).expect("visible")
    }

    fn email() -> Lookup {
        Lookup::ContactEmail("ada@example.com".into())
    }

    fn soql_of(queries: &[Query], reference: &str) -> Option<String> {
        queries
            .iter()
            .find(|q| q.reference == reference)
            .map(|q| q.soql.clone())
    }

    #[test]
    fn full_contact_view_is_five_queries_that_parse() {
        let p = planned(Page::Contact, |_| {});
        let qs = queries(&p, &email(), Some("Subscription_Type__c")).expect("built");
        let refs: Vec<&str> = qs.iter().map(|q| q.reference).collect();
        assert_eq!(
            refs,
            ["contact", "opportunities", "tasks", "calls", "meetings"]
        );
        for q in &qs {
            parse(&q.soql).unwrap_or_else(|e| panic!("{}: {e:?}", q.soql));
        }
        let contact = &qs[0].soql;
        for field in [
            "Id, AccountId, Name, Title, Department, Email, Phone, MobilePhone",
            "MailingCountry, Owner.Name, Account.Name",
            "Account.AnnualRevenue, Account.NumberOfEmployees, Account.Owner.Name, Account.Subscription_Type__c",
            "FROM Notes WHERE IsPrivate = false",
            "Body",
            "FROM ContentDocumentLinks WHERE ContentDocument.FileType = 'SNOTE'",
            "WHERE Email = 'ada@example.com' ORDER BY LastModifiedDate DESC LIMIT 1",
        ] {
            assert!(contact.contains(field), "{field} in {contact}");
        }
        let opps = soql_of(&qs, "opportunities").expect("opps");
        assert!(opps.contains(
            "IsClosed = false AND Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = '@{contact.records[0].Id}')"
        ));
        assert!(opps.contains("Amount, Owner.Name") && opps.ends_with("LIMIT 51"));
        assert!(
            soql_of(&qs, "tasks")
                .expect("tasks")
                .contains("WhoId = '@{contact.records[0].Id}' AND TaskSubtype != 'Call'")
        );
        assert!(
            soql_of(&qs, "calls")
                .expect("calls")
                .contains("TaskSubtype = 'Call'")
        );
    }

    #[test]
    fn limited_levels_fetch_less() {
        let p = planned(Page::Contact, |p| {
            p.info = Access::Limited;
            p.opportunities = Access::Limited;
            p.notes = Access::Limited;
            p.activities = Access::Limited;
        });
        let qs = queries(&p, &email(), None).expect("built");
        let contact = &qs[0].soql;
        assert!(contact.starts_with(
            "SELECT Id, AccountId, Name, Title, Department, Email, Account.Name, Account.Type, \
             Account.Industry, Account.Website, (SELECT Id, Title, CreatedDate, Owner.Name FROM Notes"
        ));
        assert!(!contact.contains("Phone") && !contact.contains("Body"));
        let opps = soql_of(&qs, "opportunities").expect("opps");
        assert!(opps.starts_with("SELECT Id, Name, StageName, CloseDate FROM Opportunity"));
        for section in ["tasks", "calls"] {
            let q = soql_of(&qs, section).expect(section);
            assert!(
                q.starts_with("SELECT Id, Subject, ActivityDate, Status FROM Task"),
                "{q}"
            );
        }
        let meetings = soql_of(&qs, "meetings").expect("meetings");
        assert!(meetings.starts_with("SELECT Id, Subject, StartDateTime, EndDateTime FROM Event"));
    }

    #[test]
    fn sections_outside_the_role_are_not_queried() {
        let p = planned(Page::Contact, |p| {
            p.opportunities = Access::None;
            p.notes = Access::None;
            p.info = Access::None;
            p.activity_kinds = ActivityKinds {
                tasks: false,
                calls: true,
                meetings: false,
            };
        });
        let qs = queries(&p, &email(), Some("Subscription_Type__c")).expect("built");
        let refs: Vec<&str> = qs.iter().map(|q| q.reference).collect();
        assert_eq!(refs, ["contact", "calls"]);
        let all: String = qs.iter().map(|q| q.soql.as_str()).collect();
        for absent in [
            "Opportunity",
            "Note",
            "ContentDocument",
            "Event",
            "Title",
            "Account.",
            "Subscription",
        ] {
            assert!(!all.contains(absent), "{absent} in {all}");
        }
        assert_eq!(
            qs[0].soql,
            "SELECT Id, AccountId FROM Contact WHERE Email = 'ada@example.com' ORDER BY \
             LastModifiedDate DESC LIMIT 1"
        );
    }

    #[test]
    fn account_subjects() {
        let p = planned(Page::Account, |_| {});
        let qs = queries(&p, &Lookup::AccountName("O'Neil & Co".into()), None).expect("built");
        assert!(
            qs[0]
                .soql
                .contains("FROM Account WHERE Name = 'O\\'Neil & Co'")
        );
        assert!(qs[0].soql.contains("BillingCountry, AnnualRevenue"));
        assert!(!qs[0].soql.contains("AccountId"));
        let opps = soql_of(&qs, "opportunities").expect("opps");
        assert!(opps.contains("IsClosed = false AND AccountId = '@{account.records[0].Id}'"));
        let meetings = soql_of(&qs, "meetings").expect("meetings");
        assert!(meetings.contains("AccountId = '@{account.records[0].Id}'"));

        // A contact page of a role that sees accounts only: a semi-join finds the account.
        let p = planned(Page::Contact, |p| p.contacts = false);
        let qs = queries(&p, &email(), None).expect("built");
        assert!(qs[0].soql.contains(
            "FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'ada@example.com')"
        ));
        assert_eq!(qs.len(), 5);
        for q in &qs {
            parse(&q.soql).unwrap_or_else(|e| panic!("{}: {e:?}", q.soql));
        }
        // Linked ids are checked before they are used.
        let p = planned(Page::Contact, |_| {});
        assert!(queries(&p, &Lookup::ContactId("003' OR Id != '".into()), None).is_err());
        assert!(queries(&p, &Lookup::AccountName("Acme".into()), None).is_err());
        assert!(queries(&p, &email(), Some("Name FROM User --")).is_err());
    }

    #[test]
    fn hostile_emails_stay_inside_one_literal() {
        let p = planned(Page::Contact, |_| {});
        for value in [
            "o'brien+test@x.com",
            "a%b_c@x.com",
            "back\\slash@x.com",
            "x@{contact.records[0].Id}",
            "' OR Email != '",
        ] {
            let request =
                composite(&p, &Lookup::ContactEmail(value.into()), None, "66.0").expect("built");
            let url = &request.composite_request[0].url;
            assert!(!url.contains("@{"), "{url}");
            let q = url.split_once("?q=").expect("query").1;
            let soql: String = url::form_urlencoded::parse(format!("q={q}").as_bytes())
                .next()
                .expect("q")
                .1
                .into_owned();
            let parsed = parse(&soql).unwrap_or_else(|e| panic!("{soql}: {e:?}"));
            assert!(parsed.filter.is_some());
            assert!(soql.contains(&string_literal(value)), "{soql}");
        }
        // Section URLs keep the reference raw for composite to resolve.
        let request = composite(&p, &email(), None, "66.0").expect("built");
        assert_eq!(request.composite_request.len(), 5);
        assert!(!request.all_or_none);
        for sub in &request.composite_request[1..] {
            assert!(
                sub.url.contains("%27@{contact.records[0].Id}%27"),
                "{}",
                sub.url
            );
            assert!(
                sub.url
                    .starts_with("/services/data/v66.0/query?q=SELECT+Id")
            );
        }
    }
}
