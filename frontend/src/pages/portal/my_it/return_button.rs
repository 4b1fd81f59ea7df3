use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::Order;
use uuid::Uuid;

use crate::api::{ApiError, PortalApi};
use crate::components::ErrorBanner;

/// Renders "Return", then "Confirm return", which gives access back before it expires.
#[component]
pub fn ReturnButton(
    order_id: Uuid,
    asset_name: String,
    on_returned: Callback<Order>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let confirm = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.return_order(order_id).await {
                Ok(order) => on_returned.run(order),
                Err(failure) => error.set(Some(failure)),
            }
            confirming.set(false);
            pending.set(false);
        });
    };
    let question = format!("Give back your access to {asset_name} now?");

    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button type="button" class="button secondary" on:click=move |_| confirming.set(true)>
                        "Return"
                    </button>
                }
            }
        >
            <span class="confirm-question">{question.clone()}</span>
            <button type="button" class="button danger" disabled=move || pending.get() on:click=confirm>
                "Confirm return"
            </button>
            <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                "Keep access"
            </button>
        </Show>
        <ErrorBanner error />
    }
}
