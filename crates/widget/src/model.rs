//! Pure widget logic, tested natively: which Desk page the widget sits on, the record that page
//! refers to, and the words the panel shows for it.
//!
//! Nothing here touches the browser or the SDK; `host.rs` fills these types from `ZOHODESK`
//! and the components only render them. Invariant: every SDK id is kept as a string (Desk ids
//! exceed JavaScript's safe integer range, so the SDK may hand them over as strings or numbers).

use std::fmt;

use serde::{Deserialize, Deserializer};

/// The Desk page the widget is shown on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Page {
    /// A ticket's detail view (`desk.ticket.*`).
    Ticket,
    /// A contact's detail view (`desk.contact.*`).
    Contact,
    /// An account's detail view (`desk.account.*`).
    Account,
    /// The extension's settings page (`desk.extension.preference`).
    Settings,
    /// Any other location; the panel has nothing to show there.
    Unsupported(String),
}

impl Page {
    /// Reads the SDK's app `location`, e.g. `desk.ticket.detail.rightpanel`.
    pub(crate) fn from_location(location: &str) -> Self {
        let mut parts = location.split('.');
        match (parts.next(), parts.next()) {
            (Some("desk"), Some("ticket")) => Self::Ticket,
            (Some("desk"), Some("contact")) => Self::Contact,
            (Some("desk"), Some("account")) => Self::Account,
            _ if location == "desk.extension.preference" => Self::Settings,
            _ => Self::Unsupported(location.to_owned()),
        }
    }

    /// Reads the page our server served, e.g. `/widget/contact`; `None` for an unknown path.
    pub(crate) fn from_path(path: &str) -> Option<Self> {
        match path.trim_end_matches('/').rsplit('/').next() {
            Some("ticket") => Some(Self::Ticket),
            Some("contact") => Some(Self::Contact),
            Some("account") => Some(Self::Account),
            Some("settings") => Some(Self::Settings),
            _ => None,
        }
    }

    /// The page to show: the SDK's `location` wins when it names a page we know; otherwise the
    /// served path decides (the manifest gives each location its own path).
    pub(crate) fn resolve(location: Option<&str>, path: &str) -> Self {
        let from_location = location.map(Self::from_location);
        match from_location {
            Some(Self::Unsupported(_)) | None => Self::from_path(path)
                .or(from_location)
                .unwrap_or_else(|| Self::Unsupported(String::new())),
            Some(page) => page,
        }
    }
}

/// A Desk id read from the SDK, which may send it as a string or a number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct DeskId(#[serde(deserialize_with = "id_string")] pub(crate) String);

/// The ticket as `ZOHODESK.get("ticket")` describes it (only the keys we use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TicketInfo {
    /// Desk ticket id.
    #[serde(deserialize_with = "id_string")]
    pub(crate) id: String,
    /// The number agents see (`#101`).
    #[serde(default, deserialize_with = "opt_id_string")]
    pub(crate) number: Option<String>,
    /// Ticket subject.
    #[serde(default)]
    pub(crate) subject: Option<String>,
    /// The requester's Desk contact id.
    #[serde(default, deserialize_with = "opt_id_string")]
    pub(crate) contact_id: Option<String>,
    /// The requester's Desk account id.
    #[serde(default, deserialize_with = "opt_id_string")]
    pub(crate) account_id: Option<String>,
    /// Requester address at ticket creation.
    #[serde(default)]
    pub(crate) email: Option<String>,
}

/// The record the panel is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    /// A ticket and its requester.
    Ticket(TicketInfo),
    /// A Desk contact, with its email when the SDK gave one.
    Contact {
        /// Desk contact id.
        id: String,
        /// Contact email, if known.
        email: Option<String>,
    },
    /// A Desk account, with its name when the SDK gave one.
    Account {
        /// Desk account id.
        id: String,
        /// Account name, if known.
        name: Option<String>,
    },
    /// The settings page: no record.
    Settings,
    /// A location the panel does not support.
    Unsupported(String),
}

/// Everything the panel learned from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeskContext {
    /// The agent's Desk locale, e.g. `en`.
    pub(crate) locale: String,
    /// The record on screen.
    pub(crate) record: Record,
}

/// How the Salesforce profile will be found for a record (the profile arrives in a later step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// By the Desk contact id (its current email is resolved server-side).
    DeskContact(String),
    /// By the requester's email only: the ticket names no contact.
    Email(String),
    /// By the Desk account id.
    DeskAccount(String),
    /// Nothing to look up.
    Nothing,
}

