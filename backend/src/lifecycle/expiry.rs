//! The periodic expiry check: active orders whose time ran out move to deprovisioning.

use crate::auth::Actor;
use crate::jobs::handlers::{EXPIRY_CHECK, JobError};
use crate::notifications::Update;
use crate::state::AppState;
use crate::store;
use shared::orders::OrderState;

/// Orders handled per transaction, so one run never holds many row locks for long.
const BATCH: i64 = 100;

pub async fn run(state: &AppState) -> Result<(), JobError> {
    let actor = Actor::system(EXPIRY_CHECK);
    let mut total = 0usize;
    loop {
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let due = store::orders::lock_expired(&mut tx, now, BATCH).await?;
        for order_id in &due {
            // A change still waiting for approval does not keep access past its end: its
            // approval is withdrawn and the order expires like any other.
            for from in [OrderState::Active, OrderState::ModificationPending] {
                let moved = super::deprovision::start(
                    &mut tx,
                    *order_id,
                    from,
                    &actor,
                    Update::Expired,
                    "access expired",
                    now,
                )
                .await?;
                if moved {
                    if from == OrderState::ModificationPending {
                        store::approvals::supersede_pending(
                            &mut tx,
                            *order_id,
                            actor.as_str(),
                            now,
                        )
                        .await?;
                        store::orders::set_pending_change(&mut tx, *order_id, None).await?;
                    }
                    break;
                }
            }
        }
        tx.commit().await?;
        total += due.len();
        if (due.len() as i64) < BATCH {
            break;
        }
    }
    tracing::info!(expired = total, "expiry check finished");
    Ok(())
}
