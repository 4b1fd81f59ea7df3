use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::Order;

use crate::components::StateBadge;
use crate::format::{local_date_time, optional_date_time};

/// Renders one order in the admin list. The requester and the asset link to the order.
#[component]
pub fn OrderRow(order: Order) -> impl IntoView {
    let href = format!("/ui/orders/{}", order.id);

    view! {
        <tr>
            <td>
                <A href=href.clone()>{order.requester.display_name}</A>
                <span class="muted small">" " {order.requester.email}</span>
            </td>
            <td>
                <A href=href>{order.definition_name}</A>
            </td>
            <td>
                <StateBadge state=order.state />
            </td>
            <td>{local_date_time(order.created_at)}</td>
            <td>{optional_date_time(order.expires_at)}</td>
        </tr>
    }
}
