use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::PortalApi;
use crate::components::{BrandMark, BrandPlace};
use crate::state::PortalAuth;

/// Renders the portal's top bar. The links and the sign-out button appear only when signed in.
/// Signed out, the bar heads the sign-in page, so the logo follows the sign-in rule.
#[component]
pub fn PortalTopBar() -> impl IntoView {
    let auth = expect_context::<PortalAuth>();
    let api = expect_context::<PortalApi>();
    let navigate = use_navigate();
    let signed_in = Memo::new(move |_| auth.session().is_some());
    let brand = move || {
        let place = if signed_in.get() {
            BrandPlace::Header
        } else {
            BrandPlace::SignIn
        };
        view! { <BrandMark place /> }
    };

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
            <div class="brand">
                {brand}
                <span class="brand-suffix">"Self-service"</span>
            </div>
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
