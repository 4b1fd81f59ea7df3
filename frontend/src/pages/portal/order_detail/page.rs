use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::orders::{Order, OrderDetail, OrderState};
use uuid::Uuid;

use super::summary::Summary;
use crate::api::{ApiError, PortalApi};
use crate::components::{ApprovalsTable, ErrorBanner, Loading, Status, StatusMessage, Timeline};
use crate::pages::portal::order_action_button::{OrderAction, OrderActionButton};

#[component]
pub fn OrderDetailPage() -> impl IntoView {
    let api = expect_context::<PortalApi>();
    let params = use_params_map();
    let id =
        move || params.with(|params| params.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let detail = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api.my_order(id).await,
                None => Err(ApiError::not_found("This order ID is not valid.")),
            }
        }
    });
    let status = RwSignal::new(None::<Status>);
    // The summary shows the cancelled order at once, and the reload brings the superseded
    // approvals and the new timeline entry.
    let on_cancelled = Callback::new(move |_: Order| {
        status.set(Some(Status::success("Order cancelled.")));
        detail.refetch();
    });

    view! {
        <p class="breadcrumb">
            <A href="/portal/my-it">"← Back to your orders"</A>
        </p>
        // A Transition keeps the old order on screen while a reload after cancelling runs.
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <OrderView detail status on_cancelled /> }.into_any(),
                    Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Renders one order, with the button that cancels it while it waits for approval.
#[component]
fn OrderView(
    detail: OrderDetail,
    #[prop(into)] status: Signal<Option<Status>>,
    on_cancelled: Callback<Order>,
) -> impl IntoView {
    let OrderDetail {
        order,
        approvals,
        events,
        ..
    } = detail;
    let heading = order.definition_name.clone();
    let order = RwSignal::new(order);
    let show_new_state = Callback::new(move |cancelled: Order| {
        order.set(cancelled.clone());
        on_cancelled.run(cancelled);
    });
    let cancel_action = move || {
        let current = order.get();
        (current.state == OrderState::PendingApproval).then(|| {
            view! {
                <div class="actions">
                    <OrderActionButton
                        action=OrderAction::Cancel
                        order_id=current.id
                        asset_name=current.definition_name
                        on_done=show_new_state
                    />
                </div>
            }
        })
    };

    view! {
        <h1>{heading}</h1>
        {move || view! { <Summary order=order.get() /> }}
        {cancel_action}
        <StatusMessage status />
        <section class="card">
            <h2>"Approvals"</h2>
            <ApprovalsTable approvals />
        </section>
        <Timeline events />
    }
}
