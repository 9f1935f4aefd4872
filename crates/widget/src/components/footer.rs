//! The footer: who is signed in, and a sign-out button.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::browser;
use crate::i18n::Lang;
use crate::model::Desk;

/// "Signed in as Jade Lin (Agent)" and "Sign out" while this Desk user has a session.
#[component]
pub(crate) fn Footer(
    /// The host context, once loaded.
    desk: RwSignal<Option<Desk>>,
    /// Bumped on sign-in/out; re-reads the session.
    session: RwSignal<u32>,
    /// The panel's language.
    lang: RwSignal<Lang>,
    /// Called once the session is gone.
    on_sign_out: Callback<()>,
) -> impl IntoView {
    move || {
        session.track();
        let user_id = desk.get()?.user.id;
        let agent = browser::session(&user_id)?.agent;
        let t = lang.get().strings();
        let sign_out = move |_| {
            let user_id = user_id.clone();
            spawn_local(async move {
                api::sign_out(&user_id).await;
                on_sign_out.run(());
            });
        };
        Some(view! {
            <footer class="sfd-foot">
                <span data-testid="signed-in-as">
                    {t.signed_in_as} " " {agent.name} " (" {agent.role_name} ")"
                </span>
                <button type="button" class="sfd-text-button" data-testid="sign-out" on:click=sign_out>
                    {t.sign_out}
                </button>
            </footer>
        })
    }
}
