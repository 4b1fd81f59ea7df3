use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::auth::Credentials;
use shared::validation;

use crate::api::ApiError;
use crate::api::admin::auth;
use crate::components::{ErrorBanner, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

/// Renders the form that creates the first administrator of a new installation and signs them in.
#[component]
pub fn FirstAdminPage() -> impl IntoView {
    let admin_auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm_password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let already_set_up = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let credentials = Credentials {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            totp_code: None,
        };

        let mut field_errors = FieldErrors::new(validation::credentials(
            &credentials.username,
            &credentials.password,
        ));
        if confirm_password.get_untracked() != credentials.password {
            field_errors.push("confirm_password", "does not match the password");
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match auth::create_first_admin(&credentials).await {
                Ok(session) => {
                    admin_auth.sign_in(session);
                    navigate("/ui/", Default::default());
                }
                Err(failure) => {
                    already_set_up.set(failure.status == 409);
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <main class="centered">
            <form class="card narrow" on:submit=submit novalidate=true>
                <h1>"Create first administrator"</h1>
                <p class="muted">
                    "No administrator exists yet. The account you create here can change every setting."
                </p>
                <ErrorBanner error />
                <Show when=move || already_set_up.get()>
                    <button type="button" class="button secondary" on:click=move |_| admin_auth.sign_out()>
                        "Go to sign-in"
                    </button>
                </Show>
                <TextField
                    id="first-admin-username"
                    label="Username"
                    value=username
                    errors
                    field="username"
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="first-admin-password"
                    label="Password"
                    value=password
                    errors
                    field="password"
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 12 characters."
                />
                <TextField
                    id="first-admin-confirm-password"
                    label="Confirm password"
                    value=confirm_password
                    errors
                    field="confirm_password"
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Create administrator"
                </button>
            </form>
        </main>
    }
}
