//! From the Desk record on screen to what Salesforce is asked: a [`Lookup`], or `None` when the
//! Desk record carries nothing to look up by (no email, no name).
//!
//! - ticket → the Desk ticket (through the installation's own Desk client, so a ticket of
//!   another Desk org is simply not found) → its requester contact → that contact's sync link,
//!   else the contact's current email (embedded in the ticket), else the ticket's email;
//! - Desk contact → its link, else its email;
//! - Desk account → its link, else its name (exact match).
//!
//! Desk ids are checked by the handler (1–19 digits) before anything here runs.

use sfdesk_shared::profile::ProfileTarget;

use crate::api::error::AppError;
use crate::desk::wire::{DeskId, Ticket};
use crate::desk::{self, DeskApi};
use crate::store::{Installation, Store, SyncObject};

use super::errors;
use super::query::Lookup;

/// What the Desk record resolves to.
pub(crate) async fn resolve(
    store: &dyn Store,
    desk: &dyn DeskApi,
    installation: &Installation,
    target: &ProfileTarget,
) -> Result<Option<Lookup>, AppError> {
    match target {
        ProfileTarget::TicketId(id) => {
            let ticket = ticket(desk, id).await?;
            let Some(contact_id) = &ticket.contact_id else {
                return Ok(clean(ticket.email.as_deref()).map(Lookup::ContactEmail));
            };
            if let Some(link) = linked(store, installation, SyncObject::Contact, contact_id).await?
            {
                return Ok(Some(Lookup::ContactId(link)));
            }
            let embedded = ticket
                .contact
                .as_ref()
                .and_then(|c| clean(c.email.as_deref()));
            let email = match embedded {
                Some(email) => Some(email),
                None if ticket.contact.is_none() => match desk.contact(contact_id).await {
                    Ok(contact) => clean(contact.email.as_deref()),
                    Err(desk::Error::NotFound { .. }) => None,
                    Err(e) => return Err(errors::desk(e)),
                },
                None => None,
            };
            Ok(email
                .or_else(|| clean(ticket.email.as_deref()))
                .map(Lookup::ContactEmail))
        }
        ProfileTarget::DeskContactId(id) => {
            let id = DeskId::from(id.as_str());
            if let Some(link) = linked(store, installation, SyncObject::Contact, &id).await? {
                return Ok(Some(Lookup::ContactId(link)));
            }
            let contact = desk.contact(&id).await.map_err(|e| match e {
                desk::Error::NotFound { .. } => {
                    AppError::NotFound(format!("no contact {id} in this Desk org"))
                }
                other => errors::desk(other),
            })?;
            Ok(clean(contact.email.as_deref()).map(Lookup::ContactEmail))
        }
        ProfileTarget::DeskAccountId(id) => {
            let id = DeskId::from(id.as_str());
            if let Some(link) = linked(store, installation, SyncObject::Account, &id).await? {
                return Ok(Some(Lookup::AccountId(link)));
            }
            let account = desk.account(&id).await.map_err(|e| match e {
                desk::Error::NotFound { .. } => {
                    AppError::NotFound(format!("no account {id} in this Desk org"))
                }
                other => errors::desk(other),
            })?;
            Ok(clean(account.account_name.as_deref()).map(Lookup::AccountName))
        }
    }
}

/// The Desk ticket `id` of the installation's org.
pub(crate) async fn ticket(desk: &dyn DeskApi, id: &str) -> Result<Ticket, AppError> {
    desk.ticket(&DeskId::from(id)).await.map_err(|e| match e {
        desk::Error::NotFound { .. } => {
            AppError::NotFound(format!("no ticket {id} in this Desk org"))
        }
        other => errors::desk(other),
    })
}

/// The Salesforce id linked to a Desk record, if the sync engine linked one.
async fn linked(
    store: &dyn Store,
    installation: &Installation,
    object: SyncObject,
    desk_id: &DeskId,
) -> Result<Option<String>, AppError> {
    Ok(store
        .get_link_by_desk_id(installation.id, object, desk_id.as_str())
        .await?
        .map(|link| link.sf_id))
}

/// A trimmed, non-empty value.
fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
