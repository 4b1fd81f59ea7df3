//! Runbooks on a cron schedule. The scheduler's leader calls [`tick`] every second, and each
//! slot becomes one run. The database keeps (runbook, slot) unique, so a slot never runs twice
//! even when the leader changes. Slots before the schedule was last saved do not run.

use super::engine;
use crate::jobs::schedule::{latest_slot, parse_cron};
use crate::state::AppState;
use crate::store::runs::{self, NewRun};
use chrono::{DateTime, Utc};
use shared::runbooks::RunPurpose;
use std::collections::HashMap;
use uuid::Uuid;

/// Slots this process has enqueued, so each is tried once per process.
#[derive(Default)]
pub struct Enqueued(HashMap<Uuid, DateTime<Utc>>);

pub async fn tick(state: &AppState, enqueued: &mut Enqueued) -> sqlx::Result<()> {
    let now = state.clock.now();
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
        "select id, schedule, updated_at from runbooks where schedule is not null limit 1000",
    )
    .fetch_all(&state.db)
    .await?;
    for (id, expression, saved_at) in rows {
        let Ok(cron) = parse_cron(&expression) else {
            continue;
        };
        let Some(slot) = latest_slot(&cron, now) else {
            continue;
        };
        if slot < saved_at || enqueued.0.get(&id) == Some(&slot) {
            continue;
        }
        start_slot(state, id, slot).await?;
        enqueued.0.insert(id, slot);
    }
    Ok(())
}

/// Creates the run of one slot unless it exists; returns its id when it was new.
pub async fn start_slot(
    state: &AppState,
    runbook_id: Uuid,
    slot: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(runbook) = crate::store::runbooks::find_in(&mut tx, runbook_id).await? else {
        return Ok(None);
    };
    let note = format!("scheduled for {}", slot.format("%Y-%m-%d %H:%M:%S UTC"));
    let new = NewRun {
        runbook_id,
        runbook_name: &runbook.name,
        runbook_version: runbook.version,
        steps: &runbook.steps.0,
        purpose: RunPurpose::Schedule,
        order_id: None,
        asset_id: None,
        started_by: "system:schedule",
        note: &note,
        schedule_slot: Some(slot),
        continuation: None,
    };
    let run_id = runs::insert(&mut tx, &new, now).await?;
    if let Some(run_id) = run_id {
        engine::enqueue(
            &mut tx,
            run_id,
            RunPurpose::Schedule,
            chrono::Duration::zero(),
            now,
        )
        .await?;
        tracing::info!(run_id = %run_id, runbook = %runbook.name, %slot, "scheduled run enqueued");
    }
    tx.commit().await?;
    Ok(run_id)
}
