use leptos::prelude::*;
use shared::runbooks::RunStep;

use super::{StepLog, StepStateBadge};
use crate::format::{elapsed, optional_date_time};

/// Renders the steps of a run as a table: name, state and timing, with the step's error and
/// log lines under it when the run carries them.
#[component]
pub fn RunStepsTable(
    steps: Vec<RunStep>,
    /// Names the table for screen readers, such as "Provisioning steps".
    caption: String,
) -> impl IntoView {
    let rows = steps
        .into_iter()
        .map(|step| {
            let details = (!step.log.is_empty() || step.error.is_some()).then(|| {
                view! {
                    <tr class="step-details">
                        <td colspan="5">
                            {step.error.map(|error| view! { <p class="field-error">{error}</p> })}
                            <StepLog lines=step.log />
                        </td>
                    </tr>
                }
            });
            view! {
                <tr data-testid="run-step">
                    <td>{step.name}</td>
                    <td>
                        <StepStateBadge state=step.state />
                    </td>
                    <td class="nowrap">{optional_date_time(step.started_at)}</td>
                    <td class="nowrap">{optional_date_time(step.finished_at)}</td>
                    <td class="nowrap">{elapsed(step.started_at, step.finished_at)}</td>
                </tr>
                {details}
            }
        })
        .collect_view();

    view! {
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Step"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Finished"</th>
                    <th scope="col">"Duration"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
