//! Pure widget logic, tested natively: which Desk page the widget sits on, the record that page
//! refers to, the agent, what the profile API is asked about and which action body it gets.
//!
//! Nothing here touches the browser or the SDK; `host.rs` fills these types from `ZOHODESK`
//! and the components only render them. Invariant: every SDK id is kept as a string (Desk ids
//! exceed JavaScript's safe integer range, so the SDK may hand them over as strings or numbers).

use sfdesk_shared::profile::{ActionRequest, ProfileTarget};

use crate::i18n::{Lang, Strings};

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
        // The segment after `desk.`, up to the next dot. Scanned bytes and `get` instead of
        // `split` and `[..]`: their searcher and panic texts are kilobytes of wasm.
        let second = location.strip_prefix("desk.").and_then(|rest| {
            rest.get(..rest.bytes().position(|b| b == b'.').unwrap_or(rest.len()))
        });
        match second {
            Some("ticket") => Self::Ticket,
            Some("contact") => Self::Contact,
            Some("account") => Self::Account,
            _ if location == "desk.extension.preference" => Self::Settings,
            _ => Self::Unsupported(location.to_owned()),
        }
    }

    /// Reads the page our server served, e.g. `/widget/contact`; `None` for an unknown path.
    pub(crate) fn from_path(path: &str) -> Option<Self> {
        let path = path.get(..path.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1))?;
        let start = path.bytes().rposition(|b| b == b'/').map_or(0, |i| i + 1);
        match path.get(start..)? {
            "ticket" => Some(Self::Ticket),
            "contact" => Some(Self::Contact),
            "account" => Some(Self::Account),
            "settings" => Some(Self::Settings),
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

/// The ticket as `ZOHODESK.get("ticket")` describes it (only the keys we use; read by
/// [`crate::decode::ticket`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TicketInfo {
    /// Desk ticket id.
    pub(crate) id: String,
    /// The number agents see (`#101`).
    pub(crate) number: Option<String>,
    /// Ticket subject.
    pub(crate) subject: Option<String>,
    /// Requester address at ticket creation.
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

/// The signed-in Desk agent as `ZOHODESK.get("user")` describes them (only the keys we use;
/// read by [`crate::decode::desk_user`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeskUser {
    /// Desk agent id (keys the stored session).
    pub(crate) id: String,
    /// The agent's email: the sign-in popup's `login_hint`.
    pub(crate) email: Option<String>,
}

/// What the panel needs from the host before it can ask our server: the record, the Desk org
/// (portal) and the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Desk {
    /// The record on screen.
    pub(crate) context: DeskContext,
    /// The Desk org id (`portal.id`).
    pub(crate) org_id: String,
    /// The agent using the panel.
    pub(crate) user: DeskUser,
}

impl Desk {
    /// The panel's language, from the SDK's locale.
    pub(crate) fn lang(&self) -> Lang {
        Lang::from_locale(&self.context.locale)
    }
}

/// A Salesforce write the panel can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// Create the missing contact or account (`…/actions/create`).
    Create,
    /// Log the ticket as a completed task (`…/actions/log-ticket`).
    LogTicket,
}

impl ActionKind {
    /// The endpoint's last path segment.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::LogTicket => "log-ticket",
        }
    }

    /// The request body for `target`: create names the record as the profile query did;
    /// log-ticket needs a ticket, so it is `None` elsewhere.
    pub(crate) fn request(self, target: &ProfileTarget) -> Option<ActionRequest> {
        let mut request = ActionRequest {
            ticket_id: None,
            desk_contact_id: None,
            desk_account_id: None,
        };
        match (self, target) {
            (_, ProfileTarget::TicketId(id)) => request.ticket_id = Some(id.clone()),
            (Self::LogTicket, _) => return None,
            (Self::Create, ProfileTarget::DeskContactId(id)) => {
                request.desk_contact_id = Some(id.clone());
            }
            (Self::Create, ProfileTarget::DeskAccountId(id)) => {
                request.desk_account_id = Some(id.clone());
            }
        }
        Some(request)
    }
}

impl DeskContext {
    /// One line naming the record, e.g. `Ticket #101 · requester jade@zylker.com`.
    pub(crate) fn headline(&self, t: &Strings) -> String {
        match &self.record {
            Record::Ticket(ticket) => {
                let name = match &ticket.number {
                    Some(n) => format!("{} #{n}", t.ticket),
                    None => format!("{} {}", t.ticket, ticket.id),
                };
                match &ticket.email {
                    Some(email) => format!("{name} · {} {email}", t.requester),
                    None => name,
                }
            }
            Record::Contact { id, email } => match email {
                Some(email) => format!("{} · {email}", t.contact),
                None => format!("{} {id}", t.contact),
            },
            Record::Account { id, name } => match name {
                Some(name) => format!("{} · {name}", t.account),
                None => format!("{} {id}", t.account),
            },
            Record::Settings => t.settings_page.to_owned(),
            Record::Unsupported(location) if location.is_empty() => t.unsupported_page.to_owned(),
            Record::Unsupported(location) => format!("{} ({location})", t.unsupported_page),
        }
    }

