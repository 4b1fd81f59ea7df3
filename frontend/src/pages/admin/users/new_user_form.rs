use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::{AdminUser, NewAdminUser};
use shared::permissions::Role;
use shared::validation;

use super::scope_editor::{ScopeEditor, ScopeInput, load_definitions};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, SelectField, Status, StatusMessage, TextField};
use crate::forms::{FieldErrors, non_blank};
use crate::labels;

/// Renders the form that creates an admin user, and clears it after each success.
#[component]
pub fn NewUserForm(on_created: Callback<AdminUser>) -> impl IntoView {
    let api = expect_context::<AdminApi>();

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // A role that only reads, so a slip grants as little as possible.
    let role = RwSignal::new(Role::Helpdesk);
    let email = RwSignal::new(String::new());
    let scope = ScopeInput::new(&Default::default());
    let definitions = load_definitions();

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let input = NewAdminUser {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            role: role.get_untracked(),
            email: non_blank(&email.get_untracked()),
            scope: scope.read(&mut field_errors),
        };
        let rule_errors = validation::credentials(&input.username, &input.password)
            .into_iter()
            .chain(validation::admin_user_details(
                input.email.as_deref(),
                &input.scope,
            ));
        for rule_error in rule_errors {
            field_errors.push(&rule_error.field, rule_error.message);
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }

        pending.set(true);
        spawn_local(async move {
            match api.create_admin_user(&input).await {
                Ok(user) => {
                    let message = format!(
                        "Created the admin user {} with the role {}.",
                        user.username,
                        labels::role(user.role)
                    );
                    status.set(Some(Status::success(message)));
                    username.set(String::new());
                    password.set(String::new());
                    email.set(String::new());
                    scope.show(&Default::default());
                    on_created.run(user);
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
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <div class="form-grid">
                <TextField
                    id="new-admin-username"
                    label="Username"
                    value=username
                    errors
                    field="username"
                    autocomplete="off"
                    required=true
                    hint="3 to 128 characters: letters a-z, digits and . _ @ -"
                />
                <TextField
                    id="new-admin-password"
                    label="Password"
                    value=password
                    errors
                    field="password"
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    hint="At least 12 characters."
                />
                <SelectField id="new-admin-role" label="Role" value=role options=labels::role_options() />
                <TextField
                    id="new-admin-email"
                    label="Mail address"
                    value=email
                    errors
                    field="email"
                    input_type="email"
                    autocomplete="off"
                    hint="Optional. Accounts with the same address belong to one person for separation of duties."
                />
            </div>
            <ScopeEditor id="new-admin-scope" scope definitions errors />
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    "Create admin user"
                </button>
            </div>
            <StatusMessage status />
        </form>
    }
}
