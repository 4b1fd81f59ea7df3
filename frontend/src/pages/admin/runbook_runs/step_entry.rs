use leptos::prelude::*;
use shared::runbooks::RunStep;

use super::json_details::JsonDetails;
use crate::components::{StepLog, StepStateBadge};
use crate::format::{elapsed, optional_date_time};

/// Renders one step of a run's journal: state, attempts, timing, error, log lines, and its
/// output and read-back as collapsible JSON.
#[component]
pub fn StepEntry(step: RunStep) -> impl IntoView {
    let heading = format!("{}. {}", step.position + 1, step.name);
    let log = if step.log.is_empty() {
        view! { <p class="muted small">"No log lines."</p> }.into_any()
    } else {
        view! { <StepLog lines=step.log /> }.into_any()
    };

    view! {
        <li class="card journal-step" aria-label=heading.clone()>
            <div class="journal-step-heading">
                <h3>{heading.clone()}</h3>
                <StepStateBadge state=step.state />
            </div>
            <p class="muted small">
                <code>{step.key}</code>
                " · "
                <code>{step.module}</code>
            </p>
            <dl class="facts">
                <dt>"Attempts"</dt>
                <dd>{step.attempts}</dd>
                <dt>"Started"</dt>
                <dd>{optional_date_time(step.started_at)}</dd>
                <dt>"Finished"</dt>
                <dd>{optional_date_time(step.finished_at)}</dd>
                <dt>"Duration"</dt>
                <dd>{elapsed(step.started_at, step.finished_at)}</dd>
            </dl>
            {step.error.map(|error| view! { <p class="field-error preserve-lines">{error}</p> })}
            {log}
            <JsonDetails summary="Output" value=step.output />
            <JsonDetails summary="Read-back" value=step.readback />
        </li>
    }
}
