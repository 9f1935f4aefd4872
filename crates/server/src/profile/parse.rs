//! Reading the composite answer of [`super::query`] into a [`Profile`], field sets per level
//! exactly as in the table of [`sfdesk_shared::profile`].
//!
//! The subject subresponse decides: an error is an error, no record is "not found" (the
//! sections then fail with "invalid reference", which is expected and ignored). With a record,
//! every section the plan asked for must have answered 200; its rows are cut to
//! `SECTION_CAP` and `more` tells whether the extra row came back.
//! Parsing goes by the plan's levels, not by what happens to be in the JSON, so a limited
//! section can never show a full-only field.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sfdesk_shared::permissions::Access;
use sfdesk_shared::profile::{
    AccountInfo, Activity, ContactInfo, Highlight, Note, NoteKind, Opportunity, Profile, Section,
};

use crate::salesforce::Error;
use crate::salesforce::wire::{ApiErrorBody, CompositeResponse, CompositeSubresponse};

use super::links::{RecordLinks, excerpt};
use super::plan::{Plan, Subject};
use super::query::{SECTION_CAP, subject_reference};

/// The admin's highlighted Account field, as the describe names and labels it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HighlightField {
    /// API name, canonical casing.
    pub name: String,
    /// Label.
    pub label: String,
}

/// What parsing needs besides the answer.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The plan the request was built from.
    pub plan: &'a Plan,
    /// Record links of the org.
    pub links: &'a RecordLinks,
    /// The highlight, when set and on the Account.
    pub highlight: Option<&'a HighlightField>,
    /// Now (meetings that ended are `Completed`).
    pub now: DateTime<Utc>,
    /// `fetched_at` of the profile.
    pub fetched_at: &'a str,
    /// Whether the role may log the ticket (ticket pages only).
    pub can_log_ticket: bool,
}

/// A found profile and every Salesforce id it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The profile.
    pub profile: Profile,
    /// Ids of every record shown (the subject, its account, each listed record).
    pub ids: Vec<String>,
}

/// The profile in `response`, `None` when the subject query matched nothing.
///
/// # Errors
/// A subresponse's Salesforce error, or a body that is not a query result.
pub fn profile(ctx: &Context<'_>, response: &CompositeResponse) -> Result<Option<Found>, Error> {
    let plan = ctx.plan;
    let subject = query_records(sub(response, subject_reference(plan.subject))?)?;
    let Some(record) = subject.records.first() else {
        return Ok(None);
    };
    let mut ids = Vec::new();
    let subject_id = text(record, "Id").ok_or_else(|| decode("subject record without Id"))?;
    ids.push(subject_id.clone());
    let links = ctx.links;

    let (contact, account) = match plan.subject {
        Subject::Contact => {
            let contact = plan
                .contact_info
                .allows()
                .then(|| contact_info(record, &subject_id, plan.contact_info, links));
            let account_id = text(record, "AccountId");
            if let Some(id) = &account_id {
                ids.push(id.clone());
            }
            let account = match (
                plan.account_info.allows(),
                account_id,
                record.get("Account"),
            ) {
                (true, Some(id), Some(parent)) if parent.is_object() => Some(account_info(
                    parent,
                    &id,
                    plan.account_info,
                    ctx.highlight,
                    links,
                )),
                _ => None,
            };
            (contact, account)
        }
        Subject::AccountOfContact | Subject::Account => (
            None,
            plan.account_info.allows().then(|| {
                account_info(record, &subject_id, plan.account_info, ctx.highlight, links)
            }),
        ),
    };

    let opportunities = if plan.opportunities.allows() {
        let rows = query_records(sub(response, "opportunities")?)?;
        Some(section(rows, &mut ids, |r, id| {
            opportunity(r, id, plan.opportunities, links)
        }))
    } else {
        None
    };
    let notes = plan
        .notes
        .allows()
        .then(|| notes(record, plan.notes, links, &mut ids));
    let mut activities = |reference: &str, level: Access, meeting: bool| {
        if !level.allows() {
            return Ok(None);
        }
        let rows = query_records(sub(response, reference)?)?;
        Ok::<_, Error>(Some(section(rows, &mut ids, |r, id| {
            activity(r, id, level, meeting, ctx.now, links)
        })))
    };
    let tasks = activities("tasks", plan.tasks, false)?;
    let calls = activities("calls", plan.calls, false)?;
    let meetings = activities("meetings", plan.meetings, true)?;

    Ok(Some(Found {
        profile: Profile {
            fetched_at: ctx.fetched_at.to_owned(),
            levels: plan.levels,
            contact,
            account,
            opportunities,
            notes,
            tasks,
            calls,
            meetings,
            can_log_ticket: ctx.can_log_ticket,
        },
        ids,
    }))
}

