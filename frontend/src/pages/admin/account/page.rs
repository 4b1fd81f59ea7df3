use leptos::prelude::*;

use super::legacy_key_note::LegacyKeyNote;
use super::password_form::PasswordForm;
use super::restriction_banner::RestrictionBanner;
use super::sessions_section::SessionsSection;
use super::two_factor_section::TwoFactorSection;
use crate::labels;
use crate::state::AdminAuth;

/// Renders `/ui/account`, which every signed-in admin may open whatever their role, and the
/// only page a restricted session may open. A sign-in with the legacy admin key gets a note
/// in place of the account's sections.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let username = move || auth.session().map(|session| session.username);
    let role = move || auth.session().map(|session| labels::role(session.role));
    let legacy_key = Memo::new(move |_| auth.is_legacy_key());

    view! {
        <h1>"My account"</h1>
        <RestrictionBanner />
        <dl class="facts">
            <dt>"Username"</dt>
            <dd>{username}</dd>
            <dt>"Role"</dt>
            <dd>{role}</dd>
        </dl>
        <Show when=move || !legacy_key.get() fallback=LegacyKeyNote>
            <section class="card" aria-labelledby="change-password-heading">
                <h2 id="change-password-heading">"Change password"</h2>
                <PasswordForm />
            </section>
            <TwoFactorSection />
            <SessionsSection />
        </Show>
    }
}
