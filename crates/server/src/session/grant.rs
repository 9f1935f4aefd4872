//! What sign-in and renewal share once Desk has answered `/myinfo` for an agent: whether the
//! agent may have a session at all ([`admit`], [`may_sign_in`]), the token handed to the
//! widget ([`issue`]) and what a failed Zoho call means for the session ([`classify`]).

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use sfdesk_shared::session::{SessionAgent, SessionGrant};
use uuid::Uuid;

use super::token::SessionClaims;
use crate::desk::wire::Agent;
use crate::state::AppState;
use crate::store::{AgentRole, Installation, InstallationStatus};

/// The Desk agent `/myinfo` named, as a session records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeskAgent {
    /// Desk agent id.
    pub(crate) agent_id: String,
    /// Name, role and admin flag.
    pub(crate) role: AgentRole,
}

/// The agent `/myinfo` described, if Desk lets them work: an active agent with a role.
///
/// # Errors
/// A sentence for the agent saying why not.
pub(crate) fn admit(agent: &Agent) -> Result<DeskAgent, String> {
    if !agent
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
    {
        return Err(
            "your Zoho Desk agent account is not active; ask your Desk administrator".into(),
        );
    }
    let role_id = agent
        .role_id
        .as_ref()
        .or(agent.role.as_ref().map(|r| &r.id))
        .map(|id| id.0.clone())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| "Zoho Desk reported no role for your agent account".to_owned())?;
    Ok(DeskAgent {
        agent_id: agent.id.0.clone(),
        role: AgentRole {
            agent_name: display_name(agent),
            role_id,
            role_name: agent
                .role
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_default(),
            is_admin: agent.is_admin(),
        },
    })
}

/// Whether `agent` may sign in to `installation` now: while it is not active (being set up,
/// or paused) only administrators, who are the ones to finish or resume it. Sessions already
/// running are not ended by a pause; the data routes answer `not_connected` meanwhile.
///
/// # Errors
/// A sentence for the agent saying why not.
pub(crate) fn may_sign_in(agent: &DeskAgent, installation: &Installation) -> Result<(), String> {
    if installation.status == InstallationStatus::Active || agent.role.is_admin {
        return Ok(());
    }
    Err(format!(
        "sfdesk is {} for this Zoho Desk organisation: only Desk administrators can sign in \
         until it is active",
        describe(installation.status)
    ))
}

/// A new token for the stored session `session_id`, carrying `agent`'s current role and
/// expiring `session.ttl_secs` after `now`.
pub(crate) fn issue(
    state: &AppState,
    installation: &Installation,
    session_id: Uuid,
    agent: &DeskAgent,
    now: DateTime<Utc>,
) -> SessionGrant {
    let ttl = i64::try_from(state.config.session.ttl_secs).unwrap_or(i64::MAX);
    let expires_at = now
        .checked_add_signed(TimeDelta::seconds(ttl))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let token = state.sessions.sign(&SessionClaims {
        session_id,
        installation_id: installation.id,
        agent_id: agent.agent_id.clone(),
        role_id: agent.role.role_id.clone(),
        is_admin: agent.role.is_admin,
        expires_at: expires_at.timestamp(),
    });
    SessionGrant {
        token,
        expires_at: expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        agent: SessionAgent {
            agent_id: agent.agent_id.clone(),
            name: agent.role.agent_name.clone(),
            role_id: agent.role.role_id.clone(),
            role_name: agent.role.role_name.clone(),
            is_admin: agent.role.is_admin,
        },
    }
}

/// The agent's full name, else first + last, else the email, else the id.
fn display_name(agent: &Agent) -> String {
    let joined = [agent.first_name.as_deref(), agent.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [agent.name.clone(), Some(joined), agent.email_id.clone()]
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .unwrap_or_else(|| agent.id.0.clone())
}

/// An installation status in words.
fn describe(status: InstallationStatus) -> &'static str {
    match status {
        InstallationStatus::Pending => "still being set up",
        InstallationStatus::Paused => "paused",
        InstallationStatus::Active => "active",
    }
}

/// A failed call to Zoho (accounts server or Desk) on behalf of an agent, by what it means for
/// the session; each carries a sentence for the agent without any token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeskError {
    /// Zoho refused the agent's grant or token (revoked, expired code, not an agent of the
    /// org): the agent must sign in again.
    Refused(String),
    /// Zoho could not be reached or was overloaded: try again later.
    Unreachable(String),
    /// Any other failure.
    Failed(String),
}

/// What `error` means for a session, with `context` ("Zoho did not accept the sign-in") first.
pub(crate) fn classify(error: &crate::desk::Error, context: &str) -> DeskError {
    use crate::desk::Error as E;
    use crate::remote::retry::Retryable as _;
    match error {
        E::OrgMismatch { .. } => DeskError::Refused(format!(
            "{context}: your Zoho account is not an agent of this Zoho Desk organisation"
        )),
        E::OAuth { .. }
        | E::InvalidOauth { .. }
        | E::Unauthorized { .. }
        | E::ScopeMismatch { .. }
        | E::Forbidden { .. }
        | E::NotFound { .. } => DeskError::Refused(format!("{context} ({error})")),
        e if e.is_retryable() => DeskError::Unreachable(format!(
            "{context}: Zoho cannot be reached right now ({error}); try again in a moment"
        )),
        _ => DeskError::Failed(format!("{context} ({error})")),
    }
}
