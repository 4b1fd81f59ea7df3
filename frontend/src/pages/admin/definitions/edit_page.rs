use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::catalog::{AssetDefinition, AssetDefinitionInput};
use shared::permissions::Permission;
use uuid::Uuid;

use super::definition_form::DefinitionForm;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::pages::admin::require_permission::RequirePermission;

/// Renders `/ui/definitions/:id` by loading one asset definition into the form.
#[component]
pub fn EditDefinitionPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let definition = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.asset_definition(id).await,
                None => Err(ApiError::not_found(
                    "This asset definition ID is not valid.",
                )),
            }
        }
    });

    view! {
        <p class="breadcrumb">
            <A href="/ui/definitions">"← Back to the definition list"</A>
        </p>
        <h1>"Edit asset definition"</h1>
        <RequirePermission permission=Permission::CatalogRead>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match definition.await {
                        Ok(definition) => {
                            let id = Some(definition.id);
                            view! { <DefinitionForm initial=to_input(definition) id /> }.into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}

fn to_input(definition: AssetDefinition) -> AssetDefinitionInput {
    AssetDefinitionInput {
        name: definition.name,
        description: definition.description,
        category: definition.category,
        strategy: definition.strategy,
        group_dns: definition.group_dns,
        approval: definition.approval,
        default_duration_days: definition.default_duration_days,
        max_duration_days: definition.max_duration_days,
        justification: definition.justification,
        active: definition.active,
    }
}
