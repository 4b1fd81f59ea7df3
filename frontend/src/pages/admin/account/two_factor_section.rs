use leptos::prelude::*;

use super::recovery_codes::RecoveryCodesList;
use super::totp_disable_form::TotpDisableForm;
use super::totp_setup_form::TotpSetupForm;
use crate::components::{Status, StatusMessage};
use crate::state::AdminAuth;

/// Renders the "Two-factor sign-in" section of `/ui/account`: whether sign-in needs a code
/// from an authenticator app, and the form that turns it on or off.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let enabled = Memo::new(move |_| {
        auth.session()
            .map(|session| session.totp_enabled)
            .unwrap_or(false)
    });
    // The codes live here rather than in the setup form, because turning two-factor sign-in
    // on replaces that form with the one that turns it off.
    let recovery_codes = RwSignal::new(None::<Vec<String>>);
    let status = RwSignal::new(None::<Status>);

    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            <dl class="facts">
                <dt>"Status"</dt>
                <dd>{move || if enabled.get() { "On" } else { "Off" }}</dd>
            </dl>
            <StatusMessage status />
            {move || {
                recovery_codes
                    .get()
                    .map(|codes| view! { <RecoveryCodesList codes recovery_codes /> })
            }}
            <Show
                when=move || enabled.get()
                fallback=move || view! { <TotpSetupForm recovery_codes status /> }
            >
                <TotpDisableForm recovery_codes status />
            </Show>
        </section>
    }
}
