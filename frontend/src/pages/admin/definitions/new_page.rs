use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::AssetDefinitionInput;
use shared::permissions::Permission;

use super::definition_form::DefinitionForm;
use crate::pages::admin::require_permission::RequirePermission;

#[component]
pub fn NewDefinitionPage() -> impl IntoView {
    let blank = AssetDefinitionInput::default();

    view! {
        <p class="breadcrumb">
            <A href="/ui/definitions">"← Back to the definition list"</A>
        </p>
        <h1>"New asset definition"</h1>
        <RequirePermission permission=Permission::CatalogWrite>
            <DefinitionForm initial=blank.clone() id=None />
        </RequirePermission>
    }
}
