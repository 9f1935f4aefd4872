//! The record the panel is about, as the host described it.

use leptos::prelude::*;

use crate::model::DeskContext;

/// Headline (`Ticket #101 · requester jade@zylker.com`) and the ticket subject.
#[component]
pub(crate) fn ContextCard(
    /// What the host said is on screen.
    context: DeskContext,
) -> impl IntoView {
    let headline = context.headline();
    let detail = context.detail().map(str::to_owned);
    let lookup = context.lookup().key();
    view! {
        <section class="sfd-card" lang=context.locale data-lookup=lookup>
            <p class="sfd-context" data-testid="sfdesk-context">{headline}</p>
            {detail.map(|d| view! { <p class="sfd-muted" data-testid="sfdesk-subject">{d}</p> })}
        </section>
    }
}