fn decode(message: &str) -> Error {
    Error::Decode {
        what: "profile composite",
        message: message.to_owned(),
    }
}

/// The subresponse named `reference`.
fn sub<'a>(
    response: &'a CompositeResponse,
    reference: &str,
) -> Result<&'a CompositeSubresponse, Error> {
    response
        .composite_response
        .iter()
        .find(|s| s.reference_id == reference)
        .ok_or_else(|| decode(&format!("no subresponse {reference:?}")))
}

/// A query result's rows (`totalSize` kept for `more`).
struct Rows<'a> {
    total_size: u64,
    records: &'a [Value],
}

fn query_records(sub: &CompositeSubresponse) -> Result<Rows<'_>, Error> {
    if sub.http_status_code != 200 {
        return Err(sub_error(sub));
    }
    rows(&sub.body).ok_or_else(|| decode(&format!("{} is not a query result", sub.reference_id)))
}

/// The rows of a query result or child-subquery value (`null` = no rows).
fn rows(value: &Value) -> Option<Rows<'_>> {
    if value.is_null() {
        return Some(Rows {
            total_size: 0,
            records: &[],
        });
    }
    let records = value.get("records")?.as_array()?;
    Some(Rows {
        total_size: value
            .get("totalSize")
            .and_then(Value::as_u64)
            .unwrap_or(records.len() as u64),
        records,
    })
}

/// The Salesforce error of a failed subresponse.
fn sub_error(sub: &CompositeSubresponse) -> Error {
    let item = serde_json::from_value::<ApiErrorBody>(sub.body.clone())
        .ok()
        .and_then(|b| b.into_items().into_iter().next());
    match item {
        Some(item) => Error::from_item(sub.http_status_code, item),
        None => Error::Status {
            status: sub.http_status_code,
        },
    }
}

/// The first [`SECTION_CAP`] rows that have an id, each mapped.
fn section<T>(
    rows: Rows<'_>,
    ids: &mut Vec<String>,
    map: impl Fn(&Value, String) -> T,
) -> Section<T> {
    let more = rows.records.len() > SECTION_CAP || rows.total_size > SECTION_CAP as u64;
    let items: Vec<T> = rows
        .records
        .iter()
        .take(SECTION_CAP)
        .filter_map(|r| {
            let id = text(r, "Id")?;
            ids.push(id.clone());
            Some(map(r, id))
        })
        .collect();
    Section {
        total: u32::try_from(items.len()).unwrap_or(u32::MAX),
        more,
        items,
    }
}

/// A value at a dotted path (`Owner.Name`).
fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(record, |value, part| value.get(part))
        .filter(|v| !v.is_null())
}

