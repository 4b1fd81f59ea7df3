use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::orders::OrderState;

/// Renders the "State" select above the orders list. Choosing a state rewrites the URL's `state`
/// query parameter, and the list follows it.
#[component]
pub fn StateFilter(#[prop(into)] selected: Signal<Option<OrderState>>) -> impl IntoView {
    let navigate = use_navigate();
    let choose = move |event| {
        let value = event_target_value(&event);
        let url = match OrderState::parse(&value) {
            Some(state) => format!("/ui/orders?state={}", state.as_str()),
            None => "/ui/orders".to_string(),
        };
        let options = NavigateOptions {
            replace: true,
            ..Default::default()
        };
        navigate(&url, options);
    };
    let options = OrderState::ALL
        .into_iter()
        .map(|state| {
            view! {
                <option value=state.as_str() prop:selected=move || selected.get() == Some(state)>
                    {state.label()}
                </option>
            }
        })
        .collect_view();

    view! {
        <div class="filters">
            <div class="field">
                <label for="orders-state">"State"</label>
                <select id="orders-state" on:change=choose>
                    <option value="" prop:selected=move || selected.get().is_none()>
                        "All states"
                    </option>
                    {options}
                </select>
            </div>
        </div>
    }
}
