use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
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
                            let initial = definition.to_input();
                            let help_html = definition.help_html;
                            let problem = definition.policy_problem.map(|problem| {
                                view! {
                                    <div class="warning-banner" role="alert">
                                        <strong>"The approval policy can no longer be met"</strong>
                                        <p>{problem}</p>
                                    </div>
                                }
                            });
                            view! {
                                {problem}
                                <DefinitionForm initial id help_html />
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}
