use leptos::prelude::*;
use leptos_router::components::A;
use shared::permissions::Permission;
use shared::runbooks::{ScriptInput, ScriptLanguage};

use super::script_form::ScriptForm;
use crate::pages::admin::require_permission::RequirePermission;

/// Renders `/ui/scripts/new`: an empty script editor.
#[component]
pub fn NewScriptPage() -> impl IntoView {
    let blank = ScriptInput {
        name: String::new(),
        language: ScriptLanguage::Powershell,
        description: String::new(),
        body: String::new(),
    };

    view! {
        <p class="breadcrumb">
            <A href="/ui/scripts">"← Back to the script list"</A>
        </p>
        <h1>"New script"</h1>
        <RequirePermission permission=Permission::SettingsWrite>
            <ScriptForm initial=blank.clone() saved=None />
        </RequirePermission>
    }
}
