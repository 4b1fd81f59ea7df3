use leptos::prelude::*;

use super::general_form::GeneralForm;
use super::logo_field::LogoField;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "General" section: the application title, the logo and its position.
#[component]
pub fn GeneralSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.general_settings());

    view! {
        <section class="card" aria-labelledby="general-heading">
            <h2 id="general-heading">"General"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => {
                            let logo = settings.logo.clone();
                            view! {
                                <GeneralForm settings />
                                <LogoField logo />
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
