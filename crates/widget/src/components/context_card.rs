//! The record the panel is about, as the host described it.

use leptos::prelude::*;

use crate::i18n::Strings;
use crate::model::DeskContext;

/// Headline (`Ticket #101 · requester jade@zylker.com`) and the ticket subject.
#[component]
pub(crate) fn ContextCard(
    /// What the host said is on screen.
    context: DeskContext,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let headline = context.headline(t);
    let detail = context.detail().map(str::to_owned);
    let target = context
        .target()
        .map(|target| format!("{}={}", target.param(), target.id()));
    view! {
        <section class="sfd-card sfd-context-card" data-target=target>
            <p class="sfd-context" data-testid="sfdesk-context">{headline}</p>
            {detail.map(|d| view! { <p class="sfd-muted" data-testid="sfdesk-subject">{d}</p> })}
        </section>
    }
}
