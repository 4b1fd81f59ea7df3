use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage, TextField};
use crate::forms::FieldErrors;

/// Describes a finished restore.
pub fn restored_text(name: &str, migrations_applied: i64) -> String {
    match migrations_applied {
        0 => format!("Restored {name}."),
        1 => format!("Restored {name} and applied 1 newer migration."),
        count => format!("Restored {name} and applied {count} newer migrations."),
    }
}

/// Renders the restore of the backup `name`, which runs only once the admin has typed the
/// backup's exact name. `on_done` runs after a restore that succeeded, and `on_cancel` when
/// the admin leaves the form.
#[component]
pub fn RestoreForm(
    name: String,
    on_done: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let name = StoredValue::new(name);
    let confirmation = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);
    let confirmed = move || confirmation.with(|text| name.with_value(|name| text.trim() == name));

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !confirmed() {
            return;
        }
        pending.set(true);
        error.set(None);
        errors.set(FieldErrors::default());
        status.set(Some(Status::neutral(
            "Restoring… The job queue and the API pause until it ends.",
        )));
        let typed = confirmation.get_untracked().trim().to_string();
        spawn_local(async move {
            let name = name.get_value();
            match api.restore_backup(&name, typed).await {
                Ok(result) => {
                    let text = restored_text(&result.name, result.migrations_applied);
                    on_done.run(text);
                }
                Err(failure) => {
                    status.try_set(None);
                    errors.try_set(FieldErrors::from_api(&failure));
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <p>
                "Restoring replaces the whole database with " <strong>{name.get_value()}</strong>
                ". Everything saved after that backup is lost: orders, settings, audit rows, and "
                "the sessions and jobs started since. The job queue and the API pause until the "
                "restore ends."
            </p>
            <ErrorBanner error />
            <StatusMessage status />
            <TextField
                id="restore-confirmation"
                label="Type the backup's name to confirm"
                value=confirmation
                errors
                field="confirmation"
                autocomplete="off"
                disabled=pending
            />
            <div class="actions">
                <button
                    type="submit"
                    class="button danger"
                    disabled=move || pending.get() || !confirmed()
                >
                    "Restore database"
                </button>
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || pending.get()
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::restored_text;

    #[test]
    fn restored_text_counts_migrations() {
        assert_eq!(restored_text("a.dump", 0), "Restored a.dump.");
        assert_eq!(
            restored_text("a.dump", 2),
            "Restored a.dump and applied 2 newer migrations."
        );
    }
}
