//! The provisioning engine: runbooks of steps run for orders (provisioning and reclaiming),
//! for pool instances (reinstalling), by hand or on a schedule.

pub mod context;
pub mod dry_run;
pub mod engine;
pub mod modules;
pub mod outcome;
pub mod schedule;
pub mod template;

use crate::jobs::handlers::JobError;
use crate::state::AppState;
use crate::store::runs::{self, NewRun};
use crate::store::{self, Tx};
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::runbooks::{RunPurpose, RunState};
use uuid::Uuid;

/// The progress of an order's run, as the order's job sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// The run succeeded; the order's job goes on.
    Done,
    /// The run is under way; it enqueues the order's job again when it succeeds.
    Waiting,
}

/// Drives the order's run for `purpose`: creates it on the first call, opens it again after a
/// failure (an admin retried the order), and reports when it is done. `continuation` is the
/// order's job, enqueued again once the run succeeds.
pub async fn order_run(
    state: &AppState,
    order_id: Uuid,
    purpose: RunPurpose,
    runbook_id: Uuid,
    continuation: Value,
) -> Result<Progress, JobError> {
    let now = state.clock.now();
    if let Some(run) = runs::for_order(&state.db, order_id, purpose).await? {
        return match run.state() {
            RunState::Succeeded => Ok(Progress::Done),
            RunState::Failed | RunState::Cancelled => {
                let mut tx = state.db.begin().await?;
                if runs::reopen(&mut tx, run.id).await? {
                    engine::enqueue(&mut tx, run.id, purpose, chrono::Duration::zero(), now)
                        .await?;
                }
                tx.commit().await?;
                tracing::info!(run_id = %run.id, "the order's failed run resumes from its failed step");
                Ok(Progress::Waiting)
            }
            RunState::Queued | RunState::Running => Ok(Progress::Waiting),
        };
    }
    let runbook = store::runbooks::find(&state.db, runbook_id)
        .await?
        .ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!("the runbook {runbook_id} does not exist"))
        })?;
    let mut tx = state.db.begin().await?;
    let new = NewRun {
        runbook_id: runbook.id,
        runbook_name: &runbook.name,
        runbook_version: runbook.version,
        steps: &runbook.steps.0,
        purpose,
        order_id: Some(order_id),
        asset_id: None,
        started_by: &format!("system:{}", purpose.as_str()),
        note: "",
        schedule_slot: None,
        continuation: Some(continuation),
    };
    if let Some(run_id) = runs::insert(&mut tx, &new, now).await? {
        engine::enqueue(&mut tx, run_id, purpose, chrono::Duration::zero(), now).await?;
        tracing::info!(run_id = %run_id, order_id = %order_id, runbook = %runbook.name, "run created");
    }
    tx.commit().await?;
    Ok(Progress::Waiting)
}

/// Starts the reinstall of an instance that just went to Reinstall. The instance moves to
/// Reinstalling while the runbook runs, and the end of the run moves it to Free or Failed.
pub async fn start_reinstall(
    tx: &mut Tx<'_>,
    asset_id: Uuid,
    runbook_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    use shared::pool::AssetStatus;
    let Some(runbook) = store::runbooks::find_in(tx, runbook_id).await? else {
        return Ok(None);
    };
    let moved = store::assets::set_status(
        tx,
        asset_id,
        AssetStatus::Reinstall,
        AssetStatus::Reinstalling,
        now,
    )
    .await?;
    if !moved {
        return Ok(None);
    }
    let new = NewRun {
        runbook_id: runbook.id,
        runbook_name: &runbook.name,
        runbook_version: runbook.version,
        steps: &runbook.steps.0,
        purpose: RunPurpose::Reinstall,
        order_id: None,
        asset_id: Some(asset_id),
        started_by: "system:reinstall",
        note: "",
        schedule_slot: None,
        continuation: None,
    };
    let run_id = runs::insert(tx, &new, now).await?;
    if let Some(run_id) = run_id {
        engine::enqueue(
            tx,
            run_id,
            RunPurpose::Reinstall,
            chrono::Duration::zero(),
            now,
        )
        .await?;
    }
    Ok(run_id)
}
