use leptos::prelude::*;
use shared::audit::AuditEntry;
use shared::permissions::Permission;

use super::entry_row::EntryRow;
use super::filter_form::FilterForm;
use crate::api::AdminApi;
use crate::api::admin::AuditFilter;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;

#[component]
pub fn AuditPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let filter = RwSignal::new(AuditFilter::default());
    let list = PagedList::<AuditEntry>::new();

    Effect::new(move |_| {
        let filter = filter.get();
        list.reload(move |cursor| async move { api.audit_entries(&filter, cursor).await });
    });
    let load_more = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.load_more(move |cursor| async move { api.audit_entries(&filter, cursor).await });
    });

    view! {
        <h1>"Audit log"</h1>
        <RequirePermission permission=Permission::AuditRead>
            <FilterForm on_apply=Callback::new(move |applied| filter.set(applied)) />
            <ErrorBanner error=list.error />
            <table class="table audit-table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Entity"</th>
                        <th scope="col">"Changes"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|entry| entry.id
                        children=|entry| view! { <EntryRow entry /> }
                    />
                </tbody>
            </table>
            <Show when=move || list.loading.get()>
                <Loading />
            </Show>
            <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                <p class="muted">"No audit entries match."</p>
            </Show>
            <LoadMoreButton
                has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                loading=list.loading
                on_click=load_more
            />
        </RequirePermission>
    }
}
