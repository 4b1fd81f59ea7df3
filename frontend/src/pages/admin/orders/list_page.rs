use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use shared::catalog::AssetDefinition;
use shared::orders::Order;
use shared::permissions::Permission;

use super::filters::OrderFilters;
use super::order_row::OrderRow;
use crate::api::admin::OrderFilter;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;

/// Renders the orders list. The filters are query parameters named as in the API (`state`,
/// `definition_id`, `requester`, `from` and `to`), so a filtered list can be linked to.
#[component]
pub fn OrderListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let query = use_query_map();
    let filter =
        Memo::new(move |_| query.with(|query| OrderFilter::from_query(|name| query.get(name))));

    let definitions = RwSignal::new(Vec::<AssetDefinition>::new());
    let definitions_error = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        match api.all_asset_definitions().await {
            Ok(all) => {
                definitions.try_set(all);
            }
            Err(error) => {
                definitions_error.try_set(Some(error));
            }
        }
    });

    let list = PagedList::<Order>::new();
    Effect::new(move |_| {
        let filter = filter.get();
        list.reload(move |cursor| api.orders(filter, cursor));
    });
    let load_more = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.load_more(move |cursor| api.orders(filter, cursor));
    });

    view! {
        <h1>"Orders"</h1>
        <RequirePermission permission=Permission::OrdersRead>
            <ErrorBanner error=definitions_error />
            <OrderFilters filter definitions />
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
