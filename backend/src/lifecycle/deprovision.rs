//! Ending access: remove the requester from the order's groups and close the order.

use super::transition;
use crate::auth::Actor;
use crate::jobs::handlers::{DEPROVISION_ORDER, JobError, MAIL_ORDER_UPDATE};
use crate::jobs::{NewJob, Queue, queue};
use crate::notifications::Update;
use crate::runbooks::Progress;
use crate::state::AppState;
use crate::store::orders::Move;
use crate::store::orders::Stamps;
use crate::store::{self, Tx};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::catalog::{DeprovisionPolicy, Strategy};
use shared::orders::OrderState;
use shared::runbooks::RunPurpose;
use uuid::Uuid;

/// Moves an order from `from` (active, or failed for an admin) to deprovisioning and
/// enqueues the job that removes the access. Returns false, changing nothing, when the order
/// is not in `from`.
pub async fn start(
    tx: &mut Tx<'_>,
    order_id: Uuid,
    from: OrderState,
    actor: &Actor,
    reason: Update,
    note: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let moved = transition(
        tx,
        order_id,
        Move {
            from,
            to: OrderState::Deprovisioning,
            actor,
            note: Some(note),
            stamps: Stamps::default(),
        },
        now,
    )
    .await?;
    if moved {
        let payload = json!({ "order_id": order_id, "reason": reason });
        queue::enqueue(
            tx,
            NewJob::new(Queue::Reclaim, DEPROVISION_ORDER, payload),
            now,
        )
        .await?;
    }
    Ok(moved)
}

/// Removes the requester from the order's groups, leaving in place what the person held
/// before the order (unless the definition says to remove it) and what another live order
/// still covers. Returns what was removed and what was kept, with why.
async fn remove_groups(
    state: &AppState,
    order: &store::orders::OrderRow,
    remove_pre_existing: bool,
) -> Result<(Vec<String>, Vec<String>), JobError> {
    let order_id = order.id;
    if order.group_dns.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let directory = super::provision::job_directory(state).await?;
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for group in &order.group_dns {
        if !remove_pre_existing
            && store::orders::grant_was_pre_existing(&state.db, order_id, group).await?
        {
            kept.push(format!("{group} (held before this order)"));
            continue;
        }
        let covering =
            store::orders::other_order_covering(&state.db, order_id, &order.requester_dn, group)
                .await?;
        if let Some(other) = covering {
            kept.push(format!("{group} (still covered by order {other})"));
            continue;
        }
        let change = directory
            .remove_member(group, &order.requester_dn)
            .await
            .map_err(|e| JobError::Retry(e.into()))?;
        tracing::info!(order_id = %order_id, group = %group, ?change, "group membership removed");
        removed.push(group.clone());
    }

    Ok((removed, kept))
}

pub async fn run(state: &AppState, order_id: Uuid, reason: Update) -> Result<(), JobError> {
    let order = store::orders::find(&state.db, order_id)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("order {order_id} does not exist")))?;
    if order.state() != OrderState::Deprovisioning {
        tracing::info!(order_id = %order_id, state = order.state().as_str(), "nothing to remove");
        return Ok(());
    }

    let definition = super::provision::order_definition(state, &order).await?;
    let strategy = definition.strategy();
    let policy = definition.deprovision();
    let (removed, kept) = if strategy == Strategy::Runbook {
        (Vec::new(), Vec::new())
    } else {
        remove_groups(state, &order, definition.remove_pre_existing).await?
    };
    let runs_runbook = strategy != Strategy::GroupAccess || policy.needs_runbook();
    if let Some(runbook_id) = definition.deprovision_runbook_id.filter(|_| runs_runbook) {
        let continuation = json!({
            "kind": DEPROVISION_ORDER,
            "payload": { "order_id": order_id, "reason": reason },
        });
        let progress = crate::runbooks::order_run(
            state,
            order_id,
            RunPurpose::Deprovision,
            runbook_id,
            continuation,
        )
        .await?;
        if progress == Progress::Waiting {
            return Ok(());
        }
    }

    let now = state.clock.now();
    let actor = Actor::system(DEPROVISION_ORDER);
    let stamps = Stamps {
        closed_at: Some(now),
        ..Stamps::default()
    };
    let mut note = String::new();
    if !removed.is_empty() {
        note.push_str(&format!("removed from {}", removed.join("; ")));
    }
    if !kept.is_empty() {
        let separator = if note.is_empty() { "" } else { "; " };
        note.push_str(&format!("{separator}left in place: {}", kept.join("; ")));
    }
    let mut tx = state.db.begin().await?;
    let moved = transition(
        &mut tx,
        order_id,
        Move {
            from: OrderState::Deprovisioning,
            to: OrderState::Completed,
            actor: &actor,
            note: Some(&note),
            stamps,
        },
        now,
    )
    .await?;
    if moved
        && policy == DeprovisionPolicy::ReturnWithReinstall
        && let (Some(asset_id), Some(runbook_id)) =
            (order.asset_id, definition.reinstall_runbook_id)
    {
        // The instance went to Reinstall with the order's close, unless others still hold it.
        crate::runbooks::start_reinstall(&mut tx, asset_id, runbook_id, now).await?;
    }
    if moved {
        let payload = json!({ "order_id": order_id, "update": reason });
        queue::enqueue(
            &mut tx,
            NewJob::new(Queue::Notifications, MAIL_ORDER_UPDATE, payload),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
