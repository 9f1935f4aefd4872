//! The sidebar shell: a header (title, last fetched, refresh) over the body, and a footer
//! with the signed-in agent.
//!
//! Data: plain signals filled by [`Loader`]'s tasks, the latest task of each kind winning. A
//! host load reads the record, org and agent (first, on Desk context-change events, on retry
//! after an SDK error) and asks the server when the record changed; a profile load asks the
//! server about the loaded record (sign-in/out, refresh, retry, after an action). The last view
//! stays until the next answer is there (`aria-busy` on the panel meanwhile); the skeleton
//! shows only before the first one.

use std::time::Duration;

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// What the body shows: the record with the server's answer, or why not.
type Answer = Result<(Desk, Loaded), WidgetError>;

/// The panel's state and the two kinds of load that fill it.
#[derive(Clone, Copy)]
struct Loader {
    /// The body's answer (`None` until the first one), numbered: a new number renders the
    /// body afresh instead of patching the old one.
    shown: RwSignal<(u32, Option<Answer>)>,
    /// The host context, once loaded.
    current: RwSignal<Option<Desk>>,
    /// The panel's language (from `current`).
    lang: RwSignal<Lang>,
    /// The last answer's `fetched_at`.
    fetched_at: RwSignal<Option<String>>,
    /// The clock, set after every profile load.
    now: RwSignal<f64>,
    /// Whether a host load runs (`[HOST]`), a profile load (`[PROFILE]`).
    running: StoredValue<[bool; 2]>,
    /// Whether any load runs.
    busy: RwSignal<bool>,
    /// Number of the latest host / profile load.
    host_run: StoredValue<u32>,
    profile_run: StoredValue<u32>,
}

/// Indexes of [`Loader::running`].
const HOST: usize = 0;
const PROFILE: usize = 1;

impl Loader {
    /// Marks load `which` as running or done.
    fn running(self, which: usize, running: bool) {
        self.running.update_value(|r| r[which] = running);
        self.busy
            .set(self.running.with_value(|r| r[HOST] || r[PROFILE]));
    }

    /// Shows `answer` in the body.
    fn show(self, answer: Answer) {
        self.shown.update(|(n, shown)| {
            *n = n.wrapping_add(1);
            *shown = Some(answer);
        });
    }

    /// Reads the host again; asks the server when the record changed.
    fn reload(self) {
        let run = next(self.host_run);
        self.running(HOST, true);
        spawn_local(async move {
            let desk = load_desk(self).await;
            if self.host_run.get_value() != run {
                return;
            }
            self.running(HOST, false);
            match desk {
                Ok(desk) if self.current.with_untracked(|c| c.as_ref() == Some(&desk)) => {}
                Ok(desk) => {
                    self.lang.set(desk.lang());
                    self.current.set(Some(desk));
                    self.load_profile(false);
                }
                Err(error) => {
                    // A profile load for the old record no longer counts.
                    next(self.profile_run);
                    self.running(PROFILE, false);
                    self.current.set(None);
                    self.lang.set(Lang::En);
                    self.fetched_at.set(None);
                    self.show(Err(error));
                }
            }
        });
    }

    /// Asks the server about the loaded record; `refresh` bypasses its cache.
    fn load_profile(self, refresh: bool) {
        let Some(desk) = self.current.get_untracked() else {
            return;
        };
        let run = next(self.profile_run);
        self.running(PROFILE, true);
        spawn_local(async move {
            let loaded = api::profile(&desk, refresh).await;
            self.now.set(browser::now_ms());
            if self.profile_run.get_value() != run {
                return;
            }
            let fetched_at = loaded.as_ref().ok().and_then(Loaded::fetched_at);
            self.fetched_at.set(fetched_at.map(str::to_owned));
            self.show(loaded.map(|loaded| (desk, loaded)));
            self.running(PROFILE, false);
        });
    }
}

/// Bumps a load counter and returns its new value.
fn next(run: StoredValue<u32>) -> u32 {
    run.update_value(|n| *n = n.wrapping_add(1));
    run.get_value()
}

/// The whole widget.
#[component]
pub(crate) fn Panel() -> impl IntoView {
    let loader = Loader {
        shown: RwSignal::new((0, None)),
        current: RwSignal::new(None),
        lang: RwSignal::new(Lang::En),
        fetched_at: RwSignal::new(None),
        now: RwSignal::new(browser::now_ms()),
        running: StoredValue::new([false; 2]),
        busy: RwSignal::new(false),
        host_run: StoredValue::new(0),
        profile_run: StoredValue::new(0),
    };
    let Loader {
        shown,
        current,
        lang,
        fetched_at,
        now,
        busy,
        ..
    } = loader;
    let sign_in_error = RwSignal::new(None::<String>);
    // Bumped on sign-in/out: the footer re-reads the session.
    let session = RwSignal::new(0_u32);
    let bump = move || session.update(|n| *n = n.wrapping_add(1));

    let pending = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let run = Callback::new(move |(kind, desk): (_, Desk)| {
        pending.set(true);
        spawn_local(async move {
            let result = api::act(&desk, kind).await;
            match &result {
                Ok(_) => loader.load_profile(true),
                Err(WidgetError::SignInRequired) => {
                    bump();
                    loader.load_profile(false);
                }
                Err(_) => {}
            }
            outcome.set(Some(Outcome {
                kind,
                target: desk.context.target(),
                result,
            }));
            pending.set(false);
        });
    });
    let act = WriteAction {
        pending,
        outcome,
        run,
    };

    browser::listen_for_sign_in(move |message| {
        let t = lang.get_untracked().strings();
        let Some(desk) = current.get_untracked() else {
            return;
        };
        match message {
            PopupMessage::Session(grant) if auth::grant_fits(&grant, &desk.user.id) => {
                browser::save_session(&desk.user.id, grant);
                sign_in_error.set(None);
                bump();
                loader.load_profile(false);
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
    loader.reload();

    let retry = Callback::new(move |()| {
        if shown.with_untracked(|(_, s)| matches!(s, Some(Err(e)) if e.is_host())) {
            loader.reload();
        } else {
            loader.load_profile(false);
        }
    });
    let on_refresh = Callback::new(move |()| loader.load_profile(true));
    let on_sign_out = Callback::new(move |()| {
        bump();
        loader.load_profile(false);
    });

    let body = move |(_, answer): (u32, Option<Answer>)| {
        let t = lang.get_untracked().strings();
        match answer {
            None => EitherOf3::A(view! { <Loading t /> }),
            Some(Err(error)) => EitherOf3::B(view! { <ErrorState error retry t /> }),
            Some(Ok((desk, loaded))) => {
                EitherOf3::C(view! { <Body desk loaded act sign_in_error /> })
            }
        }
    };
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
            <For each=move || [shown.get()] key=|(n, _)| *n children=body />
            <Footer desk=current session lang on_sign_out />
        </main>
    }
}

/// Connects to the host once, subscribes to context changes, then reads record, org and agent.
async fn load_desk(loader: Loader) -> Result<Desk, WidgetError> {
    let app = host::connect().await?;
    host::subscribe_context_changes(&app, move || loader.reload());
    Ok(host::load_desk(&app).await?)
}
