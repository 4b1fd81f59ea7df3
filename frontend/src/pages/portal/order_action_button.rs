use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::Order;
use uuid::Uuid;

use crate::api::{ApiError, PortalApi};
use crate::components::ErrorBanner;

/// An action a requester takes on their own order after a confirmation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// Withdraws an order that is still waiting for approval.
    Cancel,
    /// Gives active access back before it expires.
    Return,
}

impl OrderAction {
    /// Returns the labels of the first button, the confirming button and the one that backs out.
    fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            OrderAction::Cancel => ("Cancel order", "Confirm cancel", "Keep order"),
            OrderAction::Return => ("Return", "Confirm return", "Keep access"),
        }
    }

    fn question(self, asset_name: &str) -> String {
        match self {
            OrderAction::Cancel => format!(
                "Cancel your order for {asset_name}? The e-mailed approval links stop working."
            ),
            OrderAction::Return => format!("Give back your access to {asset_name} now?"),
        }
    }

    async fn send(self, api: PortalApi, order_id: Uuid) -> Result<Order, ApiError> {
        match self {
            OrderAction::Cancel => api.cancel_order(order_id).await,
            OrderAction::Return => api.return_order(order_id).await,
        }
    }
}

/// Renders the button of `action`, then a confirmation step. `on_done` receives the order as
/// the server returns it.
#[component]
pub fn OrderActionButton(
    action: OrderAction,
    order_id: Uuid,
    asset_name: String,
    on_done: Callback<Order>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let (start_label, confirm_label, back_label) = action.labels();

    let confirm = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = action.send(api, order_id).await;
            confirming.set(false);
            pending.set(false);
            // The callback may remove this button, so it runs after the last signal update.
            match result {
                Ok(order) => on_done.run(order),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let question = action.question(&asset_name);

    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button type="button" class="button secondary" on:click=move |_| confirming.set(true)>
                        {start_label}
                    </button>
                }
            }
        >
            <span class="confirm-question">{question.clone()}</span>
            <button type="button" class="button danger" disabled=move || pending.get() on:click=confirm>
                {confirm_label}
            </button>
            <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                {back_label}
            </button>
        </Show>
        <ErrorBanner error />
    }
}
