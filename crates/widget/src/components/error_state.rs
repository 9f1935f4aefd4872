//! The one error fallback: what went wrong, and a retry button.

use leptos::prelude::*;

/// Lists the errors caught by the surrounding `<ErrorBoundary>` and offers a retry.
#[component]
pub(crate) fn ErrorState(
    /// The boundary's errors.
    errors: ArcRwSignal<Errors>,
    /// Called when the agent presses "Try again".
    retry: Callback<()>,
) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| view! { <p>{e.to_string()}</p> })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="sfd-card sfd-error" data-testid="sfdesk-error" role="alert">
            <h2>"Can't load this panel"</h2>
            <div class="sfd-muted">{messages}</div>
            <button type="button" data-testid="sfdesk-retry" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        </section>
    }
}
