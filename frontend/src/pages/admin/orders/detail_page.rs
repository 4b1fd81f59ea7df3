use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::orders::OrderDetail;
use shared::permissions::Permission;
use uuid::Uuid;

use super::order_summary::OrderSummary;
use crate::api::{AdminApi, ApiError};
use crate::components::{ApprovalsTable, ErrorBanner, Loading, Timeline};
use crate::pages::admin::require_permission::RequirePermission;

/// Renders `/ui/orders/:id`: one order with its groups, approvals and timeline.
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

    view! {
        <p class="breadcrumb">
            <A href="/ui/orders">"← Back to the order list"</A>
        </p>
        <RequirePermission permission=Permission::OrdersRead>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => order_view(detail).into_any(),
                        Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                    }
                })}
            </Suspense>
        </RequirePermission>
    }
}

fn order_view(detail: OrderDetail) -> impl IntoView {
    let groups = detail
        .group_dns
        .into_iter()
        .map(|dn| view! { <li><code>{dn}</code></li> })
        .collect_view();

    view! {
        <h1>{detail.order.definition_name.clone()}</h1>
        <OrderSummary order=detail.order />
        <section class="card">
            <h2>"Groups"</h2>
            <ul class="plain-list">{groups}</ul>
        </section>
        <section class="card">
            <h2>"Approvals"</h2>
            <ApprovalsTable approvals=detail.approvals />
        </section>
        <Timeline events=detail.events />
    }
}
