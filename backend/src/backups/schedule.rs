//! Backups on the backup schedule. The scheduler's leader calls [`tick`] every second; each
//! slot becomes one backup, enqueued with the key `backup.schedule:<slot>`, so a slot never
//! runs twice, even when the leader changes. Slots before the schedule was last saved do not
//! run, and after downtime only the latest missed slot runs.

use super::job::{self, SCHEDULE_ACTOR};
use crate::auth::Actor;
use crate::jobs::schedule::{latest_slot, parse_cron};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use shared::backups::BackupTrigger;

/// Returns the minimum time between two scheduled backups.
pub fn min_gap() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// Enqueues the backup of the schedule's latest slot, unless `enqueued` (this process) or the
/// database (another replica) has it already.
pub async fn tick(state: &AppState, enqueued: &mut Option<DateTime<Utc>>) -> sqlx::Result<()> {
    let (settings, saved_at) = super::settings(&state.db).await?;
    let (Some(expression), Some(saved_at)) = (settings.schedule, saved_at) else {
        return Ok(());
    };
    let Ok(cron) = parse_cron(&expression) else {
        return Ok(());
    };
    let now = state.clock.now();
    let Some(slot) = latest_slot(&cron, now) else {
        return Ok(());
    };
    if slot < saved_at || *enqueued == Some(slot) {
        return Ok(());
    }
    start_slot(state, slot).await?;
    *enqueued = Some(slot);
    Ok(())
}

/// Creates the backup run of one slot unless it exists; returns its file name when it was new.
pub async fn start_slot(state: &AppState, slot: DateTime<Utc>) -> sqlx::Result<Option<String>> {
    let now = state.clock.now();
    let key = format!("{}:{}", SCHEDULE_ACTOR, slot.to_rfc3339());
    let mut tx = state.db.begin().await?;
    let actor = Actor::system(SCHEDULE_ACTOR);
    let created = job::enqueue(&mut tx, BackupTrigger::Schedule, &actor, Some(key), now).await?;
    if let Some((run_id, name)) = &created {
        job::audit_request(&mut tx, &actor, *run_id, name, now).await?;
    }
    tx.commit().await?;
    if let Some((_, name)) = &created {
        tracing::info!(file = %name, %slot, "scheduled backup enqueued");
    }
    Ok(created.map(|(_, name)| name))
}
