//! The one error fallback: what went wrong, and a retry button.

use leptos::prelude::*;

use crate::error::WidgetError;
use crate::i18n::Strings;

/// Shows what went wrong and offers a retry. Host (SDK) errors keep the
/// `sfdesk-error`/`sfdesk-retry` test ids; API errors use `profile-error`/`profile-retry`.
#[component]
pub(crate) fn ErrorState(
    /// What went wrong.
    error: WidgetError,
    /// Called when the agent presses "Try again".
    retry: Callback<()>,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let (section_id, button_id) = if error.is_host() {
        ("sfdesk-error", "sfdesk-retry")
    } else {
        ("profile-error", "profile-retry")
    };
    let text = error.message(t);
    view! {
        <section class="sfd-card sfd-error" data-testid=section_id role="alert">
            <h2>{t.error_title}</h2>
            <div class="sfd-muted">
                <p>{text}</p>
            </div>
            <button
                type="button"
                class="sfd-button"
                data-testid=button_id
                on:click=move |_| retry.run(())
            >
                {t.retry}
            </button>
        </section>
    }
}
