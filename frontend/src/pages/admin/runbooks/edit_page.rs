use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::permissions::Permission;
use uuid::Uuid;

use super::run_history::RunHistory;
use super::run_now_form::RunNowForm;
use super::runbook_form::{RunbookForm, SavedRunbook};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

/// Renders `/ui/runbooks/:id`: the runbook in the editor, "Run now" and its run history.
#[component]
pub fn EditRunbookPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let runbook = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.runbook(id).await,
                None => Err(ApiError::not_found("This runbook ID is not valid.")),
            }
        }
    });

    // A save may rename the runbook.
    let saved_name = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |name: String| saved_name.set(Some(name)));

    view! {
        <p class="breadcrumb">
            <A href="/ui/runbooks">"← Back to the runbook list"</A>
        </p>
        <RequirePermission permission=Permission::SettingsRead>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match runbook.await {
                        Ok(runbook) => {
                            let saved = SavedRunbook {
                                id: runbook.id,
                                version: runbook.version,
                                next_run_at: runbook.next_run_at,
                            };
                            let used_by = (!runbook.used_by.is_empty()).then(|| {
                                view! {
                                    <p class="muted">
                                        {format!("Used by {}.", runbook.used_by.join(", "))}
                                    </p>
                                }
                            });
                            let runbook_id = runbook.id;
                            let name = runbook.name.clone();
                            let heading = move || saved_name.get().unwrap_or_else(|| name.clone());
                            view! {
                                <h1>{heading}</h1>
                                {used_by}
                                <RunbookForm initial=runbook.to_input() saved=Some(saved) on_saved />
                                <Show when=move || auth.allows(Permission::SettingsWrite)>
                                    <RunNowForm runbook_id />
                                </Show>
                                <RunHistory runbook_id />
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
