use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::catalog::AssetDefinition;
use shared::orders::OrderState;
use uuid::Uuid;

use crate::api::admin::OrderFilter;

/// Renders the filters above the orders list. Every filter is kept in the URL's query string, so
/// a filtered list can be linked to. A select or a day applies at once, the requester text with
/// the Search button or Enter.
#[component]
pub fn OrderFilters(
    #[prop(into)] filter: Signal<OrderFilter>,
    #[prop(into)] definitions: Signal<Vec<AssetDefinition>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let requester = RwSignal::new(String::new());
    // The text box follows the URL, for example after the browser's Back button.
    Effect::new(move |_| requester.set(filter.with(|filter| filter.requester.clone())));

    let apply = move |change: &dyn Fn(&mut OrderFilter)| {
        let mut next = filter.get_untracked();
        change(&mut next);
        let options = NavigateOptions {
            replace: true,
            ..Default::default()
        };
        navigate(&next.url("/ui/orders"), options);
    };
    let submit = {
        let apply = apply.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let text = requester.get_untracked();
            apply(&|filter| filter.requester = text.trim().to_string());
        }
    };
    let choose_state = {
        let apply = apply.clone();
        move |event| {
            let state = OrderState::parse(&event_target_value(&event));
            apply(&|filter| filter.state = state);
        }
    };
    let choose_definition = {
        let apply = apply.clone();
        move |event| {
            let id = Uuid::parse_str(&event_target_value(&event)).ok();
            apply(&|filter| filter.definition_id = id);
        }
    };
    let choose_from = {
        let apply = apply.clone();
        move |event| {
            let day = event_target_value(&event).parse().ok();
            apply(&|filter| filter.from = day);
        }
    };
    let choose_to = move |event| {
        let day = event_target_value(&event).parse().ok();
        apply(&|filter| filter.to = day);
    };

    let state_options = OrderState::ALL
        .into_iter()
        .map(|state| {
            view! {
                <option
                    value=state.as_str()
                    prop:selected=move || filter.with(|filter| filter.state == Some(state))
                >
                    {state.label()}
                </option>
            }
        })
        .collect_view();
    let definition_options = move || {
        definitions
            .get()
            .into_iter()
            .map(|definition| {
                let id = definition.id;
                view! {
                    <option
                        value=id.to_string()
                        prop:selected=move || filter.with(|filter| filter.definition_id == Some(id))
                    >
                        {definition.name}
                    </option>
                }
            })
            .collect_view()
    };
    let day = |day: Option<chrono::NaiveDate>| day.map(|day| day.to_string()).unwrap_or_default();

    view! {
        <form class="filters" role="search" aria-label="Order filters" on:submit=submit>
            <div class="field">
                <label for="orders-state">"State"</label>
                <select id="orders-state" on:change=choose_state>
                    <option
                        value=""
                        prop:selected=move || filter.with(|filter| filter.state.is_none())
                    >
                        "All states"
                    </option>
                    {state_options}
                </select>
            </div>
            <div class="field">
                <label for="orders-definition">"Definition"</label>
                <select id="orders-definition" on:change=choose_definition>
                    <option
                        value=""
                        prop:selected=move || filter.with(|filter| filter.definition_id.is_none())
                    >
                        "All definitions"
                    </option>
                    {definition_options}
                </select>
            </div>
            <div class="field">
                <label for="orders-requester">"Requester contains"</label>
                <input id="orders-requester" type="search" bind:value=requester />
            </div>
            <div class="field">
                <label for="orders-from">"Created from"</label>
                <input
                    id="orders-from"
                    type="date"
                    prop:value=move || day(filter.with(|filter| filter.from))
                    on:change=choose_from
                />
            </div>
            <div class="field">
                <label for="orders-to">"Created to"</label>
                <input
                    id="orders-to"
                    type="date"
                    prop:value=move || day(filter.with(|filter| filter.to))
                    on:change=choose_to
                />
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">
                    "Search"
                </button>
            </div>
        </form>
    }
}
