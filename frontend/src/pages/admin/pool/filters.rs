use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::catalog::AssetDefinition;
use shared::pool::AssetStatus;
use uuid::Uuid;

use crate::api::admin::PoolFilter;

/// Renders the search box and the definition and status selects above the pool list. A
/// select applies at once; the search text applies with the Search button or Enter.
#[component]
pub fn PoolFilters(
    filter: RwSignal<PoolFilter>,
    #[prop(into)] definitions: Signal<Vec<AssetDefinition>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let definition_id = RwSignal::new(None::<Uuid>);
    let status = RwSignal::new(None::<AssetStatus>);
    let apply = move || {
        filter.set(PoolFilter {
            definition_id: definition_id.get_untracked(),
            status: status.get_untracked(),
            search: search.get_untracked().trim().to_string(),
        });
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        apply();
    };
    let choose_definition = move |event| {
        definition_id.set(Uuid::parse_str(&event_target_value(&event)).ok());
        apply();
    };
    let choose_status = move |event| {
        status.set(AssetStatus::parse(&event_target_value(&event)));
        apply();
    };
    let definition_options = move || {
        definitions
            .get()
            .into_iter()
            .map(|definition| {
                let id = definition.id;
                view! {
                    <option value=id.to_string() prop:selected=move || definition_id.get() == Some(id)>
                        {definition.name}
                    </option>
                }
            })
            .collect_view()
    };
    let status_options = AssetStatus::ALL
        .into_iter()
        .map(|each| {
            view! {
                <option value=each.as_str() prop:selected=move || status.get() == Some(each)>
                    {each.label()}
                </option>
            }
        })
        .collect_view();

    view! {
        <form class="filters" role="search" aria-label="Pool filters" on:submit=submit>
            <div class="field">
                <label for="pool-search">"Name contains"</label>
                <input id="pool-search" type="search" bind:value=search />
            </div>
            <div class="field">
                <label for="pool-definition">"Definition"</label>
                <select id="pool-definition" on:change=choose_definition>
                    <option value="" prop:selected=move || definition_id.get().is_none()>
                        "All definitions"
                    </option>
                    {definition_options}
                </select>
            </div>
            <div class="field">
                <label for="pool-status">"Status"</label>
                <select id="pool-status" on:change=choose_status>
                    <option value="" prop:selected=move || status.get().is_none()>
                        "All statuses"
                    </option>
                    {status_options}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">
                    "Search"
                </button>
            </div>
        </form>
    }
}
