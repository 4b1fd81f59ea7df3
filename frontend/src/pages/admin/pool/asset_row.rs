use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::pool::{Asset, AssetStatus};

use super::status_badge::AssetStatusBadge;
use crate::api::AdminApi;
use crate::format::local_date_time;

/// Renders one instance of the pool. With `can_change` it has a control that sets the
/// statuses an admin may choose by hand from the current one.
#[component]
pub fn AssetRow(asset: Asset, can_change: bool, on_changed: Callback<Asset>) -> impl IntoView {
    let metadata = asset
        .metadata
        .as_object()
        .filter(|object| !object.is_empty())
        .map(|_| asset.metadata.to_string());
    let updated = local_date_time(asset.updated_at);
    let control = can_change.then(|| {
        view! { <StatusControl id=asset.id name=asset.name.clone() status=asset.status on_changed /> }
    });

    view! {
        <tr>
            <td>
                {asset.name}
                {metadata.map(|text| view! { <div class="metadata muted">{text}</div> })}
            </td>
            <td>{asset.definition_name}</td>
            <td>
                <AssetStatusBadge status=asset.status />
            </td>
            <td>{asset.holders}</td>
            <td>{updated}</td>
            {control.map(|control| view! { <td>{control}</td> })}
        </tr>
    }
}

#[component]
fn StatusControl(
    id: uuid::Uuid,
    name: String,
    status: AssetStatus,
    on_changed: Callback<Asset>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let moves = status.manual_moves();
    if moves.is_empty() {
        return view! { <span class="muted small">"Set by its orders"</span> }.into_any();
    }
    let chosen = RwSignal::new(None::<AssetStatus>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let Some(target) = chosen.get_untracked() else {
            return;
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.set_asset_status(id, target).await {
                Ok(asset) => on_changed.run(asset),
                Err(failure) => {
                    error.try_set(Some(failure.message()));
                    pending.try_set(false);
                }
            }
        });
    };
    let options = moves
        .into_iter()
        .map(|each| view! { <option value=each.as_str()>{each.label()}</option> })
        .collect_view();

    view! {
        <div class="status-control">
            <select
                aria-label=format!("New status for {name}")
                on:change=move |event| chosen.set(AssetStatus::parse(&event_target_value(&event)))
            >
                <option value="">"Change to…"</option>
                {options}
            </select>
            <button
                type="button"
                class="button secondary"
                disabled=move || pending.get() || chosen.get().is_none()
                on:click=apply
            >
                "Set status"
            </button>
        </div>
        {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
    }
    .into_any()
}
