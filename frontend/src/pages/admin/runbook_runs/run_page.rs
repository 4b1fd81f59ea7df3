use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::permissions::Permission;
use shared::runbooks::RunbookRun;
use uuid::Uuid;

use super::run_actions::RunActions;
use super::run_header::RunHeader;
use super::step_entry::StepEntry;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Loading};
use crate::pages::admin::require_permission::RequirePermission;
use crate::refresh::refetch_while;
use crate::state::AdminAuth;

/// How often the page reloads a run that is queued or running.
const REFRESH_INTERVAL: Duration = Duration::from_secs(2);

/// Renders `/ui/runbook-runs/:id`: the run's header and the journal of its steps, reloaded
/// every two seconds while the run is queued or running.
#[component]
pub fn RunPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()))
    });
    let loaded = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api.run(id).await,
                None => Err(ApiError::not_found("This run ID is not valid.")),
            }
        }
    });
    let run = RwSignal::new(None::<RunbookRun>);
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(fresh)) => {
            run.set(Some(fresh));
            error.set(None);
        }
        Some(Err(failure)) => error.set(Some(failure)),
        None => {}
    });
    refetch_while(
        REFRESH_INTERVAL,
        move || run.with(|run| run.as_ref().is_some_and(|run| !run.state.is_finished())),
        move || loaded.refetch(),
    );
    let on_changed = Callback::new(move |changed: RunbookRun| run.set(Some(changed)));

    let steps = move || {
        run.with(|run| {
            run.as_ref()
                .map(|run| run.steps.clone())
                .unwrap_or_default()
        })
    };
    // The actions stay in place while polls replace the run, keeping a note being typed.
    let run_id = Memo::new(move |_| run.with(|run| run.as_ref().map(|run| run.id)));

    view! {
        <p class="breadcrumb">
            <A href="/ui/runbooks">"← Back to the runbook list"</A>
        </p>
        <RequirePermission permission=Permission::SettingsRead>
            <ErrorBanner error />
            <Show when=move || run.with(Option::is_some) fallback=move || error.with(Option::is_none).then(Loading)>
                {move || run.get().map(|run| view! { <RunHeader run /> })}
                <Show when=move || auth.allows(Permission::SettingsWrite)>
                    {move || run_id.get().map(|_| view! { <RunActions run on_changed /> })}
                </Show>
                <section aria-labelledby="journal-heading">
                    <h2 id="journal-heading">"Journal"</h2>
                    <ol class="journal">
                        <For
                            each=steps
                            key=|step| {
                                (
                                    step.position,
                                    step.state.as_str(),
                                    step.attempts,
                                    step.log.len(),
                                    step.finished_at,
                                )
                            }
                            children=|step| view! { <StepEntry step /> }
                        />
                    </ol>
                    <Show when=move || run.with(|run| run.as_ref().is_some_and(|run| run.steps.is_empty()))>
                        <p class="muted">"This run has no steps."</p>
                    </Show>
                </section>
            </Show>
        </RequirePermission>
    }
}
