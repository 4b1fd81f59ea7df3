use leptos::prelude::*;
use shared::settings::OidcSettings;

use super::oidc_form::OidcForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "Portal sign-in (OpenID Connect)" section: loads the stored settings, then
/// shows the form.
#[component]
pub fn OidcSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.oidc_settings());

    view! {
        <section class="card" aria-labelledby="oidc-heading">
            <h2 id="oidc-heading">"Portal sign-in (OpenID Connect)"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <OidcForm settings /> }.into_any(),
                        // Nothing is stored before the first save.
                        Err(error) if error.status == 404 => {
                            view! { <OidcForm settings=unset_settings() /> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Settings for a form that was never saved. The server sends the redirect URI only with stored
/// settings, so this one is built from the address the SPA was opened at.
// NOTE: behind a proxy whose address differs from IPSOLIS_PUBLIC_URL this guess is wrong until
// the first save, which shows the server's value.
fn unset_settings() -> OidcSettings {
    let origin = web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default();
    OidcSettings {
        enabled: false,
        issuer_url: String::new(),
        client_id: String::new(),
        client_secret_set: false,
        allowed_email_domains: Vec::new(),
        redirect_uri: format!("{origin}/api/v1/portal/auth/callback"),
    }
}
