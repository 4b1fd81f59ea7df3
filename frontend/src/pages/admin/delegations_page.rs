use leptos::prelude::*;
use shared::permissions::Permission;

use crate::api::{AdminApi, DelegationClient};
use crate::components::DelegationPanel;
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

/// Renders `/ui/delegations`: everyone's current and future out-of-office windows. Creating and
/// cancelling them needs the permission to change orders.
#[component]
pub fn DelegationsPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let can_write = Signal::derive(move || auth.allows_untracked(Permission::OrdersWrite));

    view! {
        <h1>"Delegations"</h1>
        <p class="lead">
            "While a window is open, approvals that would go to the absent person go to the stand-in. Approvals created before the window stay where they are."
        </p>
        <RequirePermission permission=Permission::OrdersRead>
            <DelegationPanel client=DelegationClient::Admin(api) can_write />
        </RequirePermission>
    }
}
