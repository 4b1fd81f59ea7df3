use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::{Order, OrderState};

use crate::components::StateBadge;
use crate::format::{local_date_time, optional_date_time};
use crate::pages::portal::order_action_button::{OrderAction, OrderActionButton};

/// Renders one of the signed-in person's orders, linking to its detail page. An order waiting
/// for approval gets the button that cancels it.
#[component]
pub fn OrderRow(order: Order, on_cancelled: Callback<Order>) -> impl IntoView {
    let href = format!("/portal/orders/{}", order.id);
    let cancel_button = (order.state == OrderState::PendingApproval).then(|| {
        view! {
            <OrderActionButton
                action=OrderAction::Cancel
                order_id=order.id
                asset_name=order.definition_name.clone()
                on_done=on_cancelled
            />
        }
    });

    let deputy = order
        .deputy_note()
        .map(|note| view! { <span class="muted deputy-note">{format!(" ({note})")}</span> });

    view! {
        <tr>
            <td>
                <A href=href>{order.definition_name}</A>
                {deputy}
            </td>
            <td>
                <StateBadge state=order.state />
            </td>
            <td>{local_date_time(order.created_at)}</td>
            <td>{optional_date_time(order.expires_at)}</td>
            <td class="row-actions">{cancel_button}</td>
        </tr>
    }
}
