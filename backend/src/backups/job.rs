//! The backup job. A run row and its job are inserted in one transaction; the job writes the
//! dump to a temporary name, renames it once complete, and prunes old backups. Running it
//! again after a crash, part-way or after the rename, leaves one complete file.

use super::files::{self, Meta};
use super::{blocking, pg};
use crate::auth::Actor;
use crate::jobs::handlers::{BACKUP_CREATE, JobError};
use crate::jobs::queue::{self, JobRow, NewJob, Queue};
use crate::state::AppState;
use crate::store::backups::{self as runs, NewRun};
use crate::store::{self, Tx, audit::Change};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::backups::{BackupState, BackupTrigger, backup_name};
use uuid::Uuid;

/// The actor of scheduled backups and of retention.
pub const SCHEDULE_ACTOR: &str = "backup.schedule";

#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub run_id: Uuid,
}

/// Inserts a backup run and the job that takes it. Returns the run's id and file name, or
/// `None` when a job with `dedupe_key` exists already.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    trigger: BackupTrigger,
    requested_by: &Actor,
    dedupe_key: Option<String>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let run_id = Uuid::now_v7();
    let file_name = backup_name(now, rand::random());
    let mut job = NewJob::new(
        Queue::Default,
        BACKUP_CREATE,
        serde_json::to_value(Payload { run_id }).expect("the payload serializes"),
    );
    // One more attempt covers a database that was restarting; a missing pg_dump fails at once.
    job.max_attempts = 2;
    job.dedupe_key = dedupe_key;
    let Some(job_id) = queue::enqueue(tx, job, now).await? else {
        return Ok(None);
    };
    let run = NewRun {
        id: run_id,
        file_name: &file_name,
        trigger,
        requested_by: requested_by.as_str(),
        job_id,
    };
    runs::insert(tx, &run, now).await?;
    Ok(Some((run_id, file_name)))
}

/// Audits the request for a backup, in the transaction that enqueued it.
pub async fn audit_request(
    tx: &mut Tx<'_>,
    actor: &Actor,
    run_id: Uuid,
    file_name: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let change = Change {
        action: "backup.create",
        entity_type: "backup",
        entity_id: file_name.to_string(),
        before: None,
        after: Some(json!({ "run_id": run_id, "file_name": file_name })),
    };
    store::audit::record(tx, actor, now, change).await
}

fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retry(anyhow::anyhow!("{error}"))
}

/// Takes the backup of the run in the job's payload.
pub async fn run(state: &AppState, job: &JobRow) -> Result<(), JobError> {
    let payload: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Permanent(anyhow::anyhow!("the job payload is invalid: {e}")))?;
    let Some(run) = runs::find(&state.db, payload.run_id).await? else {
        return Err(JobError::Permanent(anyhow::anyhow!(
            "there is no backup run {}",
            payload.run_id
        )));
    };
    if run.state() == Some(BackupState::Done) {
        return Ok(());
    }

    let result = write(state, &run).await;
    match result {
        Ok(size) => {
            runs::finish(&state.db, run.id, size, state.clock.now()).await?;
            tracing::info!(file = %run.file_name, size, "backup written");
            if let Err(error) = prune(state).await {
                tracing::warn!(%error, "pruning old backups failed");
            }
            Ok(())
        }
        Err(error) => {
            let message = error.to_string();
            // A dead job marks the run failed in `on_dead`; until then it waits for its retry.
            runs::retry_later(&state.db, run.id, &message).await?;
            Err(match error {
                pg::ToolError::Missing { .. } => JobError::Permanent(anyhow::anyhow!(message)),
                _ => retry(message),
            })
        }
    }
}

/// Writes the backup of `run`, or finds it written by an earlier attempt. Returns its size.
async fn write(state: &AppState, run: &runs::RunRow) -> Result<i64, pg::ToolError> {
    let io = |what: &str, e: std::io::Error| pg::ToolError::Io(format!("{what} failed: {e}"));
    let dir = state.config.backup_dir.clone();
    let final_path = dir.join(&run.file_name);
    let partial = files::partial_path(&dir, &run.file_name);

    let creating = format!("creating {}", partial.display());
    let opened = {
        let (dir, final_path, partial) = (dir.clone(), final_path.clone(), partial.clone());
        blocking(move || {
            if let Ok(metadata) = std::fs::symlink_metadata(&final_path)
                && metadata.is_file()
            {
                return Ok(Err(metadata.len()));
            }
            files::ensure_dir(&dir)?;
            files::create_private(&partial).map(Ok)
        })
        .await
        .map_err(|e| io(&creating, e))?
    };
    let out = match opened {
        Ok(out) => out,
        Err(size) => return Ok(i64::try_from(size).unwrap_or(i64::MAX)),
    };
    runs::start(&state.db, run.id, state.clock.now())
        .await
        .map_err(|e| pg::ToolError::Io(format!("recording the start failed: {e}")))?;

    let connection = super::connection(state).map_err(|e| pg::ToolError::Io(e.to_string()))?;
    if let Err(error) = pg::dump(&state.config, &connection, out).await {
        let _ = blocking(move || std::fs::remove_file(partial)).await;
        return Err(error);
    }

    let trigger = BackupTrigger::parse(&run.trigger).unwrap_or(BackupTrigger::Manual);
    let meta = Meta {
        made_by: match trigger {
            BackupTrigger::Schedule => "schedule".into(),
            BackupTrigger::Manual => run.requested_by.clone(),
        },
        trigger,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let name = run.file_name.clone();
    blocking(move || {
        std::fs::File::open(&partial)?.sync_all()?;
        files::write_meta(&dir, &name, &meta)?;
        std::fs::rename(&partial, &final_path)?;
        files::sync_dir(&dir)?;
        let size = std::fs::metadata(&final_path)?.len();
        Ok(i64::try_from(size).unwrap_or(i64::MAX))
    })
    .await
    .map_err(|e| io("completing the backup file", e))
}

/// Deletes the backups that the retention rules let go, and audits what it deleted.
pub async fn prune(state: &AppState) -> anyhow::Result<Vec<String>> {
    let (settings, _) = super::settings(&state.db).await?;
    let now = state.clock.now();
    let dir = state.config.backup_dir.clone();
    let deleted = blocking(move || {
        let listed = files::list(&dir)?;
        let mut deleted = Vec::new();
        for name in files::to_prune(&listed, &settings, now) {
            if files::delete(&dir, &name)? {
                deleted.push(name);
            }
        }
        Ok(deleted)
    })
    .await?;
    if deleted.is_empty() {
        return Ok(deleted);
    }

    let mut tx = state.db.begin().await?;
    let change = Change {
        action: "backup.prune",
        entity_type: "backup",
        entity_id: "*".into(),
        before: Some(json!({ "names": deleted })),
        after: None,
    };
    store::audit::record(&mut tx, &Actor::system(SCHEDULE_ACTOR), now, change).await?;
    tx.commit().await?;
    tracing::info!(deleted = deleted.len(), "old backups pruned");
    Ok(deleted)
}

/// Marks the run of a backup job that is parked as dead as failed, in the same transaction.
pub async fn on_dead(
    tx: &mut Tx<'_>,
    job: &JobRow,
    error: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if let Ok(payload) = serde_json::from_value::<Payload>(job.payload.clone()) {
        runs::fail(tx, payload.run_id, error, now).await?;
    }
    Ok(())
}
