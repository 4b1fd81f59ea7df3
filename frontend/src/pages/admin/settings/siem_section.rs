use leptos::prelude::*;

use super::siem_form::SiemForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "SIEM forwarding" section: loads the settings and the state of forwarding, then
/// shows the form.
#[component]
pub fn SiemSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.siem_settings());

    view! {
        <section class="card" aria-labelledby="siem-heading">
            <h2 id="siem-heading">"SIEM forwarding"</h2>
            <p class="hint">
                "Sends every audit event written while forwarding is on to your SIEM. Events wait \
                 in ip·Solis while the SIEM is unreachable and go out, oldest first, once it \
                 answers again."
            </p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <SiemForm settings /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