/// A non-empty string at `path`.
fn text(record: &Value, path: &str) -> Option<String> {
    at(record, path)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

/// Any scalar at `path` as text (highlight values may be numbers or booleans).
fn scalar_text(record: &Value, path: &str) -> Option<String> {
    match at(record, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `full`-only values.
fn full<T>(level: Access, value: impl FnOnce() -> Option<T>) -> Option<T> {
    if level.is_full() { value() } else { None }
}

/// An address on one line: `street, city, state postcode, country`.
fn address(record: &Value, prefix: &str) -> Option<String> {
    let part = |name: &str| text(record, &format!("{prefix}{name}"));
    let street = part("Street").map(|s| s.lines().map(str::trim).collect::<Vec<_>>().join(", "));
    let region = [part("State"), part("PostalCode")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [street, part("City"), Some(region), part("Country")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn contact_info(record: &Value, id: &str, level: Access, links: &RecordLinks) -> ContactInfo {
    ContactInfo {
        id: id.to_owned(),
        name: text(record, "Name").unwrap_or_default(),
        title: text(record, "Title"),
        department: text(record, "Department"),
        email: text(record, "Email"),
        phone: full(level, || text(record, "Phone")),
        mobile_phone: full(level, || text(record, "MobilePhone")),
        mailing_address: full(level, || address(record, "Mailing")),
        owner: full(level, || text(record, "Owner.Name")),
        url: links.record("Contact", id),
    }
}

fn account_info(
    record: &Value,
    id: &str,
    level: Access,
    highlight: Option<&HighlightField>,
    links: &RecordLinks,
) -> AccountInfo {
    AccountInfo {
        id: id.to_owned(),
        name: text(record, "Name").unwrap_or_default(),
        account_type: text(record, "Type"),
        industry: text(record, "Industry"),
        website: text(record, "Website"),
        phone: full(level, || text(record, "Phone")),
        billing_address: full(level, || address(record, "Billing")),
        annual_revenue: full(level, || {
            at(record, "AnnualRevenue").and_then(Value::as_f64)
        }),
        employees: full(level, || {
            at(record, "NumberOfEmployees").and_then(Value::as_i64)
        }),
        owner: full(level, || text(record, "Owner.Name")),
        highlight: highlight.and_then(|h| {
            scalar_text(record, &h.name).map(|value| Highlight {
                label: h.label.clone(),
                value,
            })
        }),
        url: links.record("Account", id),
    }
}

fn opportunity(record: &Value, id: String, level: Access, links: &RecordLinks) -> Opportunity {
    Opportunity {
        url: links.record("Opportunity", &id),
        name: text(record, "Name").unwrap_or_default(),
        stage: text(record, "StageName"),
        amount: full(level, || at(record, "Amount").and_then(Value::as_f64)),
        close_date: text(record, "CloseDate"),
        owner: full(level, || text(record, "Owner.Name")),
        id,
    }
}

/// A Salesforce datetime (`2026-11-26T10:15:30.000+0000`).
fn datetime(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(value))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn activity(
    record: &Value,
    id: String,
    level: Access,
    meeting: bool,
    now: DateTime<Utc>,
    links: &RecordLinks,
) -> Activity {
    let (object, date, status) = if meeting {
        let start = text(record, "StartDateTime");
        let end = text(record, "EndDateTime").or_else(|| start.clone());
        let ended = end.as_deref().and_then(datetime).is_some_and(|t| t <= now);
        let status = if ended { "Completed" } else { "Scheduled" };
        ("Event", start, Some(status.to_owned()))
    } else {
        ("Task", text(record, "ActivityDate"), text(record, "Status"))
    };
    Activity {
        url: links.record(object, &id),
        subject: text(record, "Subject").unwrap_or_default(),
        date,
        status,
        owner: full(level, || text(record, "Owner.Name")),
        id,
    }
}

/// Classic and Lightning notes of the subject record, newest first, cut to the cap.
fn notes(
    record: &Value,
    level: Access,
    links: &RecordLinks,
    ids: &mut Vec<String>,
) -> Section<Note> {
    let classic = record.get("Notes").and_then(rows);
    let lightning = record.get("ContentDocumentLinks").and_then(rows);
    let mut more = false;
    let mut items = Vec::new();
    if let Some(rows) = classic {
        more |= rows.records.len() > SECTION_CAP || rows.total_size > SECTION_CAP as u64;
        items.extend(rows.records.iter().filter_map(|r| {
            let id = text(r, "Id")?;
            Some(Note {
                url: links.record("Note", &id),
                kind: NoteKind::Classic,
                title: text(r, "Title").unwrap_or_default(),
                excerpt: full(level, || text(r, "Body").as_deref().and_then(excerpt)),
                author: text(r, "Owner.Name"),
                date: text(r, "CreatedDate"),
                id,
            })
        }));
    }
    if let Some(rows) = lightning {
        more |= rows.records.len() > SECTION_CAP || rows.total_size > SECTION_CAP as u64;
        items.extend(rows.records.iter().filter_map(|r| {
            let id = text(r, "ContentDocumentId")?;
            Some(Note {
                url: links.record("ContentDocument", &id),
                kind: NoteKind::Lightning,
                title: text(r, "ContentDocument.Title").unwrap_or_default(),
                excerpt: None,
                author: text(r, "ContentDocument.Owner.Name"),
                date: text(r, "ContentDocument.CreatedDate"),
                id,
            })
        }));
    }
    // Both kinds write `…T…:SS.000+0000`, so text order is time order.
    items.sort_by(|a, b| b.date.cmp(&a.date));
    if items.len() > SECTION_CAP {
        items.truncate(SECTION_CAP);
        more = true;
    }
    ids.extend(items.iter().map(|n| n.id.clone()));
    Section {
        total: u32::try_from(items.len()).unwrap_or(u32::MAX),
        more,
        items,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sfdesk_shared::permissions::RolePermissions;
    use url::Url;

    use super::super::plan::{Page, plan};
    use super::*;

    fn links() -> RecordLinks {
        RecordLinks::new(&Url::parse("https://acme.my.salesforce.com").expect("url"))
    }

    fn attrs(object: &str) -> Value {
        json!({"type": object, "url": format!("/services/data/v66.0/sobjects/{object}/x")})
    }

    /// A composite answer shaped like the API notes' examples (section 3 and 5).
    fn answer(limited: bool) -> CompositeResponse {
        let contact = json!({
            "attributes": attrs("Contact"),
            "Id": "003000000000001AAA", "AccountId": "001000000000001AAA",
            "Name": "Ada Lovelace", "Title": "CTO", "Department": null, "Email": "ada@example.com",
            "Phone": "+44 1", "MobilePhone": null, "MailingStreet": "1 Main St\nFloor 2",
            "MailingCity": "London", "MailingState": null, "MailingPostalCode": "N1",
            "MailingCountry": "UK", "Owner": {"attributes": attrs("User"), "Name": "Sam Sales"},
            "Account": {"attributes": attrs("Account"), "Name": "Acme", "Type": "Customer - Direct",
                "Industry": "Energy", "Website": null, "Phone": "+44 2", "BillingStreet": null,
                "BillingCity": "Leeds", "BillingState": null, "BillingPostalCode": null,
                "BillingCountry": null, "AnnualRevenue": 5000000.0, "NumberOfEmployees": 120,
                "Owner": {"attributes": attrs("User"), "Name": "Sam Sales"},
                "Subscription_Type__c": "Enterprise"},
            "Notes": {"totalSize": 1, "done": true, "records": [
                {"attributes": attrs("Note"), "Id": "002000000000001AAA", "Title": "Met at the fair",
                 "Body": "  Likes\n\n  tea ", "CreatedDate": "2026-01-02T10:00:00.000+0000",
                 "Owner": {"attributes": attrs("User"), "Name": "Sam Sales"}}]},
            "ContentDocumentLinks": {"totalSize": 1, "done": true, "records": [
                {"attributes": attrs("ContentDocumentLink"), "ContentDocumentId": "069000000000001AAA",
                 "ContentDocument": {"attributes": attrs("ContentDocument"), "Title": "Call summary",
                   "CreatedDate": "2026-03-02T10:00:00.000+0000",
                   "Owner": {"attributes": attrs("User"), "Name": "Lee"}}}]}
        });
        let opps: Vec<Value> = (0..51)
            .map(|i| {
                json!({"attributes": attrs("Opportunity"), "Id": format!("006{i:015}"),
                   "Name": format!("Deal {i}"), "StageName": "Prospecting",
                   "CloseDate": "2031-01-15", "Amount": if limited { Value::Null } else { json!(1000.0) },
                   "Owner": {"Name": "Sam"}})
            })
            .collect();
        let query = |records: Vec<Value>| json!({"totalSize": records.len(), "done": true, "records": records});
        let sub = |reference: &str, body: Value| json!({"body": body, "httpHeaders": {}, "httpStatusCode": 200, "referenceId": reference});
        serde_json::from_value(json!({"compositeResponse": [
            sub("contact", query(vec![contact])),
            sub("opportunities", query(opps)),
            sub("tasks", query(vec![json!({"attributes": attrs("Task"), "Id": "00T000000000001AAA",
                "Subject": "Send quote", "ActivityDate": "2030-05-01", "Status": "Not Started",
                "Owner": {"Name": "Sam"}})])),
            sub("calls", query(vec![])),
            sub("meetings", query(vec![
                json!({"attributes": attrs("Event"), "Id": "00U000000000001AAA", "Subject": "Kickoff",
                    "StartDateTime": "2020-01-02T10:00:00.000+0000",
                    "EndDateTime": "2020-01-02T10:30:00.000+0000"}),
                json!({"attributes": attrs("Event"), "Id": "00U000000000002AAA", "Subject": "Review",
                    "StartDateTime": "2099-01-02T10:00:00.000+0000",
                    "EndDateTime": "2099-01-02T10:30:00.000+0000"})])),
        ]}))
        .expect("composite")
    }

    fn parsed(permissions: &RolePermissions, limited: bool) -> Found {
        let plan = plan(permissions, Page::Contact).expect("visible");
        let links = links();
        let highlight = HighlightField {
            name: "Subscription_Type__c".into(),
            label: "Subscription Type".into(),
        };
        let ctx = Context {
            plan: &plan,
            links: &links,
            highlight: Some(&highlight),
            now: Utc::now(),
            fetched_at: "2026-11-26T10:00:00Z",
            can_log_ticket: true,
        };
        profile(&ctx, &answer(limited))
            .expect("parsed")
            .expect("found")
    }

    fn keys(value: &Value) -> Vec<String> {
        value.as_object().expect("object").keys().cloned().collect()
    }

    #[test]
    fn full_profile() {
        let found = parsed(&RolePermissions::default(), false);
        let p = &found.profile;
        let contact = p.contact.as_ref().expect("contact");
        assert_eq!(
            contact.mailing_address.as_deref(),
            Some("1 Main St, Floor 2, London, N1, UK")
        );
        assert_eq!(contact.owner.as_deref(), Some("Sam Sales"));
        assert_eq!(
            contact.url,
            "https://acme.lightning.force.com/lightning/r/Contact/003000000000001AAA/view"
        );
        let account = p.account.as_ref().expect("account");
        assert_eq!(account.id, "001000000000001AAA");
        assert_eq!(account.employees, Some(120));
        assert_eq!(
            account.highlight,
            Some(Highlight {
                label: "Subscription Type".into(),
                value: "Enterprise".into()
            })
        );
        let opps = p.opportunities.as_ref().expect("opps");
        assert_eq!((opps.total, opps.more), (50, true));
        let notes = p.notes.as_ref().expect("notes");
        assert_eq!(notes.items.len(), 2);
        assert_eq!(notes.items[0].kind, NoteKind::Lightning);
        assert_eq!(notes.items[1].excerpt.as_deref(), Some("Likes tea"));
        let meetings = p.meetings.as_ref().expect("meetings");
        assert_eq!(meetings.items[0].status.as_deref(), Some("Completed"));
        assert_eq!(meetings.items[1].status.as_deref(), Some("Scheduled"));
        assert_eq!(p.calls.as_ref().expect("calls").total, 0);
        assert!(found.ids.contains(&"001000000000001AAA".to_owned()));
        assert!(found.ids.contains(&"069000000000001AAA".to_owned()));
        assert!(found.ids.contains(&"00U000000000002AAA".to_owned()));
        assert_eq!(found.ids.len(), 2 + 50 + 2 + 1 + 2);
    }

    #[test]
    fn limited_field_sets_are_exact() {
        let perms = RolePermissions {
            info: Access::Limited,
            opportunities: Access::Limited,
            notes: Access::Limited,
            activities: Access::Limited,
            ..RolePermissions::default()
        };
        let json = serde_json::to_value(parsed(&perms, true).profile).expect("json");
        assert_eq!(
            keys(&json["contact"]),
            ["id", "name", "title", "email", "url"].map(String::from)
        );
        assert_eq!(
            keys(&json["account"]),
            ["id", "name", "type", "industry", "highlight", "url"].map(String::from)
        );
        assert_eq!(
            keys(&json["opportunities"]["items"][0]),
            ["id", "name", "stage", "close_date", "url"].map(String::from)
        );
        for note in json["notes"]["items"].as_array().expect("notes") {
            assert_eq!(
                keys(note),
                ["id", "kind", "title", "author", "date", "url"].map(String::from)
            );
        }
        assert_eq!(
            keys(&json["tasks"]["items"][0]),
            ["id", "subject", "date", "status", "url"].map(String::from)
        );
        assert_eq!(json["levels"]["info"], "limited");
    }

    #[test]
    fn sections_outside_the_plan_are_absent() {
        let mut perms = RolePermissions {
            opportunities: Access::None,
            notes: Access::None,
            accounts: false,
            ..RolePermissions::default()
        };
        perms.activity_kinds.meetings = false;
        let json = serde_json::to_value(parsed(&perms, false).profile).expect("json");
        for absent in ["opportunities", "notes", "account", "meetings"] {
            assert!(json.get(absent).is_none(), "{absent}: {json}");
        }
        assert!(json.get("tasks").is_some() && json.get("calls").is_some());
    }

    #[test]
    fn no_record_is_not_found_and_errors_are_errors() {
        let plan = plan(&RolePermissions::default(), Page::Contact).expect("visible");
        let links = links();
        let ctx = Context {
            plan: &plan,
            links: &links,
            highlight: None,
            now: Utc::now(),
            fetched_at: "t",
            can_log_ticket: false,
        };
        let halted = json!([{"errorCode": "PROCESSING_HALTED",
            "message": "Invalid reference specified. No value for contact.records[0].Id found in contact."}]);
        let mut subs = vec![
            json!({"body": {"totalSize": 0, "done": true, "records": []},
            "httpHeaders": {}, "httpStatusCode": 200, "referenceId": "contact"}),
        ];
        for reference in ["opportunities", "tasks", "calls", "meetings"] {
            subs.push(json!({"body": halted, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference}));
        }
        let none: CompositeResponse =
            serde_json::from_value(json!({"compositeResponse": subs})).expect("composite");
        assert_eq!(profile(&ctx, &none).expect("ok"), None);

        let failed: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": [{"errorCode": "INVALID_FIELD", "message": "No such column 'Nope__c'"}],
             "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "contact"}]}))
        .expect("composite");
        let err = profile(&ctx, &failed).expect_err("error");
        assert!(err.to_string().contains("No such column"), "{err}");
    }
}
