use leptos::prelude::*;
use shared::orders::Order;

use crate::components::StateBadge;
use crate::format::{days, local_date_time, optional_date_time};

/// Renders the facts of one order for admins.
#[component]
pub fn OrderSummary(order: Order) -> impl IntoView {
    let justification = order
        .justification
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());

    view! {
        <section class="card">
            <h2>"Order"</h2>
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>
                    {order.requester.display_name}
                    <span class="muted">" <" {order.requester.email} ">"</span>
                    <br />
                    <span class="muted small">{order.requester.directory_dn}</span>
                </dd>
                <dt>"Asset"</dt>
                <dd>{order.definition_name}</dd>
                <dt>"State"</dt>
                <dd>
                    <StateBadge state=order.state />
                </dd>
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Created"</dt>
                <dd>{local_date_time(order.created_at)}</dd>
                <dt>"Activated"</dt>
                <dd>{optional_date_time(order.activated_at)}</dd>
                <dt>"Expires"</dt>
                <dd>{optional_date_time(order.expires_at)}</dd>
                <dt>"Closed"</dt>
                <dd>{optional_date_time(order.closed_at)}</dd>
                <dt>"Order ID"</dt>
                <dd>
                    <code>{order.id.to_string()}</code>
                </dd>
            </dl>
        </section>
    }
}
