//! The demo's seed: options for the sandbox's two simulators ([`salesforce_options`],
//! [`desk_options`]), a Desk portal and a Salesforce org made from one generator seed, so that
//! the first [`SHARED_PEOPLE`] Desk contacts are the same people (same emails) in Salesforce and
//! the rest exist only in Desk.
//!
//! The Desk seed makes no tickets of its own; [`add_tickets`] adds [`TICKETS`] so each one has a
//! requester chosen for what it shows: #101 the rich Salesforce profile (contact 1, who has no
//! generated Salesforce activity, so the showcase's counts are exact), #102 a requester that
//! Salesforce does not know.

use chrono::TimeDelta;
use sfdesk_sim::desk::model::Ticket;
use sfdesk_sim::desk::{DeskSeed, DeskSimHandle, DeskSimOptions, Record};
use sfdesk_sim::salesforce::{SalesforceSeed, SalesforceSimOptions};

use super::DemoError;

/// The generator seed both simulators share.
const SEED: u64 = 7;
/// Accounts on each side (the same companies).
const ACCOUNTS: usize = 10;
/// Desk contacts.
const DESK_CONTACTS: usize = 36;
/// Salesforce contacts: the shared people plus some only Salesforce has.
const SALESFORCE_CONTACTS: usize = 40;
/// Desk contacts `0..SHARED_PEOPLE` also exist in Salesforce.
const SHARED_PEOPLE: usize = 30;

/// One demo ticket: who asked, about what, and the message the host page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TicketSpec {
    /// Ticket number (`101`).
    pub(super) number: &'static str,
    /// Index of the requester among the generated Desk contacts.
    pub(super) contact: usize,
    /// Subject.
    pub(super) subject: &'static str,
    /// `Open`, `On Hold` or `Closed`.
    pub(super) status: &'static str,
    /// Priority shown on the host page.
    pub(super) priority: &'static str,
    /// Channel shown on the host page.
    pub(super) channel: &'static str,
    /// The requester's message.
    pub(super) message: &'static str,
}

/// The demo's tickets, #101 first. Contact 31 is beyond [`SHARED_PEOPLE`]: Desk only.
const TICKETS: &[TicketSpec] = &[
    TicketSpec {
        number: "101",
        contact: 1,
        subject: "Renewal quote lists the wrong plan",
        status: "Open",
        priority: "High",
        channel: "Email",
        message: "Hi, the renewal quote we received lists the Standard plan, but we moved to \
                  Enterprise last spring. Could you check it before our finance team signs on \
                  Friday? We also want to add the analytics module.",
    },
    TicketSpec {
        number: "102",
        contact: 31,
        subject: "Cannot log in to the portal",
        status: "Open",
        priority: "Medium",
        channel: "Web",
        message: "Hello, I signed up last week but the portal says my account does not exist.",
    },
    TicketSpec {
        number: "103",
        contact: 2,
        subject: "Shipment arrived damaged",
        status: "On Hold",
        priority: "High",
        channel: "Email",
        message: "Two of the five units in today's delivery have cracked casings. Photos \
                  attached.",
    },
    TicketSpec {
        number: "104",
        contact: 3,
        subject: "How do I export my data?",
        status: "Open",
        priority: "Low",
        channel: "Chat",
        message: "Is there a way to export all our invoices as CSV?",
    },
    TicketSpec {
        number: "105",
        contact: 4,
        subject: "订单状态查询",
        status: "Open",
        priority: "Medium",
        channel: "Email",
        message: "您好，我想查询一下上周订单的发货状态，谢谢。",
    },
    TicketSpec {
        number: "106",
        contact: 6,
        subject: "Request for a product demo",
        status: "Closed",
        priority: "Low",
        channel: "Web",
        message: "Could someone walk our team through the reporting features next week?",
    },
    TicketSpec {
        number: "107",
        contact: 7,
        subject: "Invoice shows the wrong amount",
        status: "On Hold",
        priority: "Medium",
        channel: "Email",
        message: "Our March invoice charges 12 seats; we only have 10.",
    },
    TicketSpec {
        number: "108",
        contact: 9,
        subject: "Password reset email never arrives",
        status: "Open",
        priority: "High",
        channel: "Phone",
        message: "I requested a password reset three times today and received nothing.",
    },
];

