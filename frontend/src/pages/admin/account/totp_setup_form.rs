use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{TotpConfirm, TotpSetup};

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, TextField};
use crate::forms::FieldErrors;

/// Renders the steps that turn two-factor sign-in on: a new secret for the authenticator app,
/// then a code from the app that confirms it. On success it stores the recovery codes in
/// `recovery_codes` and a success message in `status`.
#[component]
pub fn TotpSetupForm(
    recovery_codes: RwSignal<Option<Vec<String>>>,
    status: RwSignal<Option<Status>>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();

    let setup = RwSignal::new(None::<TotpSetup>);
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let start = move |_| {
        error.set(None);
        errors.set(FieldErrors::default());
        status.set(None);
        pending.set(true);
        spawn_local(async move {
            match api.start_totp_setup().await {
                Ok(new_setup) => setup.set(Some(new_setup)),
                Err(failure) => error.set(Some(failure)),
            }
            pending.set(false);
        });
    };

    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        let input = TotpConfirm {
            code: code.get_untracked().trim().to_string(),
        };

        let mut field_errors = FieldErrors::default();
        if input.code.is_empty() {
            field_errors.push("code", "is required");
        }
        error.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.confirm_totp(&input).await {
                Ok(issued) => {
                    // The API client has refreshed the session by now, so the section shows
                    // the form that turns two-factor sign-in off in place of this one.
                    recovery_codes.set(Some(issued.codes));
                    status.set(Some(Status::success(
                        "Two-factor sign-in is on. Sign-in now asks for a code from your app.",
                    )));
                }
                Err(failure) => {
                    // A 422 marks the code field, and a 409 (no secret waiting for a code)
                    // shows in the banner.
                    code.set(String::new());
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    let cancel = move |_| {
        setup.set(None);
        code.set(String::new());
        errors.set(FieldErrors::default());
        error.set(None);
    };

    let start_view = move || {
        view! {
            <p>
                "With two-factor sign-in, signing in asks for a code from an authenticator app "
                "on your phone after the password."
            </p>
            <div class="actions">
                <button
                    type="button"
                    class="button"
                    on:click=start
                    disabled=move || pending.get()
                >
                    "Set up two-factor sign-in"
                </button>
            </div>
        }
    };

    let confirm_view = move |current: TotpSetup| {
        let grouped_secret = group_secret(&current.secret);
        let url = current.otpauth_url;
        view! {
            <p>
                "Add this secret key to your authenticator app, or open the setup link on the "
                "device with the app. Then enter the 6-digit code that the app shows."
            </p>
            <dl class="facts">
                <dt>"Secret key"</dt>
                <dd>
                    <code>{grouped_secret}</code>
                </dd>
                <dt>"Setup link"</dt>
                <dd>
                    <pre>
                        <a href=url.clone()>{url.clone()}</a>
                    </pre>
                </dd>
            </dl>
            <form on:submit=confirm novalidate=true>
                <TextField
                    id="totp-setup-code"
                    label="Code from your app"
                    value=code
                    errors
                    field="code"
                    autocomplete="one-time-code"
                    required=true
                />
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Turn on two-factor sign-in"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        on:click=cancel
                        disabled=move || pending.get()
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        }
    };

    view! {
        <ErrorBanner error />
        {move || match setup.get() {
            None => start_view().into_any(),
            Some(current) => confirm_view(current).into_any(),
        }}
    }
}

/// Splits a base32 secret into groups of four characters, which are easier to copy by hand.
/// Authenticator apps ignore the spaces.
fn group_secret(secret: &str) -> String {
    let characters: Vec<char> = secret.chars().collect();
    characters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
