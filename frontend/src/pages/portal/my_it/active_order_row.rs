use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::{Order, OrderState};

use crate::format::optional_date_time;
use crate::pages::portal::order_action_button::{OrderAction, OrderActionButton};

/// Renders one active order with its expiry and the button that gives the access back, noting a
/// change that waits for approval.
#[component]
pub fn ActiveOrderRow(order: Order, on_returned: Callback<Order>) -> impl IntoView {
    let href = format!("/portal/orders/{}", order.id);
    let asset_name = order.definition_name.clone();
    let waiting = (order.state == OrderState::ModificationPending)
        .then(|| view! { <span class="muted">" (a change waits for approval)"</span> });
    let deputy = order
        .deputy_note()
        .map(|note| view! { <span class="muted deputy-note">{format!(" ({note})")}</span> });

    view! {
        <tr>
            <td>
                <A href=href>{order.definition_name}</A>
                {deputy}
                {waiting}
            </td>
            <td>{optional_date_time(order.expires_at)}</td>
            <td class="row-actions">
                <OrderActionButton action=OrderAction::Return order_id=order.id asset_name on_done=on_returned />
            </td>
        </tr>
    }
}
