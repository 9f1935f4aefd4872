//! `/demo/context.json`: what the host page shows and answers the widget's SDK calls with,
//! read from the Desk simulator's state on every request (so edits made through the Desk API
//! show up on reload).
//!
//! Shape (ids are Desk ids; `contacts` and `accounts` are keyed by id):
//!
//! ```json
//! {"portal": {"id": "55667788", "name": "zylker"}, "locale": "en",
//!  "agents": [{"id", "fullName", "email", "roleId", "roleName"}],
//!  "tickets": [{"id", "number", "subject", "status", "priority", "channel", "contactId",
//!               "accountId", "email", "phone", "createdTime", "thread": [{"from", "direction",
//!               "time", "body"}]}],
//!  "contacts": {"<id>": {"id", "firstName", "lastName", "email", "phone", "accountId"}},
//!  "accounts": {"<id>": {"id", "accountName", "website", "industry"}}}
//! ```
//!
//! Tickets come in number order (#101 first); agents in the Desk seed's order (Administrator
//! first).

use serde_json::{Map, Value, json};
use sfdesk_sim::desk::{DeskState, Record};

use super::seed::TicketSpec;

/// Builds the context from the live Desk state.
pub(super) struct Source {
    state: DeskState,
    stories: &'static [TicketSpec],
}

impl Source {
    /// A source over `state`; `stories` give each ticket's priority, channel and message.
    pub(super) fn new(state: DeskState, stories: &'static [TicketSpec]) -> Self {
        Self { state, stories }
    }

    /// The current context document.
    pub(super) fn build(&self) -> Value {
        let org = self.state.org();
        let roles = self.state.roles();
        let agents: Vec<Value> = self
            .state
            .agents()
            .iter()
            .map(|agent| {
                let role = roles.iter().find(|r| r.id == agent.role_id);
                json!({
                    "id": agent.id,
                    "fullName": agent.name(),
                    "email": agent.email,
                    "roleId": agent.role_id,
                    "roleName": role.map(|r| r.name.as_str()),
                })
            })
            .collect();
        let contacts: Map<String, Value> = self
            .state
            .contacts()
            .iter()
            .map(|c| (c.id.clone(), contact(c)))
            .collect();
        let accounts: Map<String, Value> = self
            .state
            .accounts()
            .iter()
            .map(|a| (a.id.clone(), account(a)))
            .collect();
        let mut tickets = self.state.tickets();
        tickets.sort_by_key(|t| t.ticket_number.parse::<u64>().unwrap_or(u64::MAX));
        let tickets: Vec<Value> = tickets
            .iter()
            .map(|t| {
                let story = self.stories.iter().find(|s| s.number == t.ticket_number);
                let requester = t
                    .contact_id
                    .as_ref()
                    .and_then(|id| contacts.get(id))
                    .map(display_name)
                    .unwrap_or_default();
                let thread: Vec<Value> = story
                    .map(|s| {
                        vec![json!({
                            "from": requester,
                            "direction": "in",
                            "time": t.created_time.format("%b %-d, %H:%M").to_string(),
                            "body": s.message,
                        })]
                    })
                    .unwrap_or_default();
                json!({
                    "id": t.id,
                    "number": t.ticket_number,
                    "subject": t.subject,
                    "status": t.status,
                    "statusType": t.status,
                    "priority": story.map_or("Medium", |s| s.priority),
                    "channel": story.map_or("Email", |s| s.channel),
                    "departmentId": t.department_id,
                    "contactId": t.contact_id,
                    "accountId": t.account_id,
                    "email": t.email,
                    "phone": t.phone,
                    "assigneeId": t.assignee_id,
                    "createdTime": t.created_time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                    "thread": thread,
                })
            })
            .collect();
        json!({
            "portal": {"id": org.id, "name": org.portal_name},
            "locale": "en",
            "agents": agents,
            "tickets": tickets,
            "contacts": contacts,
            "accounts": accounts,
        })
    }
}

fn contact(record: &Record) -> Value {
    json!({
        "id": record.id,
        "firstName": record.str("firstName"),
        "lastName": record.str("lastName"),
        "email": record.str("email"),
        "phone": record.str("phone"),
        "accountId": record.str("accountId"),
    })
}

fn account(record: &Record) -> Value {
    json!({
        "id": record.id,
        "accountName": record.str("accountName"),
        "website": record.str("website"),
        "industry": record.str("industry"),
    })
}

/// `First Last`, or the last name alone.
fn display_name(contact: &Value) -> String {
    [&contact["firstName"], &contact["lastName"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
