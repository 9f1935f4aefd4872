//! Read-only org metadata: `/organizations`, `/fields` and `/organizationFields`, `/layouts`,
//! `/myinfo`,
//! `/agents` (+ `/agents/{id}`, `/agentsByIds`), `/roles`, `/profiles` (+ `/profiles/{id}/agents`),
//! and tickets (`/tickets`, `/tickets/{id}`), in the shapes of doc §9–§11.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::api::Caller;
use super::error::DeskError;
use super::model::{Agent, Module, Ticket, account_ref, desk_time, standard_fields, ticket_fields};
use super::params::{Params, bad_value};
use super::records::data_or_204;
use super::state::{Ctx, Db};

/// `GET /organizations`: the orgs the token reaches (no `orgId` header needed).
pub(crate) async fn organizations(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    Params::parse(raw.as_deref(), &[])?;
    let db = ctx.db();
    let org = &db.org;
    let portal_url = format!("{}support/{}", ctx.base_url, org.portal_name);
    Ok(Json(json!({"data": [{
        "id": org.id,
        "companyName": org.company_name,
        "portalName": org.portal_name,
        "portalURL": portal_url,
        "edition": org.edition.name(),
        "isDefault": true,
        "isAdminInOrg": true,
        "currencyCode": "USD",
        "timeZone": "UTC",
    }]}))
    .into_response())
}

/// `GET /fields?module=` and `GET /organizationFields?module=`.
pub(crate) async fn fields(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["module", "apiNames"])?;
    let module = p.get("module").unwrap_or_default();
    let db = ctx.db();
    let defs = match module {
        "contacts" => [
            standard_fields(Module::Contacts),
            db.custom(Module::Contacts).to_vec(),
        ]
        .concat(),
        "accounts" => [
            standard_fields(Module::Accounts),
            db.custom(Module::Accounts).to_vec(),
        ]
        .concat(),
        "tickets" => ticket_fields(),
        _ => return Err(bad_value("module", module)),
    };
    let wanted: Option<Vec<&str>> = p
        .get("apiNames")
        .map(|v| v.split(',').map(str::trim).collect());
    let rows: Vec<Value> = defs
        .iter()
        .filter(|d| {
            wanted
                .as_ref()
                .is_none_or(|w| w.contains(&d.api_name.as_str()))
        })
        .map(|d| d.to_json())
        .collect();
    Ok(Json(json!({"data": rows})).into_response())
}

fn agent_json(db: &Db, agent: &Agent, include: &[String]) -> Value {
    let mut v = json!({
        "id": agent.id,
        "zuid": agent.zuid,
        "firstName": agent.first_name,
        "lastName": agent.last_name,
        "name": agent.name(),
        "emailId": agent.email,
        "status": agent.status,
        "roleId": agent.role_id,
    });
    let obj = v.as_object_mut();
    if let Some(obj) = obj {
        if include.iter().any(|i| i == "role") {
            let role = db.roles.iter().find(|r| r.id == agent.role_id);
            obj.insert(
                "role".to_owned(),
                role.map_or(Value::Null, |r| json!({"id": r.id, "name": r.name})),
            );
        }
        obj.insert("profileId".to_owned(), json!(agent.profile_id));
        if include.iter().any(|i| i == "profile") {
            let profile = db.profiles.iter().find(|p| p.id == agent.profile_id);
            obj.insert(
                "profile".to_owned(),
                profile.map_or(Value::Null, |p| json!({"id": p.id, "name": p.name})),
            );
        }
        obj.insert(
            "rolePermissionType".to_owned(),
            json!(agent.role_permission_type),
        );
        obj.insert(
            "associatedDepartmentIds".to_owned(),
            json!(agent.department_ids),
        );
        obj.insert("isLightAgent".to_owned(), json!(agent.is_light()));
        obj.insert("photoURL".to_owned(), Value::Null);
    }
    v
}

/// `GET /myinfo?include=role,profile`: the token's agent.
pub(crate) async fn myinfo(
    State(ctx): State<Arc<Ctx>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["include"])?;
    let include = p.list("include", &["role", "profile"])?;
    let db = ctx.db();
    let agent = db.agent(&caller.agent_id).ok_or(DeskError::NotFound)?;
    Ok(Json(agent_json(&db, agent, &include)).into_response())
}

/// `GET /agents/{id}`.
pub(crate) async fn agent(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["include"])?;
    let include = p.list("include", &["role", "profile"])?;
    let db = ctx.db();
    let agent = db.agent(&id).ok_or(DeskError::NotFound)?;
    Ok(Json(agent_json(&db, agent, &include)).into_response())
}

fn id_set(p: &Params, name: &str) -> Option<Vec<String>> {
    p.get(name)
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
}

