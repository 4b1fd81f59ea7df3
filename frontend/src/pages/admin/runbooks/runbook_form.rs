use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::permissions::Permission;
use shared::runbooks::RunbookInput;
use uuid::Uuid;

use super::dry_run_panel::DryRunPanel;
use super::runbook_draft::RunbookDraft;
use super::step_list::StepList;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextAreaField, TextField};
use crate::format::local_date_time;
use crate::forms::FieldErrors;
use crate::state::AdminAuth;

/// The saved state of a runbook that the form shows beside its fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SavedRunbook {
    pub id: Uuid,
    pub version: i32,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// Renders the runbook editor: name, description, schedule and notes, the steps, and the dry
/// run of the steps as they stand. With `saved` it updates that runbook and stays on the page;
/// without, it creates one and opens it.
#[component]
pub fn RunbookForm(
    initial: RunbookInput,
    saved: Option<SavedRunbook>,
    /// Runs after each save of an existing runbook, with its name as saved.
    #[prop(optional)]
    on_saved: Option<Callback<String>>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let navigate = use_navigate();
    let read_only = Signal::derive(move || !auth.allows_untracked(Permission::SettingsWrite));

    let draft = RunbookDraft::new(initial);
    let saved = RwSignal::new(saved);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let scripts = LocalResource::new(move || async move { api.scripts().await });
    let script_names = Signal::derive(move || {
        scripts
            .get()
            .and_then(Result::ok)
            .map(|scripts| scripts.into_iter().map(|script| script.name).collect())
            .unwrap_or_default()
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (mut input, field_errors) = draft.read();
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            status.set(Some(Status::failure(
                "Not saved: correct the fields marked below.",
            )));
            return;
        }

        pending.set(true);
        let navigate = navigate.clone();
        let id = saved.get_untracked().map(|saved| saved.id);
        // The server rejects the save when another tab or admin saved the runbook since.
        input.base_version = saved.get_untracked().map(|saved| saved.version);
        spawn_local(async move {
            let result = match id {
                Some(id) => api.update_runbook(id, &input).await,
                None => api.create_runbook(&input).await,
            };
            match result {
                Ok(created) if id.is_none() => {
                    navigate(&format!("/ui/runbooks/{}", created.id), Default::default())
                }
                Ok(updated) => {
                    saved.set(Some(SavedRunbook {
                        id: updated.id,
                        version: updated.version,
                        next_run_at: updated.next_run_at,
                    }));
                    status.set(Some(Status::success(format!(
                        "Saved as version {}.",
                        updated.version
                    ))));
                    if let Some(on_saved) = on_saved {
                        on_saved.run(updated.name);
                    }
                }
                Err(failure) => {
                    let message = if failure.field_errors().is_empty() {
                        "Not saved: see the message above."
                    } else {
                        "Not saved: correct the fields marked below."
                    };
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                    status.set(Some(Status::failure(message)));
                }
            }
            pending.set(false);
        });
    };

    let saved_facts = move || {
        saved.get().map(|saved| {
            let next_run = saved
                .next_run_at
                .map_or_else(|| "Not scheduled".to_string(), local_date_time);
            view! {
                <dl class="facts">
                    <dt>"Version"</dt>
                    <dd>{saved.version}</dd>
                    <dt>"Next scheduled run"</dt>
                    <dd>{next_run}</dd>
                </dl>
            }
        })
    };

    view! {
        <form on:submit=submit novalidate=true>
            <section class="card" aria-label="Runbook">
                <ErrorBanner error />
                {saved_facts}
                <TextField id="runbook-name" label="Name" value=draft.name errors field="name" required=true disabled=read_only />
                <TextAreaField
                    id="runbook-description"
                    label="Description"
                    value=draft.description
                    errors
                    field="description"
                    rows=2
                    disabled=read_only
                />
                <TextField
                    id="runbook-schedule"
                    label="Schedule"
                    value=draft.schedule
                    errors
                    field="schedule"
                    placeholder="0 0 2 * * *"
                    disabled=read_only
                    hint="A six-field cron expression in UTC, seconds first: 0 0 2 * * * runs daily at 02:00 and 0 30 6 * * Mon-Fri on weekdays at 06:30. Runs must be at least five minutes apart. Leave empty to run only by hand or from an asset definition."
                />
                <TextAreaField
                    id="runbook-notes"
                    label="Notes"
                    value=draft.notes
                    errors
                    field="notes"
                    rows=3
                    disabled=read_only
                    hint="For the people who run it, in Markdown."
                />
            </section>
            <StepList draft errors scripts=script_names read_only />
            <Show when=move || !read_only.get()>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || pending.get()>
                        "Save runbook"
                    </button>
                </div>
            </Show>
            <StatusMessage status />
        </form>
        <DryRunPanel draft runbook_id=Signal::derive(move || saved.get().map(|saved| saved.id)) />
    }
}
