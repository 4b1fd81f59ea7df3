use leptos::prelude::*;

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
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
