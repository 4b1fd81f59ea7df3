use leptos::prelude::*;
use leptos_router::components::A;
use shared::permissions::Permission;
use shared::runbooks::RunbookInput;

use super::runbook_form::RunbookForm;
use crate::pages::admin::require_permission::RequirePermission;

/// Renders `/ui/runbooks/new`: an empty runbook editor.
#[component]
pub fn NewRunbookPage() -> impl IntoView {
    view! {
        <p class="breadcrumb">
            <A href="/ui/runbooks">"← Back to the runbook list"</A>
        </p>
        <h1>"New runbook"</h1>
        <RequirePermission permission=Permission::SettingsWrite>
            <RunbookForm initial=RunbookInput::default() saved=None />
        </RequirePermission>
    }
}