/// The demo's tickets, #101 first.
pub(super) fn ticket_stories() -> &'static [TicketSpec] {
    TICKETS
}

/// A seeded ticket and its requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTicket {
    /// Desk ticket id.
    pub id: String,
    /// Ticket number (`101`).
    pub number: String,
    /// The requester's Desk contact id.
    pub contact_id: String,
    /// The requester's Desk account id, if the contact has an account.
    pub account_id: Option<String>,
    /// The requester's email (the ticket's `email`).
    pub email: String,
}

/// The tickets tests rely on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTickets {
    /// #101: the requester has a rich Salesforce profile (see [`super::Showcase`]).
    pub rich: DemoTicket,
    /// #102: the requester does not exist in Salesforce.
    pub unknown: DemoTicket,
}

/// The Salesforce org: the same companies as Desk, the shared people plus some only Salesforce
/// has, with generated activities.
pub(super) fn salesforce_options() -> SalesforceSimOptions {
    SalesforceSimOptions {
        seed: SalesforceSeed {
            seed: SEED,
            accounts: ACCOUNTS,
            contacts: SALESFORCE_CONTACTS,
            overlap: SHARED_PEOPLE,
            activities: true,
        },
        // The demo runs for hours; tokens are renewed through the refresh token anyway.
        session_timeout: std::time::Duration::from_secs(8 * 3600),
        ..SalesforceSimOptions::default()
    }
}

/// The Desk portal: [`DESK_CONTACTS`] contacts, the default three agents, no generated tickets
/// (the sandbox registers its sign-in callback as the redirect URI).
pub(super) fn desk_options() -> DeskSimOptions {
    DeskSimOptions {
        seed: DeskSeed {
            seed: SEED,
            accounts: ACCOUNTS,
            contacts: DESK_CONTACTS,
            tickets: 0,
            ..DeskSeed::default()
        },
        ..DeskSimOptions::default()
    }
}

/// Adds [`TICKETS`], assigned to the support agent, created a few minutes apart.
///
/// # Errors
/// [`DemoError::Seed`] when the Desk seed lacks a department or a ticket's requester.
pub(super) fn add_tickets(desk: &DeskSimHandle) -> Result<DemoTickets, DemoError> {
    let state = desk.state();
    let mut contacts: Vec<Record> = state.contacts();
    // Generated in index order, one minute apart.
    contacts.sort_by_key(|c| c.created_time);
    let department = state
        .departments()
        .first()
        .map(|d| d.id.clone())
        .ok_or_else(|| DemoError::Seed("the Desk seed has no department".to_owned()))?;
    let assignee = state
        .agents()
        .iter()
        .find(|a| a.role_permission_type == "AgentPublic")
        .map(|a| a.id.clone());
    let now = desk.clock().now();
    let mut made = Vec::new();
    for (i, spec) in TICKETS.iter().enumerate() {
        let contact = contacts.get(spec.contact).ok_or_else(|| {
            DemoError::Seed(format!(
                "no Desk contact {} for #{}",
                spec.contact, spec.number
            ))
        })?;
        let email = contact.str("email").ok_or_else(|| {
            DemoError::Seed(format!("the requester of #{} has no email", spec.number))
        })?;
        let created = now - TimeDelta::minutes(17 * (TICKETS.len() - i) as i64);
        let ticket = Ticket {
            id: String::new(),
            ticket_number: spec.number.to_owned(),
            subject: spec.subject.to_owned(),
            status: spec.status.to_owned(),
            department_id: department.clone(),
            contact_id: Some(contact.id.clone()),
            account_id: contact.str("accountId").map(str::to_owned),
            email: Some(email.to_owned()),
            phone: contact.str("phone").map(str::to_owned),
            assignee_id: assignee.clone(),
            created_time: created,
            modified_time: created,
        };
        let id = state.add_ticket(ticket);
        made.push(DemoTicket {
            id,
            number: spec.number.to_owned(),
            contact_id: contact.id.clone(),
            account_id: contact.str("accountId").map(str::to_owned),
            email: email.to_owned(),
        });
    }
    let mut made = made.into_iter();
    match (made.next(), made.next()) {
        (Some(rich), Some(unknown)) => Ok(DemoTickets { rich, unknown }),
        _ => Err(DemoError::Seed("fewer than two demo tickets".to_owned())),
    }
}
