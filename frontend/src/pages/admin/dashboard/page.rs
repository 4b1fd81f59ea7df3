use leptos::prelude::*;
use shared::orders::OrderState;
use shared::permissions::Permission;

use super::order_count_card::OrderCountCard;
use crate::state::AdminAuth;

/// Renders a welcome and the number of orders waiting for approval and active.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let username = move || auth.session().map(|session| session.username);

    view! {
        <h1>"Dashboard"</h1>
        <p class="lead">"Welcome, " {username} "."</p>
        <Show
            when=move || auth.allows(Permission::OrdersRead)
            fallback=|| view! { <p class="muted">"Your role does not include orders."</p> }
        >
            <div class="count-cards">
                <OrderCountCard state=OrderState::PendingApproval />
                <OrderCountCard state=OrderState::Active />
            </div>
        </Show>
    }
}
