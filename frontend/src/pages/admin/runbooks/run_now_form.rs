use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::runbooks::NewRun;
use uuid::Uuid;

use super::subject_fields::{RunSubject, SubjectFields};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, TextAreaField};
use crate::forms::FieldErrors;

/// Maximum length of a run's note, as the server checks it.
const NOTE_MAX_CHARS: usize = 2000;

/// Renders "Run now": starts the saved version of the runbook with an optional note, order
/// and instance, then opens the run's page.
#[component]
pub fn RunNowForm(runbook_id: Uuid) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let navigate = use_navigate();
    let note = RwSignal::new(String::new());
    let subject = RunSubject::new();
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let (order_id, asset_id) = subject.read(&mut field_errors);
        let note_text = note.get_untracked().trim().to_string();
        if note_text.chars().count() > NOTE_MAX_CHARS {
            field_errors.push(
                "note",
                format!("must be at most {NOTE_MAX_CHARS} characters long"),
            );
        }
        errors.set(field_errors.clone());
        error.set(None);
        if !field_errors.is_empty() {
            return;
        }

        let input = NewRun {
            note: note_text,
            order_id,
            asset_id,
        };
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api.start_run(runbook_id, &input).await {
                Ok(run) => navigate(&format!("/ui/runbook-runs/{}", run.id), Default::default()),
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="run-now-heading">
            <h2 id="run-now-heading">"Run now"</h2>
            <p class="hint">"Runs the saved version: save your changes first."</p>
            <form on:submit=submit novalidate=true>
                <ErrorBanner error />
                <TextAreaField
                    id="run-now-note"
                    label="Note"
                    value=note
                    errors
                    field="note"
                    rows=2
                    hint="Optional. Why it runs; kept with the run."
                />
                <SubjectFields id_prefix="run-now" subject errors />
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Run now"
                    </button>
                </div>
            </form>
        </section>
    }
}
