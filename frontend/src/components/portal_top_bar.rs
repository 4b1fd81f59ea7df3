use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::PortalApi;
use crate::state::PortalAuth;

/// Renders the portal's top bar. The links and the sign-out button appear only when signed in.
#[component]
pub fn PortalTopBar() -> impl IntoView {
    let auth = expect_context::<PortalAuth>();
    let api = expect_context::<PortalApi>();
    let navigate = use_navigate();

    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // The session is cleared locally even when the server call fails.
            let _ = api.logout().await;
            navigate("/portal/", Default::default());
        });
    };

    view! {
        <header class="top-bar">
            <span class="brand">"ip·Solis Self-service"</span>
            {move || {
                auth.session()
                    .map(|session| {
                        view! {
                            <nav class="top-links" aria-label="Main">
                                <A href="/portal/" exact=true>
                                    "Catalog"
                                </A>
                                <A href="/portal/my-it">"My IT"</A>
                                <A href="/portal/approvals">"Approvals"</A>
                                <A href="/portal/delegations">"Out of office"</A>
                            </nav>
                            <span class="top-user">{session.display_name}</span>
                            <button type="button" class="button secondary" on:click=sign_out.clone()>
                                "Sign out"
                            </button>
                        }
                    })
            }}
        </header>
    }
}
