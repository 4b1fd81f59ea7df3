use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::{AdminUser, PasswordReset};
use shared::validation;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;

/// Renders the "Reset password" section, which sets a new password for another admin user.
#[component]
pub fn PasswordResetSection(user: RwSignal<AdminUser>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let input = PasswordReset {
            password: password.get_untracked(),
        };
        let mut field_errors = FieldErrors::default();
        if let Some(message) = validation::password(&input.password) {
            field_errors.push("password", message);
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        let (id, username) = user.with_untracked(|user| (user.id, user.username.clone()));
        pending.set(true);
        spawn_local(async move {
            match api.reset_admin_user_password(id, &input).await {
                Ok(()) => {
                    password.set(String::new());
                    let message = format!(
                        "Password reset. {username} signs in with the new password, and their sessions have ended."
                    );
                    status.set(Some(Status::success(message)));
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="admin-user-password-heading">
            <h2 id="admin-user-password-heading">"Reset password"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorBanner error />
                <TextField
                    id="admin-user-new-password"
                    label="New password"
                    value=password
                    errors
                    field="password"
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 12 characters. Tell the admin user the new password in person or by another secure channel."
                />
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Reset password"
                    </button>
                </div>
                <StatusMessage status />
            </form>
        </section>
    }
}