    /// A second, quieter line: the ticket subject, when there is one.
    pub(crate) fn detail(&self) -> Option<&str> {
        match &self.record {
            Record::Ticket(t) => t.subject.as_deref().filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// What to ask the profile API about: the ticket (the server finds its requester), the
    /// contact or the account; `None` on pages without a record.
    pub(crate) fn target(&self) -> Option<ProfileTarget> {
        match &self.record {
            Record::Ticket(t) => Some(ProfileTarget::TicketId(t.id.clone())),
            Record::Contact { id, .. } => Some(ProfileTarget::DeskContactId(id.clone())),
            Record::Account { id, .. } => Some(ProfileTarget::DeskAccountId(id.clone())),
            Record::Settings | Record::Unsupported(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).expect("json")
    }

    fn ticket(text: &str) -> TicketInfo {
        decode::ticket(&json(text)).expect("ticket json")
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
        assert_eq!(t.email.as_deref(), Some("jade@zylker.com"));

        let t = ticket(r#"{"id":42,"number":101,"contactId":null,"accountId":""}"#);
        assert_eq!(t.id, "42");
        assert_eq!(t.number.as_deref(), Some("101"));
        assert_eq!(t.email, None);

        let t = ticket(r#"{"id":"7","number":""}"#);
        assert_eq!(t.number, None);

        assert!(decode::ticket(&json(r#"{"number":"1"}"#)).is_err());
        assert!(decode::ticket(&json(r#"{"id":null}"#)).is_err());
    }

    const EN: &Strings = Lang::En.strings();

    #[test]
    fn ticket_headline_names_number_and_requester() {
        let ctx = DeskContext {
            locale: "en".into(),
            record: Record::Ticket(ticket(
                r#"{"id":"9","number":"101","subject":"Printer on fire","contactId":"7","email":"jade@zylker.com"}"#,
            )),
        };
        assert_eq!(ctx.headline(EN), "Ticket #101 · requester jade@zylker.com");
        assert_eq!(
            ctx.headline(Lang::Zh.strings()),
            "工单 #101 · 请求者 jade@zylker.com"
        );
        assert_eq!(ctx.detail(), Some("Printer on fire"));
        assert_eq!(ctx.target(), Some(ProfileTarget::TicketId("9".into())));

        let bare = DeskContext {
            locale: "en".into(),
            record: Record::Ticket(ticket(r#"{"id":"9","subject":""}"#)),
        };
        assert_eq!(bare.headline(EN), "Ticket 9");
        assert_eq!(bare.detail(), None);
    }

    #[test]
    fn contact_and_account_headlines_and_targets() {
        let contact = |email: Option<&str>| DeskContext {
            locale: "en".into(),
            record: Record::Contact {
                id: "7".into(),
                email: email.map(Into::into),
            },
        };
        assert_eq!(contact(Some("a@b.c")).headline(EN), "Contact · a@b.c");
        assert_eq!(contact(None).headline(EN), "Contact 7");
        assert_eq!(
            contact(None).target(),
            Some(ProfileTarget::DeskContactId("7".into()))
        );

        let account = DeskContext {
            locale: "en".into(),
            record: Record::Account {
                id: "5".into(),
                name: Some("Zylker".into()),
            },
        };
        assert_eq!(account.headline(EN), "Account · Zylker");
        assert_eq!(
            account.target(),
            Some(ProfileTarget::DeskAccountId("5".into()))
        );
    }

    #[test]
    fn pages_without_a_record_have_no_target() {
        let ctx = DeskContext {
            locale: "en".into(),
            record: Record::Unsupported("desk.topband".into()),
        };
        assert_eq!(
            ctx.headline(EN),
            "This page is not supported (desk.topband)"
        );
        assert_eq!(ctx.target(), None);
        let settings = DeskContext {
            locale: "en".into(),
            record: Record::Settings,
        };
        assert_eq!(settings.target(), None);
    }

    #[test]
    fn users_decode_and_desk_picks_the_language() {
        let user = decode::desk_user(&json(
            r#"{"id":1892000000056007,"fullName":"Jade Lin","email":"jade@zylker.com","roleId":"9"}"#,
        ))
        .expect("user json");
        assert_eq!(user.id, "1892000000056007");
        assert_eq!(user.email.as_deref(), Some("jade@zylker.com"));
        let desk = Desk {
            context: DeskContext {
                locale: "zh_CN".into(),
                record: Record::Settings,
            },
            org_id: "60001".into(),
            user,
        };
        assert_eq!(desk.lang(), Lang::Zh);
    }

    #[test]
    fn action_bodies_name_the_record_like_the_query() {
        let ticket = ProfileTarget::TicketId("9".into());
        let contact = ProfileTarget::DeskContactId("7".into());
        let account = ProfileTarget::DeskAccountId("5".into());
        let create = |t| ActionKind::Create.request(t).expect("create body");
        assert_eq!(create(&ticket).ticket_id.as_deref(), Some("9"));
        assert_eq!(create(&contact).desk_contact_id.as_deref(), Some("7"));
        let body = create(&account);
        assert_eq!(body.desk_account_id.as_deref(), Some("5"));
        assert_eq!((body.ticket_id, body.desk_contact_id), (None, None));
        assert_eq!(
            ActionKind::LogTicket
                .request(&ticket)
                .and_then(|r| r.ticket_id),
            Some("9".into())
        );
        assert_eq!(ActionKind::LogTicket.request(&contact), None);
        assert_eq!(ActionKind::LogTicket.path(), "log-ticket");
        assert_eq!(ActionKind::Create.path(), "create");
    }
}
