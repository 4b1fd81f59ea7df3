use leptos::prelude::*;
use shared::approvals::ApprovalGroup;

use crate::labels;

/// Renders the approval groups of an order, stage by stage: why each was added, how many of
/// its approvers approved out of how many it needs, and its state.
#[component]
pub fn ApprovalGroupsTable(groups: Vec<ApprovalGroup>) -> impl IntoView {
    if groups.is_empty() {
        return ().into_any();
    }
    let mut groups = groups;
    groups.sort_by_key(|group| group.stage);
    let rows = groups
        .into_iter()
        .map(|group| {
            view! {
                <tr data-testid="approval-group">
                    <td>{group.stage}</td>
                    <td>{group.name}</td>
                    <td>{group.reason}</td>
                    <td>{format!("{} of {}", group.approved, group.quorum)}</td>
                    <td>
                        <span class=labels::group_state_badge(group.state)>
                            {labels::group_state(group.state)}
                        </span>
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <table class="table">
            <caption class="visually-hidden">"Approval groups"</caption>
            <thead>
                <tr>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Group"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Approved"</th>
                    <th scope="col">"State"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
