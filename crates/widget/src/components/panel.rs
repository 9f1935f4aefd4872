//! The sidebar shell: a header (title, last fetched, refresh) over the body, and a footer
//! with the signed-in agent.
//!
//! Data: two `LocalResource`s under one `<Transition>` + `<ErrorBoundary>`. `desk` reads the
//! host (record, org, agent) and re-runs when `reload` is bumped (Desk context-change events,
//! retry after an SDK error). `profile` asks the server about the loaded context; it re-runs
//! when that changes or `epoch` is bumped (sign-in/out, refresh, retry, after an action).
//! `<Transition>` keeps the last view while a reload runs (`aria-busy` on the panel).

use std::time::Duration;

use leptos::prelude::*;

use super::actions::{Outcome, WriteAction};
use super::body::Body;
use super::error_state::ErrorState;
use super::footer::Footer;
use super::loading::Loading;
use super::toolbar::Toolbar;
use crate::api::{self, Loaded};
use crate::auth::{self, PopupMessage};
use crate::browser;
use crate::error::WidgetError;
use crate::host;
use crate::i18n::Lang;
use crate::model::Desk;

/// How often relative times ("5 min ago") are recomputed.
const CLOCK_TICK: Duration = Duration::from_secs(30);

/// The whole widget.
#[component]
pub(crate) fn Panel() -> impl IntoView {
    let reload = RwSignal::new(0_u32);
    let epoch = RwSignal::new(0_u32);
    // The next profile load bypasses the server's cache (refresh button, after an action).
    let force = StoredValue::new(false);
    let busy = RwSignal::new(false);
    let sign_in_error = RwSignal::new(None::<String>);
    let now = RwSignal::new(browser::now_ms());
    let bump = |signal: RwSignal<u32>| signal.update(|n| *n = n.wrapping_add(1));

    let desk = LocalResource::new(move || {
        reload.track();
        load_desk(reload)
    });
    let current = Memo::new(move |_| desk.get().and_then(Result::ok));
    // Keyed on the loaded context (read synchronously, not awaited: awaiting a pending resource
    // here would run this fetch twice, once more when the context arrives).
    let profile = LocalResource::new(move || {
        epoch.track();
        let refresh = force.get_value();
        force.set_value(false);
        let desk = current.get();
        async move {
            let Some(desk) = desk else {
                return Ok(Loaded::NoRecord);
            };
            let loaded = api::profile(&desk, refresh).await;
            now.set(browser::now_ms());
            loaded
        }
    });
    let lang = Memo::new(move |_| current.with(|d| d.as_ref().map_or(Lang::En, Desk::lang)));
    let fetched_at = Memo::new(move |_| {
        profile
            .get()
            .and_then(Result::ok)
            .as_ref()
            .and_then(Loaded::fetched_at)
            .map(str::to_owned)
    });

    let act: WriteAction = Action::new_local(move |(kind, desk): &(_, Desk)| {
        let (kind, desk) = (*kind, desk.clone());
        async move {
            let result = api::act(&desk, kind).await;
            match &result {
                Ok(_) => {
                    force.set_value(true);
                    bump(epoch);
                }
                Err(WidgetError::SignInRequired) => bump(epoch),
                Err(_) => {}
            }
            Outcome {
                kind,
                target: desk.context.target(),
                result,
            }
        }
    });

    browser::listen_for_sign_in(move |message| {
        let t = lang.get_untracked().strings();
        let Some(desk) = current.get_untracked() else {
            return;
        };
        match message {
            PopupMessage::Session(grant) if auth::grant_fits(&grant, &desk.user.id) => {
                browser::save_session(&desk.user.id, grant);
                sign_in_error.set(None);
                bump(epoch);
            }
            PopupMessage::Session(_) => sign_in_error.set(Some(t.wrong_agent.to_owned())),
            PopupMessage::Error(message) => {
                sign_in_error.set(Some(format!("{}: {message}", t.sign_in_failed)));
            }
        }
    });
    if let Ok(handle) = set_interval_with_handle(move || now.set(browser::now_ms()), CLOCK_TICK) {
        on_cleanup(move || handle.clear());
    }

    let retry = Callback::new(move |()| {
        if matches!(desk.get_untracked(), Some(Err(_))) {
            bump(reload);
        } else {
            bump(epoch);
        }
    });
    let on_refresh = Callback::new(move |()| {
        force.set_value(true);
        bump(epoch);
    });

    view! {
        <main
            class="sfd-panel"
            class:sfd-busy=move || busy.get()
            data-testid="sfdesk-panel"
            lang=move || lang.get().tag()
            aria-busy=move || busy.get().to_string()
        >
            <header class="sfd-head">
                <span class="sfd-logo" aria-hidden="true"></span>
                <h1>{move || lang.get().strings().title}</h1>
                <Toolbar fetched_at now busy lang on_refresh />
            </header>
            <Transition
                fallback=move || view! { <Loading t=lang.get_untracked().strings() /> }
                set_pending=busy.write_only()
            >
                <ErrorBoundary fallback=move |errors| {
                    view! { <ErrorState errors retry t=lang.get_untracked().strings() /> }
                }>
                    {move || Suspend::new(async move {
                        let desk = desk.await?;
                        let loaded = profile.await?;
                        Ok::<_, WidgetError>(view! { <Body desk loaded act sign_in_error /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <Footer desk=current epoch lang />
        </main>
    }
}

/// Connects to the host once, subscribes to context changes, then reads record, org and agent.
async fn load_desk(reload: RwSignal<u32>) -> Result<Desk, WidgetError> {
    let app = host::connect().await?;
    host::subscribe_context_changes(&app, move || reload.update(|n| *n = n.wrapping_add(1)));
    Ok(host::load_desk(&app).await?)
}
