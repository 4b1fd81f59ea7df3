use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::catalog::AssetDefinition;
use shared::permissions::Permission;
use shared::pool::Asset;

use super::add_form::AddAssetForm;
use super::asset_row::AssetRow;
use super::filters::PoolFilters;
use super::import_form::ImportAssetsForm;
use crate::api::admin::PoolFilter;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::state::AdminAuth;

/// Renders `/ui/pool`: the instances by name with filters, a status control per row, the form
/// that adds one and the CSV import, the last three for admins who may change the catalog.
#[component]
pub fn PoolPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let can_write = Memo::new(move |_| auth.allows(Permission::CatalogWrite));

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

    let filter = RwSignal::new(PoolFilter::default());
    let list = PagedList::<Asset>::new();
    Effect::new(move |_| {
        let filter = filter.get();
        list.reload(move |cursor| api.assets(filter, cursor));
    });
    let load_more = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.load_more(move |cursor| api.assets(filter, cursor));
    });
    // The list is sorted by name, so a new instance is placed by reloading it.
    let on_created = Callback::new(move |_: Asset| {
        let filter = filter.get_untracked();
        list.reload(move |cursor| api.assets(filter, cursor));
    });
    let on_imported = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.reload(move |cursor| api.assets(filter, cursor));
    });
    let on_changed = Callback::new(move |asset: Asset| {
        let id = asset.id;
        list.replace(|each| each.id == id, asset);
    });

    view! {
        <h1>"Pool"</h1>
        <RequirePermission permission=Permission::CatalogRead>
            <ErrorBanner error=definitions_error />
            <PoolFilters filter definitions />
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Definition"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Holders"</th>
                        <th scope="col">"Updated"</th>
                        <Show when=move || can_write.get()>
                            <th scope="col">"Change status"</th>
                        </Show>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|asset| (asset.id, asset.updated_at, asset.status)
                        children=move |asset| {
                            view! { <AssetRow asset can_change=can_write.get_untracked() on_changed /> }
                        }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                <p class="muted">"No instances match."</p>
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
            <Show when=move || can_write.get()>
                <section class="card" aria-labelledby="add-instance-heading">
                    <h2 id="add-instance-heading">"Add instance"</h2>
                    <AddAssetForm definitions on_created />
                </section>
                <section class="card" aria-labelledby="import-instances-heading">
                    <h2 id="import-instances-heading">"Import from CSV"</h2>
                    <ImportAssetsForm definitions on_imported />
                </section>
            </Show>
        </RequirePermission>
    }
}
