use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::ApprovalGroup;
use shared::orders::{AdminDecision, Approval, Decision, DecisionOutcome};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::{ErrorBanner, TextAreaField, TextSelectInput};
use crate::forms::{FieldErrors, non_blank};
use crate::labels;

/// Renders Approve and Decline for a pending approval of an order, each followed by a
/// confirmation step, with a choice of the approval when several are pending and an optional
/// comment. `on_decided` receives the outcome as the server returns it. A rejected decision,
/// for example under separation of duties, shows the server's detail in a banner.
#[component]
pub fn DecisionButtons(
    order_id: Uuid,
    requester: String,
    asset_name: String,
    /// The order's pending approvals; the first is chosen at the start.
    pending_approvals: Vec<Approval>,
    groups: Vec<ApprovalGroup>,
    on_decided: Callback<DecisionOutcome>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    // The decision whose confirmation step is showing.
    let confirming = RwSignal::new(None::<Decision>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let errors = RwSignal::new(FieldErrors::default());
    let comment = RwSignal::new(String::new());
    let chosen = RwSignal::new(
        pending_approvals
            .first()
            .map(|approval| approval.id.to_string())
            .unwrap_or_default(),
    );
    let choices: Vec<(String, String)> = pending_approvals
        .iter()
        .map(|approval| (approval.id.to_string(), approval_choice(approval, &groups)))
        .collect();
    let several = choices.len() > 1;

    let confirm = move |_| {
        let Some(decision) = confirming.get_untracked() else {
            return;
        };
        let body = AdminDecision {
            decision,
            approval_id: Uuid::parse_str(&chosen.get_untracked()).ok(),
            comment: non_blank(&comment.get_untracked()),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.decide_order(order_id, body).await;
            confirming.set(None);
            pending.set(false);
            // The callback may remove these buttons, so it runs after the last signal update.
            match result {
                Ok(outcome) => on_decided.run(outcome),
                Err(failure) => {
                    errors.set(FieldErrors::from_api(&failure));
                    error.set(Some(failure));
                }
            }
        });
    };

    let start_button = move |decision: Decision| {
        let (label, _) = labels::decision_buttons(decision);
        view! {
            <button
                type="button"
                class=button_class(decision)
                on:click=move |_| {
                    error.set(None);
                    confirming.set(Some(decision));
                }
            >
                {label}
            </button>
        }
    };
    let confirm_step = move |decision: Decision| {
        let (_, confirm_label) = labels::decision_buttons(decision);
        view! {
            <p class="confirm-question">{question(decision, &requester, &asset_name)}</p>
            <div class="actions">
                <button
                    type="button"
                    class=button_class(decision)
                    disabled=move || pending.get()
                    on:click=confirm
                >
                    {confirm_label}
                </button>
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| confirming.set(None)
                >
                    "Decide later"
                </button>
            </div>
        }
    };

    let choice = if several {
        view! {
            <div class="field">
                <label for="decision-approval">"Approval to decide"</label>
                <TextSelectInput id="decision-approval" value=chosen options=choices />
            </div>
        }
        .into_any()
    } else {
        choices
            .into_iter()
            .next()
            .map(|(_, text)| view! { <p class="muted">{format!("Deciding for {text}.")}</p> })
            .into_any()
    };

    view! {
        <div class="decision-panel">
            {choice}
            <TextAreaField
                id="decision-comment"
                label="Comment (optional)"
                value=comment
                errors
                field="comment"
                rows=2
                hint="Shown to the requester and kept in the audit log."
            />
        </div>
        {move || match confirming.get() {
            Some(decision) => confirm_step(decision).into_any(),
            None => {
                view! {
                    <div class="actions">
                        {start_button(Decision::Approve)}
                        {start_button(Decision::Decline)}
                    </div>
                }
                    .into_any()
            }
        }}
        <ErrorBanner error />
    }
}

fn button_class(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "button",
        Decision::Decline => "button danger",
    }
}

fn question(decision: Decision, requester: &str, asset_name: &str) -> String {
    match decision {
        Decision::Approve => format!(
            "Approve {requester}'s order for {asset_name}? Access is granted once it is provisioned."
        ),
        Decision::Decline => {
            format!("Decline {requester}'s order for {asset_name}? The order closes.")
        }
    }
}

/// Names a pending approval by its approver and group, such as "Martha Finch (Manager)".
fn approval_choice(approval: &Approval, groups: &[ApprovalGroup]) -> String {
    let group = approval
        .group_id
        .and_then(|id| groups.iter().find(|group| group.id == id));
    match group {
        Some(group) => format!("{} ({})", approval.approver.display_name, group.name),
        None => approval.approver.display_name.clone(),
    }
}
