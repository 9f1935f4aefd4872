//! Deterministic seed data of the Desk simulator: [`DeskSeed`].
//!
//! Roles, profiles, one department, agents (by default an Administrator, a "Support Agent" and a
//! "Light Agent" with `rolePermissionType` `Light`), the custom fields sfdesk maps (`cf_sf_id` on
//! both modules, a `cf_customer_tier` picklist on contacts), accounts from
//! [`crate::common::people::company`], contacts from [`crate::common::people::person`] (so they
//! carry the same quirks: no email, a shared email, names differing only in case or spacing,
//! Chinese names) and tickets linking to contacts. Same seed and sizes → same data (ids included,
//! since ids are allocated in a fixed order); timestamps are spread over the minutes before the
//! simulated start time.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::model::{Agent, Department, FieldDef, FieldType, Module, Profile, Role, Ticket};
use super::state::Db;
use super::validate::Changes;
use crate::common::people;

/// Kind of a seeded agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentKind {
    /// Role "CEO", profile "Administrator", `rolePermissionType` `Admin`.
    Administrator,
    /// Role and profile "Support Agent", `rolePermissionType` `AgentPublic`.
    SupportAgent,
    /// Role and profile "Light Agent", `rolePermissionType` `Light`.
    LightAgent,
}

/// An agent to seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedAgent {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Sign-in email (`login_hint` of the consent page).
    pub email: String,
    /// Role / profile.
    pub kind: AgentKind,
}

