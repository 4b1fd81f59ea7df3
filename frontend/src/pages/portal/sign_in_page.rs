use leptos::prelude::*;
use shared::auth::PortalAuthStatus;
use web_sys::js_sys::encode_uri_component;

use crate::api::portal::auth;
use crate::components::{ErrorBanner, Loading};

/// Renders the page for visitors without a portal session. Signing in is a full browser navigation to the
/// server's login URL, which sends the visitor back to `return_to` afterwards.
#[component]
pub fn SignInPage() -> impl IntoView {
    let status = LocalResource::new(auth::auth_status);

    view! {
        <div class="card narrow">
            <h1>"Sign in to the self-service portal"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.sign_in_enabled => sign_in_button(status).into_any(),
                        Ok(_) => view! {
                            <p>
                                "Sign-in is not set up yet. Ask your IT administrators to configure portal sign-in."
                            </p>
                        }
                            .into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn sign_in_button(status: PortalAuthStatus) -> impl IntoView {
    let start = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let path = location
            .pathname()
            .unwrap_or_else(|_| "/portal/".to_string());
        let search = location.search().unwrap_or_default();
        let return_to = String::from(encode_uri_component(&format!("{path}{search}")));
        let separator = if status.login_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!("{}{separator}return_to={return_to}", status.login_url);
        // A failed navigation leaves the page as it is, so there is nothing else to do.
        let _ = location.set_href(&url);
    };

    view! {
        <p>"Use your company account to order access and see what you have."</p>
        <button type="button" class="button" on:click=start>
            "Sign in with your company account"
        </button>
    }
}
