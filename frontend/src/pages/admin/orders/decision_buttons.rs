use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::orders::{Decision, DecisionOutcome};
use uuid::Uuid;

use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;
use crate::labels;

/// Renders Approve and Decline for an order waiting for approval, each followed by a
/// confirmation step. `on_decided` receives the outcome as the server returns it. A rejected
/// decision, for example under separation of duties, shows the server's detail in a banner.
#[component]
pub fn DecisionButtons(
    order_id: Uuid,
    requester: String,
    asset_name: String,
    on_decided: Callback<DecisionOutcome>,
) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    // The decision whose confirmation step is showing.
    let confirming = RwSignal::new(None::<Decision>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let confirm = move |_| {
        let Some(decision) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api.decide_order(order_id, decision).await;
            confirming.set(None);
            pending.set(false);
            // The callback may remove these buttons, so it runs after the last signal update.
            match result {
                Ok(outcome) => on_decided.run(outcome),
                Err(failure) => error.set(Some(failure)),
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

    view! {
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
