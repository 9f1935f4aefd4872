//! The API gate: authentication, `orgId`, scopes, concurrency cap and daily credits, applied as
//! an axum middleware to every `/api/v1` route, plus the Desk answers of the generic faults.
//!
//! Order of checks (each failure answers at once): token (`UNAUTHORIZED` when absent,
//! `INVALID_OAUTH` when unknown or expired) → `orgId` header (`OAUTH_ORG_MISMATCH`) → scopes
//! (`SCOPE_MISMATCH`) → concurrent calls (`429 TOO_MANY_REQUESTS`, no `Retry-After`) → credits
//! (`429 THRESHOLD_EXCEEDED` with `Retry-After` = seconds to the simulated midnight UTC). Every
//! answer carries `X-Rate-Limit-Request-Weight-v3` (credits charged, 0 when rejected before
//! charging) and `X-Rate-Limit-Remaining-v3` (credits left today).
//!
//! Costs: a list / search page costs 3, anything else 1 (deeper-offset tiers are undocumented).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Days, Utc};

use super::error::{DeskError, FieldError};
use super::state::{Ctx, Db};
use crate::common::{EndpointKey, Fault, FaultResponder, SimClock};

/// Header with the credits a call cost.
pub const WEIGHT_HEADER: &str = "X-Rate-Limit-Request-Weight-v3";
/// Header with the credits left today.
pub const REMAINING_HEADER: &str = "X-Rate-Limit-Remaining-v3";

/// Who is calling, set by the gate for the handlers.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) agent_id: String,
    /// The `sourceId` header (name configurable), for webhook `ignoreSourceId`.
    pub(crate) source_id: Option<String>,
}

/// Access rule of one route.
#[derive(Debug)]
struct Policy {
    /// Alternative scopes (`resource.OP`, without the `Desk.` prefix); empty = any valid token.
    scopes: Vec<String>,
    cost: u64,
    needs_org: bool,
}

fn policy(method: &Method, route: &str, accounts_alias: bool) -> Policy {
    let path = route.strip_prefix("/api/v1").unwrap_or(route);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let first = segments.first().copied().unwrap_or_default();
    let last = segments.last().copied().unwrap_or_default();
    let op = match *method {
        Method::GET => "READ",
        Method::PATCH => "UPDATE",
        Method::DELETE => "DELETE",
        _ => "CREATE",
    };
    let op = match last {
        "moveToTrash" | "delete" => "DELETE",
        "updateMany" | "restore" => "UPDATE",
        _ => op,
    };
    let on = |resources: &[&str]| {
        resources
            .iter()
            .map(|r| format!("{r}.{op}"))
            .collect::<Vec<_>>()
    };
    let scopes = match first {
        "organizations" => Vec::new(),
        "contacts" | "accounts" if last == "search" => vec!["search.READ".to_owned()],
        "contacts" => on(&["contacts"]),
        // `Desk.contacts.*` guards accounts; `Desk.accounts.*` is in older material (unconfirmed).
        "accounts" if accounts_alias => on(&["contacts", "accounts"]),
        "accounts" => on(&["contacts"]),
        "recycleBin" => on(&["settings", "contacts"]),
        "fields" | "organizationFields" | "layouts" => {
            vec!["settings.READ".to_owned(), "basic.READ".to_owned()]
        }
        "tickets" => on(&["tickets"]),
        "webhooks" => on(&["events", "webhooks", "settings"]),
        _ => vec!["basic.READ".to_owned()],
    };
    let is_list =
        *method == Method::GET && !last.starts_with('{') && !matches!(last, "myinfo" | "count");
    Policy {
        scopes,
        cost: if is_list { 3 } else { 1 },
        needs_org: first != "organizations",
    }
}

fn has_scope(held: &[String], wanted: &[String]) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let held: Vec<String> = held.iter().map(|s| s.to_ascii_lowercase()).collect();
    wanted.iter().any(|w| {
        let w = format!("desk.{}", w.to_ascii_lowercase());
        let all = match w.rsplit_once('.') {
            Some((resource, _)) => format!("{resource}.all"),
            None => w.clone(),
        };
        held.iter().any(|h| *h == w || *h == all)
    })
}

/// The org's daily credit budget.
pub(crate) fn daily_limit(ctx: &Ctx, db: &Db) -> u64 {
    if let Some(n) = ctx.options.daily_credits {
        return n;
    }
    let edition = db.org.edition;
    let paid_agents = db
        .agents
        .iter()
        .filter(|a| !a.is_light() && a.status == "ACTIVE")
        .count() as u64;
    edition.base_credits() + edition.credits_per_agent() * paid_agents
}

fn roll_day(ctx: &Ctx, db: &mut Db) {
    let today = ctx.clock.now().date_naive();
    if db.credits.day != today {
        db.credits.day = today;
        db.credits.used = 0;
    }
}

pub(crate) fn credits_used(ctx: &Ctx) -> u64 {
    let mut db = ctx.db();
    roll_day(ctx, &mut db);
    db.credits.used
}

pub(crate) fn set_credits_used(ctx: &Ctx, used: u64) {
    let mut db = ctx.db();
    roll_day(ctx, &mut db);
    db.credits.used = used;
}

