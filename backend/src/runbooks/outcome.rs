//! The consequences of a run's end, in the transaction that records it. After a success the
//! order's job carries on. A failed or cancelled run marks its order failed for an admin to
//! retry. A reinstalled instance goes back to the pool, or to Failed.

use crate::jobs::handlers::{DEPROVISION_ORDER, PROVISION_ORDER, RUNBOOK_RUN};
use crate::jobs::{NewJob, Queue, queue};
use crate::lifecycle;
use crate::store::{Tx, runs::RunRow};
use chrono::{DateTime, Utc};
use shared::pool::AssetStatus;
use shared::runbooks::{RunPurpose, RunState};

pub async fn after_run(
    tx: &mut Tx<'_>,
    run: &RunRow,
    outcome: RunState,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    match (run.purpose(), outcome) {
        (RunPurpose::Provision | RunPurpose::Deprovision, RunState::Succeeded) => {
            if let Some(next) = &run.continuation {
                let kind = next.0.get("kind").and_then(|k| k.as_str());
                let payload = next.0.get("payload").cloned().unwrap_or_default();
                let job = match kind {
                    Some(PROVISION_ORDER) => {
                        NewJob::new(Queue::Provision, PROVISION_ORDER, payload)
                    }
                    Some(DEPROVISION_ORDER) => {
                        NewJob::new(Queue::Reclaim, DEPROVISION_ORDER, payload)
                    }
                    _ => return Ok(()),
                };
                queue::enqueue(tx, job, now).await?;
            }
        }
        (RunPurpose::Provision | RunPurpose::Deprovision, _) => {
            if let Some(order_id) = run.order_id {
                // The portal shows the timeline too, so it names only the run and its failed
                // step. The error itself may name internal systems, so it stays in the journal.
                let what = if outcome == RunState::Cancelled {
                    "was cancelled".to_string()
                } else {
                    failed_step(error)
                };
                let note = format!("the runbook {} {what} (run {})", run.runbook_name, run.id);
                lifecycle::mark_failed(tx, order_id, RUNBOOK_RUN, &note, now).await?;
            }
        }
        (RunPurpose::Reinstall, outcome) => {
            if let Some(asset_id) = run.asset_id {
                let to = if outcome == RunState::Succeeded {
                    AssetStatus::Free
                } else {
                    AssetStatus::Failed
                };
                crate::store::assets::set_status(tx, asset_id, AssetStatus::Reinstalling, to, now)
                    .await?;
            }
        }
        (RunPurpose::Manual | RunPurpose::Schedule, _) => {}
    }
    Ok(())
}

/// Names the failed step from the run's error, which starts `step KEY (NAME) failed:`.
fn failed_step(error: Option<&str>) -> String {
    error
        .and_then(|e| e.strip_prefix("step "))
        .and_then(|rest| rest.split_once(" failed:"))
        .map(|(step, _)| format!("failed at step {step}"))
        .unwrap_or_else(|| "failed".to_string())
}
