//! The one error fallback: what went wrong, and a retry button.

use leptos::prelude::*;

use crate::error::WidgetError;
use crate::i18n::Strings;

/// Lists the errors caught by the surrounding `<ErrorBoundary>` and offers a retry.
/// Host (SDK) errors keep the `sfdesk-error`/`sfdesk-retry` test ids; API errors use
/// `profile-error`/`profile-retry`.
#[component]
pub(crate) fn ErrorState(
    /// The boundary's errors.
    errors: ArcRwSignal<Errors>,
    /// Called when the agent presses "Try again".
    retry: Callback<()>,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let host = {
        let errors = errors.clone();
        move || {
            errors.with(|errors| {
                errors.iter().any(|(_, e)| {
                    e.downcast_ref::<WidgetError>()
                        .is_some_and(WidgetError::is_host)
                })
            })
        }
    };
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| {
                let text = e
                    .downcast_ref::<WidgetError>()
                    .map_or_else(|| e.to_string(), |w| w.message(t));
                view! { <p>{text}</p> }
            })
            .collect_view()
    };
    let (section_id, button_id) = if host() {
        ("sfdesk-error", "sfdesk-retry")
    } else {
        ("profile-error", "profile-retry")
    };
    view! {
        <section class="sfd-card sfd-error" data-testid=section_id role="alert">
            <h2>{t.error_title}</h2>
            <div class="sfd-muted">{messages}</div>
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
