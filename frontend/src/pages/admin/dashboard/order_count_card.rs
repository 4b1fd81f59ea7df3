use leptos::prelude::*;
use leptos_router::components::A;
use shared::orders::OrderState;

use crate::api::admin::OrderFilter;
use crate::api::{AdminApi, PAGE_SIZE};

/// Renders the number of orders in `state`, counted from the first page of the orders list.
#[component]
pub fn OrderCountCard(state: OrderState) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let page = LocalResource::new(move || api.orders(OrderFilter::in_state(state), None));
    let count = move || match page.get() {
        None => "…".to_string(),
        Some(Err(_)) => "?".to_string(),
        // With a further page there are at least PAGE_SIZE orders, so the count is a floor.
        Some(Ok(page)) if page.next_cursor.is_some() => format!("{PAGE_SIZE}+"),
        Some(Ok(page)) => page.items.len().to_string(),
    };
    let error = move || match page.get() {
        Some(Err(error)) => Some(error.message()),
        _ => None,
    };
    let href = format!("/ui/orders?state={}", state.as_str());

    view! {
        <A href=href>
            <div class="card count-card">
                <p class="count">{count}</p>
                <p class="count-label">{state.label()}</p>
                {move || error().map(|message| view! { <p class="field-error">{message}</p> })}
            </div>
        </A>
    }
}
