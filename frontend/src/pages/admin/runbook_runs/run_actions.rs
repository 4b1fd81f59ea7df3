use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::runbooks::{RunState, RunbookRun};

use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner, Status, StatusMessage, TextAreaField};
use crate::forms::FieldErrors;

/// Maximum length of a note, as the server checks it.
const NOTE_MAX_CHARS: usize = 2000;

/// Renders Cancel (with a confirmation step) while the run is unfinished, Retry once it
/// failed or was cancelled, and the form that adds a note.
#[component]
pub fn RunActions(
    #[prop(into)] run: Signal<Option<RunbookRun>>,
    on_changed: Callback<RunbookRun>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());

    let state = Memo::new(move |_| run.with(|run| run.as_ref().map(|run| run.state)));
    let cancellable = move || {
        run.with(|run| {
            run.as_ref()
                .is_some_and(|run| !run.state.is_finished() && !run.cancel_requested)
        })
    };
    let retryable = move || matches!(state.get(), Some(RunState::Failed | RunState::Cancelled));
    let run_id = move || run.with_untracked(|run| run.as_ref().map(|run| run.id));

    // Sends one action and shows the run it returns. The page shows the state, so the
    // problem's current state would only repeat it.
    let act = move |call: ActionCall, done: &'static str| {
        let Some(id) = run_id() else { return };
        pending.set(true);
        error.set(None);
        status.set(None);
        spawn_local(async move {
            let result = match call {
                ActionCall::Cancel => api.cancel_run(id).await,
                ActionCall::Retry => api.retry_run(id).await,
            };
            match result {
                Ok(changed) => {
                    status.set(Some(Status::success(done)));
                    on_changed.run(changed);
                }
                Err(mut failure) => {
                    failure.problem.current_state = None;
                    error.set(Some(failure));
                    if let Ok(fresh) = api.run(id).await {
                        on_changed.run(fresh);
                    }
                }
            }
            pending.set(false);
        });
    };

    let add_note = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(id) = run_id() else { return };
        let text = note.get_untracked().trim().to_string();
        let length = text.chars().count();
        let mut field_errors = FieldErrors::default();
        if !(1..=NOTE_MAX_CHARS).contains(&length) {
            field_errors.push(
                "note",
                format!("must be 1 to {NOTE_MAX_CHARS} characters long"),
            );
        }
        errors.set(field_errors.clone());
        error.set(None);
        status.set(None);
        if !field_errors.is_empty() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api.add_run_note(id, text).await {
                Ok(changed) => {
                    note.set(String::new());
                    status.set(Some(Status::success("Note added.")));
                    on_changed.run(changed);
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="run-actions-heading">
            <h2 id="run-actions-heading">"Actions"</h2>
            <ErrorBanner error />
            <Show when=cancellable>
                <ConfirmAction
                    button_label="Cancel run"
                    question="Cancel this run? It stops before its next step, and a step under way is stopped. An order's run that is cancelled leaves the order failed."
                    confirm_label="Confirm cancel"
                    keep_label="Keep running"
                    pending
                    on_confirm=Callback::new(move |()| act(ActionCall::Cancel, "Cancel requested."))
                    class="actions"
                />
            </Show>
            <Show when=retryable>
                <div class="actions">
                    <button
                        type="button"
                        class="button"
                        disabled=move || pending.get()
                        on:click=move |_| act(ActionCall::Retry, "Retrying from the failed step.")
                    >
                        "Retry"
                    </button>
                </div>
                <p class="hint">
                    "Runs again from the failed step; the steps that succeeded are not run again. For an order's run the order is retried."
                </p>
            </Show>
            <form on:submit=add_note novalidate=true>
                <TextAreaField
                    id="run-note"
                    label="Note"
                    value=note
                    errors
                    field="note"
                    rows=2
                    hint="Such as what was checked after a failure. It is kept with the time and your name."
                />
                <div class="actions">
                    <button type="submit" class="button secondary" disabled=move || pending.get()>
                        "Add note"
                    </button>
                </div>
            </form>
            <StatusMessage status />
        </section>
    }
}

#[derive(Debug, Clone, Copy)]
enum ActionCall {
    Cancel,
    Retry,
}
