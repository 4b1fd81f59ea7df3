use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::{AdminUser, AdminUserUpdate};

use super::stored_update;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, SelectField, Status, StatusMessage};
use crate::labels;

/// Renders the "Role" section: a role select and its save button.
#[component]
pub fn RoleSection(user: RwSignal<AdminUser>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let role = RwSignal::new(user.get_untracked().role);
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let current = user.get_untracked();
        // Everything else stays as stored, because this form changes only the role.
        let input = AdminUserUpdate {
            role: role.get_untracked(),
            ..stored_update(&current)
        };
        error.set(None);
        status.set(None);
        pending.set(true);
        spawn_local(async move {
            match api.update_admin_user(current.id, &input).await {
                Ok(updated) => {
                    let message = format!(
                        "Saved. {} is now {}, and their sessions have ended.",
                        updated.username,
                        labels::role(updated.role)
                    );
                    status.set(Some(Status::success(message)));
                    user.set(updated);
                }
                Err(failure) => {
                    // The select returns to the stored role, because the failed call changed nothing.
                    role.set(current.role);
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="admin-user-role-heading">
            <h2 id="admin-user-role-heading">"Role"</h2>
            <form on:submit=save novalidate=true>
                <ErrorBanner error />
                <SelectField id="admin-user-role" label="Role" value=role options=labels::role_options() />
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