/// Seconds from `now` to the next simulated midnight (UTC), at least 1.
pub(crate) fn seconds_to_reset(now: DateTime<Utc>) -> u64 {
    let next = now
        .date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    next.map_or(86_400, |n| {
        u64::try_from((n - now).num_seconds()).unwrap_or(1).max(1)
    })
}

fn token_of(headers: &HeaderMap, accept_bearer: bool) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(' ')?;
    let ok = scheme.eq_ignore_ascii_case("Zoho-oauthtoken")
        || (accept_bearer && scheme.eq_ignore_ascii_case("Bearer"));
    (ok && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

struct InFlight<'a>(&'a Ctx);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn set_headers(response: &mut Response, weight: u64, remaining: u64) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&weight.to_string()) {
        headers.insert(WEIGHT_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(&remaining.to_string()) {
        headers.insert(REMAINING_HEADER, v);
    }
}

/// The gate middleware (see the module doc).
pub(crate) async fn gate(State(ctx): State<Arc<Ctx>>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let key = req
        .extensions()
        .get::<EndpointKey>()
        .cloned()
        .unwrap_or_else(|| EndpointKey::of(&req));
    let switches = &ctx.options.switches;
    let policy = policy(req.method(), &route, switches.accounts_scope_alias);
    let token = token_of(req.headers(), switches.accept_bearer);
    let org_header = req
        .headers()
        .get("orgId")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let source_id = req
        .headers()
        .get(switches.source_id_header.as_str())
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let admitted = {
        let mut db = ctx.db();
        roll_day(&ctx, &mut db);
        let limit = daily_limit(&ctx, &db);
        let remaining = limit.saturating_sub(db.credits.used);
        let now = ctx.clock.now();
        let check = || -> Result<Caller, DeskError> {
            let token = token.ok_or(DeskError::Unauthorized)?;
            let access = db
                .oauth
                .access(&token, now)
                .ok_or(DeskError::InvalidOauth)?;
            if policy.needs_org {
                match org_header.as_deref() {
                    // Not in the doc: a missing orgId is answered like a missing field.
                    None => {
                        return Err(DeskError::invalid_fields(vec![FieldError::missing(
                            "/orgId",
                        )]));
                    }
                    Some(org) if org.trim() != db.org.id => return Err(DeskError::OrgMismatch),
                    Some(_) => {}
                }
            }
            if !has_scope(&access.scopes, &policy.scopes) {
                return Err(DeskError::ScopeMismatch);
            }
            Ok(Caller {
                agent_id: access.agent_id.clone(),
                source_id,
            })
        };
        match check() {
            Err(e) => Err((e, remaining)),
            Ok(caller) => {
                let cap = ctx
                    .options
                    .max_concurrent
                    .unwrap_or_else(|| db.org.edition.concurrency());
                if ctx.inflight.fetch_add(1, Ordering::SeqCst) >= cap {
                    ctx.inflight.fetch_sub(1, Ordering::SeqCst);
                    Err((DeskError::TooManyRequests, remaining))
                } else if policy.cost > remaining {
                    ctx.inflight.fetch_sub(1, Ordering::SeqCst);
                    Err((
                        DeskError::ThresholdExceeded {
                            retry_after: seconds_to_reset(now),
                        },
                        remaining,
                    ))
                } else {
                    db.credits.used += policy.cost;
                    Ok((caller, remaining - policy.cost))
                }
            }
        }
    };
    match admitted {
        Err((e, remaining)) => {
            let mut response = e.into_response();
            set_headers(&mut response, 0, remaining);
            response
        }
        Ok((caller, remaining)) => {
            let _slot = InFlight(&ctx);
            ctx.counters.add_credits(&key.0, policy.cost);
            req.extensions_mut().insert(caller);
            let mut response = next.run(req).await;
            set_headers(&mut response, policy.cost, remaining);
            response
        }
    }
}

/// Desk's answers to the generic faults.
pub(crate) struct DeskFaults {
    pub(crate) clock: SimClock,
}

impl FaultResponder for DeskFaults {
    fn respond(&self, fault: &Fault) -> Response {
        match fault {
            Fault::RateLimit => DeskError::ThresholdExceeded {
                retry_after: seconds_to_reset(self.clock.now()),
            }
            .into_response(),
            Fault::ExpiredToken => DeskError::InvalidOauth.into_response(),
            _ => DeskError::Internal.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_costs() {
        let p = policy(&Method::GET, "/api/v1/contacts", true);
        assert_eq!(p.cost, 3);
        assert!(has_scope(&["Desk.contacts.READ".to_owned()], &p.scopes));
        assert!(has_scope(&["Desk.contacts.ALL".to_owned()], &p.scopes));
        assert!(!has_scope(&["Desk.tickets.READ".to_owned()], &p.scopes));
        let p = policy(&Method::GET, "/api/v1/contacts/{id}", true);
        assert_eq!(p.cost, 1);
        let p = policy(&Method::POST, "/api/v1/accounts/moveToTrash", true);
        assert!(has_scope(&["Desk.accounts.DELETE".to_owned()], &p.scopes));
        assert!(!has_scope(&["Desk.accounts.READ".to_owned()], &p.scopes));
        let p = policy(&Method::GET, "/api/v1/organizations", true);
        assert!(!p.needs_org && p.scopes.is_empty());
    }

    #[test]
    fn reset_is_next_midnight() {
        let now = DateTime::parse_from_rfc3339("2024-03-05T23:59:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(seconds_to_reset(now), 60);
    }
}
