use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::permissions::Permission;
use shared::runbooks::RunbookSummary;

use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner, RunStateBadge};
use crate::format::local_date_time;
use crate::state::AdminAuth;

/// Renders one runbook in the list, with Copy, which opens the copy in the editor, and Delete
/// with its confirmation step.
#[component]
pub fn RunbookRow(runbook: RunbookSummary, on_deleted: Callback<()>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let id = runbook.id;

    let copy = Callback::new(move |()| {
        let navigate = navigate.clone();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.copy_runbook(id).await {
                Ok(copy) => navigate(&format!("/ui/runbooks/{}", copy.id), Default::default()),
                Err(failure) => error.set(Some(failure)),
            }
            pending.set(false);
        });
    });
    let delete = Callback::new(move |()| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.delete_runbook(id).await {
                Ok(()) => on_deleted.run(()),
                // A 409 names the definitions that still use it.
                Err(failure) => error.set(Some(failure)),
            }
            pending.set(false);
        });
    });

    let used_by = if runbook.used_by.is_empty() {
        "—".to_string()
    } else {
        runbook.used_by.join(", ")
    };
    let schedule = runbook.schedule.clone().map_or_else(
        || view! { <span class="muted">"By hand"</span> }.into_any(),
        |cron| view! { <code>{cron}</code> }.into_any(),
    );
    let last_run = match (runbook.last_run_state, runbook.last_run_at) {
        (Some(state), at) => view! {
            <RunStateBadge state />
            {at.map(|at| view! { " " <time class="small" datetime=at.to_rfc3339()>{local_date_time(at)}</time> })}
        }
        .into_any(),
        (None, _) => view! { <span class="muted">"Never run"</span> }.into_any(),
    };
    let question = StoredValue::new(format!(
        "Delete {}? Its runs keep their journal.",
        runbook.name
    ));
    let copy_label = StoredValue::new(format!("Copy {}", runbook.name));
    let delete_label = StoredValue::new(format!("Delete {}", runbook.name));

    view! {
        <tr>
            <td>
                <A href=format!("/ui/runbooks/{id}")>{runbook.name.clone()}</A>
                <br />
                <span class="muted small">{runbook.description.clone()}</span>
            </td>
            <td>{runbook.step_count}</td>
            <td>{schedule}</td>
            <td>{used_by}</td>
            <td class="nowrap">{last_run}</td>
            <td>
                <ErrorBanner error />
                <Show when=move || auth.allows(Permission::SettingsWrite)>
                    <ConfirmAction
                        button_label="Delete"
                        button_aria_label=delete_label.get_value()
                        question=question.get_value()
                        confirm_label="Confirm delete"
                        keep_label="Keep runbook"
                        pending
                        on_confirm=delete
                    >
                        <button
                            type="button"
                            class="button secondary"
                            aria-label=copy_label.get_value()
                            disabled=move || pending.get()
                            on:click=move |_| copy.run(())
                        >
                            "Copy"
                        </button>
                    </ConfirmAction>
                </Show>
            </td>
        </tr>
    }
}
