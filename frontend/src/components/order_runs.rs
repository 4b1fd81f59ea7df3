use leptos::prelude::*;
use leptos_router::components::A;
use shared::runbooks::RunbookRun;

use super::{RunStateBadge, RunStepsTable};
use crate::format::local_date_time;

/// Who reads an order's runs, which decides what each run's heading shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunsReader {
    /// The requester in the portal: the purpose of each run.
    Requester,
    /// An admin: purpose, runbook and version, linked to the run page when `linked`, which
    /// needs the settings_read permission.
    Admin { linked: bool },
}

/// Renders an order's runbook runs, newest first, under `heading`: each run's state, error and
/// steps, with the steps' log lines where the runs carry them. Renders nothing for no runs.
#[component]
pub fn OrderRuns(
    runs: Vec<RunbookRun>,
    heading: &'static str,
    reader: RunsReader,
) -> impl IntoView {
    if runs.is_empty() {
        return ().into_any();
    }
    let items = runs
        .into_iter()
        .map(|run| {
            let (title, caption) = match reader {
                RunsReader::Requester => {
                    let purpose = run.purpose.label();
                    (purpose.into_any(), format!("{purpose} steps"))
                }
                RunsReader::Admin { linked } => {
                    let text = format!("{}: {}", run.purpose.label(), run.runbook_name);
                    let caption = format!("Steps of the run {text}");
                    let title = if linked {
                        view! { <A href=format!("/ui/runbook-runs/{}", run.id)>{text}</A> }
                            .into_any()
                    } else {
                        text.into_any()
                    };
                    (title, caption)
                }
            };
            let queued = matches!(reader, RunsReader::Admin { .. }).then(|| {
                let text = format!(
                    "Queued {} · version {}",
                    local_date_time(run.created_at),
                    run.runbook_version
                );
                view! { <p class="muted small">{text}</p> }
            });
            view! {
                <li class="order-run">
                    <h3>{title} " " <RunStateBadge state=run.state /></h3>
                    {queued}
                    {run.error.map(|error| view! { <p class="field-error">{error}</p> })}
                    <RunStepsTable steps=run.steps caption />
                </li>
            }
        })
        .collect_view();
    let heading_id = "order-runs-heading";

    view! {
        <section class="card" aria-labelledby=heading_id>
            <h2 id=heading_id>{heading}</h2>
            <ul class="order-runs">{items}</ul>
        </section>
    }
    .into_any()
}
