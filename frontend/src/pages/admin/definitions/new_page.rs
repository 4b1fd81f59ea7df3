use leptos::prelude::*;
use leptos_router::components::A;
use shared::catalog::{ApprovalPolicy, AssetDefinitionInput, JustificationRule, Strategy};
use shared::permissions::Permission;

use super::definition_form::DefinitionForm;
use crate::pages::admin::require_permission::RequirePermission;

#[component]
pub fn NewDefinitionPage() -> impl IntoView {
    let blank = AssetDefinitionInput {
        name: String::new(),
        description: String::new(),
        category: "Access".to_string(),
        strategy: Strategy::GroupAccess,
        group_dns: Vec::new(),
        approval: ApprovalPolicy::Manager,
        default_duration_days: 30,
        max_duration_days: 90,
        justification: JustificationRule::Optional,
        active: true,
    };

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
