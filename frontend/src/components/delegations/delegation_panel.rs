use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::Delegation;
use uuid::Uuid;

use super::delegation_form::DelegationForm;
use super::delegation_list::DelegationList;
use crate::api::{ApiError, DelegationClient};
use crate::components::{ErrorBanner, Loading, Status, StatusMessage};
use crate::format::local_date_time;

/// Renders the current and future out-of-office windows that `client` lists and, with
/// `can_write`, the form for a new one and the buttons that cancel them.
#[component]
pub fn DelegationPanel(
    client: DelegationClient,
    #[prop(into)] can_write: Signal<bool>,
) -> impl IntoView {
    let windows = RwSignal::new(Vec::<Delegation>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    spawn_local(async move {
        match client.list().await {
            Ok(list) => windows.set(list),
            Err(failure) => error.set(Some(failure)),
        }
        loading.set(false);
    });

    let on_created = Callback::new(move |created: Delegation| {
        status.set(Some(Status::success(format!(
            "Saved: {} stands in for {} from {} until {}.",
            created.delegate.display_name,
            created.person.display_name,
            local_date_time(created.starts_at),
            local_date_time(created.ends_at)
        ))));
        windows.update(|windows| {
            windows.push(created);
            windows.sort_by_key(|window| window.starts_at);
        });
    });
    let on_cancelled = Callback::new(move |id: Uuid| {
        status.set(Some(Status::success("Window cancelled.")));
        windows.update(|windows| windows.retain(|window| window.id != id));
    });

    view! {
        <Show when=move || can_write.get()>
            <DelegationForm client on_created />
        </Show>
        <StatusMessage status />
        <section class="card" aria-labelledby="delegation-list-heading">
            <h2 id="delegation-list-heading">"Current and future windows"</h2>
            <ErrorBanner error />
            <Show when=move || loading.get()>
                <Loading />
            </Show>
            <Show when=move || !loading.get()>
                <DelegationList windows client can_cancel=can_write on_cancelled />
            </Show>
        </section>
    }
}
