//! The panel's body for one answer: the context card over sign-in, not-connected, the empty
//! state or the profile; nothing at all when the role may not see the widget.

use leptos::prelude::*;
use sfdesk_shared::profile::ProfileResponse;

use super::actions::WriteAction;
use super::context_card::ContextCard;
use super::not_connected::NotConnected;
use super::not_found::NotFoundView;
use super::profile_view::ProfileView;
use super::sign_in::SignIn;
use crate::api::Loaded;
use crate::model::Desk;

/// Picks the view for `loaded`.
#[component]
pub(crate) fn Body(
    /// The record and agent.
    desk: Desk,
    /// What the server said.
    loaded: Loaded,
    /// The panel's action.
    act: WriteAction,
    /// A sign-in popup failure to show.
    sign_in_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let t = desk.lang().strings();
    if loaded == Loaded::Profile(ProfileResponse::Hidden) {
        // The role may not see the widget: an empty panel, no error.
        return view! { <div data-testid="profile-hidden"></div> }.into_any();
    }
    let context = desk.context.clone();
    let body = match loaded {
        Loaded::NoRecord | Loaded::Profile(ProfileResponse::Hidden) => ().into_any(),
        Loaded::SignIn => view! { <SignIn desk error=sign_in_error t /> }.into_any(),
        Loaded::NotConnected => view! { <NotConnected t /> }.into_any(),
        Loaded::Profile(ProfileResponse::NotFound(not_found)) => {
            view! { <NotFoundView not_found desk act t /> }.into_any()
        }
        Loaded::Profile(ProfileResponse::Found(profile)) => {
            view! { <ProfileView profile desk act t /> }.into_any()
        }
    };
    view! {
        <ContextCard context t />
        {body}
    }
    .into_any()
}
