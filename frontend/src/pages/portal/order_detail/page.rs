use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::catalog::CatalogItem;
use shared::orders::{Order, OrderDetail, OrderState};
use uuid::Uuid;

use super::change_forms::{ChangeForm, ExtendForm};
use super::summary::Summary;
use crate::api::{ApiError, PortalApi};
use crate::components::{
    ApprovalGroupsTable, ApprovalsTable, ErrorBanner, Loading, OrderRuns, RunsReader, Status,
    StatusMessage, Timeline,
};
use crate::pages::portal::order_action_button::{OrderAction, OrderActionButton};
use crate::refresh::refetch_while;

/// How often the page reloads an order that is being provisioned or reclaimed.
const REFRESH_INTERVAL: Duration = Duration::from_secs(2);

/// Returns whether the order is moving on without the requester: approved and waiting for its
/// provisioning, provisioning, reclaiming, or with a run still queued or running.
fn in_progress(detail: &OrderDetail) -> bool {
    let working = matches!(
        detail.order.state,
        OrderState::Approved | OrderState::Provisioning | OrderState::Deprovisioning
    );
    working || detail.runs.iter().any(|run| !run.state.is_finished())
}

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
                Some(id) => {
                    let detail = api.my_order(id).await?;
                    // The entry gives the attributes' labels and the extension policy. An entry
                    // withdrawn from the catalog leaves the order without them.
                    let item = api
                        .catalog_item(detail.order.definition_id)
                        .await
                        .ok()
                        .flatten();
                    Ok((detail, item))
                }
                None => Err(ApiError::not_found("This order ID is not valid.")),
            }
        }
    });
    // While the order is being provisioned or reclaimed, the page reloads it every two
    // seconds, so the steps and the state move on by themselves. No form is open then.
    let working = move || {
        detail.with(|loaded| {
            loaded
                .as_ref()
                .and_then(|result| result.as_ref().ok())
                .is_some_and(|(detail, _)| in_progress(detail))
        })
    };
    refetch_while(REFRESH_INTERVAL, working, move || detail.refetch());
    let status = RwSignal::new(None::<Status>);
    // The summary shows the cancelled order at once, and the reload brings the superseded
    // approvals and the new timeline entry.
    let on_cancelled = Callback::new(move |_: Order| {
        status.set(Some(Status::success("Order cancelled.")));
        detail.refetch();
    });
    let on_changed = Callback::new(move |message: String| {
        status.set(Some(Status::success(message)));
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
                    Ok((detail, item)) => {
                        view! { <OrderView detail item status on_cancelled on_changed /> }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Renders one order, with the button that cancels it while it waits for approval and, while it
/// is active, the forms that extend it and change its details.
#[component]
fn OrderView(
    detail: OrderDetail,
    item: Option<CatalogItem>,
    #[prop(into)] status: Signal<Option<Status>>,
    on_cancelled: Callback<Order>,
    on_changed: Callback<String>,
) -> impl IntoView {
    let OrderDetail {
        order,
        approval_groups,
        approvals,
        events,
        runs,
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

    let definitions = item
        .as_ref()
        .map(|item| item.attributes.clone())
        .unwrap_or_default();
    let show_changed = Callback::new(move |(changed, message): (Order, String)| {
        order.set(changed);
        on_changed.run(message);
    });
    let item = StoredValue::new(item);
    let change_forms = move || {
        let current = order.get();
        if current.state != OrderState::Active {
            return None;
        }
        let item = item.get_value()?;
        let extension = item.extension.clone();
        let extendable = extension.allowed && current.extension_count < extension.max_count;
        let extend = extendable.then(|| {
            view! {
                <ExtendForm
                    order_id=current.id
                    policy=extension
                    extension_count=current.extension_count
                    on_done=show_changed
                />
            }
        });
        let change = (!item.attributes.is_empty()).then(|| {
            view! {
                <ChangeForm
                    order_id=current.id
                    definitions=item.attributes.clone()
                    current=current.attributes.clone()
                    on_done=show_changed
                />
            }
        });
        Some(view! { {extend} {change} })
    };

    view! {
        <h1>{heading}</h1>
        <StatusMessage status />
        {move || view! { <Summary order=order.get() definitions=definitions.clone() /> }}
        {cancel_action}
        {change_forms}
        <OrderRuns runs heading="Provisioning steps" reader=RunsReader::Requester />
        <section class="card">
            <h2>"Approvals"</h2>
            <ApprovalGroupsTable groups=approval_groups.clone() />
            <ApprovalsTable approvals groups=approval_groups />
        </section>
        <Timeline events />
    }
}
