use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::Delegation;
use uuid::Uuid;

use crate::api::{ApiError, DelegationClient};
use crate::components::ErrorBanner;
use crate::format::local_date_time;

/// Renders one out-of-office window, with "Cancel window" and then "Confirm cancel" when
/// `can_cancel` holds.
#[component]
pub fn DelegationRow(
    window: Delegation,
    client: DelegationClient,
    can_cancel: Signal<bool>,
    on_cancelled: Callback<Uuid>,
) -> impl IntoView {
    let names_person = client.names_person();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = window.id;
    let person = |name: &str, email: &str| format!("{name} <{email}>");

    let cancel = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = client.delete(id).await;
            pending.set(false);
            // The callback removes this row, so it runs after the last signal update.
            match result {
                Ok(()) => on_cancelled.run(id),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let note = Some(window.note.clone())
        .filter(|note| !note.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());

    view! {
        <tr data-testid="delegation-row">
            {names_person
                .then(|| view! { <td>{person(&window.person.display_name, &window.person.email)}</td> })}
            <td>{person(&window.delegate.display_name, &window.delegate.email)}</td>
            <td>{local_date_time(window.starts_at)}</td>
            <td>{local_date_time(window.ends_at)}</td>
            <td class="preserve-lines">{note}</td>
            {names_person.then(|| view! { <td>{window.created_by.clone()}</td> })}
            <td>
                <Show when=move || can_cancel.get()>
                    <Show
                        when=move || confirming.get()
                        fallback=move || {
                            view! {
                                <button
                                    type="button"
                                    class="button secondary"
                                    on:click=move |_| confirming.set(true)
                                >
                                    "Cancel window"
                                </button>
                            }
                        }
                    >
                        <button
                            type="button"
                            class="button danger"
                            disabled=move || pending.get()
                            on:click=cancel
                        >
                            "Confirm cancel"
                        </button>
                        <button
                            type="button"
                            class="button secondary"
                            on:click=move |_| confirming.set(false)
                        >
                            "Keep"
                        </button>
                    </Show>
                </Show>
                <ErrorBanner error />
            </td>
        </tr>
    }
}
