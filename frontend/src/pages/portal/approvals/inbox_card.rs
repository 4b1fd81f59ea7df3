use leptos::prelude::*;
use shared::approvals::InboxItem;
use shared::orders::{ApprovalPurpose, ApprovalState, DecisionOutcome, PendingChange};

use super::decision_form::DecisionForm;
use crate::format::{days, instead_of, monthly_cost, optional_date_time};
use crate::labels;
use crate::pages::portal::attribute_fields::ClassificationBadge;

/// Renders one approval of the inbox with what the approver needs to decide it, and the
/// decision form while it is pending.
#[component]
pub fn InboxCard(
    item: InboxItem,
    on_decided: Callback<(InboxItem, DecisionOutcome)>,
) -> impl IntoView {
    let approval = item.approval.clone();
    let order = item.order.clone();
    let heading_id = format!("approval-{}", approval.id);
    let heading = format!(
        "{} for {}",
        order.definition_name, order.requester.display_name
    );
    let deputy = order.placed_by.as_ref().map(|deputy| {
        view! {
            <dt>"Placed by"</dt>
            <dd>{format!("{} <{}>", deputy.display_name, deputy.email)}</dd>
        }
    });
    let change = (approval.purpose == ApprovalPurpose::Change).then(|| {
        let text = order
            .pending_change
            .as_ref()
            .map(PendingChange::summary)
            .unwrap_or_else(|| "No change waits any more".to_string());
        view! {
            <dt>"Change requested"</dt>
            <dd>{text}</dd>
        }
    });
    let cost = item
        .monthly_cost
        .as_ref()
        .map(monthly_cost)
        .unwrap_or_else(|| "—".to_string());
    let justification = order
        .justification
        .clone()
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let group = item.group.as_ref().map(|group| {
        let progress = format!(
            "{}: {} of {} approved (stage {})",
            group.name, group.approved, group.quorum, group.stage
        );
        view! {
            <dt>"Group"</dt>
            <dd>{progress}</dd>
        }
    });
    let sent_on = instead_of(approval.instead_of.as_ref(), approval.note.as_deref()).map(|text| {
        view! {
            <dt>"Sent to you"</dt>
            <dd>{text}</dd>
        }
    });
    let classification = item.classification;
    let decided = (approval.state != ApprovalState::Pending).then(|| {
        let comment = approval
            .comment
            .clone()
            .filter(|comment| !comment.trim().is_empty())
            .unwrap_or_else(|| "—".to_string());
        view! {
            <dt>"Decision"</dt>
            <dd>
                {format!(
                    "{}, {}",
                    labels::approval_state(approval.state),
                    optional_date_time(approval.decided_at)
                )}
            </dd>
            <dt>"Comment"</dt>
            <dd class="preserve-lines">{comment}</dd>
        }
    });
    let form = (approval.state == ApprovalState::Pending)
        .then(|| view! { <DecisionForm item=item.clone() on_decided /> });

    view! {
        <article class="card inbox-card" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{heading}</h2>
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>{format!("{} <{}>", order.requester.display_name, order.requester.email)}</dd>
                {deputy}
                <dt>"Asset"</dt>
                <dd>{order.definition_name.clone()}</dd>
                {change}
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Monthly cost"</dt>
                <dd>{cost}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Classification"</dt>
                <dd>
                    {labels::classification(classification)}
                    " "
                    <ClassificationBadge classification />
                </dd>
                {group}
                {sent_on}
                <dt>"Asked on"</dt>
                <dd>{optional_date_time(Some(approval.created_at))}</dd>
                {decided}
            </dl>
            {form}
        </article>
    }
}
