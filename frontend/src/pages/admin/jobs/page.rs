use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::jobs::{Job, JobState, QUEUES, QueueSummary};
use shared::permissions::Permission;

use super::job_row::{JobRow, state_columns};
use super::purge_form::PurgeForm;
use super::queue_table::QueueTable;
use crate::api::admin::JobFilter;
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, LoadMoreButton, Loading, Status, StatusMessage};
use crate::pages::admin::require_permission::RequirePermission;
use crate::paging::PagedList;
use crate::state::AdminAuth;

/// The tabs of the jobs list, in the order they are shown.
const TABS: [JobState; 4] = [
    JobState::Running,
    JobState::Dead,
    JobState::Queued,
    JobState::Succeeded,
];

fn empty_text(state: JobState) -> &'static str {
    match state {
        JobState::Running => "No job is running.",
        JobState::Dead => "No job is dead.",
        JobState::Queued => "No job is waiting.",
        JobState::Succeeded => "No job has succeeded yet, or all were purged.",
    }
}

/// Renders `/ui/jobs`: the depth of each queue, then the jobs of one state per tab, filtered by
/// queue. Admins who may change jobs get a retry action on dead jobs and the purge form.
#[component]
pub fn JobsPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let auth = expect_context::<AdminAuth>();
    let can_write = Memo::new(move |_| auth.allows(Permission::JobsWrite));

    let queues = RwSignal::new(Vec::<QueueSummary>::new());
    let summary_error = RwSignal::new(None::<ApiError>);
    let load_summary = move || {
        spawn_local(async move {
            match api.job_summary().await {
                Ok(summary) => {
                    queues.try_set(summary.queues);
                    summary_error.try_set(None);
                }
                Err(error) => {
                    summary_error.try_set(Some(error));
                }
            }
        });
    };

    let filter = RwSignal::new(JobFilter {
        state: Some(JobState::Running),
        queue: None,
    });
    let list = PagedList::<Job>::new();
    let reload_list = move || {
        let filter = filter.get_untracked();
        list.reload(move |cursor| api.jobs(filter, cursor));
    };
    // Rows of another tab have other columns, so they go before the new page arrives.
    Effect::new(move |_| {
        filter.track();
        list.items.set(Vec::new());
        reload_list();
    });
    load_summary();
    let load_more = Callback::new(move |()| {
        let filter = filter.get_untracked();
        list.load_more(move |cursor| api.jobs(filter, cursor));
    });

    let status = RwSignal::new(None::<Status>);
    let refresh = move |_| {
        status.set(None);
        load_summary();
        reload_list();
    };
    let on_retried = Callback::new(move |job: Job| {
        let id = job.id;
        list.items
            .update(|items| items.retain(|each| each.id != id));
        status.set(Some(Status::success(format!(
            "{} is queued again and runs as soon as a worker is free.",
            job.kind
        ))));
        load_summary();
    });
    let on_purged = Callback::new(move |()| {
        load_summary();
        reload_list();
    });

    let shown_state = move || filter.with(|f| f.state).unwrap_or(JobState::Running);
    let tab_button = move |state: JobState| {
        let selected = move || shown_state() == state;
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                aria-selected=move || if selected() { "true" } else { "false" }
                aria-controls="jobs-panel"
                on:click=move |_| {
                    status.set(None);
                    filter.update(|f| f.state = Some(state));
                }
            >
                {state.label()}
            </button>
        }
    };
    let choose_queue = move |event| {
        let chosen = event_target_value(&event);
        filter.update(|f| f.queue = QUEUES.contains(&chosen.as_str()).then_some(chosen));
    };
    let queue_options = move || {
        QUEUES
            .iter()
            .map(|name| view! { <option value=*name>{*name}</option> })
            .collect_view()
    };
    let headers = move || {
        state_columns(shown_state())
            .iter()
            .map(|header| view! { <th scope="col">{*header}</th> })
            .collect_view()
    };

    view! {
        <h1>"Jobs"</h1>
        <RequirePermission permission=Permission::JobsRead>
            <section class="card" aria-labelledby="queues-heading">
                <h2 id="queues-heading">"Queues"</h2>
                <ErrorBanner error=summary_error />
                <QueueTable queues />
                <div class="actions">
                    <button type="button" class="button secondary" on:click=refresh>
                        "Refresh"
                    </button>
                </div>
            </section>
            <h2>"Jobs by state"</h2>
            <StatusMessage status />
            <div class="tabs" role="tablist" aria-label="Job states">
                {TABS.into_iter().map(tab_button).collect_view()}
            </div>
            <div id="jobs-panel" role="tabpanel">
                <div class="filters">
                    <div class="field">
                        <label for="jobs-queue">"Queue"</label>
                        <select id="jobs-queue" on:change=choose_queue>
                            <option value="">"All queues"</option>
                            {queue_options}
                        </select>
                    </div>
                </div>
                <ErrorBanner error=list.error />
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Queue"</th>
                            <th scope="col">"Attempts"</th>
                            {headers}
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.items.get()
                            key=|job| (job.id, job.state, job.attempts, job.lease_until)
                            children=move |job| {
                                let state = job.state;
                                let can_retry = can_write.get_untracked();
                                view! { <JobRow job state can_retry on_retried /> }
                            }
                        />
                    </tbody>
                </table>
                <Show when=move || list.loading.get()>
                    <Loading />
                </Show>
                <Show when=move || !list.loading.get() && list.items.with(Vec::is_empty)>
                    <p class="muted">{move || empty_text(shown_state())}</p>
                </Show>
                <LoadMoreButton
                    has_more=Signal::derive(move || list.next_cursor.with(Option::is_some))
                    loading=list.loading
                    on_click=load_more
                />
            </div>
            <Show when=move || can_write.get()>
                <section class="card" aria-labelledby="purge-heading">
                    <h2 id="purge-heading">"Purge finished jobs"</h2>
                    <PurgeForm on_purged />
                </section>
            </Show>
        </RequirePermission>
    }
}
