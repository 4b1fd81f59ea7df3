use leptos::prelude::*;

use super::security_form::SecurityForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "Security" section: loads the session and password rules, then shows the form.
#[component]
pub fn SecuritySection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.security_settings());

    view! {
        <section class="card" aria-labelledby="security-heading">
            <h2 id="security-heading">"Security"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <SecurityForm settings /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
