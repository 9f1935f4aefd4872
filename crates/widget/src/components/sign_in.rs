//! The sign-in state: one button that opens the Desk OAuth popup.

use leptos::prelude::*;

use crate::auth;
use crate::browser;
use crate::i18n::Strings;
use crate::model::Desk;

/// Explains why, and opens the popup on click (a popup needs the click's user gesture).
/// The popup's answer arrives as a message the panel listens for.
#[component]
pub(crate) fn SignIn(
    /// The org and agent the popup signs in for.
    desk: Desk,
    /// A popup failure to show (blocked, refused, another agent).
    error: RwSignal<Option<String>>,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let url = auth::sign_in_url(&desk.org_id, desk.user.email.as_deref());
    let open = move |_| {
        let blocked = !browser::open_popup(&url);
        error.set(blocked.then(|| t.popup_blocked.to_owned()));
    };
    view! {
        <section class="sfd-card sfd-empty" data-testid="sign-in-state">
            <h2>{t.sign_in_title}</h2>
            <p class="sfd-muted">{t.sign_in_text}</p>
            <button type="button" class="sfd-button" data-testid="sign-in" on:click=open>
                {t.sign_in}
            </button>
            {move || {
                error
                    .get()
                    .map(|e| view! { <p class="sfd-alert" role="alert" data-testid="sign-in-error">{e}</p> })
            }}
        </section>
    }
}
