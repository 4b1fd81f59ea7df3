use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::orders::OrderDetail;
use uuid::Uuid;

use super::summary::Summary;
use crate::api::{ApiError, PortalApi};
use crate::components::{ApprovalsTable, ErrorBanner, Loading, Timeline};

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

    view! {
        <p class="breadcrumb">
            <A href="/portal/my-it">"← Back to your orders"</A>
        </p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => order_view(detail).into_any(),
                    Err(error) => view! { <ErrorBanner error=Some(error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn order_view(detail: OrderDetail) -> impl IntoView {
    view! {
        <h1>{detail.order.definition_name.clone()}</h1>
        <Summary order=detail.order />
        <section class="card">
            <h2>"Approvals"</h2>
            <ApprovalsTable approvals=detail.approvals />
        </section>
        <Timeline events=detail.events />
    }
}
