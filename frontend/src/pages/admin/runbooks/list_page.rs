use leptos::prelude::*;
use leptos_router::components::A;
use shared::permissions::Permission;
use shared::runbooks::RunbookSummary;

use super::runbook_row::RunbookRow;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, ListState};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::state::AdminAuth;

/// Renders `/ui/runbooks`: every runbook with its schedule, the definitions that use it and
/// its last run, with New, Copy and Delete for admins who may change settings.
#[component]
pub fn RunbookListPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let list = PagedList::<RunbookSummary>::new();
    let reload = move || list.reload_whole(move || api.runbooks());
    reload();
    let on_deleted = Callback::new(move |()| reload());

    view! {
        <div class="page-header">
            <h1>"Runbooks"</h1>
            <Show when=move || auth.allows(Permission::SettingsWrite)>
                <A href="/ui/runbooks/new" attr:class="button">
                    "New runbook"
                </A>
            </Show>
        </div>
        <RequirePermission permission=Permission::SettingsRead>
            <p class="muted">
                "Runbooks are ordered steps that provision and reclaim assets, or run by hand and on a schedule. Copy one to start from its steps."
            </p>
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Steps"</th>
                        <th scope="col">"Schedule"</th>
                        <th scope="col">"Used by"</th>
                        <th scope="col">"Last run"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|runbook| (runbook.id, runbook.updated_at, runbook.last_run_at)
                        children=move |runbook| view! { <RunbookRow runbook on_deleted /> }
                    />
                </tbody>
            </table>
            <ListState
                loading=list.loading
                empty=Signal::derive(move || list.items.with(Vec::is_empty))
                empty_text="No runbooks yet."
            />
        </RequirePermission>
    }
}
