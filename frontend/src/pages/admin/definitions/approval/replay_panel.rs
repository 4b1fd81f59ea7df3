use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::{REPLAY_DAYS, ReplayReport, ReplayRequest};
use uuid::Uuid;

use super::replay_row::ReplayRowView;
use super::{form_errors, read_for_preview};
use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, Status, StatusMessage};
use crate::format::local_date_time;
use crate::forms::FieldErrors;
use crate::pages::admin::definitions::definition_draft::DefinitionDraft;

/// Renders "Compare with past orders": how the definition's orders of the last 90 days and its
/// pending orders were routed, next to how the form's unsaved policy would route them.
#[component]
pub fn ReplayPanel(
    definition_id: Uuid,
    draft: DefinitionDraft,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let report = RwSignal::new(None::<ReplayReport>);
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);
    let pending = RwSignal::new(false);

    let compare = move |_| {
        error.set(None);
        let Some(definition) = read_for_preview(draft, errors) else {
            status.set(Some(Status::failure(
                "Correct the approval fields marked in the form first.",
            )));
            return;
        };
        status.set(Some(Status::neutral("Comparing with past orders…")));
        pending.set(true);
        spawn_local(async move {
            let request = ReplayRequest { definition };
            match api.replay_approval(definition_id, &request).await {
                Ok(result) => {
                    status.set(None);
                    report.set(Some(result));
                }
                Err(failure) => {
                    status.set(None);
                    errors.set(form_errors(&failure).with_prefix("approval"));
                    error.set(Some(failure));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <section class="replay-panel" aria-labelledby="replay-heading">
            <h3 id="replay-heading">"Compare with past orders"</h3>
            <p class="hint">
                {format!(
                    "Routes this definition's orders of the last {REPLAY_DAYS} days and its pending orders with the approval settings above, unsaved, and lists the orders whose approvers would change. Nothing is changed."
                )}
            </p>
            <div class="actions">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || pending.get()
                    on:click=compare
                >
                    "Compare with past orders"
                </button>
            </div>
            <StatusMessage status />
            <ErrorBanner error />
            {move || report.get().map(|report| view! { <ReplayReportView report /> })}
        </section>
    }
}

#[component]
fn ReplayReportView(report: ReplayReport) -> impl IntoView {
    let rows = report.rows;
    let empty = rows.is_empty();

    view! {
        <dl class="facts compact replay-summary">
            <dt>"Since"</dt>
            <dd>{local_date_time(report.since)}</dd>
            <dt>"Orders compared"</dt>
            <dd>{report.orders}</dd>
            <dt>"Routed differently"</dt>
            <dd>{report.changed}</dd>
            <dt>"Still pending"</dt>
            <dd>{report.pending}</dd>
        </dl>
        {if empty {
            view! { <p class="muted">"No order would be routed differently."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="table replay-table">
                        <thead>
                            <tr>
                                <th scope="col">"Order"</th>
                                <th scope="col">"Requester"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Approvers then"</th>
                                <th scope="col">"Approvers now"</th>
                                <th scope="col">"Added"</th>
                                <th scope="col">"Removed"</th>
                                <th scope="col">"Groups then"</th>
                                <th scope="col">"Groups now"</th>
                                <th scope="col">"Problem"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! { <ReplayRowView row /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        }}
    }
}
