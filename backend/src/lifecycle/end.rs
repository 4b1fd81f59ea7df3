//! Returning access early, and cancelling an order still waiting for approval, from the portal.

use crate::auth::portal::PortalUser;
use crate::error::{ApiError, ApiResult};
use crate::jobs::handlers::MAIL_ORDER_UPDATE;
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store;
use crate::store::orders::{Move, Stamps};
use serde_json::json;
use shared::orders::{Order, OrderState};
use uuid::Uuid;

fn not_yours(order_id: Uuid) -> ApiError {
    ApiError::NotFound(format!("You have no order with the id {order_id}."))
}

async fn conflict(state: &AppState, order_id: Uuid, what: &str) -> ApiError {
    let current = super::current_state(&state.db, order_id).await;
    let label = current
        .as_deref()
        .and_then(OrderState::parse)
        .map_or("unknown", OrderState::label);
    ApiError::Conflict {
        detail: format!("{what}; this order is {}.", label.to_lowercase()),
        current_state: current,
    }
}

/// Cancels an order that is still waiting for approval or for its start day; its pending
/// approvals are superseded, so their links stop working.
pub async fn cancel(state: &AppState, user: &PortalUser, order_id: Uuid) -> ApiResult<Order> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .filter(|o| o.concerns(user.user.id))
        .ok_or_else(|| not_yours(order_id))?;
    let note = format!("cancelled by {}", user.user.display_name);

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let mut cancelled = false;
    for from in [OrderState::PendingApproval, OrderState::Scheduled] {
        let change = Move {
            from,
            to: OrderState::Cancelled,
            actor: &user.actor,
            note: Some(&note),
            stamps: Stamps {
                closed_at: Some(now),
                ..Stamps::default()
            },
        };
        if super::transition(&mut tx, order_id, change, now).await? {
            cancelled = true;
            break;
        }
    }
    if !cancelled {
        tx.rollback().await?;
        return Err(conflict(
            state,
            order_id,
            "Only an order waiting for approval or for its start day can be cancelled",
        )
        .await);
    }
    store::approvals::supersede_pending(&mut tx, order_id, user.actor.as_str(), now).await?;
    // On an order placed for someone else, the other of the two learns of the cancel.
    if order.deputy().is_some() {
        let job = NewJob::new(
            Queue::Notifications,
            MAIL_ORDER_UPDATE,
            json!({
                "order_id": order_id,
                "update": Update::Cancelled,
                "by": user.user.display_name,
            }),
        );
        queue::enqueue(&mut tx, job, now).await?;
    }
    tx.commit().await?;

    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished after commit"))?;
    Ok(order.dto())
}

pub async fn return_early(state: &AppState, user: &PortalUser, order_id: Uuid) -> ApiResult<Order> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .filter(|o| o.concerns(user.user.id))
        .ok_or_else(|| not_yours(order_id))?;

    let now = state.clock.now();
    let note = format!("returned by {}", user.user.display_name);
    let mut tx = state.db.begin().await?;
    let moved = super::deprovision::start(
        &mut tx,
        order_id,
        OrderState::Active,
        &user.actor,
        Update::Returned,
        &note,
        now,
    )
    .await?;
    if !moved {
        tx.rollback().await?;
        return Err(conflict(state, order_id, "Only active access can be returned").await);
    }
    tx.commit().await?;

    let order = store::orders::find(&state.db, order.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished after commit"))?;
    Ok(order.dto())
}
