use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::Order;
use uuid::Uuid;

use crate::api::{ApiError, PortalApi};
use crate::components::ErrorBanner;

/// Renders "Cancel order", then "Confirm cancel", which withdraws an order that is still
/// waiting for approval. `on_cancelled` receives the order as the server returns it.
#[component]
pub fn CancelOrderButton(
    order_id: Uuid,
    asset_name: String,
    on_cancelled: Callback<Order>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let confirm = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.cancel_order(order_id).await;
            confirming.set(false);
            pending.set(false);
            // The callback may remove this button, so it runs after the last signal update.
            match result {
                Ok(order) => on_cancelled.run(order),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let question =
        format!("Cancel your order for {asset_name}? The e-mailed approval links stop working.");

    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button type="button" class="button secondary" on:click=move |_| confirming.set(true)>
                        "Cancel order"
                    </button>
                }
            }
        >
            <span class="confirm-question">{question.clone()}</span>
            <button type="button" class="button danger" disabled=move || pending.get() on:click=confirm>
                "Confirm cancel"
            </button>
            <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                "Keep order"
            </button>
        </Show>
        <ErrorBanner error />
    }
}