/// `GET /agents`: 1-based, `limit` ≤ 200.
pub(crate) async fn agents(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(
        raw.as_deref(),
        &[
            "from",
            "limit",
            "status",
            "roleIds",
            "profileIds",
            "departmentIds",
            "isLightAgent",
            "searchStr",
            "include",
        ],
    )?;
    let from = p.int("from", 1, 1, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 200)? as usize;
    let include = p.list("include", &["role", "profile"])?;
    let status = p.get("status").map(str::to_owned);
    if let Some(s) = status
        .as_deref()
        .filter(|s| !matches!(*s, "ACTIVE" | "DISABLED"))
    {
        return Err(bad_value("status", s));
    }
    let light = p.bool("isLightAgent")?;
    let (roles, profiles, departments) = (
        id_set(&p, "roleIds"),
        id_set(&p, "profileIds"),
        id_set(&p, "departmentIds"),
    );
    let search = p.get("searchStr").map(str::to_lowercase);
    let db = ctx.db();
    let rows = db
        .agents
        .iter()
        .filter(|a| status.as_deref().is_none_or(|s| a.status == s))
        .filter(|a| roles.as_ref().is_none_or(|r| r.contains(&a.role_id)))
        .filter(|a| profiles.as_ref().is_none_or(|r| r.contains(&a.profile_id)))
        .filter(|a| {
            departments
                .as_ref()
                .is_none_or(|d| a.department_ids.iter().any(|x| d.contains(x)))
        })
        .filter(|a| light.is_none_or(|l| a.is_light() == l))
        .filter(|a| {
            search.as_ref().is_none_or(|q| {
                a.name().to_lowercase().contains(q) || a.email.to_lowercase().contains(q)
            })
        })
        .skip(from - 1)
        .take(limit)
        .map(|a| agent_json(&db, a, &include))
        .collect();
    Ok(data_or_204(rows))
}

/// `GET /agentsByIds?agentIds=` (≤ 50): slim rows.
pub(crate) async fn agents_by_ids(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["agentIds"])?;
    let ids = p.ids("agentIds", 50)?;
    let db = ctx.db();
    let rows: Vec<Value> = ids
        .iter()
        .filter_map(|id| db.agent(id))
        .map(|a| {
            json!({"id": a.id, "firstName": a.first_name, "lastName": a.last_name, "name": a.name(),
                   "emailId": a.email, "status": a.status, "roleId": a.role_id, "profileId": a.profile_id,
                   "zuid": a.zuid, "photoURL": null})
        })
        .collect();
    Ok(Json(json!({"data": rows})).into_response())
}

/// The `/roles` and `/profiles` filters: `searchStr` (lowercased) is part of the lowercased
/// name, and the default flag is as asked.
fn listed(name: &str, is_default: bool, search: Option<&str>, default: Option<bool>) -> bool {
    search.is_none_or(|q| name.to_lowercase().contains(q))
        && default.is_none_or(|d| is_default == d)
}

/// `GET /roles`: 0-based, `limit` ≤ 500.
pub(crate) async fn roles(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(
        raw.as_deref(),
        &["from", "limit", "searchStr", "isVisible", "isDefault"],
    )?;
    let from = p.int("from", 0, 0, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 500)? as usize;
    let search = p.get("searchStr").map(str::to_lowercase);
    let default = p.bool("isDefault")?;
    p.bool("isVisible")?;
    let db = ctx.db();
    let rows = db
        .roles
        .iter()
        .filter(|r| listed(&r.name, r.is_default, search.as_deref(), default))
        .skip(from)
        .take(limit)
        .map(|r| r.to_json(&db.roles))
        .collect();
    Ok(data_or_204(rows))
}

/// `GET /roles/{id}`.
pub(crate) async fn role(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let db = ctx.db();
    let role = db
        .roles
        .iter()
        .find(|r| r.id == id)
        .ok_or(DeskError::NotFound)?;
    Ok(Json(role.to_json(&db.roles)).into_response())
}

/// `GET /profiles`: 0-based, `limit` ≤ 250.
pub(crate) async fn profiles(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(
        raw.as_deref(),
        &["from", "limit", "searchStr", "visible", "default"],
    )?;
    let from = p.int("from", 0, 0, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 250)? as usize;
    let search = p.get("searchStr").map(str::to_lowercase);
    p.bool("visible")?;
    let default = p.bool("default")?;
    let db = ctx.db();
    let rows = db
        .profiles
        .iter()
        .filter(|r| listed(&r.name, r.is_default, search.as_deref(), default))
        .skip(from)
        .take(limit)
        .map(super::model::Profile::to_json)
        .collect();
    Ok(data_or_204(rows))
}

/// `GET /profiles/{id}`.
pub(crate) async fn profile(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let db = ctx.db();
    let profile = db
        .profiles
        .iter()
        .find(|p| p.id == id)
        .ok_or(DeskError::NotFound)?;
    Ok(Json(profile.to_json()).into_response())
}

