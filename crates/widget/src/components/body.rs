//! The panel's body for one answer: the context card over sign-in, not-connected, the empty
//! state or the profile; nothing at all when the role may not see the widget.

use leptos::either::{Either, EitherOf5};
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
        return Either::Left(view! { <div data-testid="profile-hidden"></div> });
    }
    let context = desk.context.clone();
    let body = match loaded {
        Loaded::NoRecord | Loaded::Profile(ProfileResponse::Hidden) => EitherOf5::A(()),
        Loaded::SignIn => EitherOf5::B(view! { <SignIn desk error=sign_in_error t /> }),
        Loaded::NotConnected => EitherOf5::C(view! { <NotConnected t /> }),
        Loaded::Profile(ProfileResponse::NotFound(not_found)) => {
            EitherOf5::D(view! { <NotFoundView not_found desk act t /> })
        }
        Loaded::Profile(ProfileResponse::Found(profile)) => {
            EitherOf5::E(view! { <ProfileView profile desk act t /> })
        }
    };
    Either::Right(view! {
        <ContextCard context t />
        {body}
    })
}
