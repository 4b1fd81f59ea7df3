use leptos::prelude::*;

use super::approvals_form::ApprovalsForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "Approvals" section: loads reminders, escalation and the compliance officer,
/// then shows the form.
#[component]
pub fn ApprovalsSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.approval_settings());

    view! {
        <section class="card" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">"Approvals"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <ApprovalsForm settings /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
