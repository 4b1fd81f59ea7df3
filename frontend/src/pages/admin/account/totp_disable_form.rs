use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::TotpDisable;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, TextField};
use crate::forms::FieldErrors;

/// Renders the form that turns two-factor sign-in off after checking the current password. On
/// success it clears `recovery_codes`, which stop working, and stores a message in `status`.
#[component]
pub fn TotpDisableForm(
    recovery_codes: RwSignal<Option<Vec<String>>>,
    status: RwSignal<Option<Status>>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();

    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let input = TotpDisable {
            password: password.get_untracked(),
        };

        // The server alone checks the password, so only its presence is checked here.
        let mut field_errors = FieldErrors::default();
        if input.password.is_empty() {
            field_errors.push("password", "is required");
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            let result = api.disable_totp(&input).await;
            password.set(String::new());
            match result {
                Ok(()) => {
                    recovery_codes.set(None);
                    status.set(Some(Status::success(
                        "Two-factor sign-in is off. Sign-in asks only for the password.",
                    )));
                }
                Err(failure) => {
                    // A 403 means the password is wrong, and the banner shows the server's
                    // message.
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <p>
                "Signing in asks for a code from your authenticator app, or a recovery code, "
                "after the password."
            </p>
            <TextField
                id="totp-disable-password"
                label="Current password"
                value=password
                errors
                field="password"
                input_type="password"
                autocomplete="current-password"
                required=true
            />
            <div class="actions">
                <button type="submit" class="button danger" disabled=move || pending.get()>
                    "Turn off two-factor sign-in"
                </button>
            </div>
        </form>
    }
}
