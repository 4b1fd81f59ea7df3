use leptos::prelude::*;
use shared::orders::{Order, OrderState};

use super::active_order_row::ActiveOrderRow;
use super::order_row::OrderRow;
use crate::api::PortalApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::paging::PagedList;

/// Renders active access with a return button, including access whose change waits for
/// approval, then every order of the signed-in person.
#[component]
pub fn MyItPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let list = PagedList::<Order>::new();
    list.reload(move |cursor| api.my_orders(cursor));
    let load_more = Callback::new(move |()| list.load_more(move |cursor| api.my_orders(cursor)));

    let active_orders = move || {
        list.items.with(|orders| {
            orders
                .iter()
                .filter(|order| {
                    matches!(
                        order.state,
                        OrderState::Active | OrderState::ModificationPending
                    )
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // The list's row key includes the state, so a replaced order renders its new state.
    let show_changed_order = Callback::new(move |changed: Order| {
        let id = changed.id;
        list.replace(move |order| order.id == id, changed);
    });

    view! {
        <h1>"My IT"</h1>
        <ErrorBanner error=list.error />
        <section class="card">
            <h2>"Active access"</h2>
            <Show
                when=move || !active_orders().is_empty()
                fallback=|| view! { <p class="muted">"You have no active access right now."</p> }
            >
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Asset"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=active_orders
                            key=|order| (order.id, order.state)
                            children=move |order| {
                                view! { <ActiveOrderRow order on_returned=show_changed_order /> }
                            }
                        />
                    </tbody>
                </table>
            </Show>
        </section>
        <section class="card">
            <h2>"My orders"</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Asset"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Ordered"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|order| (order.id, order.state)
                        children=move |order| {
                            view! { <OrderRow order on_cancelled=show_changed_order /> }
                        }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                <p class="muted">"You have not ordered anything yet."</p>
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
        </section>
    }
}
