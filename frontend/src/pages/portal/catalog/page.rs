use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::catalog::CatalogItem;

use super::item_card::ItemCard;
use crate::api::PortalApi;
use crate::api::portal::CatalogFilter;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::paging::PagedList;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let list = PagedList::<CatalogItem>::new();
    let search = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let categories = RwSignal::new(Vec::<String>::new());
    let applied = StoredValue::new(CatalogFilter::default());

    let reload = move || {
        let filter = CatalogFilter {
            search: search.get_untracked(),
            category: category.get_untracked(),
        };
        applied.set_value(filter.clone());
        list.reload(move |cursor| api.catalog(filter.clone(), cursor));
    };
    reload();
    spawn_local(async move {
        if let Ok(names) = api.categories().await {
            categories.set(names);
        }
    });
    let load_more = Callback::new(move |()| {
        let filter = applied.get_value();
        list.load_more(move |cursor| api.catalog(filter.clone(), cursor))
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        reload();
    };
    let choose_category = move |event| {
        category.set(event_target_value(&event));
        reload();
    };
    let filtered =
        move || applied.with_value(|f| !f.search.trim().is_empty() || !f.category.is_empty());

    view! {
        <h1>"Catalog"</h1>
        <p class="lead">"Choose the access you need. You can see your orders under My IT."</p>
        <form class="filters" role="search" on:submit=submit>
            <div class="field">
                <label for="catalog-search">"Search"</label>
                <input id="catalog-search" type="search" bind:value=search />
            </div>
            <div class="field">
                <label for="catalog-category">"Category"</label>
                <select id="catalog-category" on:change=choose_category>
                    <option value="" selected=move || category.with(String::is_empty)>
                        "All categories"
                    </option>
                    <For
                        each=move || categories.get()
                        key=|name| name.clone()
                        children=move |name| {
                            let value = name.clone();
                            let selected = move || category.with(|c| *c == value);
                            view! {
                                <option value=name.clone() selected=selected>
                                    {name.clone()}
                                </option>
                            }
                        }
                    />
                </select>
            </div>
            <button type="submit" class="button secondary">"Search"</button>
        </form>
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
            <p class="muted">
                {move || {
                    if filtered() {
                        "Nothing matches this search."
                    } else {
                        "Nothing can be ordered yet."
                    }
                }}
            </p>
        </Show>
        <LoadMoreButton
            has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
            loading=list.loading
            on_click=load_more
        />
    }
}
