use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::{
    ApprovalLinkView, ApprovalPurpose, ApprovalState, Decision, DecisionOutcome, OrderState,
    PendingChange,
};

use crate::api::{ApiError, approval_link};
use crate::components::ErrorBanner;
use crate::format::{days, local_date_time};
use crate::labels;

/// Renders what the approver is about to decide, and the button that confirms it.
#[component]
pub fn DecisionCard(link: ApprovalLinkView, token: String) -> impl IntoView {
    let decision = link.decision;
    let outcome = RwSignal::new(None::<DecisionOutcome>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let token = StoredValue::new(token);

    let confirm = move |_| {
        let token = token.get_value();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match approval_link::confirm(&token).await {
                Ok(result) => outcome.set(Some(result)),
                Err(failure) => error.set(Some(failure)),
            }
            pending.set(false);
        });
    };

    let change = (link.purpose == ApprovalPurpose::Change)
        .then(|| {
            link.order
                .pending_change
                .as_ref()
                .map(PendingChange::summary)
        })
        .map(|summary| {
            let text = summary.unwrap_or_else(|| "No change waits any more".to_string());
            view! {
                <dt>"Change requested"</dt>
                <dd>{text}</dd>
            }
        });
    let (heading, button_text, button_class) = match (decision, change.is_some()) {
        (Decision::Approve, false) => ("Approve request", "Approve", "button"),
        (Decision::Approve, true) => ("Approve change", "Approve", "button"),
        (Decision::Decline, false) => ("Decline request", "Decline", "button danger"),
        (Decision::Decline, true) => ("Decline change", "Decline", "button danger"),
    };
    let decided_text = decided_text(link.order.state, link.approval_state);
    let order = link.order;
    let justification = order
        .justification
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let open = link.open;
    let outcome_text = move || {
        outcome.get().map(|outcome| match outcome.decision {
            Decision::Approve => format!(
                "Approved — the order is now {}",
                outcome.order_state.label()
            ),
            Decision::Decline => "Declined".to_string(),
        })
    };

    view! {
        <div class="card narrow">
            <h1>{heading}</h1>
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>
                    {order.requester.display_name}
                    <br />
                    <span class="muted">{order.requester.email}</span>
                </dd>
                {order.placed_by.map(|deputy| view! {
                    <dt>"Placed by"</dt>
                    <dd>{format!("{} <{}>", deputy.display_name, deputy.email)}</dd>
                })}
                <dt>"Asset"</dt>
                <dd>{order.definition_name}</dd>
                {change}
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Approver"</dt>
                <dd>{link.approver.display_name}</dd>
                <dt>"Link valid until"</dt>
                <dd>{local_date_time(link.link_expires_at)}</dd>
            </dl>
            <ErrorBanner error />
            {move || match outcome_text() {
                Some(text) => view! { <p class="status-message success" role="status">{text}</p> }.into_any(),
                None if !open => view! { <p class="status-message" role="status">{decided_text.clone()}</p> }.into_any(),
                None => view! {
                    <button
                        type="button"
                        class=button_class
                        disabled=move || pending.get() || error.with(Option::is_some)
                        on:click=confirm
                    >
                        {button_text}
                    </button>
                }
                    .into_any(),
            }}
        </div>
    }
}

/// Returns the text for a link whose approval is no longer pending. A cancelled order
/// supersedes its approvals, and "no longer needed" alone would not say why.
fn decided_text(order_state: OrderState, approval_state: ApprovalState) -> String {
    let outcome = if order_state == OrderState::Cancelled {
        "the requester cancelled the order".to_string()
    } else {
        labels::approval_state(approval_state).to_lowercase()
    };
    format!("This request was already decided: {outcome}. Nothing more is needed from you.")
}
