use leptos::prelude::*;

use super::webhook_form::WebhookForm;
use crate::api::AdminApi;
use crate::api::admin::ChatService;
use crate::components::{ErrorBanner, Loading};

/// Renders the settings section of a chat channel: loads the stored settings, then shows the
/// form.
#[component]
pub fn WebhookSection(service: ChatService) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.channel_settings(service));
    let heading_id = format!("{}-heading", service.id());
    let labelled_by = heading_id.clone();

    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{service.name()}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <WebhookForm service settings /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
