use leptos::prelude::*;
use shared::orders::{Order, OrderState};

use crate::components::StateBadge;
use crate::format::{days, local_date_time, optional_date_time};

/// Renders the facts of an order for its requester.
#[component]
pub fn Summary(order: Order) -> impl IntoView {
    let justification = order
        .justification
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let expires = (order.state == OrderState::Active).then(|| {
        view! {
            <dt>"Expires"</dt>
            <dd>{optional_date_time(order.expires_at)}</dd>
        }
    });

    view! {
        <section class="card">
            <dl class="facts">
                <dt>"State"</dt>
                <dd>
                    <StateBadge state=order.state />
                </dd>
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Ordered"</dt>
                <dd>{local_date_time(order.created_at)}</dd>
                {expires}
            </dl>
        </section>
    }
}
