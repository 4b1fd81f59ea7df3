use leptos::prelude::*;
use shared::approvals::ApprovalGroup;
use shared::orders::{Approval, ApprovalState};

use crate::format::{instead_of, optional_date_time};
use crate::labels;

/// Renders the approvers of an order and the state of each decision, with the group each
/// counts towards and why it went to this approver.
#[component]
pub fn ApprovalsTable(
    approvals: Vec<Approval>,
    #[prop(optional)] groups: Vec<ApprovalGroup>,
) -> impl IntoView {
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
            let group = approval
                .group_id
                .and_then(|id| groups.iter().find(|group| group.id == id))
                .map(|group| group.name.clone())
                .unwrap_or_else(|| "—".to_string());
            let notes = approval_notes(&approval)
                .into_iter()
                .map(|note| view! { <li>{note}</li> })
                .collect_view();
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
                    <td>{group}</td>
                    <td>{approval.decided_by.unwrap_or_else(|| "—".to_string())}</td>
                    <td>{optional_date_time(approval.decided_at)}</td>
                    <td>
                        <ul class="plain-list small">{notes}</ul>
                    </td>
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
                    <th scope="col">"Group"</th>
                    <th scope="col">"Decided by"</th>
                    <th scope="col">"Decided at"</th>
                    <th scope="col">"Notes"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Lists what else there is to know about an approval: whom it was meant for, the approver's
/// comment and the reminders sent.
fn approval_notes(approval: &Approval) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(sent_on) = instead_of(approval.instead_of.as_ref(), approval.note.as_deref()) {
        notes.push(format!("Sent on {sent_on}"));
    } else if let Some(note) = approval
        .note
        .as_deref()
        .filter(|note| !note.trim().is_empty())
    {
        notes.push(note.to_string());
    }
    if let Some(comment) = approval
        .comment
        .as_deref()
        .filter(|comment| !comment.trim().is_empty())
    {
        notes.push(format!("Comment: {comment}"));
    }
    match approval.reminders_sent {
        0 => {}
        1 => notes.push("1 reminder sent".to_string()),
        count => notes.push(format!("{count} reminders sent")),
    }
    notes
}
