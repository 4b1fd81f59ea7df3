//! Admin actions on an order that went wrong or must end: retrying the step that failed, or
//! ending the access now.

use super::transition;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::jobs::handlers::{DEPROVISION_ORDER, PROVISION_ORDER};
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store;
use crate::store::orders::{Move, OrderRow, Stamps};
use serde_json::json;
use shared::orders::{Order, OrderState};
use shared::pool::AssetReassignment;
use uuid::Uuid;

async fn refreshed(state: &AppState, order_id: Uuid) -> ApiResult<Order> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished after commit"))?;
    Ok(order.dto())
}

async fn not_possible(state: &AppState, order: &OrderRow, what: &str) -> ApiError {
    let current = super::current_state(&state.db, order.id).await;
    let label = current
        .as_deref()
        .and_then(OrderState::parse)
        .map_or("closed", OrderState::label);
    ApiError::Conflict {
        detail: format!("{what}; this order is {}.", label.to_lowercase()),
        current_state: current,
    }
}

/// Returns the state an order was in when it last failed: provisioning or deprovisioning.
pub async fn failed_during(state: &AppState, order_id: Uuid) -> ApiResult<Option<OrderState>> {
    let events = store::orders::events(&state.db, order_id).await?;
    Ok(events
        .iter()
        .rev()
        .find(|e| e.to_state == OrderState::Failed)
        .and_then(|e| e.from_state))
}

/// Runs again the step after which a failed order failed: provisioning or deprovisioning.
pub async fn retry(state: &AppState, actor: &Actor, order: &OrderRow) -> ApiResult<Order> {
    if order.state() != OrderState::Failed {
        return Err(not_possible(state, order, "Only a failed order can be retried").await);
    }
    let failed_during = failed_during(state, order.id)
        .await?
        .unwrap_or(OrderState::Provisioning);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let change = Move {
        from: OrderState::Failed,
        to: failed_during,
        actor,
        note: Some("retried by an admin"),
        stamps: Stamps::default(),
    };
    if !transition(&mut tx, order.id, change, now).await? {
        tx.rollback().await?;
        return Err(not_possible(state, order, "Only a failed order can be retried").await);
    }
    let job = match failed_during {
        OrderState::Deprovisioning => {
            let reason = if order.expires_at.is_some_and(|at| at <= now) {
                Update::Expired
            } else {
                Update::Returned
            };
            NewJob::new(
                Queue::Reclaim,
                DEPROVISION_ORDER,
                json!({ "order_id": order.id, "reason": reason }),
            )
        }
        _ => NewJob::new(
            Queue::Provision,
            PROVISION_ORDER,
            json!({ "order_id": order.id }),
        ),
    };
    queue::enqueue(&mut tx, job, now).await?;
    tx.commit().await?;
    refreshed(state, order.id).await
}

/// Ends an active or failed order now: the access is removed as at expiry.
pub async fn end_now(state: &AppState, actor: &Actor, order: &OrderRow) -> ApiResult<Order> {
    let from = order.state();
    if !matches!(from, OrderState::Active | OrderState::Failed) {
        return Err(not_possible(state, order, "Only active or failed access can be ended").await);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let moved = super::deprovision::start(
        &mut tx,
        order.id,
        from,
        actor,
        Update::Expired,
        "ended by an admin",
        now,
    )
    .await?;
    if !moved {
        tx.rollback().await?;
        return Err(not_possible(state, order, "Only active or failed access can be ended").await);
    }
    tx.commit().await?;
    refreshed(state, order.id).await
}

/// Moves an open order to another instance of its definition. The new instance must be free,
/// or for shared instances have room; the old one becomes `release_to` unless others hold it.
pub async fn reassign(
    state: &AppState,
    actor: &Actor,
    order: &OrderRow,
    input: &AssetReassignment,
) -> ApiResult<Order> {
    use shared::catalog::AssignmentModel;
    use shared::pool::AssetStatus;
    let Some(old_id) = order.asset_id else {
        return Err(ApiError::conflict(
            "This order has no instance; only orders of definitions with a pool can be moved.",
        ));
    };
    if matches!(
        order.state(),
        OrderState::Completed | OrderState::Rejected | OrderState::Cancelled
    ) {
        return Err(not_possible(state, order, "A closed order cannot be moved").await);
    }
    if !matches!(
        input.release_to,
        AssetStatus::Free | AssetStatus::Reinstall | AssetStatus::Maintenance
    ) {
        return Err(ApiError::field(
            "release_to",
            "must be free, reinstall or maintenance",
        ));
    }
    let definition = store::definitions::find(&state.db, order.definition_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} has no definition", order.id))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::assets::lock_definition(&mut tx, definition.id).await?;
    let target = store::assets::find_for_update(&mut tx, input.asset_id)
        .await?
        .filter(|a| a.definition_id == definition.id && a.id != old_id)
        .ok_or_else(|| {
            ApiError::field(
                "asset_id",
                "must name another instance of this order's definition",
            )
        })?;
    let room = match definition.assignment() {
        AssignmentModel::DedicatedShared => {
            matches!(target.status(), AssetStatus::Free | AssetStatus::InUse)
                && target.holders < i64::from(definition.shared_max_users.unwrap_or(1))
        }
        _ => target.status() == AssetStatus::Free,
    };
    if !room {
        return Err(ApiError::conflict(format!(
            "{} is {} with {} holders, so it cannot take this order.",
            target.name,
            target.status().label().to_lowercase(),
            target.holders
        )));
    }
    if target.status() == AssetStatus::Free {
        store::assets::set_status(
            &mut tx,
            target.id,
            AssetStatus::Free,
            AssetStatus::InUse,
            now,
        )
        .await?;
    }
    store::assets::assign_order(&mut tx, order.id, target.id).await?;
    let old = store::assets::find_for_update(&mut tx, old_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("asset {old_id} vanished"))?;
    if old.status() == AssetStatus::InUse
        && store::assets::other_holders(&mut tx, old_id, order.id).await? == 0
    {
        store::assets::set_status(&mut tx, old_id, AssetStatus::InUse, input.release_to, now)
            .await?;
    }
    let note = format!("instance changed from {} to {}", old.name, target.name);
    store::orders::note_event(&mut tx, order.id, order.state(), actor, &note, now).await?;
    let change = crate::store::audit::Change {
        action: "order.reassign",
        entity_type: "order",
        entity_id: order.id.to_string(),
        before: Some(json!({ "asset_id": old_id, "asset": old.name })),
        after: Some(json!({
            "asset_id": target.id,
            "asset": target.name,
            "released_to": input.release_to,
        })),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    refreshed(state, order.id).await
}
