//! Returning access early from the portal.

use crate::auth::portal::PortalUser;
use crate::error::{ApiError, ApiResult};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store;
use shared::orders::{Order, OrderState};
use uuid::Uuid;

pub async fn return_early(state: &AppState, user: &PortalUser, order_id: Uuid) -> ApiResult<Order> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .filter(|o| o.requester_id == user.user.id)
        .ok_or_else(|| ApiError::NotFound(format!("You have no order with the id {order_id}.")))?;

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let moved =
        super::deprovision::start(&mut tx, order_id, &user.actor, Update::Returned, now).await?;
    if !moved {
        tx.rollback().await?;
        let current = super::current_state(&state.db, order_id).await;
        let label = current
            .as_deref()
            .and_then(OrderState::parse)
            .map_or("unknown", OrderState::label);
        return Err(ApiError::Conflict {
            detail: format!(
                "Only active access can be returned; this order is {}.",
                label.to_lowercase()
            ),
            current_state: current,
        });
    }
    tx.commit().await?;

    let order = store::orders::find(&state.db, order.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished after commit"))?;
    Ok(order.dto())
}
