use leptos::prelude::*;

use super::app::load_auth_state;
use crate::components::ErrorBanner;
use crate::state::{PortalAuth, PortalAuthState};

/// Renders the error page for a failed fetch of the session.
#[component]
pub fn LoadFailed() -> impl IntoView {
    let auth = expect_context::<PortalAuth>();
    let error = Signal::derive(move || match auth.state.get() {
        PortalAuthState::Failed(error) => Some(error),
        _ => None,
    });

    view! {
        <div class="card narrow">
            <h1>"The portal is not reachable"</h1>
            <ErrorBanner error />
            <button type="button" class="button" on:click=move |_| load_auth_state(auth)>
                "Try again"
            </button>
        </div>
    }
}
