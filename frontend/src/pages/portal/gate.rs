use leptos::prelude::*;

use super::layout::PortalRoutes;
use super::load_failed::LoadFailed;
use super::sign_in_page::SignInPage;
use crate::components::Loading;
use crate::state::PortalAuth;
use crate::state::portal_auth::PortalAuthKind;

/// Shows the sign-in page or the portal, whatever path under `/portal/` is open.
#[component]
pub fn PortalGate() -> impl IntoView {
    let auth = expect_context::<PortalAuth>();
    let kind = Memo::new(move |_| auth.kind());

    move || match kind.get() {
        PortalAuthKind::Loading => view! { <Loading /> }.into_any(),
        PortalAuthKind::Failed => view! { <LoadFailed /> }.into_any(),
        PortalAuthKind::SignedOut => view! { <SignInPage /> }.into_any(),
        PortalAuthKind::SignedIn => view! { <PortalRoutes /> }.into_any(),
    }
}
