use leptos::prelude::*;
use shared::orders::{Approval, ApprovalState};

use crate::format::optional_date_time;
use crate::labels;

/// Renders the approvers of an order and the state of each decision.
#[component]
pub fn ApprovalsTable(approvals: Vec<Approval>) -> impl IntoView {
    if approvals.is_empty() {
        return view! { <p class="muted">"No approval is needed for this order."</p> }.into_any();
    }

    let rows = approvals
        .into_iter()
        .map(|approval| {
            let tone = match approval.state {
                ApprovalState::Pending => "badge badge-waiting",
                ApprovalState::Approved => "badge badge-active",
                ApprovalState::Declined => "badge badge-failed",
                ApprovalState::Superseded => "badge badge-closed",
            };
            view! {
                <tr>
                    <td>
                        {approval.approver.display_name}
                        <span class="muted small">" " {approval.approver.email}</span>
                    </td>
                    <td>
                        <span class=tone>{labels::approval_state(approval.state)}</span>
                    </td>
                    <td>{labels::approval_purpose(approval.purpose)}</td>
                    <td>{approval.decided_by.unwrap_or_else(|| "—".to_string())}</td>
                    <td>{optional_date_time(approval.decided_at)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"Approver"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"For"</th>
                    <th scope="col">"Decided by"</th>
                    <th scope="col">"Decided at"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
