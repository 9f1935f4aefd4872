//! The empty state: no Salesforce record matches, with the allowed actions.

use leptos::prelude::*;
use sfdesk_shared::profile::NotFound;

use super::actions::{Actions, WriteAction};
use crate::i18n::Strings;
use crate::model::Desk;

/// "No matching Salesforce record", what was looked up, and create / log-ticket buttons.
#[component]
pub(crate) fn NotFoundView(
    /// The server's answer.
    not_found: NotFound,
    /// The record and agent.
    desk: Desk,
    /// The panel's action.
    act: WriteAction,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let text = if not_found.object == "Account" {
        t.no_account
    } else {
        t.no_contact
    };
    let looked_up = not_found.looked_up.map(|value| {
        view! {
            <p class="sfd-muted" data-testid="looked-up">
                {t.looked_up} ": " <strong>{value}</strong>
            </p>
        }
    });
    view! {
        <section class="sfd-card sfd-empty" data-testid="profile-empty">
            <span class="sfd-empty-icon" aria-hidden="true"></span>
            <h2>{t.no_match_title}</h2>
            <p class="sfd-muted">{text}</p>
            {looked_up}
            <Actions
                desk
                act
                can_create=not_found.can_create
                can_log=not_found.can_log_ticket
                t
            />
        </section>
    }
}
