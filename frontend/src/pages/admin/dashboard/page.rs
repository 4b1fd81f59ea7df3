use leptos::prelude::*;
use shared::orders::OrderState;
use shared::permissions::Permission;

use super::capacity_tiles::CapacityTiles;
use super::order_count_card::OrderCountCard;
use super::setup_checklist::SetupChecklistPanel;
use crate::state::AdminAuth;

/// Renders a welcome, the setup checklist, the number of orders waiting for approval and
/// active, and how full each active definition is.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let username = move || auth.session().map(|session| session.username);

    view! {
        <h1>"Dashboard"</h1>
        <p class="lead">"Welcome, " {username} "."</p>
        <Show when=move || auth.allows(Permission::SettingsRead)>
            <SetupChecklistPanel />
        </Show>
        <Show
            when=move || auth.allows(Permission::OrdersRead)
            fallback=|| view! { <p class="muted">"Your role does not include orders."</p> }
        >
            <div class="count-cards">
                <OrderCountCard state=OrderState::PendingApproval />
                <OrderCountCard state=OrderState::Active />
            </div>
        </Show>
        <Show when=move || auth.allows(Permission::CatalogRead)>
            <CapacityTiles />
        </Show>
    }
}
