use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::admin_users::AdminUser;

use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;

/// Renders the "Delete" section: "Delete", then "Confirm delete", which removes the admin user
/// and goes back to the list.
#[component]
pub fn DeleteSection(user: RwSignal<AdminUser>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let confirm = move |_| {
        let id = user.with_untracked(|user| user.id);
        let navigate = navigate.clone();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.delete_admin_user(id).await {
                Ok(()) => navigate("/ui/users", Default::default()),
                Err(failure) => {
                    error.set(Some(failure));
                    confirming.set(false);
                    pending.set(false);
                }
            }
        });
    };
    let question = move || {
        user.with(|user| {
            format!(
                "Delete the admin user {}? The audit log keeps the entries that name them.",
                user.username
            )
        })
    };

    view! {
        <section class="card" aria-labelledby="admin-user-delete-heading">
            <h2 id="admin-user-delete-heading">"Delete"</h2>
            <ErrorBanner error />
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <div class="actions">
                            <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                                "Delete"
                            </button>
                        </div>
                    }
                }
            >
                <p class="confirm-question">{question}</p>
                <div class="actions">
                    <button type="button" class="button danger" disabled=move || pending.get() on:click=confirm.clone()>
                        "Confirm delete"
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                        "Keep admin user"
                    </button>
                </div>
            </Show>
        </section>
    }
}