/// `GET /profiles/{id}/agents`: rows wrapped in `"agents"`, not `"data"`.
pub(crate) async fn profile_agents(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["from", "limit", "active"])?;
    let from = p.int("from", 0, 0, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let db = ctx.db();
    if !db.profiles.iter().any(|p| p.id == id) {
        return Err(DeskError::NotFound);
    }
    let rows: Vec<Value> = db
        .agents
        .iter()
        .filter(|a| a.profile_id == id)
        .skip(from)
        .take(limit)
        .map(|a| agent_json(&db, a, &[]))
        .collect();
    Ok(Json(json!({"agents": rows})).into_response())
}

fn ticket_json(ctx: &Ctx, db: &Db, t: &Ticket, include: &[String]) -> Value {
    let mut v = json!({
        "id": t.id,
        "ticketNumber": t.ticket_number,
        "subject": t.subject,
        "status": t.status,
        "statusType": t.status,
        "departmentId": t.department_id,
        "contactId": t.contact_id,
        "accountId": t.account_id,
        "email": t.email,
        "phone": t.phone,
        "assigneeId": t.assignee_id,
        "createdTime": desk_time(t.created_time),
        "modifiedTime": desk_time(t.modified_time),
        "webUrl": format!("{}#Cases/dv/{}", ctx.web_base, t.id),
        "cf": {},
    });
    if include.iter().any(|i| i == "contacts") {
        let contact = t
            .contact_id
            .as_deref()
            .and_then(|c| db.table(Module::Contacts).get(c));
        v["contact"] = contact.map_or(Value::Null, |c| {
            let account = c.str("accountId").and_then(|a| db.table(Module::Accounts).get(a));
            let s = |k: &str| c.fields.get(k).cloned().unwrap_or(Value::Null);
            json!({"id": c.id, "firstName": s("firstName"), "lastName": s("lastName"), "email": s("email"),
                   "phone": s("phone"), "mobile": s("mobile"), "type": s("type"), "account": account_ref(account)})
        });
    }
    if include.iter().any(|i| i == "assignee") {
        let agent = t.assignee_id.as_deref().and_then(|a| db.agent(a));
        v["assignee"] = agent.map_or(Value::Null, |a| {
            json!({"id": a.id, "firstName": a.first_name, "lastName": a.last_name, "email": a.email, "photoURL": null})
        });
    }
    if include.iter().any(|i| i == "departments") {
        let dept = db.departments.iter().find(|d| d.id == t.department_id);
        v["department"] = dept.map_or(Value::Null, |d| json!({"id": d.id, "name": d.name}));
    }
    v
}

const TICKET_INCLUDES: &[&str] = &[
    "contacts",
    "assignee",
    "departments",
    "products",
    "team",
    "isRead",
];

/// `GET /tickets/{id}?include=contacts,assignee,departments`.
pub(crate) async fn ticket(
    State(ctx): State<Arc<Ctx>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["include"])?;
    let include = p.list("include", TICKET_INCLUDES)?;
    let db = ctx.db();
    let t = db.tickets.get(&id).ok_or(DeskError::NotFound)?;
    Ok(Json(ticket_json(&ctx, &db, t, &include)).into_response())
}

/// `GET /tickets`: 1-based, `limit` ≤ 100.
pub(crate) async fn tickets(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(
        raw.as_deref(),
        &[
            "from",
            "limit",
            "include",
            "departmentId",
            "assignee",
            "status",
            "sortBy",
        ],
    )?;
    let from = p.int("from", 1, 1, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 100)? as usize;
    let include = p.list("include", TICKET_INCLUDES)?;
    let dept = p.get("departmentId").map(str::to_owned);
    let status = p.get("status").map(str::to_owned);
    let db = ctx.db();
    let rows = db
        .tickets
        .values()
        .filter(|t| dept.as_deref().is_none_or(|d| t.department_id == d))
        .filter(|t| {
            status
                .as_deref()
                .is_none_or(|s| t.status.eq_ignore_ascii_case(s))
        })
        .skip(from - 1)
        .take(limit)
        .map(|t| ticket_json(&ctx, &db, t, &include))
        .collect();
    Ok(data_or_204(rows))
}

/// `GET /layouts?module=` (module required; 0-based, `limit` ≤ 99): one standard layout each.
pub(crate) async fn layouts(
    State(ctx): State<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DeskError> {
    let p = Params::parse(raw.as_deref(), &["module", "from", "limit", "departmentId"])?;
    let from = p.int("from", 0, 0, i64::from(i32::MAX))? as usize;
    let limit = p.int("limit", 10, 1, 99)? as usize;
    let name = p.get("module").unwrap_or_default();
    let module = Module::ALL
        .into_iter()
        .find(|m| m.path() == name)
        .ok_or_else(|| bad_value("module", name))?;
    let db = ctx.db();
    let id = db.layout_ids.get(&module).cloned().unwrap_or_default();
    let rows = std::iter::once(
        json!({"id": id, "layoutName": "Standard", "layoutDisplayName": "Standard",
        "module": module.path(), "isDefaultLayout": true, "isStandardLayout": true}),
    )
    .skip(from)
    .take(limit)
    .collect();
    Ok(data_or_204(rows))
}
