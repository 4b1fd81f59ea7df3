//! The order lifecycle: place, decide, provision, end. Each step changes the order through a
//! guarded transition, writes the audit row and enqueues its follow-up job in one transaction.

pub mod admin;
pub mod change;
pub mod decide;
pub mod deprovision;
pub mod end;
pub mod expiry;
pub mod place;
pub mod policy_check;
pub mod provision;
pub mod reminders;
pub mod routing;
pub mod stages;
pub mod timers;

use crate::auth::Actor;
use crate::store::orders::{Move, Stamps};
use crate::store::{self, Tx, audit::Change};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::orders::OrderState;
use uuid::Uuid;

/// Moves an order between states, records the timeline event and the audit row.
/// Returns false, changing nothing, when the order is no longer in `from`.
pub async fn transition(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    change: Move<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let moved = store::orders::transition(tx, order_id, &change, now).await?;
    let Move {
        from,
        to,
        actor,
        note,
        ..
    } = change;
    if moved {
        let record = Change {
            action: "order.transition",
            entity_type: "order",
            entity_id: order_id.to_string(),
            before: Some(json!({ "state": from.as_str() })),
            after: Some(json!({ "state": to.as_str(), "note": note })),
        };
        store::audit::record(tx, actor, now, record).await?;
        tracing::info!(order_id = %order_id, from = from.as_str(), to = to.as_str(), actor = %actor, "order moved");
    }
    Ok(moved)
}

/// Marks an order failed after its provisioning or deprovisioning job gave up.
pub async fn mark_failed(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    job_kind: &str,
    error: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let actor = Actor::system(job_kind);
    let note: String = error.chars().take(500).collect();
    for from in [OrderState::Provisioning, OrderState::Deprovisioning] {
        let stamps = Stamps::default();
        if transition(
            tx,
            order_id,
            Move {
                from,
                to: OrderState::Failed,
                actor: &actor,
                note: Some(&note),
                stamps,
            },
            now,
        )
        .await?
        {
            break;
        }
    }
    Ok(())
}

/// Returns the current state of an order, for the `current_state` of a 409 response.
pub async fn current_state(db: &sqlx::PgPool, order_id: Uuid) -> Option<String> {
    store::orders::find(db, order_id)
        .await
        .ok()
        .flatten()
        .map(|order| order.state().as_str().to_string())
}
