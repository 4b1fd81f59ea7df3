use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;
use shared::auth::Credentials;

use crate::api::ApiError;
use crate::api::admin::auth;
use crate::components::{BrandMark, BrandPlace, ErrorBanner, TextField};
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

const CODE_INPUT_ID: &str = "sign-in-totp-code";
const LEGACY_KEY_HINT: &str =
    "Leave it blank to sign in with the legacy admin key as the password.";

/// Renders the admin sign-in form. After signing in, the page that was open stays open.
///
/// A blank username with the legacy admin key as the password signs in as a superadmin that
/// belongs to no account, so the username is not required here.
///
/// For an account with two-factor sign-in, the server rejects the password alone, so the form
/// then shows a field for an authentication code and sends the same username and password again
/// with it.
#[component]
pub fn SignInPage() -> impl IntoView {
    let admin_auth = expect_context::<AdminAuth>();

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let totp_code = RwSignal::new(String::new());
    // True once the server has accepted the password and asked for the second factor.
    let needs_code = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let asking_for_code = needs_code.get_untracked();
        let credentials = Credentials {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            totp_code: asking_for_code.then(|| totp_code.get_untracked().trim().to_string()),
        };

        // Only the password's presence is checked here: the password rules apply when a
        // password is set, and the server alone decides whether these credentials are right.
        let mut field_errors = FieldErrors::default();
        if credentials.password.is_empty() {
            field_errors.push("password", "is required");
        }
        if credentials.totp_code.as_deref() == Some("") {
            field_errors.push("totp_code", "is required");
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
                Err(failure) if auth::needs_totp_code(&failure) => {
                    // The password was right, so it stays for the request with the code.
                    totp_code.set(String::new());
                    needs_code.set(true);
                    pending.set(false);
                    focus_code_input();
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    // A wrong code is cleared, and the password only when it was the one
                    // rejected.
                    if asking_for_code {
                        totp_code.set(String::new());
                        focus_code_input();
                    } else {
                        password.set(String::new());
                    }
                    pending.set(false);
                }
            }
        });
    };

    let start_over = move |_| {
        needs_code.set(false);
        password.set(String::new());
        totp_code.set(String::new());
        errors.set(FieldErrors::default());
        error.set(None);
    };

    let credential_fields = move || {
        view! {
            <TextField
                id="sign-in-username"
                label="Username"
                value=username
                errors
                field="username"
                autocomplete="username"
                hint=LEGACY_KEY_HINT
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
        }
    };

    let code_fields = move || {
        view! {
            <p>
                "Two-factor sign-in is on for "
                <strong>{move || username.get().trim().to_string()}</strong>
                ". Enter the 6-digit code that your authenticator app shows now, or one of your recovery codes."
            </p>
            <TextField
                id=CODE_INPUT_ID
                label="Authentication code"
                value=totp_code
                errors
                field="totp_code"
                autocomplete="one-time-code"
                required=true
            />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Verify"
                </button>
                <button
                    type="button"
                    class="button secondary"
                    on:click=start_over
                    disabled=move || pending.get()
                >
                    "Use another account"
                </button>
            </div>
        }
    };

    view! {
        <main class="centered">
            <form class="card narrow" on:submit=submit novalidate=true>
                <BrandMark place=BrandPlace::SignIn large=true />
                <h1>"Sign in"</h1>
                <ErrorBanner error />
                <Show when=move || needs_code.get() fallback=credential_fields>
                    {code_fields}
                </Show>
            </form>
        </main>
    }
}

/// Moves the keyboard focus to the code input once it has rendered, so that keyboard and
/// screen reader users can type a code at once.
fn focus_code_input() {
    request_animation_frame(|| {
        let input = document()
            .get_element_by_id(CODE_INPUT_ID)
            .and_then(|element| element.dyn_into::<HtmlElement>().ok());
        if let Some(input) = input {
            let _ = input.focus();
        }
    });
}
