use leptos::prelude::*;
use shared::permissions::Permission;
use shared::runbooks::RunbookVariable;

use super::variable_form::{VariableDraft, VariableForm};
use super::variable_row::VariableRow;
use crate::api::AdminApi;
use crate::components::{ErrorBanner, ListState};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::state::AdminAuth;

/// Renders `/ui/runbook-variables`: every variable with its value, secrets only as set, and
/// the form that adds or replaces one.
#[component]
pub fn RunbookVariablesPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let list = PagedList::<RunbookVariable>::new();
    let reload = move || list.reload_whole(move || api.runbook_variables());
    reload();
    let on_changed = Callback::new(move |()| reload());
    let draft = VariableDraft::new();
    let on_edit = Callback::new(move |variable: RunbookVariable| draft.edit(&variable));

    view! {
        <h1>"Runbook variables"</h1>
        <RequirePermission permission=Permission::SettingsRead>
            <p class="muted">
                "Templates read a variable as {{ vars.name }} and a secret as {{ secrets.name }}. Secrets are stored encrypted and cannot be read back; a dry run shows them masked."
            </p>
            <ErrorBanner error=list.error />
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">"Updated"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || list.items.get()
                        key=|variable| (variable.name.clone(), variable.updated_at)
                        children=move |variable| view! { <VariableRow variable on_edit on_deleted=on_changed /> }
                    />
                </tbody>
            </table>
            <ListState
                loading=list.loading
                empty=Signal::derive(move || list.items.with(Vec::is_empty))
                empty_text="No variables yet."
            />
            <Show when=move || auth.allows(Permission::SettingsWrite)>
                <VariableForm draft on_saved=on_changed />
            </Show>
        </RequirePermission>
    }
}
