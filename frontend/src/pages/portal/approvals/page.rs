use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::approvals::InboxItem;
use shared::orders::{Decision, DecisionOutcome, OrderState};

use super::inbox_card::InboxCard;
use crate::api::portal::InboxState;
use crate::api::{ApiError, PortalApi};
use crate::components::{ErrorBanner, Loading, Status, StatusMessage};

/// Renders the approvals inbox: the approvals waiting for the signed-in person, each with
/// Approve and Decline, and on a second tab the ones they decided.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let tab = RwSignal::new(InboxState::Pending);
    let items = RwSignal::new(Vec::<InboxItem>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<Status>);

    // A response for a tab that is no longer open is dropped.
    let load = move |state: InboxState| {
        tab.set(state);
        items.set(Vec::new());
        error.set(None);
        loading.set(true);
        spawn_local(async move {
            let result = api.approvals(state).await;
            if tab.get_untracked() != state {
                return;
            }
            match result {
                Ok(list) => items.set(list),
                Err(failure) => error.set(Some(failure)),
            }
            loading.set(false);
        });
    };
    load(InboxState::Pending);

    let on_decided = Callback::new(move |(item, outcome): (InboxItem, DecisionOutcome)| {
        let decided = item.approval.id;
        items.update(|items| items.retain(|each| each.approval.id != decided));
        status.set(Some(Status::success(outcome_text(&item, &outcome))));
    });
    let tab_button = move |state: InboxState, label: &'static str| {
        let selected = move || tab.get() == state;
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                aria-selected=move || if selected() { "true" } else { "false" }
                aria-controls="approvals-panel"
                on:click=move |_| {
                    status.set(None);
                    load(state);
                }
            >
                {label}
            </button>
        }
    };
    let empty_text = move || match tab.get() {
        InboxState::Pending => "Nothing waits for your decision.",
        InboxState::Decided => "You have not decided any approval yet.",
    };

    view! {
        <h1>"Approvals"</h1>
        <StatusMessage status />
        <div class="tabs" role="tablist" aria-label="Approvals">
            {tab_button(InboxState::Pending, "Pending")}
            {tab_button(InboxState::Decided, "Decided")}
        </div>
        <div id="approvals-panel" role="tabpanel">
            <ErrorBanner error />
            <Show when=move || loading.get()>
                <Loading />
            </Show>
            <Show when=move || !loading.get() && items.with(Vec::is_empty)>
                <p class="muted">{empty_text}</p>
            </Show>
            <div class="inbox-list">
                <For
                    each=move || items.get()
                    key=|item| item.approval.id
                    children=move |item| view! { <InboxCard item on_decided /> }
                />
            </div>
        </div>
    }
}

/// Describes a decision and the order's state after it.
fn outcome_text(item: &InboxItem, outcome: &DecisionOutcome) -> String {
    let order = format!(
        "{}'s order for {}",
        item.order.requester.display_name, item.order.definition_name
    );
    match (outcome.decision, outcome.order_state) {
        (Decision::Approve, OrderState::PendingApproval) => {
            format!("Approved {order}. It still waits for other approvals.")
        }
        (Decision::Approve, state) => {
            format!("Approved {order}. The order is now {}.", state.label())
        }
        (Decision::Decline, _) => format!("Declined {order}. The order is closed."),
    }
}
