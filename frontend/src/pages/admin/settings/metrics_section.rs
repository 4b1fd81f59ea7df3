use leptos::prelude::*;

use super::metrics_form::MetricsForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "Metrics" section: loads the `/metrics` settings, then shows the form.
#[component]
pub fn MetricsSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.metrics_settings());

    view! {
        <section class="card" aria-labelledby="metrics-heading">
            <h2 id="metrics-heading">"Metrics"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <MetricsForm settings /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
