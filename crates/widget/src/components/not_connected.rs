//! The empty state of an installation without a connected Salesforce org.

use leptos::prelude::*;

use crate::i18n::Strings;

/// Says plainly that there is no Salesforce data yet, and who can change that.
#[component]
pub(crate) fn NotConnected(
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    view! {
        <section class="sfd-card sfd-empty" data-testid="sfdesk-not-connected">
            <span class="sfd-empty-icon" aria-hidden="true"></span>
            <h2>{t.not_connected_title}</h2>
            <p class="sfd-muted">{t.not_connected_text}</p>
        </section>
    }
}
