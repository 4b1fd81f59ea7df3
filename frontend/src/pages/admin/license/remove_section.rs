use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::license::LicenseStatus;

use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner};

/// Renders the "Uploaded license" section with a Remove button that asks for confirmation.
/// A license file at IPSOLIS_LICENSE_PATH is not affected.
#[component]
pub fn RemoveSection(on_removed: Callback<LicenseStatus>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let remove = Callback::new(move |()| {
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match api.remove_license().await {
                Ok(status) => on_removed.run(status),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    });

    view! {
        <section class="card" aria-labelledby="license-remove-heading">
            <h2 id="license-remove-heading">"Uploaded license"</h2>
            <p class="hint">
                "Removing the uploaded license returns the installation to the evaluation or the \
                 free tier, unless a license file applies. Nothing is switched off."
            </p>
            <ErrorBanner error />
            <ConfirmAction
                button_label="Remove license"
                question="Remove the uploaded license? The installation's state is computed again \
                          without it."
                confirm_label="Remove"
                keep_label="Keep license"
                pending
                on_confirm=remove
                class="actions"
            />
        </section>
    }
}
