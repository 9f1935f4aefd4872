//! The Salesforce write buttons (create the record, log the ticket) and their outcome.

use leptos::prelude::*;
use sfdesk_shared::profile::ProfileTarget;

use crate::error::WidgetError;
use crate::i18n::Strings;
use crate::model::{ActionKind, Desk};
use crate::present::web_url;

/// What one action did, for the record it was done on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// Which action.
    pub(crate) kind: ActionKind,
    /// The record on screen when it ran (the outcome shows only there).
    pub(crate) target: Option<ProfileTarget>,
    /// The new Salesforce record, or why not.
    pub(crate) result: Result<sfdesk_shared::profile::ActionResult, WidgetError>,
}

/// The panel's one write action: whether it runs, its last [`Outcome`], and how to start it.
#[derive(Clone, Copy)]
pub(crate) struct WriteAction {
    /// An action is running.
    pub(crate) pending: RwSignal<bool>,
    /// What the last one did.
    pub(crate) outcome: RwSignal<Option<Outcome>>,
    /// Starts one: what and where.
    pub(crate) run: Callback<(ActionKind, Desk)>,
}

/// Buttons for the allowed actions (disabled while one runs) and the last outcome for this
/// record: "Logged as a Salesforce task" / "Created in Salesforce" with a View link, or the
/// server's message.
#[component]
pub(crate) fn Actions(
    /// The record and agent.
    desk: Desk,
    /// The panel's action.
    act: WriteAction,
    /// Show "Create in Salesforce".
    can_create: bool,
    /// Show "Log this ticket as a Salesforce task".
    can_log: bool,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let pending = act.pending;
    let target = desk.context.target();
    let button = move |kind: ActionKind, testid: &'static str, label: &'static str| {
        let desk = desk.clone();
        view! {
            <button
                type="button"
                class="sfd-button"
                data-testid=testid
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                on:click=move |_| {
                    act.run.run((kind, desk.clone()));
                }
            >
                {label}
            </button>
        }
    };
    let outcome = move || {
        let outcome = act.outcome.get().filter(|o| o.target == target)?;
        Some(match outcome.result {
            Ok(done) => {
                let text = match outcome.kind {
                    ActionKind::Create => t.created,
                    ActionKind::LogTicket => t.logged,
                };
                let link = web_url(&done.url).then(|| {
                    view! {
                        " "
                        <a href=done.url target="_blank" rel="noopener noreferrer" data-testid="record-link">
                            {t.view}
                        </a>
                    }
                });
                view! { <p class="sfd-ok" role="status" data-testid="action-result">{text}{link}</p> }
                    .into_any()
            }
            Err(WidgetError::SignInRequired) => ().into_any(),
            Err(e) => view! { <p class="sfd-alert" role="alert" data-testid="action-error">{e.message(t)}</p> }
                .into_any(),
        })
    };
    view! {
        <div class="sfd-actions">
            {can_create.then(|| button(ActionKind::Create, "action-create", t.create))}
            {can_log.then(|| button(ActionKind::LogTicket, "action-log-ticket", t.log_ticket))}
            {outcome}
        </div>
    }
}