impl SeedAgent {
    fn new(first: &str, last: &str, email: &str, kind: AgentKind) -> Self {
        Self {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.to_owned(),
            kind,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskSeed {
    /// Generator seed (shared with the Salesforce generator for overlapping people).
    pub seed: u64,
    /// Accounts to create (`people::company(seed, 0..accounts)`).
    pub accounts: usize,
    /// Contacts to create (`people::person(seed, 0..contacts, accounts)`).
    pub contacts: usize,
    /// Tickets to create (ticket `i` belongs to contact `i % contacts`).
    pub tickets: usize,
    /// Agents; the first Administrator is the handle's default agent.
    pub agents: Vec<SeedAgent>,
    /// Whether to define the custom fields `cf_sf_id` (both modules) and `cf_customer_tier`.
    pub custom_fields: bool,
}

impl Default for DeskSeed {
    fn default() -> Self {
        Self {
            seed: 1,
            accounts: 10,
            contacts: 25,
            tickets: 5,
            agents: default_agents(),
            custom_fields: true,
        }
    }
}

impl DeskSeed {
    /// No records at all (agents and custom fields only).
    pub fn empty() -> Self {
        Self {
            accounts: 0,
            contacts: 0,
            tickets: 0,
            ..Self::default()
        }
    }
}

/// The three default agents: `ann.lee@zylker.example` (Administrator),
/// `torrey.emard@zylker.example` (Support Agent), `li.na@zylker.example` (Light Agent, Chinese name).
pub fn default_agents() -> Vec<SeedAgent> {
    vec![
        SeedAgent::new(
            "Ann",
            "Lee",
            "ann.lee@zylker.example",
            AgentKind::Administrator,
        ),
        SeedAgent::new(
            "Torrey",
            "Emard",
            "torrey.emard@zylker.example",
            AgentKind::SupportAgent,
        ),
        SeedAgent::new("娜", "李", "li.na@zylker.example", AgentKind::LightAgent),
    ]
}

const SUBJECTS: &[&str] = &[
    "Cannot log in to the portal",
    "Invoice shows the wrong amount",
    "Shipment arrived damaged",
    "How do I export my data?",
    "订单状态查询",
    "Request for a product demo",
];

/// Fills an empty `db`.
pub(crate) fn apply(db: &mut Db, seed: &DeskSeed, now: DateTime<Utc>) {
    let dept = Department {
        id: db.new_id(),
        name: "Support".to_owned(),
    };
    let ceo = Role {
        id: db.new_id(),
        name: "CEO".to_owned(),
        description: "Sees everything".to_owned(),
        reports_to: None,
        is_default: false,
    };
    let support_role = Role {
        id: db.new_id(),
        name: "Support Agent".to_owned(),
        description: "Front-line support".to_owned(),
        reports_to: Some(ceo.id.clone()),
        is_default: true,
    };
    let light_role = Role {
        id: db.new_id(),
        name: "Light Agent".to_owned(),
        description: "Read-mostly collaborators".to_owned(),
        reports_to: Some(ceo.id.clone()),
        is_default: false,
    };
    let profile = |db: &mut Db, name: &str, kind: &str, is_default: bool| Profile {
        id: db.new_id(),
        name: name.to_owned(),
        kind: kind.to_owned(),
        is_default,
        description: format!("{name} profile"),
    };
    let admin_profile = profile(db, "Administrator", "Administrator", false);
    let agent_profile = profile(db, "Support Agent", "Agent", true);
    let light_profile = profile(db, "Light Agent", "Light", false);
    for (i, a) in seed.agents.iter().enumerate() {
        let (role, profile, permission) = match a.kind {
            AgentKind::Administrator => (&ceo, &admin_profile, "Admin"),
            AgentKind::SupportAgent => (&support_role, &agent_profile, "AgentPublic"),
            AgentKind::LightAgent => (&light_role, &light_profile, "Light"),
        };
        let agent = Agent {
            id: db.new_id(),
            zuid: (10_687_231 + i as u64 * 7).to_string(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            email: a.email.clone(),
            status: "ACTIVE".to_owned(),
            role_id: role.id.clone(),
            profile_id: profile.id.clone(),
            role_permission_type: permission.to_owned(),
            department_ids: vec![dept.id.clone()],
        };
        db.agents.push(agent);
    }
    db.roles = vec![ceo, support_role, light_role];
    db.profiles = vec![admin_profile, agent_profile, light_profile];
    db.departments = vec![dept.clone()];

    if seed.custom_fields {
        let mut tier = FieldDef::custom(
            &db.new_id(),
            "cf_customer_tier",
            "Customer Tier",
            FieldType::Picklist,
            Some(120),
        );
        tier.allowed_values = Some(vec![
            "Gold".to_owned(),
            "Silver".to_owned(),
            "Bronze".to_owned(),
        ]);
        let contact_sf = FieldDef::custom(
            &db.new_id(),
            "cf_sf_id",
            "SF Id",
            FieldType::Text,
            Some(100),
        );
        let account_sf = FieldDef::custom(
            &db.new_id(),
            "cf_sf_id",
            "SF Id",
            FieldType::Text,
            Some(100),
        );
        db.custom_fields
            .insert(Module::Contacts, vec![contact_sf, tier]);
        db.custom_fields.insert(Module::Accounts, vec![account_sf]);
    }

    let owner = db.admin_id();
    let total = (seed.accounts + seed.contacts) as i64;
    let mut step = 0_i64;
    let mut stamp = |db: &mut Db, module: Module, id: &str| {
        step += 1;
        let t = now - TimeDelta::minutes(total - step + 1);
        if let Some(r) = db.records.get_mut(&module).and_then(|m| m.get_mut(id)) {
            r.created_time = t;
            r.modified_time = t;
        }
    };
    let mut account_ids = Vec::with_capacity(seed.accounts);
    for i in 0..seed.accounts {
        let c = people::company(seed.seed, i);
        let mut fields = Map::new();
        fields.insert("accountName".to_owned(), json!(c.name));
        fields.insert("website".to_owned(), json!(c.website));
        fields.insert("phone".to_owned(), json!(c.phone));
        fields.insert("industry".to_owned(), json!(c.industry));
        fields.insert("city".to_owned(), json!(c.city));
        fields.insert("country".to_owned(), json!(c.country));
        let change = db.create(
            Module::Accounts,
            Changes {
                fields,
                cf: Map::new(),
            },
            now,
            &owner,
        );
        stamp(db, Module::Accounts, &change.record.id);
        account_ids.push(change.record.id);
    }
    let mut contacts = Vec::with_capacity(seed.contacts);
    for i in 0..seed.contacts {
        let p = people::person(seed.seed, i, seed.accounts);
        let mut fields = Map::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                fields.insert(k.to_owned(), Value::String(v));
            }
        };
        put("firstName", p.first_name.clone());
        put("lastName", Some(p.last_name.clone()));
        put("email", p.email.clone());
        put("phone", p.phone.clone());
        put("mobile", p.mobile.clone());
        put("title", p.title.clone());
        put("city", Some(p.city.clone()));
        put("country", Some(p.country.clone()));
        put(
            "accountId",
            p.company.and_then(|c| account_ids.get(c).cloned()),
        );
        let mut cf = Map::new();
        if seed.custom_fields && i % 3 == 0 {
            cf.insert(
                "cf_customer_tier".to_owned(),
                json!(["Gold", "Silver", "Bronze"][i % 9 / 3]),
            );
        }
        let change = db.create(Module::Contacts, Changes { fields, cf }, now, &owner);
        stamp(db, Module::Contacts, &change.record.id);
        contacts.push(change.record);
    }
    let assignee = db
        .agents
        .iter()
        .find(|a| a.role_permission_type == "AgentPublic")
        .or(db.agents.first())
        .map(|a| a.id.clone());
    for i in 0..seed.tickets {
        let contact = (!contacts.is_empty()).then(|| &contacts[i % contacts.len()]);
        // Every fourth ticket was opened from another address than the contact's current email.
        let email = match contact.and_then(|c| c.str("email")) {
            Some(e) if i % 4 != 3 => Some(e.to_owned()),
            _ => Some(format!("requester{i}@mail.example.com")),
        };
        let status = ["Open", "On Hold", "Closed"][i % 3];
        let t = now - TimeDelta::minutes((seed.tickets - i) as i64);
        let ticket = Ticket {
            id: db.new_id(),
            ticket_number: (101 + i).to_string(),
            subject: SUBJECTS[i % SUBJECTS.len()].to_owned(),
            status: status.to_owned(),
            department_id: dept.id.clone(),
            contact_id: contact.map(|c| c.id.clone()),
            account_id: contact.and_then(|c| c.str("accountId").map(str::to_owned)),
            email,
            phone: contact.and_then(|c| c.str("phone").map(str::to_owned)),
            assignee_id: assignee.clone(),
            created_time: t,
            modified_time: t,
        };
        db.tickets.insert(ticket.id.clone(), ticket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::{Edition, Org};

    fn build(seed: &DeskSeed) -> Db {
        let now: DateTime<Utc> = "2024-03-05T10:15:30Z".parse().unwrap();
        let org = Org {
            id: "1".to_owned(),
            company_name: "Z".to_owned(),
            portal_name: "z".to_owned(),
            edition: Edition::Enterprise,
        };
        let mut db = Db::new(org, now.date_naive());
        apply(&mut db, seed, now);
        db
    }

    #[test]
    fn same_seed_same_data() {
        let seed = DeskSeed {
            accounts: 12,
            contacts: 40,
            ..DeskSeed::default()
        };
        let (a, b) = (build(&seed), build(&seed));
        assert_eq!(a.records, b.records);
        assert_eq!(a.agents, b.agents);
        assert_eq!(a.tickets, b.tickets);
        let other = build(&DeskSeed { seed: 2, ..seed });
        assert_ne!(a.records, other.records);
    }

    #[test]
    fn awkward_cases_are_seeded() {
        let db = build(&DeskSeed {
            accounts: 12,
            contacts: 40,
            tickets: 8,
            ..DeskSeed::default()
        });
        let contacts: Vec<&crate::desk::Record> = db.live_records(Module::Contacts).collect();
        assert!(contacts.iter().any(|c| c.str("email").is_none()));
        let shared = people::shared_email(1);
        assert!(
            contacts
                .iter()
                .filter(|c| c.str("email") == Some(shared.as_str()))
                .count()
                >= 2
        );
        let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(
            contacts
                .iter()
                .any(|c| c.str("lastName").is_some_and(chinese))
        );
        let names: Vec<&str> = db
            .live_records(Module::Accounts)
            .filter_map(|a| a.str("accountName"))
            .collect();
        assert!(names.iter().any(|n| chinese(n)));
        assert!(names.iter().enumerate().any(|(i, a)| {
            names[..i]
                .iter()
                .any(|b| a != b && a.to_lowercase() == b.to_lowercase())
        }));
        assert!(contacts.iter().all(|c| c.str("accountId").is_some()));
        let kinds: Vec<&str> = db
            .agents
            .iter()
            .map(|a| a.role_permission_type.as_str())
            .collect();
        assert_eq!(kinds, ["Admin", "AgentPublic", "Light"]);
        // Some tickets were opened from an address other than the contact's current email.
        assert!(db.tickets.values().any(|t| {
            let contact = t
                .contact_id
                .as_deref()
                .and_then(|c| db.live(Module::Contacts, c));
            contact.and_then(|c| c.str("email")) != t.email.as_deref()
        }));
    }
}
