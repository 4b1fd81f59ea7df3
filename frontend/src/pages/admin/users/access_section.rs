use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::{AdminUser, AdminUserUpdate};
use shared::validation;

use super::scope_editor::{Definitions, ScopeEditor, ScopeInput};
use super::stored_update;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::{FieldErrors, non_blank};

/// Renders the "Mail address and access scope" section. A superadmin's own scope cannot be
/// changed here, so on their own account only the mail address is editable.
#[component]
pub fn AccessSection(
    user: RwSignal<AdminUser>,
    definitions: Definitions,
    is_own_account: bool,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let stored = user.get_untracked();
    let email = RwSignal::new(stored.email.clone().unwrap_or_default());
    let scope = ScopeInput::new(&stored.scope);

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let current = user.get_untracked();
        let mut field_errors = FieldErrors::default();
        // Role and active flag stay as stored, because this form changes neither.
        let input = AdminUserUpdate {
            email: non_blank(&email.get_untracked()),
            scope: scope.read(&mut field_errors),
            ..stored_update(&current)
        };
        for rule_error in validation::admin_user_details(input.email.as_deref(), &input.scope) {
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
            match api.update_admin_user(current.id, &input).await {
                Ok(updated) => {
                    let message = if updated.scope == current.scope {
                        "Saved.".to_string()
                    } else {
                        format!(
                            "Saved. The access scope of {} changed, and their sessions have ended.",
                            updated.username
                        )
                    };
                    status.set(Some(Status::success(message)));
                    email.set(updated.email.clone().unwrap_or_default());
                    scope.show(&updated.scope);
                    user.set(updated);
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };
    let note = if is_own_account {
        "Another superadmin must change the access scope of your own account."
    } else {
        "Saving a changed access scope ends the user's sessions."
    };

    view! {
        <section class="card" aria-labelledby="admin-user-access-heading">
            <h2 id="admin-user-access-heading">"Mail address and access scope"</h2>
            <form on:submit=save novalidate=true>
                <ErrorBanner error />
                <p class="muted">{note}</p>
                <div class="form-grid">
                    <TextField
                        id="admin-user-email"
                        label="Mail address"
                        value=email
                        errors
                        field="email"
                        input_type="email"
                        autocomplete="off"
                        hint="Optional. Accounts with the same address belong to one person for separation of duties."
                    />
                </div>
                <ScopeEditor
                    id="admin-user-scope"
                    scope
                    definitions
                    errors
                    disabled=is_own_account
                />
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save"
                    </button>
                </div>
                <StatusMessage status />
            </form>
        </section>
    }
}
