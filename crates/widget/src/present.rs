//! A found profile as the panel lays it out, pure: every card and section becomes one
//! [`Card`] of [`Item`]s with labelled [`Field`]s, so one small component renders them all.
//!
//! Order: contact, account, open opportunities, notes, tasks, calls, meetings; items in the
//! order the server sent (newest first). A field absent from the JSON is absent here; a
//! record link that is not `http(s)` is dropped rather than rendered as a live `href`.

use sfdesk_shared::permissions::Access;
use sfdesk_shared::profile::{AccountInfo, Activity, ContactInfo, NoteKind, Profile, Section};

use crate::format;
use crate::i18n::Strings;

/// One card: the contact, the account, or a list section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Card {
    /// `data-testid`: `contact-card`, `account-card` or `section-<name>`.
    pub(crate) testid: &'static str,
    /// Heading text.
    pub(crate) heading: &'static str,
    /// `3` / `50+` for list sections; `None` for the contact and account cards.
    pub(crate) count: Option<String>,
    /// Whether the role sees only the section's limited field set.
    pub(crate) limited: bool,
    /// The records.
    pub(crate) items: Vec<Item>,
}

/// One Salesforce record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// Name, title or subject.
    pub(crate) title: String,
    /// "View in Salesforce", when the link is a web URL.
    pub(crate) url: Option<String>,
    /// A small marker after the title (a note's `Lightning` / `Classic`).
    pub(crate) badge: Option<&'static str>,
    /// The account's highlighted field: (label, value).
    pub(crate) highlight: Option<(String, String)>,
    /// Labelled values, in display order.
    pub(crate) fields: Vec<Field>,
}

/// A labelled value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// `data-testid` suffix: `field-<name>`.
    pub(crate) name: &'static str,
    /// Label; empty for a value that speaks for itself (a note's excerpt).
    pub(crate) label: &'static str,
    /// Display text.
    pub(crate) value: String,
}

/// Lays out `profile`. `offset` gives the local UTC offset (minutes) at an instant.
pub(crate) fn cards(profile: &Profile, t: &Strings, offset: &dyn Fn(f64) -> i32) -> Vec<Card> {
    let levels = &profile.levels;
    let info_limited = levels.info == Access::Limited;
    let mut cards = Vec::new();
    if let Some(contact) = &profile.contact {
        cards.push(single(
            "contact-card",
            t.contact,
            info_limited,
            contact_item(contact, t),
        ));
    }
    if let Some(account) = &profile.account {
        cards.push(single(
            "account-card",
            t.account,
            info_limited,
            account_item(account, t),
        ));
    }
    let date = |d: &Option<String>| d.as_deref().map(|d| format::display_date(d, offset));
    if let Some(section) = &profile.opportunities {
        cards.push(list(
            "section-opportunities",
            t.opportunities,
            levels.opportunities,
            section,
            |o| {
                item(
                    &o.name,
                    &o.url,
                    vec![
                        field("stage", t.f_stage, o.stage.clone()),
                        field("amount", t.f_amount, o.amount.map(format::amount)),
                        field("close_date", t.f_close_date, date(&o.close_date)),
                        field("owner", t.f_owner, o.owner.clone()),
                    ],
                )
            },
        ));
    }
    if let Some(section) = &profile.notes {
        cards.push(list("section-notes", t.notes, levels.notes, section, |n| {
            Item {
                badge: Some(match n.kind {
                    NoteKind::Lightning => t.lightning,
                    NoteKind::Classic => t.classic,
                }),
                ..item(
                    &n.title,
                    &n.url,
                    vec![
                        field("excerpt", "", n.excerpt.clone()),
                        field("author", t.f_author, n.author.clone()),
                        field("date", t.f_date, date(&n.date)),
                    ],
                )
            }
        }));
    }
    let activity = |a: &Activity| {
        item(
            &a.subject,
            &a.url,
            vec![
                field("date", t.f_date, date(&a.date)),
                field("status", t.f_status, a.status.clone()),
                field("owner", t.f_owner, a.owner.clone()),
            ],
        )
    };
    for (testid, heading, section) in [
        ("section-tasks", t.tasks, &profile.tasks),
        ("section-calls", t.calls, &profile.calls),
        ("section-meetings", t.meetings, &profile.meetings),
    ] {
        if let Some(section) = section {
            cards.push(list(testid, heading, levels.activities, section, activity));
        }
    }
    cards
}

