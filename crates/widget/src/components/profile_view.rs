//! A found profile: its cards, then the log-ticket action when the role may use it.

use leptos::prelude::*;
use sfdesk_shared::profile::Profile;

use super::actions::{Actions, WriteAction};
use super::card::CardView;
use crate::browser;
use crate::i18n::Strings;
use crate::model::Desk;
use crate::present;

/// Every card of `profile` ([`present::cards`]), then the actions.
#[component]
pub(crate) fn ProfileView(
    /// The profile, cut to the role.
    profile: Box<Profile>,
    /// The record and agent.
    desk: Desk,
    /// The panel's action.
    act: WriteAction,
    /// Texts.
    t: &'static Strings,
) -> impl IntoView {
    let cards = present::cards(&profile, t, &browser::utc_offset)
        .into_iter()
        .map(|card| view! { <CardView card t /> })
        .collect_view();
    view! {
        {cards}
        <Actions desk act can_create=false can_log=profile.can_log_ticket t />
    }
}
