use leptos::prelude::*;

use super::app::load_auth_state;
use crate::components::ErrorBanner;
use crate::state::{AdminAuth, AdminAuthState};

/// Renders the error page for a failed fetch of the setup status or the session.
#[component]
pub fn LoadFailed() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let error = Signal::derive(move || match auth.state.get() {
        AdminAuthState::Failed(error) => Some(error),
        _ => None,
    });

    view! {
        <main class="centered">
            <div class="card narrow">
                <h1>"ip·Solis is not reachable"</h1>
                <ErrorBanner error />
                <button type="button" class="button" on:click=move |_| load_auth_state(auth)>
                    "Try again"
                </button>
            </div>
        </main>
    }
}
