use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::backups::{BackupFile, BackupRun, BackupSettingsView, BackupState};
use shared::permissions::Permission;

use super::backup_row::BackupRow;
use super::restore_form::RestoreForm;
use super::runs_table::RunsTable;
use super::schedule_form::ScheduleForm;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, LoadMoreButton, Loading, Status, StatusMessage};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::refresh::refetch_while;
use crate::state::AdminAuth;

/// How often the page reloads while a backup is pending or running.
const RUN_REFRESH: Duration = Duration::from_secs(2);

/// Renders `/ui/backups`: "Back up now" with the latest runs, the backup files with their
/// downloads, deletes and restores, and the schedule with the retention rules.
#[component]
pub fn BackupsPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let can_write = Memo::new(move |_| auth.allows(Permission::SettingsWrite));
    let can_restore = Memo::new(move |_| auth.allows(Permission::BackupsRestore));

    let files = PagedList::<BackupFile>::new();
    let reload_files = move || files.reload(move |cursor| api.backups(cursor));
    let load_more = Callback::new(move |()| files.load_more(move |cursor| api.backups(cursor)));

    let runs = RwSignal::new(Vec::<BackupRun>::new());
    let runs_error = RwSignal::new(None::<ApiError>);
    let reload_runs = move || {
        spawn_local(async move {
            match api.backup_runs().await {
                Ok(page) => {
                    let finished_now = runs
                        .with_untracked(|old| old.iter().any(|run| in_progress(run.state)))
                        && !page.items.iter().any(|run| in_progress(run.state));
                    runs.try_set(page.items);
                    runs_error.try_set(None);
                    if finished_now {
                        reload_files();
                    }
                }
                Err(error) => {
                    runs_error.try_set(Some(error));
                }
            }
        });
    };
    refetch_while(
        RUN_REFRESH,
        move || runs.with(|runs| runs.iter().any(|run| in_progress(run.state))),
        reload_runs,
    );

    let settings = RwSignal::new(None::<BackupSettingsView>);
    let settings_error = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        match api.backup_settings().await {
            Ok(view) => {
                settings.try_set(Some(view));
            }
            Err(error) => {
                settings_error.try_set(Some(error));
            }
        }
    });
    reload_files();
    reload_runs();

    let status = RwSignal::new(None::<Status>);
    let starting = RwSignal::new(false);
    let back_up_now = move |_| {
        starting.set(true);
        status.set(None);
        spawn_local(async move {
            match api.create_backup().await {
                Ok(run) => {
                    status.try_set(Some(Status::success(format!(
                        "Backup {} started; it is listed once complete.",
                        run.file_name
                    ))));
                    reload_runs();
                }
                Err(error) => {
                    status.try_set(Some(Status::failure(error.to_string())));
                }
            }
            starting.try_set(false);
        });
    };

    let restoring = RwSignal::new(None::<String>);
    let on_restore = Callback::new(move |name: String| {
        status.set(None);
        restoring.set(Some(name));
    });
    let on_restored = Callback::new(move |text: String| {
        restoring.set(None);
        status.set(Some(Status::success(text)));
        reload_files();
        reload_runs();
    });
    let on_cancel = Callback::new(move |()| restoring.set(None));
    let on_deleted = Callback::new(move |name: String| {
        files
            .items
            .update(|items| items.retain(|file| file.name != name));
        status.set(Some(Status::success(format!("Deleted {name}."))));
    });

    view! {
        <h1>"Backups"</h1>
        <RequirePermission permission=Permission::BackupsRead>
            <StatusMessage status />
            <section class="card" aria-labelledby="runs-heading">
                <h2 id="runs-heading">"Backup runs"</h2>
                <ErrorBanner error=runs_error />
                <Show when=move || can_write.get()>
                    <div class="actions">
                        <button
                            type="button"
                            class="button"
                            disabled=move || starting.get()
                            on:click=back_up_now
                        >
                            "Back up now"
                        </button>
                    </div>
                </Show>
                <RunsTable runs />
                <Show when=move || runs.with(Vec::is_empty)>
                    <p class="muted">"No backup has been taken yet."</p>
                </Show>
            </section>
            {move || {
                restoring
                    .get()
                    .map(|name| {
                        view! {
                            <section class="card" aria-labelledby="restore-heading">
                                <h2 id="restore-heading">"Restore a backup"</h2>
                                <RestoreForm name on_done=on_restored on_cancel />
                            </section>
                        }
                    })
            }}
            <section class="card" aria-labelledby="files-heading">
                <h2 id="files-heading">"Backup files"</h2>
                <ErrorBanner error=files.error />
                <table class="table" aria-label="Backup files">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Made by"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || files.items.get()
                            key=|file| file.name.clone()
                            children=move |file| {
                                view! {
                                    <BackupRow
                                        file
                                        can_delete=can_write.get_untracked()
                                        can_restore=can_restore.get_untracked()
                                        on_deleted
                                        on_restore
                                    />
                                }
                            }
                        />
                    </tbody>
                </table>
                <Show when=move || files.loading.get()>
                    <Loading />
                </Show>
                <Show when=move || !files.loading.get() && files.items.with(Vec::is_empty)>
                    <p class="muted">"The backup folder has no backups."</p>
                </Show>
                <LoadMoreButton
                    has_more=Signal::derive(move || files.next_cursor.with(Option::is_some))
                    loading=files.loading
                    on_click=load_more
                />
            </section>
            <section class="card" aria-labelledby="schedule-heading">
                <h2 id="schedule-heading">"Schedule and retention"</h2>
                <ErrorBanner error=settings_error />
                {move || {
                    settings
                        .get()
                        .map(|view| view! { <ScheduleForm view can_write=can_write.get_untracked() /> })
                }}
            </section>
        </RequirePermission>
    }
}

fn in_progress(state: BackupState) -> bool {
    matches!(state, BackupState::Pending | BackupState::Running)
}
