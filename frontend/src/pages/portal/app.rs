use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Router;

use super::gate::PortalGate;
use crate::api::PortalApi;
use crate::api::portal::auth;
use crate::components::PortalTopBar;
use crate::state::{BrandingState, PortalAuth, PortalAuthState};

/// Renders the root of the portal. It provides the sign-in state and the API client, then
/// shows the sign-in page or the portal.
#[component]
pub fn PortalApp() -> impl IntoView {
    BrandingState::provide();
    let portal_auth = PortalAuth::new();
    provide_context(portal_auth);
    provide_context(PortalApi::new(portal_auth));
    load_auth_state(portal_auth);

    view! {
        <Router>
            <PortalTopBar />
            <main class="portal-main">
                <PortalGate />
            </main>
        </Router>
    }
}

/// Fetches the session and stores the resulting sign-in state.
pub fn load_auth_state(portal_auth: PortalAuth) {
    portal_auth.state.set(PortalAuthState::Loading);
    spawn_local(async move {
        let state = match auth::current_session().await {
            Ok(session) => PortalAuthState::SignedIn(session),
            Err(error) if error.is_unauthorized() => PortalAuthState::SignedOut,
            Err(error) => PortalAuthState::Failed(error),
        };
        portal_auth.state.set(state);
    });
}
