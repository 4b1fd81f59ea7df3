//! Runs of runbooks and their journal: one row per step with its state, timing, output,
//! read-back and log lines.

use super::Tx;
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::runbooks::{
    LogLine, RunPurpose, RunState, RunStep, RunSummary, RunbookRun, Step, StepState,
};
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    pub id: Uuid,
    pub runbook_id: Option<Uuid>,
    pub runbook_name: String,
    pub runbook_version: i32,
    pub purpose: String,
    pub state: String,
    pub order_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub steps: Json<Vec<Step>>,
    pub started_by: String,
    pub note: String,
    pub error: Option<String>,
    pub cancel_requested: bool,
    pub generation: i32,
    pub continuation: Option<Json<Value>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl RunRow {
    pub fn state(&self) -> RunState {
        RunState::parse(&self.state).unwrap_or(RunState::Failed)
    }

    pub fn purpose(&self) -> RunPurpose {
        RunPurpose::parse(&self.purpose).unwrap_or(RunPurpose::Manual)
    }

    pub fn summary(&self) -> RunSummary {
        RunSummary {
            id: self.id,
            runbook_id: self.runbook_id,
            runbook_name: self.runbook_name.clone(),
            purpose: self.purpose(),
            state: self.state(),
            order_id: self.order_id,
            started_by: self.started_by.clone(),
            note: self.note.clone(),
            created_at: self.created_at,
            finished_at: self.finished_at,
        }
    }

    pub fn dto(&self, steps: Vec<RunStep>) -> RunbookRun {
        RunbookRun {
            id: self.id,
            runbook_id: self.runbook_id,
            runbook_name: self.runbook_name.clone(),
            runbook_version: self.runbook_version,
            purpose: self.purpose(),
            state: self.state(),
            order_id: self.order_id,
            asset_id: self.asset_id,
            started_by: self.started_by.clone(),
            note: self.note.clone(),
            error: self.error.clone(),
            cancel_requested: self.cancel_requested,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            steps,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct StepRow {
    pub position: i32,
    pub key: String,
    pub name: String,
    pub module: String,
    pub state: String,
    pub attempts: i32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub output: Json<Value>,
    pub readback: Json<Value>,
    pub log: Json<Vec<LogLine>>,
    pub error: Option<String>,
}

impl StepRow {
    pub fn state(&self) -> StepState {
        StepState::parse(&self.state).unwrap_or(StepState::Failed)
    }

    pub fn dto(&self) -> RunStep {
        RunStep {
            position: self.position,
            key: self.key.clone(),
            name: self.name.clone(),
            module: self.module.clone(),
            state: self.state(),
            attempts: self.attempts,
            started_at: self.started_at,
            finished_at: self.finished_at,
            output: self.output.0.clone(),
            readback: self.readback.0.clone(),
            log: self.log.0.clone(),
            error: self.error.clone(),
        }
    }
}

/// A run to create.
pub struct NewRun<'a> {
    pub runbook_id: Uuid,
    pub runbook_name: &'a str,
    pub runbook_version: i32,
    pub steps: &'a [Step],
    pub purpose: RunPurpose,
    pub order_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub started_by: &'a str,
    pub note: &'a str,
    pub schedule_slot: Option<DateTime<Utc>>,
    /// The job to enqueue once the run succeeds.
    pub continuation: Option<Value>,
}

/// Creates a run with its journal of pending steps. Returns `None` when the run exists
/// already: the order's provisioning run, an unfinished reinstall, or a schedule slot.
pub async fn insert(
    tx: &mut Tx<'_>,
    run: &NewRun<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "insert into runbook_runs (id, runbook_id, runbook_name, runbook_version, purpose,
            order_id, asset_id, steps, started_by, note, schedule_slot, continuation, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict do nothing",
    )
    .bind(id)
    .bind(run.runbook_id)
    .bind(run.runbook_name)
    .bind(run.runbook_version)
    .bind(run.purpose.as_str())
    .bind(run.order_id)
    .bind(run.asset_id)
    .bind(Json(run.steps))
    .bind(run.started_by)
    .bind(run.note)
    .bind(run.schedule_slot)
    .bind(run.continuation.as_ref().map(Json))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(None);
    }
    for (position, step) in run.steps.iter().enumerate() {
        sqlx::query(
            "insert into runbook_run_steps (run_id, position, key, name, module)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .bind(&step.key)
        .bind(&step.name)
        .bind(&step.module)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Some(id))
}

macro_rules! select_runs {
    ($tail:literal) => {
        concat!(
            "select id, runbook_id, runbook_name, runbook_version, purpose, state, order_id,
                asset_id, steps, started_by, note, error, cancel_requested, generation,
                continuation, created_at, started_at, finished_at
             from runbook_runs",
            $tail
        )
    };
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as(select_runs!(" where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn lock(tx: &mut Tx<'_>, id: Uuid) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as(select_runs!(" where id = $1 for update"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Returns the order's run for `purpose`, if there is one.
pub async fn for_order(
    db: &PgPool,
    order_id: Uuid,
    purpose: RunPurpose,
) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as(select_runs!(" where order_id = $1 and purpose = $2"))
        .bind(order_id)
        .bind(purpose.as_str())
        .fetch_optional(db)
        .await
}

/// Returns every run of an order, newest first.
pub async fn all_for_order(db: &PgPool, order_id: Uuid) -> sqlx::Result<Vec<RunRow>> {
    sqlx::query_as(select_runs!(
        " where order_id = $1 order by created_at desc, id desc limit 20"
    ))
    .bind(order_id)
    .fetch_all(db)
    .await
}

/// Runs newest first, of one runbook or all, after the keyset `after`.
pub async fn list(
    db: &PgPool,
    runbook_id: Option<Uuid>,
    state: Option<RunState>,
    without_orders: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<RunRow>> {
    let (after_at, after_id) = after.unzip();
    sqlx::query_as(select_runs!(
        " where ($1::uuid is null or runbook_id = $1)
            and ($2::text is null or state = $2)
            and ($3::timestamptz is null or (created_at, id) < ($3, $4))
            and (not $6 or order_id is null)
          order by created_at desc, id desc limit $5"
    ))
    .bind(runbook_id)
    .bind(state.map(RunState::as_str))
    .bind(after_at)
    .bind(after_id)
    .bind(limit)
    .bind(without_orders)
    .fetch_all(db)
    .await
}

pub async fn steps(db: &PgPool, run_id: Uuid) -> sqlx::Result<Vec<StepRow>> {
    sqlx::query_as(
        "select position, key, name, module, state, attempts, started_at, finished_at,
            output, readback, log, error
         from runbook_run_steps where run_id = $1 order by position",
    )
    .bind(run_id)
    .fetch_all(db)
    .await
}

/// Counts the run's generation up and returns it, for the job about to be enqueued.
pub async fn next_generation(tx: &mut Tx<'_>, run_id: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "update runbook_runs set generation = generation + 1 where id = $1 returning generation",
    )
    .bind(run_id)
    .fetch_one(&mut **tx)
    .await
}

/// Marks the run running; returns false when it finished meanwhile.
pub async fn begin(db: &PgPool, run_id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbook_runs set state = 'running', started_at = coalesce(started_at, $2)
         where id = $1 and state in ('queued', 'running')",
    )
    .bind(run_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Marks a step running and counts the attempt; returns the attempt's number.
pub async fn step_begin(
    db: &PgPool,
    run_id: Uuid,
    position: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "update runbook_run_steps set state = 'running', attempts = attempts + 1,
            started_at = $3, finished_at = null
         where run_id = $1 and position = $2 returning attempts",
    )
    .bind(run_id)
    .bind(position)
    .bind(now)
    .fetch_one(db)
    .await
}

/// The end of one attempt of a step.
pub struct StepEnd<'a> {
    pub state: StepState,
    pub output: &'a Value,
    pub readback: &'a Value,
    pub log: &'a [LogLine],
    pub error: Option<&'a str>,
    /// The generation of the job that ran the step.
    pub generation: i32,
}

/// Records the end of a step's attempt; log lines are appended to the earlier ones.
pub async fn step_end(
    db: &PgPool,
    run_id: Uuid,
    position: i32,
    end: &StepEnd<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // A job of an older generation (the run was cancelled and retried meanwhile) writes nothing.
    let finished = matches!(
        end.state,
        StepState::Succeeded | StepState::Failed | StepState::Skipped
    );
    sqlx::query(
        "update runbook_run_steps set state = $3, output = $4, readback = $5,
            log = case when jsonb_array_length(log) < 2000 then log || $6 else log end,
            error = $7, finished_at = case when $8 then $9 else null end
         where run_id = $1 and position = $2
           and exists (select 1 from runbook_runs r where r.id = $1 and r.generation = $10)",
    )
    .bind(run_id)
    .bind(position)
    .bind(end.state.as_str())
    .bind(Json(end.output))
    .bind(Json(end.readback))
    .bind(Json(end.log))
    .bind(end.error)
    .bind(finished)
    .bind(now)
    .bind(end.generation)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the steps still pending or running as skipped, when a run stops early.
pub async fn skip_rest(db: &PgPool, run_id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update runbook_run_steps set state = 'skipped', finished_at = $2
         where run_id = $1 and state in ('pending', 'running')",
    )
    .bind(run_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Finishes a run for the job of `generation`; returns false when the run had finished
/// already or a newer job carries it.
pub async fn finish(
    tx: &mut Tx<'_>,
    run_id: Uuid,
    generation: i32,
    state: RunState,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbook_runs set state = $2, error = $3, finished_at = $4
         where id = $1 and state in ('queued', 'running') and generation = $5",
    )
    .bind(run_id)
    .bind(state.as_str())
    .bind(error)
    .bind(now)
    .bind(generation)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Asks a run to stop before its next step; returns false when it had finished.
pub async fn request_cancel(tx: &mut Tx<'_>, run_id: Uuid) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbook_runs set cancel_requested = true
         where id = $1 and state in ('queued', 'running')",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub async fn cancel_requested(db: &PgPool, run_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("select cancel_requested from runbook_runs where id = $1")
        .bind(run_id)
        .fetch_one(db)
        .await
}

/// Returns the run's current generation. A job of an older one stops before its next step.
pub async fn generation(db: &PgPool, run_id: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar("select generation from runbook_runs where id = $1")
        .bind(run_id)
        .fetch_one(db)
        .await
}

/// Returns whether a worker is running the run's job now, with its lease still valid.
pub async fn job_running(tx: &mut Tx<'_>, run_id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from jobs
            where kind = 'runbook.run' and state = 'running' and lease_until > $2
              and payload->>'run_id' = $1::text)",
    )
    .bind(run_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Opens a finished run again from its failed or skipped steps: they go back to pending and
/// the run to queued. Returns false when the run has not failed or been cancelled.
pub async fn reopen(tx: &mut Tx<'_>, run_id: Uuid) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbook_runs set state = 'queued', error = null, finished_at = null,
            cancel_requested = false
         where id = $1 and state in ('failed', 'cancelled')",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "update runbook_run_steps set state = 'pending', attempts = 0, error = null,
            finished_at = null
         where run_id = $1 and state in ('failed', 'skipped', 'running')",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Adds to a run's notes.
pub async fn add_note(tx: &mut Tx<'_>, run_id: Uuid, note: &str) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update runbook_runs
         set note = case when note = '' then $2 else note || E'\\n' || $2 end
         where id = $1",
    )
    .bind(run_id)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}
