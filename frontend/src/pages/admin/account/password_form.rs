use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::PasswordChange;
use shared::validation;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;

/// Renders the form that changes the signed-in admin's own password. The API client stores
/// the session that the server returns, so this tab stays signed in.
#[component]
pub fn PasswordForm() -> impl IntoView {
    let api = expect_context::<AdminApi>();

    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let confirm_password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let input = PasswordChange {
            current_password: current_password.get_untracked(),
            new_password: new_password.get_untracked(),
        };

        // The server alone checks the current password, so only its presence is checked here.
        let mut field_errors = FieldErrors::default();
        if input.current_password.is_empty() {
            field_errors.push("current_password", "is required");
        }
        if let Some(message) = validation::password(&input.new_password) {
            field_errors.push("new_password", message);
        }
        if confirm_password.get_untracked() != input.new_password {
            field_errors.push("confirm_new_password", "does not match the new password");
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.change_password(&input).await {
                Ok(_) => {
                    current_password.set(String::new());
                    new_password.set(String::new());
                    confirm_password.set(String::new());
                    status.set(Some(Status::success(
                        "Password changed. Your other sessions have ended.",
                    )));
                }
                Err(failure) => {
                    // A 403 means the current password is wrong, and the banner shows the server's message.
                    current_password.set(String::new());
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <TextField
                id="account-current-password"
                label="Current password"
                value=current_password
                errors
                field="current_password"
                input_type="password"
                autocomplete="current-password"
                required=true
            />
            <TextField
                id="account-new-password"
                label="New password"
                value=new_password
                errors
                field="new_password"
                input_type="password"
                autocomplete="new-password"
                required=true
                hint="At least 12 characters."
            />
            <TextField
                id="account-confirm-new-password"
                label="Confirm new password"
                value=confirm_password
                errors
                field="confirm_new_password"
                input_type="password"
                autocomplete="new-password"
                required=true
            />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Change password"
                </button>
            </div>
            <StatusMessage status />
        </form>
    }
}
