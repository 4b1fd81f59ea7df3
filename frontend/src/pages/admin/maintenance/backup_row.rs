use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::backups::BackupFile;

use super::{made_by_text, size_text};
use crate::api::admin::backups::download_url;
use crate::api::{AdminApi, ApiError};
use crate::components::{ConfirmAction, ErrorBanner};
use crate::format::local_date_time;

/// Renders one backup file with its actions: Download and Restore for superadmins, Delete
/// for admins who may change settings. `on_restore` opens the restore form for the file.
#[component]
pub fn BackupRow(
    file: BackupFile,
    can_delete: bool,
    can_restore: bool,
    on_deleted: Callback<String>,
    on_restore: Callback<String>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let name = StoredValue::new(file.name.clone());

    let delete = Callback::new(move |()| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let name = name.get_value();
            match api.delete_backup(&name).await {
                Ok(()) => on_deleted.run(name),
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            pending.try_set(false);
        });
    });

    view! {
        <tr>
            <td>{file.name.clone()}</td>
            <td>{size_text(file.size_bytes)}</td>
            <td>{local_date_time(file.created_at)}</td>
            <td>{made_by_text(&file.made_by)}</td>
            <td>
                <ErrorBanner error />
                <div class="row-actions">
                    {can_restore
                        .then(|| {
                            view! {
                                <a
                                    class="button secondary"
                                    href=download_url(&file.name)
                                    download=file.name.clone()
                                    aria-label=format!("Download {}", file.name)
                                >
                                    "Download"
                                </a>
                                <button
                                    type="button"
                                    class="button secondary"
                                    aria-label=format!("Restore {}", file.name)
                                    on:click=move |_| on_restore.run(name.get_value())
                                >
                                    "Restore"
                                </button>
                            }
                        })}
                    {can_delete
                        .then(|| {
                            view! {
                                <ConfirmAction
                                    button_label="Delete"
                                    button_aria_label=format!("Delete {}", file.name)
                                    question=format!("Delete {}? The file cannot be recovered.", file.name)
                                    confirm_label="Delete backup"
                                    keep_label="Keep"
                                    pending
                                    on_confirm=delete
                                />
                            }
                        })}
                </div>
            </td>
        </tr>
    }
}
