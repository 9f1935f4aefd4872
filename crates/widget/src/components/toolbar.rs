//! The header's right side: when the profile was fetched, and the refresh button.

use leptos::prelude::*;

use crate::browser;
use crate::format;
use crate::i18n::Lang;

/// "Last fetched 5 min ago" (the full timestamp in the tooltip) and a refresh button, shown
/// once the server has answered with a `fetched_at`.
#[component]
pub(crate) fn Toolbar(
    /// The answer's `fetched_at` (RFC 3339), when there is one.
    fetched_at: RwSignal<Option<String>>,
    /// The clock, ticking so relative times stay true.
    now: RwSignal<f64>,
    /// Whether a load is running (disables the button).
    busy: RwSignal<bool>,
    /// The panel's language.
    lang: RwSignal<Lang>,
    /// Called on click: reload bypassing the server's cache.
    on_refresh: Callback<()>,
) -> impl IntoView {
    move || {
        let at = fetched_at.get()?;
        let t = lang.get().strings();
        let text = move || match format::parse_instant(&at) {
            Some(ms) => format::fetched_text(ms, now.get(), &browser::utc_offset, t),
            None => at.clone(),
        };
        Some(view! {
            <span class="sfd-fetched" data-testid="last-fetched">
                {t.last_fetched} " " {text}
            </span>
            <button
                type="button"
                class="sfd-icon"
                data-testid="profile-refresh"
                aria-label=t.refresh
                title=t.refresh
                disabled=move || busy.get()
                on:click=move |_| on_refresh.run(())
            >
                <span aria-hidden="true">"↻"</span>
            </button>
        })
    }
}
