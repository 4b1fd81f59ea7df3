use leptos::prelude::*;
use shared::pool::AssetStatus;

/// Renders an instance's status as a coloured badge.
#[component]
pub fn AssetStatusBadge(status: AssetStatus) -> impl IntoView {
    let tone = match status {
        AssetStatus::Free => "active",
        AssetStatus::InUse => "working",
        AssetStatus::Reinstall | AssetStatus::Reinstalling => "waiting",
        AssetStatus::Failed => "failed",
        AssetStatus::Maintenance | AssetStatus::Deallocated | AssetStatus::Retired => "closed",
    };
    let class = format!("badge badge-{tone}");

    view! { <span class=class data-status=status.as_str()>{status.label()}</span> }
}
