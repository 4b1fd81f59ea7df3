use leptos::prelude::*;
use leptos_router::components::A;
use shared::runbooks::RunbookRun;

use crate::components::RunStateBadge;
use crate::format::{elapsed, local_date_time, optional_date_time};

/// Renders the heading and facts of a run: its runbook and version, purpose, state, order,
/// who started it, its times, error and notes.
#[component]
pub fn RunHeader(run: RunbookRun) -> impl IntoView {
    let heading = format!("Run of {}", run.runbook_name);
    let runbook = match run.runbook_id {
        Some(id) => {
            view! { <A href=format!("/ui/runbooks/{id}")>{run.runbook_name.clone()}</A> }.into_any()
        }
        None => view! { {run.runbook_name.clone()} " " <span class="muted">"(deleted)"</span> }
            .into_any(),
    };
    let order = run.order_id.map(|id| {
        view! {
            <dt>"Order"</dt>
            <dd>
                <A href=format!("/ui/orders/{id}")>{id.to_string()}</A>
            </dd>
        }
    });
    let instance = run.asset_id.map(|id| {
        view! {
            <dt>"Instance"</dt>
            <dd>
                <code>{id.to_string()}</code>
            </dd>
        }
    });
    let cancel_note = (run.cancel_requested && !run.state.is_finished())
        .then(|| view! { <p class="warning-banner" role="note">"Cancel requested: the run stops before its next step."</p> });
    let error = run.error.clone().map(|error| {
        view! {
            <dt>"Error"</dt>
            <dd class="field-error preserve-lines">{error}</dd>
        }
    });
    let notes = (!run.note.trim().is_empty()).then(|| {
        view! {
            <dt>"Notes"</dt>
            <dd class="preserve-lines">{run.note.clone()}</dd>
        }
    });

    view! {
        <h1>{heading}</h1>
        {cancel_note}
        <section class="card">
            <dl class="facts">
                <dt>"Runbook"</dt>
                <dd>{runbook}</dd>
                <dt>"Version"</dt>
                <dd>{run.runbook_version}</dd>
                <dt>"Purpose"</dt>
                <dd>{run.purpose.label()}</dd>
                <dt>"State"</dt>
                <dd>
                    <RunStateBadge state=run.state />
                </dd>
                {order}
                {instance}
                <dt>"Started by"</dt>
                <dd>{run.started_by.clone()}</dd>
                <dt>"Queued"</dt>
                <dd>{local_date_time(run.created_at)}</dd>
                <dt>"Started"</dt>
                <dd>{optional_date_time(run.started_at)}</dd>
                <dt>"Finished"</dt>
                <dd>{optional_date_time(run.finished_at)}</dd>
                <dt>"Duration"</dt>
                <dd>{elapsed(run.started_at, run.finished_at)}</dd>
                {error}
                {notes}
            </dl>
        </section>
    }
}
