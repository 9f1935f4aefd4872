//! The sidebar shell: a "Salesforce" header over the body, which is loading, the context with
//! the not-connected empty state, or the error fallback with a retry.
//!
//! The context is one `LocalResource` keyed on a `reload` counter: the retry button and Desk's
//! context-change events bump it, and `<Transition>` keeps the old view until the new one is ready.

use leptos::prelude::*;

use super::context_card::ContextCard;
use super::error_state::ErrorState;
use super::loading::Loading;
use super::not_connected::NotConnected;
use crate::host;
use crate::model::DeskContext;

/// The whole widget.
#[component]
pub(crate) fn Panel() -> impl IntoView {
    let reload = RwSignal::new(0_u32);
    let context = LocalResource::new(move || {
        reload.track();
        load(reload)
    });
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));

    view! {
        <main class="sfd-panel" data-testid="sfdesk-widget">
            <header class="sfd-head">
                <span class="sfd-logo" aria-hidden="true"></span>
                <h1>"Salesforce"</h1>
            </header>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=move |errors| view! { <ErrorState errors retry /> }>
                    {move || Suspend::new(async move {
                        context
                            .await
                            .map(|context| {
                                view! {
                                    <ContextCard context />
                                    <NotConnected />
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </main>
    }
}

/// Connects to the host once, subscribes to context changes, then reads the current record.
async fn load(reload: RwSignal<u32>) -> Result<DeskContext, host::HostError> {
    let app = host::connect().await?;
    host::subscribe_context_changes(&app, move || reload.update(|n| *n += 1));
    host::load_context(&app).await
}
