//! The placeholder shown while the Desk SDK answers.

use leptos::prelude::*;

/// Two shimmering lines where the context will appear.
#[component]
pub(crate) fn Loading() -> impl IntoView {
    view! {
        <section class="sfd-card sfd-loading" data-testid="sfdesk-loading" aria-busy="true">
            <div class="sfd-bar"></div>
            <div class="sfd-bar sfd-bar-short"></div>
            <p class="sfd-muted">"Loading ticket context…"</p>
        </section>
    }
}
