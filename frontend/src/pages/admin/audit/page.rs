use leptos::prelude::*;
use shared::audit::AuditEntry;
use shared::permissions::Permission;

use super::entry_row::EntryRow;
use super::filter_form::FilterForm;
use crate::api::AdminApi;
use crate::api::admin::AuditFilter;
use crate::components::{ErrorBanner, LoadMoreButton, Loading};
use crate::forms::FieldErrors;
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;

/// Renders the audit log with its filters, the CSV export of the filtered rows, and each
/// row's changes.
#[component]
pub fn AuditPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let filter = RwSignal::new(AuditFilter::default());
    let list = PagedList::<AuditEntry>::new();

    Effect::new(move |_| {
        let filter = filter.get();
        list.reload(move |cursor| async move { api.audit_entries(&filter, cursor).await });
    });
    let server_errors = Signal::derive(move || {
        list.error
            .with(|error| error.as_ref().map(FieldErrors::from_api))
            .unwrap_or_default()
    });
    let load_more = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.load_more(move |cursor| async move { api.audit_entries(&filter, cursor).await });
    });

    view! {
        <h1>"Audit log"</h1>
        <RequirePermission permission=Permission::AuditRead>
            <FilterForm
                on_apply=Callback::new(move |applied| filter.set(applied))
                server_errors=server_errors
            />
            <p class="export-row">
                // `download` also keeps the router from handling the click as a page change.
                // NOTE: an ended session or a rejected filter gets no error banner here. The
                // browser handles the link's 401 or 422 response itself, which no test covers.
                <a
                    class="button secondary"
                    href=move || filter.with(AuditFilter::export_url)
                    download="ipsolis-audit.csv"
                >
                    "Download CSV"
                </a>
                <span class="muted">
                    "The file holds the rows that match the applied filters, newest first, at most 100,000 rows."
                </span>
            </p>
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
