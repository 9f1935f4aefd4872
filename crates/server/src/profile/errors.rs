//! How Salesforce, Desk and connection failures reach the agent: `503` when trying again later
//! may help (timeouts, limits, 5xx), `403 not_connected` when the installation's grant is gone,
//! `502` with the service's readable message otherwise. Messages come from the clients' error
//! types, which never carry tokens.

use crate::api::error::AppError;
use crate::connections::ConnectionError;
use crate::remote::retry::Retryable;
use crate::{desk, salesforce};

/// A failed Salesforce call.
pub(crate) fn salesforce(error: salesforce::Error) -> AppError {
    use salesforce::Error as E;
    if error.is_retryable() {
        return AppError::Unavailable(format!("Salesforce did not answer in time: {error}"));
    }
    match error {
        E::NoToken(_) | E::OAuth { .. } => AppError::NotConnected(format!(
            "the Salesforce connection needs an administrator to reconnect it ({error})"
        )),
        E::TokenStore(_) => {
            AppError::Unavailable("the Salesforce credentials cannot be read".into())
        }
        other => AppError::Upstream(format!("Salesforce refused the request: {other}")),
    }
}

/// A failed Desk call (a missing record is handled by the caller before this).
pub(crate) fn desk(error: desk::Error) -> AppError {
    use desk::Error as E;
    if error.is_retryable() {
        return AppError::Unavailable(format!("Zoho Desk did not answer in time: {error}"));
    }
    match error {
        E::NotConnected | E::InvalidOauth { .. } | E::OAuth { .. } | E::OrgMismatch { .. } => {
            AppError::NotConnected(format!(
                "the Zoho Desk connection needs an administrator to reconnect it ({error})"
            ))
        }
        other => AppError::Upstream(format!("Zoho Desk refused the request: {other}")),
    }
}

/// A client that cannot be built for the installation.
pub(crate) fn connection(error: ConnectionError) -> AppError {
    match error {
        ConnectionError::SalesforceNotConnected | ConnectionError::InvalidInstanceUrl(_) => {
            AppError::NotConnected(format!("{error}; an administrator must connect it"))
        }
        ConnectionError::Desk(e) => desk(e),
        other => AppError::Unavailable(other.to_string()),
    }
}
