use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::jobs::{Job, JobState};

use super::retry_action::RetryAction;
use crate::format::local_date_time;

/// Returns the column headers of the jobs table on the tab of `state`, after the columns every
/// tab has (kind, queue, attempts).
pub fn state_columns(state: JobState) -> &'static [&'static str] {
    match state {
        JobState::Running => &["Lease holder", "Lease ends", "Started"],
        JobState::Queued => &["Due", "Last error"],
        JobState::Dead => &["Error", "Finished", "Actions"],
        JobState::Succeeded => &["Started", "Finished"],
    }
}

fn time_cell(at: Option<DateTime<Utc>>) -> impl IntoView {
    view! {
        <td class="nowrap">
            {at.map(|at| view! { <time datetime=at.to_rfc3339()>{local_date_time(at)}</time> })}
        </td>
    }
}

fn error_cell(error: Option<String>) -> impl IntoView {
    view! { <td class="preserve-lines">{error}</td> }
}

/// Renders one job on the tab of `state`, with the columns of [`state_columns`]. A dead job has
/// a retry action when `can_retry` is set.
#[component]
pub fn JobRow(
    job: Job,
    state: JobState,
    can_retry: bool,
    on_retried: Callback<Job>,
) -> impl IntoView {
    let attempts = format!("{} of {}", job.attempts, job.max_attempts);
    let state_cells = match state {
        JobState::Running => view! {
            <td>{job.locked_by.clone()}</td>
            {time_cell(job.lease_until)}
            {time_cell(job.started_at)}
        }
        .into_any(),
        JobState::Queued => view! {
            {time_cell(Some(job.run_at))}
            {error_cell(job.last_error.clone())}
        }
        .into_any(),
        JobState::Dead => {
            let action = can_retry.then(|| view! { <RetryAction job=job.clone() on_retried /> });
            view! {
                {error_cell(job.last_error.clone())}
                {time_cell(job.finished_at)}
                <td>{action}</td>
            }
            .into_any()
        }
        JobState::Succeeded => view! {
            {time_cell(job.started_at)}
            {time_cell(job.finished_at)}
        }
        .into_any(),
    };

    view! {
        <tr>
            <td>
                {job.kind.clone()}
                <div class="muted small">
                    <code>{job.id.to_string()}</code>
                </div>
            </td>
            <td>{job.queue.clone()}</td>
            <td class="nowrap">{attempts}</td>
            {state_cells}
        </tr>
    }
}
