use leptos::prelude::*;
use shared::backups::{BackupRun, BackupState};

use super::{made_by_text, size_text};
use crate::format::local_date_time;

/// Renders the latest backup runs: the file, its state with the error of a failed attempt,
/// who started it and when it finished.
#[component]
pub fn RunsTable(#[prop(into)] runs: Signal<Vec<BackupRun>>) -> impl IntoView {
    let rows = move || {
        runs.get()
            .into_iter()
            .map(|run| {
                let state = run.state.label();
                let detail = match (run.state, run.error.clone(), run.size_bytes) {
                    (_, Some(error), _) if run.state != BackupState::Done => error,
                    (BackupState::Done, _, Some(size)) => size_text(size),
                    _ => String::new(),
                };
                let finished = run.finished_at.map(local_date_time).unwrap_or_default();
                view! {
                    <tr>
                        <td>{run.file_name}</td>
                        <td>{state}</td>
                        <td>{made_by_text(&run.requested_by)}</td>
                        <td>{local_date_time(run.created_at)}</td>
                        <td>{finished}</td>
                        <td>{detail}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <table class="table" aria-label="Backup runs">
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Started by"</th>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"Finished"</th>
                    <th scope="col">"Size or error"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
