use leptos::prelude::*;
use shared::settings::{LdapSettings, LdapTls, default_manager_attribute};

use super::ldap_form::LdapForm;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, Loading};

/// Renders the "Directory (LDAP)" section: loads the stored settings, then shows the form.
#[component]
pub fn LdapSection() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let settings = LocalResource::new(move || api.ldap_settings());

    view! {
        <section class="card" aria-labelledby="ldap-heading">
            <h2 id="ldap-heading">"Directory (LDAP)"</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <LdapForm settings /> }.into_any(),
                        // Nothing is stored before the first save.
                        Err(error) if error.status == 404 => {
                            view! { <LdapForm settings=unset_settings() /> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn unset_settings() -> LdapSettings {
    LdapSettings {
        host: String::new(),
        port: 389,
        tls: LdapTls::None,
        bind_dn: String::new(),
        bind_password_set: false,
        base_dn: String::new(),
        manager_attribute: default_manager_attribute(),
    }
}
