use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::jobs::{JobPurge, JobState, QUEUES};

use crate::api::{AdminApi, ApiError};
use crate::components::{
    ErrorBanner, FieldErrorText, SelectField, Status, StatusMessage, TextField,
};
use crate::forms::{FieldErrors, parse_number};

/// The word typed to confirm a purge, which cannot be undone.
const CONFIRMATION: &str = "purge";
const DEFAULT_DAYS: &str = "30";

/// Describes the outcome of a purge of `count` jobs.
pub fn purged_text(count: i64) -> String {
    match count {
        0 => "No job matched, so nothing was deleted.".to_string(),
        1 => "Deleted 1 job.".to_string(),
        _ => format!("Deleted {count} jobs."),
    }
}

/// Renders the form that deletes finished jobs, which runs only once the admin has typed the
/// confirmation word. `on_purged` runs after each purge that succeeded.
#[component]
pub fn PurgeForm(on_purged: Callback<()>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let state = RwSignal::new(JobState::Dead);
    let older_than_days = RwSignal::new(DEFAULT_DAYS.to_string());
    let queue = RwSignal::new(None::<&'static str>);
    let confirmation = RwSignal::new(String::new());

    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let confirmed = move || confirmation.with(|text| text.trim() == CONFIRMATION);

    // Builds the request body, or shows the field errors and returns `None`.
    let read_input = move || {
        let mut field_errors = FieldErrors::default();
        let days = parse_number::<i32>(
            &older_than_days.get_untracked(),
            "older_than_days",
            &mut field_errors,
        );
        let input = JobPurge {
            state: state.get_untracked(),
            older_than_days: days.unwrap_or_default(),
            queue: queue.get_untracked().map(str::to_string),
        };
        if days.is_some() {
            for field_error in input.errors() {
                field_errors.push(&field_error.field, field_error.message);
            }
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        field_errors.is_empty().then_some(input)
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !confirmed() {
            return;
        }
        let Some(input) = read_input() else { return };
        pending.set(true);
        spawn_local(async move {
            match api.purge_jobs(&input).await {
                Ok(result) => {
                    confirmation.set(String::new());
                    status.set(Some(Status::success(purged_text(result.deleted))));
                    on_purged.run(());
                }
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    let state_options = vec![
        (JobState::Dead, JobState::Dead.label()),
        (JobState::Succeeded, JobState::Succeeded.label()),
    ];
    let mut queue_options = vec![(None, "All queues")];
    queue_options.extend(QUEUES.iter().map(|name| (Some(*name), *name)));

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <StatusMessage status />
            <div class="form-grid">
                <div>
                    <SelectField id="purge-state" label="Jobs that are" value=state options=state_options />
                    <FieldErrorText errors field="state" id="purge-state-error".to_string() />
                </div>
                <TextField
                    id="purge-older-than-days"
                    label="Finished more than (days) ago"
                    value=older_than_days
                    errors
                    field="older_than_days"
                    input_type="number"
                    required=true
                    hint="0 to 3650 days; 0 deletes every finished job of that state."
                />
                <div>
                    <SelectField id="purge-queue" label="Queue" value=queue options=queue_options />
                    <FieldErrorText errors field="queue" id="purge-queue-error".to_string() />
                </div>
                <TextField
                    id="purge-confirmation"
                    label="Type purge to confirm"
                    value=confirmation
                    errors
                    field="confirmation"
                    autocomplete="off"
                    hint="Deleted jobs cannot be restored. The newest job of each periodic task is kept."
                />
            </div>
            <div class="actions">
                <button type="submit" class="button danger" disabled=move || pending.get() || !confirmed()>
                    "Purge jobs"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::purged_text;

    #[test]
    fn purged_text_counts_jobs() {
        assert_eq!(purged_text(0), "No job matched, so nothing was deleted.");
        assert_eq!(purged_text(1), "Deleted 1 job.");
        assert_eq!(purged_text(12), "Deleted 12 jobs.");
    }
}
