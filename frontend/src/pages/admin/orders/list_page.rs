use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::orders::{Order, OrderState};
use shared::permissions::Permission;

use super::order_row::OrderRow;
use super::state_filter::StateFilter;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;

/// Renders the orders list. The state filter is the `state` query parameter, so a filtered
/// list can be linked to.
#[component]
pub fn OrderListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let query = use_query_map();
    let state = Memo::new(move |_| {
        query.with(|query| {
            query
                .get("state")
                .and_then(|state| OrderState::parse(&state))
        })
    });
    let list = PagedList::<Order>::new();

    Effect::new(move |_| {
        let state = state.get();
        list.reload(move |cursor| api.orders(state, cursor));
    });
    let load_more = Callback::new(move |()| {
        let state = state.get_untracked();
        list.load_more(move |cursor| api.orders(state, cursor));
    });

    view! {
        <h1>"Orders"</h1>
        <RequirePermission permission=Permission::OrdersRead>
            <StateFilter selected=state />
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Requester"</th>
                        <th scope="col">"Asset"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|order| (order.id, order.state)
                        children=|order| view! { <OrderRow order /> }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                <p class="muted">"No orders match."</p>
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
        </RequirePermission>
    }
}
