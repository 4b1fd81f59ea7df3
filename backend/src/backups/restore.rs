//! Restoring the database from a backup. The steps: check that the archive is readable and no
//! newer than this server's schema; take the maintenance flag, so workers claim nothing, the
//! scheduler enqueues nothing and the API returns 503; wait for running jobs to finish; end
//! every other session to the database; replace the database in one transaction; run the
//! migrations, which bring an older backup up to this version; clear the caches; drop the
//! flag; and write the audit row last, so the restore cannot wipe it.

use super::{blocking, files, pg};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::maintenance;
use crate::state::AppState;
use crate::store::{self, audit::Change};
use serde_json::json;
use shared::backups::BackupRestoreResult;
use std::collections::HashSet;
use std::time::Duration;

/// How long a restore waits for running jobs to finish before it ends their sessions.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The effects of a restore, for the audit row.
struct Outcome {
    jobs_still_running: i64,
    sessions_ended: i64,
    migrations_applied: i64,
}

/// Restores the backup `name` on behalf of `actor`.
pub async fn restore(
    state: &AppState,
    name: &str,
    actor: &Actor,
) -> ApiResult<BackupRestoreResult> {
    let dir = state.config.backup_dir.clone();
    let path = {
        let name = name.to_string();
        blocking(move || Ok(files::resolve(&dir, &name)))
            .await
            .map_err(anyhow::Error::from)?
    }
    .ok_or_else(|| ApiError::NotFound(format!("There is no backup named {name}.")))?;
    let connection = super::connection(state)?;

    let versions = pg::archive_migrations(&state.config, &connection, &path)
        .await
        .map_err(|e| ApiError::conflict(format!("{name} cannot be read as a backup: {e}")))?;
    let migrations_applied = check_versions(name, &versions)?;

    let flag = json!({
        "restore": name,
        "actor": actor.as_str(),
        "replica": state.scheduler.replica,
        "started_at": state.clock.now(),
    });
    let maintenance = match maintenance::begin(state, flag.to_string()).await {
        Ok(Ok(maintenance)) => maintenance,
        Ok(Err(busy)) => {
            return Err(ApiError::conflict(format!(
                "Another restore is in progress ({}); wait for it to finish.",
                busy.0
            )));
        }
        Err(error) => {
            return Err(ApiError::Unavailable(format!(
                "Redis does not answer, so the job queue cannot be paused for the restore: \
                 {error}"
            )));
        }
    };

    tracing::info!(backup = name, actor = %actor, "restore started");
    // Audit forwarding is kept as it is: a restore must not switch the SIEM off or drop the
    // events it has not received yet.
    let siem = store::siem::snapshot(&state.db).await?;
    let result = replace(state, &connection, &path).await;
    let result = match result {
        Ok((jobs_still_running, sessions_ended)) => crate::db::migrate(&state.db)
            .await
            .map(|()| Outcome {
                jobs_still_running,
                sessions_ended,
                migrations_applied,
            })
            .map_err(|e| format!("the restore succeeded, but migrating it failed: {e:#}")),
        Err(error) => Err(error),
    };
    if result.is_ok()
        && let Err(error) = store::siem::write_back(&state.db, siem).await
    {
        tracing::error!(backup = name, %error, "writing the SIEM settings and queue back after the restore failed");
    }
    state.settings.clear();
    state.security.forget().await;
    maintenance.end().await;

    let now = state.clock.now();
    let after = match &result {
        Ok(outcome) => json!({
            "outcome": "restored",
            "migrations_applied": outcome.migrations_applied,
            "jobs_still_running": outcome.jobs_still_running,
            "sessions_ended": outcome.sessions_ended,
        }),
        Err(error) => json!({ "outcome": "failed", "error": error }),
    };
    let change = Change {
        action: "backup.restore",
        entity_type: "backup",
        entity_id: name.to_string(),
        before: None,
        after: Some(after),
    };
    let mut tx = state.db.begin().await?;
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    match result {
        Ok(outcome) => {
            tracing::info!(backup = name, actor = %actor, "restore finished");
            Ok(BackupRestoreResult {
                name: name.to_string(),
                restored_at: now,
                migrations_applied: outcome.migrations_applied,
            })
        }
        Err(error) => {
            tracing::warn!(backup = name, %error, "restore failed and was rolled back");
            Err(ApiError::conflict(format!(
                "The restore of {name} failed: {error}"
            )))
        }
    }
}

/// Checks that this server has every migration the archive has applied; returns how many
/// of its own migrations the archive lacks.
fn check_versions(name: &str, versions: &[i64]) -> ApiResult<i64> {
    if versions.is_empty() {
        return Err(ApiError::conflict(format!(
            "{name} is not a backup of an ip·Solis database: it has no migration history."
        )));
    }
    let known: HashSet<i64> = crate::db::MIGRATOR.iter().map(|m| m.version).collect();
    if let Some(newest) = versions.iter().filter(|v| !known.contains(v)).max() {
        let own = known.iter().max().copied().unwrap_or_default();
        return Err(ApiError::conflict(format!(
            "{name} was made by a newer version of ip·Solis: its schema has the migration \
             {newest}, and this server knows migrations up to {own}. Restore it with that \
             version or a later one."
        )));
    }
    let in_archive: HashSet<i64> = versions.iter().copied().collect();
    let missing = known.difference(&in_archive).count();
    Ok(i64::try_from(missing).unwrap_or(i64::MAX))
}

/// Waits for running jobs, ends the other sessions and replaces the database. Returns the jobs
/// still running after the wait and the sessions ended, or the error with its cause.
async fn replace(
    state: &AppState,
    connection: &pg::Connection,
    path: &std::path::Path,
) -> Result<(i64, i64), String> {
    let database = |e: sqlx::Error| format!("the database failed: {e}");
    // Every process reads the flag within `REFRESH`; then no new job starts anywhere.
    tokio::time::sleep(maintenance::REFRESH * 3).await;
    let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    let jobs_still_running = loop {
        let running: i64 = sqlx::query_scalar(
            "select count(*) from jobs where state = 'running' and lease_until > $1",
        )
        .bind(state.clock.now())
        .fetch_one(&state.db)
        .await
        .map_err(database)?;
        if running == 0 || tokio::time::Instant::now() > deadline {
            break running;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    if jobs_still_running > 0 {
        tracing::warn!(
            jobs = jobs_still_running,
            "jobs still running; their sessions are ended"
        );
    }

    // The restore drops every table, which waits for any transaction that has locked one of them.
    let sessions_ended: i64 = sqlx::query_scalar(
        "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()",
    )
    .fetch_one(&state.db)
    .await
    .map_err(database)?;

    pg::restore(&state.config, connection, path)
        .await
        .map_err(|e| format!("{e}; it was rolled back, so the database is unchanged"))?;
    Ok((jobs_still_running, sessions_ended))
}