impl Lookup {
    /// A compact `kind:value` key (`contact:7`, `email:a@b.c`, `account:5`), `None` for nothing.
    pub(crate) fn key(&self) -> Option<String> {
        match self {
            Self::DeskContact(id) => Some(format!("contact:{id}")),
            Self::Email(email) => Some(format!("email:{email}")),
            Self::DeskAccount(id) => Some(format!("account:{id}")),
            Self::Nothing => None,
        }
    }
}

impl DeskContext {
    /// One line naming the record, e.g. `Ticket #101 · requester jade@zylker.com`.
    pub(crate) fn headline(&self) -> String {
        match &self.record {
            Record::Ticket(t) => {
                let name = match &t.number {
                    Some(n) => format!("Ticket #{n}"),
                    None => format!("Ticket {}", t.id),
                };
                match &t.email {
                    Some(email) => format!("{name} · requester {email}"),
                    None => name,
                }
            }
            Record::Contact { id, email } => match email {
                Some(email) => format!("Contact · {email}"),
                None => format!("Contact {id}"),
            },
            Record::Account { id, name } => match name {
                Some(name) => format!("Account · {name}"),
                None => format!("Account {id}"),
            },
            Record::Settings => "Extension settings".to_owned(),
            Record::Unsupported(location) if location.is_empty() => {
                "This page is not supported".to_owned()
            }
            Record::Unsupported(location) => format!("{location} is not supported"),
        }
    }

    /// A second, quieter line: the ticket subject, when there is one.
    pub(crate) fn detail(&self) -> Option<&str> {
        match &self.record {
            Record::Ticket(t) => t.subject.as_deref().filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// Which key the Salesforce lookup will use: contact id first, ticket email as fallback.
    pub(crate) fn lookup(&self) -> Lookup {
        match &self.record {
            Record::Ticket(t) => match (&t.contact_id, &t.email) {
                (Some(id), _) => Lookup::DeskContact(id.clone()),
                (None, Some(email)) => Lookup::Email(email.clone()),
                (None, None) => Lookup::Nothing,
            },
            Record::Contact { id, .. } => Lookup::DeskContact(id.clone()),
            Record::Account { id, .. } => Lookup::DeskAccount(id.clone()),
            Record::Settings | Record::Unsupported(_) => Lookup::Nothing,
        }
    }
}

/// Deserializes an id given as a string or a number into its decimal string.
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_id_string(d)?.ok_or_else(|| serde::de::Error::custom("missing id"))
}

/// Like [`id_string`], but `null`, `undefined` and `""` become `None`.
fn opt_id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(IdVisitor)
}

struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id as string or number")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then(|| v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then_some(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Ids are integers; a float here lost precision already, so keep what JS would print.
        if v.fract() == 0.0 && v.abs() < 1e21 {
            Ok(Some(format!("{v:.0}")))
        } else {
            Ok(Some(v.to_string()))
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(json: &str) -> TicketInfo {
        serde_json::from_str(json).expect("ticket json")
    }

    #[test]
    fn locations_map_to_pages() {
        assert_eq!(
            Page::from_location("desk.ticket.detail.rightpanel"),
            Page::Ticket
        );
        assert_eq!(
            Page::from_location("desk.ticket.detail.subtab"),
            Page::Ticket
        );
        assert_eq!(
            Page::from_location("desk.contact.detail.rightpanel"),
            Page::Contact
        );
        assert_eq!(
            Page::from_location("desk.account.detail.lefttab"),
            Page::Account
        );
        assert_eq!(
            Page::from_location("desk.extension.preference"),
            Page::Settings
        );
        assert_eq!(
            Page::from_location("desk.topband"),
            Page::Unsupported("desk.topband".into())
        );
    }

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(Page::from_path("/widget/ticket"), Some(Page::Ticket));
        assert_eq!(Page::from_path("/widget/contact/"), Some(Page::Contact));
        assert_eq!(Page::from_path("/widget/account"), Some(Page::Account));
        assert_eq!(Page::from_path("/widget/settings"), Some(Page::Settings));
        assert_eq!(Page::from_path("/widget/index.html"), None);
    }

    #[test]
    fn location_wins_over_path_unless_unknown() {
        assert_eq!(
            Page::resolve(Some("desk.contact.detail.rightpanel"), "/widget/ticket"),
            Page::Contact
        );
        assert_eq!(Page::resolve(None, "/widget/account"), Page::Account);
        assert_eq!(
            Page::resolve(Some("desk.bottomband"), "/widget/ticket"),
            Page::Ticket
        );
        assert_eq!(
            Page::resolve(Some("desk.bottomband"), "/"),
            Page::Unsupported("desk.bottomband".into())
        );
        assert_eq!(Page::resolve(None, "/"), Page::Unsupported(String::new()));
    }

    #[test]
    fn ticket_decodes_sdk_shape_with_string_or_number_ids() {
        let t = ticket(
            r#"{"id":"1892000000093001","number":"101","subject":"Printer on fire",
                "status":"Open","departmentId":"1892000000006907","contactId":"1892000000042032",
                "accountId":"1892000000041001","email":"jade@zylker.com","cf":{"cf_x":null}}"#,
        );
        assert_eq!(t.id, "1892000000093001");
        assert_eq!(t.number.as_deref(), Some("101"));
        assert_eq!(t.contact_id.as_deref(), Some("1892000000042032"));

        let t = ticket(r#"{"id":42,"number":101,"contactId":null,"accountId":""}"#);
        assert_eq!(t.id, "42");
        assert_eq!(t.number.as_deref(), Some("101"));
        assert_eq!(t.contact_id, None);
        assert_eq!(t.account_id, None);
        assert_eq!(t.email, None);

        assert!(serde_json::from_str::<TicketInfo>(r#"{"number":"1"}"#).is_err());
        assert!(serde_json::from_str::<TicketInfo>(r#"{"id":null}"#).is_err());
    }

    #[test]
    fn ids_decode_from_strings_and_numbers() {
        let id: DeskId = serde_json::from_str(r#""1892000000042032""#).expect("string id");
        assert_eq!(id.0, "1892000000042032");
        let id: DeskId = serde_json::from_str("42").expect("number id");
        assert_eq!(id.0, "42");
        let id: DeskId = serde_json::from_str("42.0").expect("float id");
        assert_eq!(id.0, "42");
        assert!(serde_json::from_str::<DeskId>("null").is_err());
        assert!(serde_json::from_str::<DeskId>(r#""""#).is_err());
    }

    #[test]
    fn ticket_headline_names_number_and_requester() {
        let ctx = DeskContext {
            locale: "en".into(),
            record: Record::Ticket(ticket(
                r#"{"id":"9","number":"101","subject":"Printer on fire","contactId":"7","email":"jade@zylker.com"}"#,
            )),
        };
        assert_eq!(ctx.headline(), "Ticket #101 · requester jade@zylker.com");
        assert_eq!(ctx.detail(), Some("Printer on fire"));
        assert_eq!(ctx.lookup(), Lookup::DeskContact("7".into()));

        let bare = DeskContext {
            locale: "en".into(),
            record: Record::Ticket(ticket(r#"{"id":"9","subject":""}"#)),
        };
        assert_eq!(bare.headline(), "Ticket 9");
        assert_eq!(bare.detail(), None);
        assert_eq!(bare.lookup(), Lookup::Nothing);
    }

    #[test]
    fn ticket_without_contact_falls_back_to_email() {
        let ctx = DeskContext {
            locale: "en".into(),
            record: Record::Ticket(ticket(r#"{"id":"9","email":"a@b.c"}"#)),
        };
        assert_eq!(ctx.lookup(), Lookup::Email("a@b.c".into()));
        assert_eq!(ctx.lookup().key().as_deref(), Some("email:a@b.c"));
        assert_eq!(Lookup::Nothing.key(), None);
    }

    #[test]
    fn contact_and_account_headlines() {
        let contact = |email: Option<&str>| DeskContext {
            locale: "en".into(),
            record: Record::Contact {
                id: "7".into(),
                email: email.map(Into::into),
            },
        };
        assert_eq!(contact(Some("a@b.c")).headline(), "Contact · a@b.c");
        assert_eq!(contact(None).headline(), "Contact 7");
        assert_eq!(contact(None).lookup(), Lookup::DeskContact("7".into()));

        let account = DeskContext {
            locale: "en".into(),
            record: Record::Account {
                id: "5".into(),
                name: Some("Zylker".into()),
            },
        };
        assert_eq!(account.headline(), "Account · Zylker");
        assert_eq!(account.lookup(), Lookup::DeskAccount("5".into()));
    }

    #[test]
    fn unsupported_pages_say_so() {
        let ctx = DeskContext {
            locale: "en".into(),
            record: Record::Unsupported("desk.topband".into()),
        };
        assert_eq!(ctx.headline(), "desk.topband is not supported");
        assert_eq!(ctx.lookup(), Lookup::Nothing);
    }
}
