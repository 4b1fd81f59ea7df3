//! `/ui/pool`: the instances of asset definitions and their statuses.

mod add_form;
mod asset_row;
mod filters;
mod import_form;
mod page;
mod status_badge;

pub use page::PoolPage;

use leptos::prelude::*;
use shared::catalog::{AssetDefinition, AssignmentModel};
use uuid::Uuid;

/// Returns the definitions whose orders take instances from the pool, by id and name, because
/// capacity_pooled ones have a quota instead.
fn pooled_definitions(definitions: Signal<Vec<AssetDefinition>>) -> Memo<Vec<(Uuid, String)>> {
    Memo::new(move |_| {
        definitions.with(|definitions| {
            definitions
                .iter()
                .filter(|d| d.assignment != AssignmentModel::CapacityPooled)
                .map(|d| (d.id, d.name.clone()))
                .collect::<Vec<_>>()
        })
    })
}

/// Renders one `<option>` per pooled definition, marking the one in `selected`.
fn definition_options(
    pooled: Memo<Vec<(Uuid, String)>>,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    move || {
        pooled
            .get()
            .into_iter()
            .map(|(id, definition_name)| {
                view! {
                    <option value=id.to_string() prop:selected=move || selected.get() == Some(id)>
                        {definition_name}
                    </option>
                }
            })
            .collect_view()
    }
}
