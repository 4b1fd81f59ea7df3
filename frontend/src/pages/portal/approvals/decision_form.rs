use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::{InboxDecision, InboxItem};
use shared::orders::{Decision, DecisionOutcome};

use crate::api::{ApiError, PortalApi};
use crate::components::{ErrorBanner, TextAreaField};
use crate::forms::{FieldErrors, non_blank};
use crate::labels;

/// Renders the optional comment and the Approve and Decline buttons of a pending approval.
/// `on_decided` receives the item and the outcome; a rejected decision shows the server's
/// detail instead.
#[component]
pub fn DecisionForm(
    item: InboxItem,
    on_decided: Callback<(InboxItem, DecisionOutcome)>,
) -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let comment = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let approval_id = item.approval.id;
    let item = StoredValue::new(item);

    let decide = move |decision: Decision| {
        let body = InboxDecision {
            decision,
            comment: non_blank(&comment.get_untracked()),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.decide_approval(approval_id, &body).await;
            pending.set(false);
            // The callback removes this card, so it runs after the last signal update.
            match result {
                Ok(outcome) => on_decided.run((item.get_value(), outcome)),
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
        });
    };
    let button = move |decision: Decision, class: &'static str| {
        let (label, _) = labels::decision_buttons(decision);
        view! {
            <button
                type="button"
                class=class
                disabled=move || pending.get()
                on:click=move |_| decide(decision)
            >
                {label}
            </button>
        }
    };

    view! {
        <TextAreaField
            id=format!("approval-{approval_id}-comment")
            label="Comment (optional)"
            value=comment
            errors
            field="comment"
            rows=2
            disabled=pending
            hint="The requester sees it with your decision."
        />
        <ErrorBanner error />
        <div class="actions">
            {button(Decision::Approve, "button")}
            {button(Decision::Decline, "button danger")}
        </div>
    }
}
