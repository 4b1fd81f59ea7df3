use leptos::prelude::*;
use shared::runbooks::{RunState, StepState};

/// Renders a runbook run's state as a coloured badge.
#[component]
pub fn RunStateBadge(state: RunState) -> impl IntoView {
    let tone = match state {
        RunState::Queued => "waiting",
        RunState::Running => "working",
        RunState::Succeeded => "active",
        RunState::Failed => "failed",
        RunState::Cancelled => "closed",
    };
    let class = format!("badge badge-{tone}");

    view! { <span class=class data-state=state.as_str()>{state.label()}</span> }
}

/// Renders the state of one step of a run as a coloured badge.
#[component]
pub fn StepStateBadge(state: StepState) -> impl IntoView {
    let tone = match state {
        StepState::Pending => "waiting",
        StepState::Running => "working",
        StepState::Succeeded => "active",
        StepState::Failed => "failed",
        StepState::Skipped => "closed",
    };
    let class = format!("badge badge-{tone}");

    view! { <span class=class data-state=state.as_str()>{state.label()}</span> }
}
