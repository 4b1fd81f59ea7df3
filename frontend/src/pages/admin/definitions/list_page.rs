use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::AssetDefinition;
use shared::permissions::Permission;

use super::definition_row::DefinitionRow;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::state::AdminAuth;

#[component]
pub fn DefinitionListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let list = PagedList::<AssetDefinition>::new();
    list.reload(move |cursor| api.asset_definitions(cursor));

    let load_more =
        Callback::new(move |()| list.load_more(move |cursor| api.asset_definitions(cursor)));

    view! {
        <div class="page-header">
            <h1>"Asset definitions"</h1>
            <Show when=move || auth.allows(Permission::CatalogWrite)>
                <A href="/ui/definitions/new" attr:class="button">
                    "New asset definition"
                </A>
            </Show>
        </div>
        <RequirePermission permission=Permission::CatalogRead>
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Approval"</th>
                        <th scope="col">"Durations"</th>
                        <th scope="col">"Active"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|definition| (definition.id, definition.updated_at)
                        children=|definition| view! { <DefinitionRow definition /> }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                <p class="muted">"No asset definitions yet."</p>
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
        </RequirePermission>
    }
}
