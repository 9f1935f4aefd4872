//! The skeleton shown while the panel loads for the first time.

use leptos::prelude::*;

use crate::i18n::Strings;

/// Two placeholder cards shaped like the contact and account cards.
#[component]
pub(crate) fn Loading(
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let card = || {
        view! {
            <div class="sfd-card" aria-hidden="true">
                <div class="sfd-bar sfd-bar-short"></div>
                <div class="sfd-bar"></div>
                <div class="sfd-bar"></div>
            </div>
        }
    };
    view! {
        <section data-testid="profile-loading" aria-busy="true">
            <p class="sfd-sr">{t.loading}</p>
            {card()}
            {card()}
        </section>
    }
}
