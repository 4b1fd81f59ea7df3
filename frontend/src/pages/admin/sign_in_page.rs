use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Credentials;

use crate::api::ApiError;
use crate::api::admin::auth;
use crate::components::{ErrorBanner, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

/// Renders the admin sign-in form. After signing in, the page that was open stays open.
#[component]
pub fn SignInPage() -> impl IntoView {
    let admin_auth = expect_context::<AdminAuth>();

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let credentials = Credentials {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            totp_code: None,
        };

        // Only presence is checked here: the password rules apply when a password is set,
        // and the server alone decides whether these credentials are right.
        let mut field_errors = FieldErrors::default();
        if credentials.username.is_empty() {
            field_errors.push("username", "is required");
        }
        if credentials.password.is_empty() {
            field_errors.push("password", "is required");
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match auth::login(&credentials).await {
                Ok(session) => admin_auth.sign_in(session),
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    password.set(String::new());
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <main class="centered">
            <form class="card narrow" on:submit=submit novalidate=true>
                <p class="brand-large">"ip·Solis"</p>
                <h1>"Sign in"</h1>
                <ErrorBanner error />
                <TextField
                    id="sign-in-username"
                    label="Username"
                    value=username
                    errors
                    field="username"
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="sign-in-password"
                    label="Password"
                    value=password
                    errors
                    field="password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Sign in"
                </button>
            </form>
        </main>
    }
}
