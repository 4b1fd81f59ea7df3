use leptos::prelude::*;
use shared::orders::OrderState;

/// Renders an order state as a coloured badge with its label for people.
#[component]
pub fn StateBadge(state: OrderState) -> impl IntoView {
    let tone = match state {
        OrderState::Submitted | OrderState::PendingApproval | OrderState::ModificationPending => {
            "waiting"
        }
        OrderState::Approved
        | OrderState::Scheduled
        | OrderState::Provisioning
        | OrderState::Deprovisioning => "working",
        OrderState::Active => "active",
        OrderState::Completed | OrderState::Cancelled => "closed",
        OrderState::Rejected | OrderState::Failed => "failed",
    };
    let class = format!("badge badge-{tone}");

    view! { <span class=class data-state=state.as_str()>{state.label()}</span> }
}
