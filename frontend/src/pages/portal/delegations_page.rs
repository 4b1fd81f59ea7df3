use leptos::prelude::*;

use crate::api::{DelegationClient, PortalApi};
use crate::components::DelegationPanel;

/// Renders `/portal/delegations`: the signed-in person's out-of-office windows, which send the
/// approvals that would come to them to a stand-in.
#[component]
pub fn DelegationsPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();

    view! {
        <h1>"Out of office"</h1>
        <p class="lead">
            "While you are away, approvals that would come to you go to your stand-in. Approvals you already have stay in your inbox."
        </p>
        <DelegationPanel client=DelegationClient::Portal(api) can_write=true />
    }
}