/// Whether `url` may be a live link (`https://…` or `http://…`).
pub(crate) fn web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn contact_item(c: &ContactInfo, t: &Strings) -> Item {
    item(
        &c.name,
        &c.url,
        vec![
            field("title", t.f_title, c.title.clone()),
            field("department", t.f_department, c.department.clone()),
            field("email", t.f_email, c.email.clone()),
            field("phone", t.f_phone, c.phone.clone()),
            field("mobile_phone", t.f_mobile, c.mobile_phone.clone()),
            field(
                "mailing_address",
                t.f_mailing_address,
                c.mailing_address.clone(),
            ),
            field("owner", t.f_owner, c.owner.clone()),
        ],
    )
}

fn account_item(a: &AccountInfo, t: &Strings) -> Item {
    Item {
        highlight: a
            .highlight
            .as_ref()
            .map(|h| (h.label.clone(), h.value.clone())),
        ..item(
            &a.name,
            &a.url,
            vec![
                field("type", t.f_type, a.account_type.clone()),
                field("industry", t.f_industry, a.industry.clone()),
                field("website", t.f_website, a.website.clone()),
                field("phone", t.f_phone, a.phone.clone()),
                field(
                    "billing_address",
                    t.f_billing_address,
                    a.billing_address.clone(),
                ),
                field(
                    "annual_revenue",
                    t.f_annual_revenue,
                    a.annual_revenue.map(format::amount),
                ),
                field("employees", t.f_employees, a.employees.map(format::integer)),
                field("owner", t.f_owner, a.owner.clone()),
            ],
        )
    }
}

fn single(testid: &'static str, heading: &'static str, limited: bool, item: Item) -> Card {
    Card {
        testid,
        heading,
        count: None,
        limited,
        items: vec![item],
    }
}

fn list<T>(
    testid: &'static str,
    heading: &'static str,
    level: Access,
    section: &Section<T>,
    to_item: impl Fn(&T) -> Item,
) -> Card {
    Card {
        testid,
        heading,
        count: Some(format::count_label(section.total, section.more)),
        limited: level == Access::Limited,
        items: section.items.iter().map(to_item).collect(),
    }
}

fn item(title: &str, url: &str, fields: Vec<Option<Field>>) -> Item {
    Item {
        title: title.to_owned(),
        url: web_url(url).then(|| url.to_owned()),
        badge: None,
        highlight: None,
        fields: fields.into_iter().flatten().collect(),
    }
}

