use leptos::prelude::*;

use super::password_form::PasswordForm;
use super::sessions_section::SessionsSection;
use super::two_factor_section::TwoFactorSection;
use crate::labels;
use crate::state::AdminAuth;

/// Renders `/ui/account`, which every signed-in admin may open whatever their role.
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let username = move || auth.session().map(|session| session.username);
    let role = move || auth.session().map(|session| labels::role(session.role));

    view! {
        <h1>"My account"</h1>
        <dl class="facts">
            <dt>"Username"</dt>
            <dd>{username}</dd>
            <dt>"Role"</dt>
            <dd>{role}</dd>
        </dl>
        <section class="card" aria-labelledby="change-password-heading">
            <h2 id="change-password-heading">"Change password"</h2>
            <PasswordForm />
        </section>
        <TwoFactorSection />
        <SessionsSection />
    }
}
