use leptos::prelude::*;

use super::first_admin_page::FirstAdminPage;
use super::layout::AdminLayout;
use super::load_failed::LoadFailed;
use super::sign_in_page::SignInPage;
use crate::components::Loading;
use crate::state::AdminAuth;
use crate::state::admin_auth::AdminAuthKind;

/// Shows the form or the app that fits the sign-in state, whatever path under `/ui/` is open.
#[component]
pub fn AdminGate() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let kind = Memo::new(move |_| auth.kind());

    move || match kind.get() {
        AdminAuthKind::Loading => view! {
            <main class="centered">
                <Loading />
            </main>
        }
        .into_any(),
        AdminAuthKind::Failed => view! { <LoadFailed /> }.into_any(),
        AdminAuthKind::NeedsFirstAdmin => view! { <FirstAdminPage /> }.into_any(),
        AdminAuthKind::SignedOut => view! { <SignInPage /> }.into_any(),
        AdminAuthKind::SignedIn => view! { <AdminLayout /> }.into_any(),
    }
}
