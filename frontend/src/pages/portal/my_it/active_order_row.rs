use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::Order;

use super::return_button::ReturnButton;
use crate::format::optional_date_time;

/// Renders one active order with its expiry and the button that gives the access back.
#[component]
pub fn ActiveOrderRow(order: Order, on_returned: Callback<Order>) -> impl IntoView {
    let href = format!("/portal/orders/{}", order.id);
    let asset_name = order.definition_name.clone();

    view! {
        <tr>
            <td>
                <A href=href>{order.definition_name}</A>
            </td>
            <td>{optional_date_time(order.expires_at)}</td>
            <td class="row-actions">
                <ReturnButton order_id=order.id asset_name on_returned />
            </td>
        </tr>
    }
}
