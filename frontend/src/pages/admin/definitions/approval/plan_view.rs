use leptos::prelude::*;
use shared::approvals::{ApprovalPlan, PlannedApprover, PlannedGroup};

use crate::format::instead_of;
use crate::labels;
use crate::pages::portal::attribute_fields::ClassificationBadge;

/// Renders the approval groups of a simulated order, stage by stage, or that it would be
/// approved at once.
#[component]
pub fn PlanView(plan: ApprovalPlan) -> impl IntoView {
    let requester = format!("{} <{}>", plan.requester.display_name, plan.requester.email);
    let mut groups = plan.groups;
    groups.sort_by_key(|group| group.stage);
    let outcome = if plan.auto_approved {
        view! {
            <p class="status-message success" data-testid="plan-auto-approved">
                "Approved at once: no approval group applies to this order."
            </p>
        }
        .into_any()
    } else {
        view! {
            <ol class="plan-groups">
                {groups.into_iter().map(|group| view! { <PlannedGroupItem group /> }).collect_view()}
            </ol>
        }
        .into_any()
    };

    view! {
        <div class="approval-plan" role="region" aria-label="Approval plan">
            <dl class="facts compact">
                <dt>"Requester"</dt>
                <dd>{requester}</dd>
                <dt>"Classification"</dt>
                <dd>
                    {labels::classification(plan.classification)}
                    " "
                    <ClassificationBadge classification=plan.classification />
                </dd>
            </dl>
            {outcome}
        </div>
    }
}

#[component]
fn PlannedGroupItem(group: PlannedGroup) -> impl IntoView {
    let quorum = format!("{} of {} must approve", group.quorum, group.approvers.len());
    let approvers = group
        .approvers
        .into_iter()
        .map(|approver| view! { <li>{approver_text(&approver)}</li> })
        .collect_view();
    let problem = group
        .problem
        .map(|problem| view! { <div class="error-banner" role="alert">{problem}</div> });

    view! {
        <li class="plan-group" data-testid="plan-group">
            <p class="plan-group-heading">
                <span class="badge badge-waiting">{format!("Stage {}", group.stage)}</span>
                " "
                <strong>{group.name}</strong>
            </p>
            <p class="muted small">{group.reason}</p>
            <p class="small">{quorum}</p>
            <ul class="plain-list plan-approvers">{approvers}</ul>
            {problem}
        </li>
    }
}

/// Describes an approver, with whom the approval was meant for when it was sent on.
fn approver_text(approver: &PlannedApprover) -> String {
    let person = format!(
        "{} <{}>",
        approver.approver.display_name, approver.approver.email
    );
    match instead_of(approver.instead_of.as_ref(), approver.note.as_deref()) {
        Some(sent_on) => format!("{person}, {sent_on}"),
        None => person,
    }
}
