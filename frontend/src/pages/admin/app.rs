use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Router;

use super::gate::AdminGate;
use crate::api::AdminApi;
use crate::api::admin::auth;
use crate::state::{AdminAuth, AdminAuthState, BrandingState};

/// Renders the root of the admin SPA. It provides the sign-in state and the API client, then
/// shows the first-administrator form, the sign-in form or the app.
#[component]
pub fn AdminApp() -> impl IntoView {
    BrandingState::provide();
    let admin_auth = AdminAuth::new();
    provide_context(admin_auth);
    provide_context(AdminApi::new(admin_auth));
    load_auth_state(admin_auth);

    view! {
        <Router>
            <AdminGate />
        </Router>
    }
}

/// Fetches the setup status and then the session, and stores the resulting sign-in state.
pub fn load_auth_state(admin_auth: AdminAuth) {
    admin_auth.state.set(AdminAuthState::Loading);
    spawn_local(async move {
        let state = match auth::setup_status().await {
            Err(error) => AdminAuthState::Failed(error),
            Ok(status) if status.needs_first_admin => AdminAuthState::NeedsFirstAdmin,
            Ok(_) => match auth::current_session().await {
                Ok(session) => AdminAuthState::SignedIn(session),
                Err(error) if error.is_unauthorized() => AdminAuthState::SignedOut,
                Err(error) => AdminAuthState::Failed(error),
            },
        };
        admin_auth.state.set(state);
    });
}
