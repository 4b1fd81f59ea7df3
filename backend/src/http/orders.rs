//! Orders as admins see them.

use super::PageParams;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, orders::OrderFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use shared::Page;
use shared::orders::{Order, OrderDetail, OrderState};
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// Only orders in this state, such as `pending_approval` or `active`.
    pub state: Option<String>,
}

/// Loads an order with its approvals and timeline.
pub async fn detail(state: &AppState, id: Uuid) -> ApiResult<Option<(Uuid, OrderDetail)>> {
    let Some(order) = store::orders::find(&state.db, id).await? else {
        return Ok(None);
    };
    let approvals = store::approvals::for_order(&state.db, id).await?;
    let events = store::orders::events(&state.db, id).await?;
    Ok(Some((
        order.requester_id,
        OrderDetail {
            group_dns: order.group_dns.clone(),
            order: order.dto(),
            approvals: approvals.iter().map(|a| a.dto()).collect(),
            events,
        },
    )))
}

/// Lists orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(PageParams, OrderQuery),
    responses((status = 200, body = Page<Order>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::OrdersRead>,
    Query(page): Query<PageParams>,
    Query(query): Query<OrderQuery>,
) -> ApiResult<Json<Page<Order>>> {
    let order_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(OrderState::parse(name).ok_or_else(|| {
            ApiError::field(
                "state",
                "is not an order state such as pending_approval or active",
            )
        })?),
    };
    let filter = OrderFilter {
        state: order_state,
        requester_id: None,
        after: page.after()?,
        limit: page.limit()?,
    };
    let (items, next_cursor) = store::orders::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// Returns an order with its approvals and timeline.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, body = OrderDetail), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("orders_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::OrdersRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let (_, detail) = detail(&state, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No order has the id {id}.")))?;
    Ok(Json(detail))
}
