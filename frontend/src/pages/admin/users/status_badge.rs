use leptos::prelude::*;

use crate::labels;

/// Renders "Active" or "Deactivated" as a badge.
#[component]
pub fn UserStatusBadge(#[prop(into)] active: Signal<bool>) -> impl IntoView {
    let class = move || {
        if active.get() {
            "badge badge-active"
        } else {
            "badge badge-closed"
        }
    };

    view! { <span class=class>{move || labels::admin_user_status(active.get())}</span> }
}
