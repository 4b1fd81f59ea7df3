//! Backup runs: one row per "Back up now" or scheduled slot.

use super::{Tx, cursor};
use chrono::{DateTime, Utc};
use shared::backups::{BackupRun, BackupState, BackupTrigger};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    pub id: Uuid,
    pub file_name: String,
    pub trigger: String,
    pub requested_by: String,
    pub state: String,
    pub error: Option<String>,
    pub size_bytes: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunRow {
    pub fn dto(&self) -> BackupRun {
        BackupRun {
            id: self.id,
            file_name: self.file_name.clone(),
            trigger: BackupTrigger::parse(&self.trigger).unwrap_or(BackupTrigger::Manual),
            requested_by: self.requested_by.clone(),
            state: BackupState::parse(&self.state).unwrap_or(BackupState::Failed),
            error: self.error.clone(),
            size_bytes: self.size_bytes,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
        }
    }

    pub fn state(&self) -> Option<BackupState> {
        BackupState::parse(&self.state)
    }
}

const COLUMNS: &str = "id, file_name, trigger, requested_by, state, error, size_bytes, \
    created_at, started_at, finished_at";

/// A run to insert, in the transaction that enqueues its job.
pub struct NewRun<'a> {
    pub id: Uuid,
    pub file_name: &'a str,
    pub trigger: BackupTrigger,
    pub requested_by: &'a str,
    pub job_id: Uuid,
}

pub async fn insert(tx: &mut Tx<'_>, run: &NewRun<'_>, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "insert into backup_runs (id, file_name, trigger, requested_by, state, job_id, created_at)
         values ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(run.id)
    .bind(run.file_name)
    .bind(run.trigger.as_str())
    .bind(run.requested_by)
    .bind(run.job_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from backup_runs where id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Lists runs newest first after the keyset position `after`, one more than `limit`.
pub async fn list(
    db: &PgPool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<RunRow>> {
    let (at, id) = after.unzip();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from backup_runs
         where $1::timestamptz is null or (created_at, id) < ($1, $2)
         order by created_at desc, id desc
         limit $3"
    )))
    .bind(at)
    .bind(id)
    .bind(limit + 1)
    .fetch_all(db)
    .await
}

pub fn cursor_after(row: &RunRow) -> String {
    cursor::encode(row.created_at, row.id)
}

/// Marks a run as started by a worker.
pub async fn start(db: &PgPool, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update backup_runs set state = 'running', started_at = $2, finished_at = null
         where id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks a run as complete with the size of its file.
pub async fn finish(db: &PgPool, id: Uuid, size: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update backup_runs set state = 'done', size_bytes = $2, error = null, finished_at = $3
         where id = $1",
    )
    .bind(id)
    .bind(size)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt; the run waits for the next one.
pub async fn retry_later(db: &PgPool, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query("update backup_runs set state = 'pending', error = $2 where id = $1")
        .bind(id)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a run as failed for good, in the transaction that parks its job as dead.
pub async fn fail(tx: &mut Tx<'_>, id: Uuid, error: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update backup_runs set state = 'failed', error = $2, finished_at = $3
         where id = $1 and state <> 'done'",
    )
    .bind(id)
    .bind(error)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
