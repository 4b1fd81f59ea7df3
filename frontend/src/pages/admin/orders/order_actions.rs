use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::{Order, OrderState};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;

/// An action an admin may take on a failed or active order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// Runs the failed step of a failed order again.
    Retry,
    /// Removes the access of an active or failed order now, as at expiry.
    End,
}

impl OrderAction {
    /// Returns the actions an order in `state` allows, in the order the buttons show.
    pub fn allowed_in(state: OrderState) -> Vec<OrderAction> {
        match state {
            OrderState::Failed => vec![OrderAction::Retry, OrderAction::End],
            OrderState::Active => vec![OrderAction::End],
            _ => Vec::new(),
        }
    }

    fn button_label(self) -> &'static str {
        match self {
            OrderAction::Retry => "Retry",
            OrderAction::End => "End access now",
        }
    }

    fn confirm_label(self) -> &'static str {
        match self {
            OrderAction::Retry => "Confirm retry",
            OrderAction::End => "Confirm end of access",
        }
    }

    fn button_class(self) -> &'static str {
        match self {
            OrderAction::Retry => "button",
            OrderAction::End => "button danger",
        }
    }

    fn question(self, requester: &str, asset_name: &str) -> String {
        match self {
            OrderAction::Retry => format!(
                "Retry {requester}'s order for {asset_name}? The step that failed runs again."
            ),
            OrderAction::End => format!(
                "End {requester}'s access to {asset_name} now? The access is removed as at expiry."
            ),
        }
    }

    /// Returns the line that reports a finished action, with the order's new state.
    pub fn done(self, order: &Order) -> String {
        let done = match self {
            OrderAction::Retry => "Retry started",
            OrderAction::End => "Access ending",
        };
        format!("{done}. The order is now {}.", order.state.label())
    }
}

/// Renders a button per action in `actions`, each followed by a confirmation step. `on_done`
/// receives the action and the order as the server returns it. A refused action, for example
/// because the order moved on meanwhile, shows the server's detail in a banner.
#[component]
pub fn OrderActionButtons(
    order_id: Uuid,
    actions: Vec<OrderAction>,
    requester: String,
    asset_name: String,
    on_done: Callback<(OrderAction, Order)>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    // The action whose confirmation step is showing.
    let confirming = RwSignal::new(None::<OrderAction>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let confirm = move |_| {
        let Some(action) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match action {
                OrderAction::Retry => api.retry_order(order_id).await,
                OrderAction::End => api.end_order(order_id).await,
            };
            confirming.set(None);
            pending.set(false);
            // The callback may remove these buttons, so it runs after the last signal update.
            match result {
                Ok(order) => on_done.run((action, order)),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };

    let start_buttons = move || {
        actions
            .iter()
            .map(|&action| {
                view! {
                    <button
                        type="button"
                        class=action.button_class()
                        on:click=move |_| {
                            error.set(None);
                            confirming.set(Some(action));
                        }
                    >
                        {action.button_label()}
                    </button>
                }
            })
            .collect_view()
    };
    let confirm_step = move |action: OrderAction| {
        view! {
            <p class="confirm-question">{action.question(&requester, &asset_name)}</p>
            <div class="actions">
                <button
                    type="button"
                    class=action.button_class()
                    disabled=move || pending.get()
                    on:click=confirm
                >
                    {action.confirm_label()}
                </button>
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| confirming.set(None)
                >
                    "Keep as it is"
                </button>
            </div>
        }
    };

    view! {
        {move || match confirming.get() {
            Some(action) => confirm_step(action).into_any(),
            None => view! { <div class="actions">{start_buttons()}</div> }.into_any(),
        }}
        <ErrorBanner error />
    }
}
