use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::backups::{BackupSettings, BackupSettingsView};

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::format::local_date_time;
use crate::forms::{FieldErrors, non_blank, parse_optional_number};

fn number_text(value: Option<i32>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Renders the backup schedule and the retention rules, editable when `can_write`.
#[component]
pub fn ScheduleForm(view: BackupSettingsView, can_write: bool) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let schedule = RwSignal::new(view.settings.schedule.clone().unwrap_or_default());
    let keep_count = RwSignal::new(number_text(view.settings.keep_count));
    let keep_days = RwSignal::new(number_text(view.settings.keep_days));
    let next_run = RwSignal::new(view.next_run_at);
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let read_only = Signal::derive(move || !can_write || pending.get());

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut field_errors = FieldErrors::default();
        let input = BackupSettings {
            schedule: non_blank(&schedule.get_untracked()),
            keep_count: parse_optional_number(
                &keep_count.get_untracked(),
                "keep_count",
                &mut field_errors,
            ),
            keep_days: parse_optional_number(
                &keep_days.get_untracked(),
                "keep_days",
                &mut field_errors,
            ),
        };
        for field_error in input.errors() {
            field_errors.push(&field_error.field, field_error.message);
        }
        error.set(None);
        status.set(None);
        errors.set(field_errors.clone());
        if !field_errors.is_empty() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api.save_backup_settings(&input).await {
                Ok(saved) => {
                    next_run.try_set(saved.next_run_at);
                    status.try_set(Some(Status::success("Backup schedule saved.")));
                }
                Err(failure) => {
                    errors.try_set(FieldErrors::from_api(&failure));
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <ErrorBanner error />
            <StatusMessage status />
            <p class="muted">"Backups are written to " <code>{view.directory}</code> " on the server."</p>
            <div class="form-grid">
                <TextField
                    id="backup-schedule"
                    label="Schedule"
                    value=schedule
                    errors
                    field="schedule"
                    disabled=read_only
                    hint="A six-field cron expression in UTC, seconds first: 0 0 2 * * * backs up daily at 02:00. At least an hour between backups. Leave empty to back up only by hand."
                />
                <TextField
                    id="backup-keep-count"
                    label="Keep the newest (backups)"
                    value=keep_count
                    errors
                    field="keep_count"
                    input_type="number"
                    disabled=read_only
                    hint="1 to 1000. Leave empty for no limit by count."
                />
                <TextField
                    id="backup-keep-days"
                    label="Keep for (days)"
                    value=keep_days
                    errors
                    field="keep_days"
                    input_type="number"
                    disabled=read_only
                    hint="1 to 3650. A backup is deleted only when every rule that is set lets it go."
                />
            </div>
            <p class="muted">
                {move || match next_run.get() {
                    Some(at) => format!("Next scheduled backup: {}", local_date_time(at)),
                    None => "No backup is scheduled.".to_string(),
                }}
            </p>
            {can_write
                .then(|| {
                    view! {
                        <div class="actions">
                            <button type="submit" class="button" disabled=move || pending.get()>
                                "Save schedule"
                            </button>
                        </div>
                    }
                })}
        </form>
    }
}
