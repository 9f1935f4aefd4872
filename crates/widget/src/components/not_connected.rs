//! The empty state until an admin connects Salesforce.

use leptos::prelude::*;

/// Says plainly that there is no Salesforce data yet, and who can change that.
#[component]
pub(crate) fn NotConnected() -> impl IntoView {
    view! {
        <section class="sfd-card sfd-empty" data-testid="sfdesk-not-connected">
            <span class="sfd-empty-icon" aria-hidden="true"></span>
            <h2>"Not connected to Salesforce yet"</h2>
            <p class="sfd-muted">
                "An admin connects a Salesforce org in the extension settings. "
                "The requester's contact, account and open deals will show here."
            </p>
        </section>
    }
}
