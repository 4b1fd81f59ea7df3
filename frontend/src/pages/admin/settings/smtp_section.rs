use leptos::prelude::*;
use shared::settings::{SmtpSettings, SmtpTls};

use super::smtp_form::SmtpForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "E-mail (SMTP)" section: loads the stored settings, then shows the form.
#[component]
pub fn SmtpSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.smtp_settings());

    view! {
        <section class="card" aria-labelledby="smtp-heading">
            <h2 id="smtp-heading">"E-mail (SMTP)"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <SmtpForm settings /> }.into_any(),
                        // Nothing is stored before the first save.
                        Err(error) if error.status == 404 => {
                            view! { <SmtpForm settings=unset_settings() /> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn unset_settings() -> SmtpSettings {
    SmtpSettings {
        host: String::new(),
        port: 587,
        tls: SmtpTls::Starttls,
        username: None,
        password_set: false,
        from: String::new(),
    }
}
