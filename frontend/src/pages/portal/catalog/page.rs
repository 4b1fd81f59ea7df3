use leptos::prelude::*;
use shared::catalog::CatalogItem;

use super::item_card::ItemCard;
use crate::api::PortalApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::paging::PagedList;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let list = PagedList::<CatalogItem>::new();
    list.reload(move |cursor| api.catalog(cursor));
    let load_more = Callback::new(move |()| list.load_more(move |cursor| api.catalog(cursor)));

    view! {
        <h1>"Catalog"</h1>
        <p class="lead">"Choose the access you need. You can see your orders under My IT."</p>
        <ErrorBanner error=list.error />
        <div class="card-grid">
            <For
                each=move || list.items.get()
                key=|item| item.id
                children=|item| view! { <ItemCard item /> }
            />
        </div>
        <Show when=move || list.loading.get()>
            <Loading />
        </Show>
        <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
            <p class="muted">"Nothing can be ordered yet."</p>
        </Show>
        <LoadMoreButton
            has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
            loading=list.loading
            on_click=load_more
        />
    }
}
