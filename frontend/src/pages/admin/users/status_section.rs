use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::admin_users::{AdminUser, AdminUserUpdate};

use super::stored_update;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage};

/// Renders the "Status" section: "Deactivate" for an active admin user, "Activate" otherwise.
#[component]
pub fn StatusSection(user: RwSignal<AdminUser>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let active = move || user.with(|user| user.active);

    let toggle = move |_| {
        let current = user.get_untracked();
        // Everything else stays as stored, even when another section holds unsaved choices.
        let input = AdminUserUpdate {
            active: !current.active,
            ..stored_update(&current)
        };
        error.set(None);
        status.set(None);
        pending.set(true);
        spawn_local(async move {
            match api.update_admin_user(current.id, &input).await {
                Ok(updated) => {
                    let message = if updated.active {
                        format!("Activated. {} can sign in again.", updated.username)
                    } else {
                        format!(
                            "Deactivated. {} cannot sign in, and their sessions have ended.",
                            updated.username
                        )
                    };
                    status.set(Some(Status::success(message)));
                    user.set(updated);
                }
                Err(failure) => error.set(Some(failure)),
            }
            pending.set(false);
        });
    };
    let description = move || {
        if active() {
            "This admin user can sign in. Deactivating ends their sessions and blocks sign-in until a superadmin activates them again."
        } else {
            "This admin user cannot sign in."
        }
    };

    view! {
        <section class="card" aria-labelledby="admin-user-status-heading">
            <h2 id="admin-user-status-heading">"Status"</h2>
            <ErrorBanner error />
            <p class="muted">{description}</p>
            <div class="actions">
                <button
                    type="button"
                    class=move || if active() { "button danger" } else { "button" }
                    disabled=move || pending.get()
                    on:click=toggle
                >
                    {move || if active() { "Deactivate" } else { "Activate" }}
                </button>
            </div>
            <StatusMessage status />
        </section>
    }
}