fn field(name: &'static str, label: &'static str, value: Option<String>) -> Option<Field> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|value| Field { name, label, value })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::Lang;

    const UTC: &dyn Fn(f64) -> i32 = &|_| 0;

    fn profile(json: &str) -> Profile {
        serde_json::from_str(json).expect("profile json")
    }

    pub(crate) const FULL: &str = r#"{
        "fetched_at": "2026-11-26T10:00:00Z",
        "levels": {"info": "full", "opportunities": "full", "notes": "limited", "activities": "full"},
        "contact": {"id": "003A", "name": "Jade Lin", "title": "CTO", "email": "jade@zylker.com",
                    "phone": "+1 555 0100", "owner": "Sam Rep", "url": "https://zylker.lightning.force.com/003A"},
        "account": {"id": "001A", "name": "Zylker", "type": "Customer", "annual_revenue": 1250000.0,
                    "employees": 1200, "highlight": {"label": "Subscription Type", "value": "Gold"},
                    "url": "https://zylker.lightning.force.com/001A"},
        "opportunities": {"total": 1, "more": false, "items": [
            {"id": "006A", "name": "Renewal", "stage": "Negotiation", "amount": 48000.5,
             "close_date": "2026-12-15", "url": "https://zylker.lightning.force.com/006A"}]},
        "notes": {"total": 2, "more": false, "items": [
            {"id": "069A", "kind": "lightning", "title": "Kickoff", "author": "Sam Rep",
             "date": "2026-11-20T09:30:00.000+0000", "url": "https://zylker.lightning.force.com/069A"},
            {"id": "002A", "kind": "classic", "title": "Old", "excerpt": "  ", "url": "javascript:alert(1)"}]},
        "tasks": {"total": 50, "more": true, "items": []},
        "can_log_ticket": true
    }"#;

    #[test]
    fn cards_follow_the_profile_in_order_with_counts_and_levels() {
        let cards = cards(&profile(FULL), Lang::En.strings(), UTC);
        let ids: Vec<_> = cards.iter().map(|c| c.testid).collect();
        assert_eq!(
            ids,
            [
                "contact-card",
                "account-card",
                "section-opportunities",
                "section-notes",
                "section-tasks"
            ]
        );
        assert_eq!(cards[0].count, None);
        assert_eq!(cards[2].count.as_deref(), Some("1"));
        assert_eq!(cards[4].count.as_deref(), Some("50+"));
        assert!(cards[4].items.is_empty());
        assert!(cards[3].limited && !cards[2].limited && !cards[0].limited);
    }

    #[test]
    fn absent_and_blank_fields_are_not_shown() {
        let cards = cards(&profile(FULL), Lang::En.strings(), UTC);
        let contact = &cards[0].items[0];
        let names: Vec<_> = contact.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["title", "email", "phone", "owner"]);
        assert_eq!(contact.title, "Jade Lin");
        let old_note = &cards[3].items[1];
        assert!(old_note.fields.is_empty());
        assert_eq!(old_note.url, None, "only web links are rendered");
        assert_eq!(old_note.badge, Some("Classic"));
    }

    #[test]
    fn values_are_formatted() {
        let cards = cards(&profile(FULL), Lang::Zh.strings(), &|_| 480);
        let account = &cards[1].items[0];
        let value = |item: &Item, name: &str| {
            item.fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.value.clone())
        };
        assert_eq!(
            value(account, "annual_revenue").as_deref(),
            Some("1,250,000")
        );
        assert_eq!(value(account, "employees").as_deref(), Some("1,200"));
        assert_eq!(
            account.highlight,
            Some(("Subscription Type".into(), "Gold".into()))
        );
        assert_eq!(cards[1].heading, "客户");
        let opp = &cards[2].items[0];
        assert_eq!(value(opp, "amount").as_deref(), Some("48,000.50"));
        assert_eq!(value(opp, "close_date").as_deref(), Some("2026-12-15"));
        let note = &cards[3].items[0];
        assert_eq!(value(note, "date").as_deref(), Some("2026-11-20 17:30"));
        assert_eq!(note.badge, Some("Lightning"));
    }

    #[test]
    fn a_limited_empty_profile_has_no_cards() {
        let p = profile(
            r#"{"fetched_at":"2026-11-26T10:00:00Z","can_log_ticket":false,
                "levels":{"info":"limited","opportunities":"none","notes":"none","activities":"none"}}"#,
        );
        assert!(cards(&p, Lang::En.strings(), UTC).is_empty());
    }

    #[test]
    fn only_web_urls_are_links() {
        assert!(web_url("https://x.my.salesforce.com/003"));
        assert!(web_url("HTTP://127.0.0.1:9/003"));
        assert!(!web_url("javascript:alert(1)"));
        assert!(!web_url("/relative"));
        assert!(!web_url(""));
    }
}
