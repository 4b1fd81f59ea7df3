use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::orders::{Approval, ApprovalState, DecisionOutcome, Order, OrderDetail, OrderState};
use shared::permissions::Permission;
use uuid::Uuid;

use super::decision_buttons::DecisionButtons;
use super::grants_section::GrantsSection;
use super::order_actions::{OrderAction, OrderActionButtons};
use super::order_summary::OrderSummary;
use crate::api::{AdminApi, ApiError};
use crate::components::{
    ApprovalGroupsTable, ApprovalsTable, ErrorBanner, Loading, OrderRuns, RunsReader, Status,
    StatusMessage, Timeline,
};
use crate::labels;
use crate::pages::admin::require_permission::RequirePermission;
use crate::state::AdminAuth;

/// Renders `/ui/orders/:id`: one order with its groups, grants, runbook runs, approvals and
/// timeline, the decision buttons while it waits for approval, and Retry and End access now
/// for admins who may change orders.
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let detail = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.order(id).await,
                None => Err(ApiError::not_found("This order ID is not valid.")),
            }
        }
    });
    let status = RwSignal::new(None::<Status>);
    // The reload brings the new state, the decided approval and the new timeline entries.
    let on_decided = Callback::new(move |outcome: DecisionOutcome| {
        status.set(Some(Status::success(format!(
            "{}. The order is now {}.",
            labels::decision_taken(outcome.decision),
            outcome.order_state.label()
        ))));
        detail.refetch();
    });
    let on_done = Callback::new(move |(action, order): (OrderAction, Order)| {
        status.set(Some(Status::success(action.done(&order))));
        detail.refetch();
    });

    view! {
        <p class="breadcrumb">
            <A href="/ui/orders">"← Back to the order list"</A>
        </p>
        <RequirePermission permission=Permission::OrdersRead>
            // A Transition keeps the old order on screen while the reload after a decision runs.
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <OrderView detail status on_decided on_done /> }.into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Transition>
        </RequirePermission>
    }
}

#[component]
fn OrderView(
    detail: OrderDetail,
    #[prop(into)] status: Signal<Option<Status>>,
    on_decided: Callback<DecisionOutcome>,
    on_done: Callback<(OrderAction, Order)>,
) -> impl IntoView {
    let auth = expect_context::<AdminAuth>();
    let OrderDetail {
        order,
        approval_groups,
        group_dns,
        approvals,
        events,
        grants,
        runs,
    } = detail;
    let groups = group_dns
        .into_iter()
        .map(|dn| view! { <li><code>{dn}</code></li> })
        .collect_view();
    let waiting = order.state == OrderState::PendingApproval;
    let pending_approvals: Vec<Approval> = approvals
        .iter()
        .filter(|approval| approval.state == ApprovalState::Pending)
        .cloned()
        .collect();
    let decision = {
        let order_id = order.id;
        let requester = order.requester.display_name.clone();
        let asset_name = order.definition_name.clone();
        let groups = approval_groups.clone();
        let decidable = waiting && !pending_approvals.is_empty();
        move || {
            (decidable && auth.allows(Permission::OrdersDecide)).then(|| {
                view! {
                    <DecisionButtons
                        order_id
                        requester=requester.clone()
                        asset_name=asset_name.clone()
                        pending_approvals=pending_approvals.clone()
                        groups=groups.clone()
                        on_decided
                    />
                }
            })
        }
    };
    let actions = {
        let order_id = order.id;
        let allowed = OrderAction::allowed_in(order.state);
        let requester = order.requester.display_name.clone();
        let asset_name = order.definition_name.clone();
        move || {
            (!allowed.is_empty() && auth.allows(Permission::OrdersWrite)).then(|| {
                view! {
                    <OrderActionButtons
                        order_id
                        actions=allowed.clone()
                        requester=requester.clone()
                        asset_name=asset_name.clone()
                        on_done
                    />
                }
            })
        }
    };

    view! {
        <h1>{order.definition_name.clone()}</h1>
        {decision}
        {actions}
        <StatusMessage status />
        <OrderSummary order />
        <section class="card">
            <h2>"Groups"</h2>
            <ul class="plain-list">{groups}</ul>
        </section>
        <GrantsSection grants />
        <OrderRuns
            runs
            heading="Runbook runs"
            reader=RunsReader::Admin {
                linked: untrack(|| auth.allows(Permission::SettingsRead)),
            }
        />
        <section class="card">
            <h2>"Approvals"</h2>
            <ApprovalGroupsTable groups=approval_groups.clone() />
            <ApprovalsTable approvals groups=approval_groups />
        </section>
        <Timeline events />
    }
}
