use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::permissions::Permission;
use shared::runbooks::ScriptInput;
use uuid::Uuid;

use super::script_form::{SavedScript, ScriptForm};
use super::version_history::VersionHistory;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::pages::admin::require_permission::RequirePermission;

/// Renders `/ui/scripts/:id`: the script in the editor and its versions.
#[component]
pub fn EditScriptPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let script = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.script(id).await,
                None => Err(ApiError::not_found("This script ID is not valid.")),
            }
        }
    });
    // A save adds a version, which the history then lists, and may rename the script.
    let saves = RwSignal::new(0_u32);
    let saved_name = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |name: String| {
        saved_name.set(Some(name));
        saves.update(|count| *count += 1);
    });

    view! {
        <p class="breadcrumb">
            <A href="/ui/scripts">"← Back to the script list"</A>
        </p>
        <RequirePermission permission=Permission::SettingsRead>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match script.await {
                        Ok(script) => {
                            let saved = SavedScript {
                                id: script.id,
                                version: script.version,
                            };
                            let initial = ScriptInput {
                                name: script.name.clone(),
                                language: script.language,
                                description: script.description,
                                body: script.body,
                            };
                            view! {
                                <h1>{move || saved_name.get().unwrap_or_else(|| script.name.clone())}</h1>
                                <ScriptForm initial saved=Some(saved) on_saved />
                                <VersionHistory script_id=saved.id saves />
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
