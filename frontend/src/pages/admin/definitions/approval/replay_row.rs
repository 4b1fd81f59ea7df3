use leptos::prelude::*;
use leptos_router::components::A;
use shared::approvals::ReplayRow;

use crate::components::StateBadge;
use crate::format::local_date_time;

/// Renders one replayed order: its approvers and groups as routed and as the changed policy
/// would route them.
#[component]
pub fn ReplayRowView(row: ReplayRow) -> impl IntoView {
    let href = format!("/ui/orders/{}", row.order_id);
    let placed = local_date_time(row.created_at);
    let problem = row.problem.unwrap_or_else(|| "—".to_string());

    view! {
        <tr data-testid="replay-row">
            <td>
                <A href=href>{placed}</A>
            </td>
            <td>
                {row.requester.display_name}
                <span class="muted small">" " {row.requester.email}</span>
            </td>
            <td>
                <StateBadge state=row.state />
            </td>
            <td>{lines(row.actual)}</td>
            <td>{lines(row.proposed)}</td>
            <td class="diff-added">{lines(row.added)}</td>
            <td class="diff-removed">{lines(row.removed)}</td>
            <td>{lines(row.actual_groups)}</td>
            <td>{lines(row.proposed_groups)}</td>
            <td>{problem}</td>
        </tr>
    }
}

/// Renders entries one per line, or a dash for none.
fn lines(entries: Vec<String>) -> AnyView {
    if entries.is_empty() {
        return "—".into_any();
    }
    view! {
        <ul class="plain-list">
            {entries.into_iter().map(|entry| view! { <li>{entry}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}
