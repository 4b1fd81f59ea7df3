//! The step engine. One job at a time carries a run, and the run's generation names that job.
//! The job walks the steps in order and records each step's state, timing, output, read-back
//! and log lines. It skips the steps already done, so a run resumed after a crash goes on
//! after the last completed step. A failing step is tried again after its backoff by a new job, up to its
//! retry policy; then the run fails. A cancel stops the run before its next step, or the step
//! under way at once.

use super::context;
use super::modules::{self, Journal, StepError, StepInput};
use super::template::{self, Renderer};
use crate::auth::Actor;
use crate::jobs::handlers::{JobError, RUNBOOK_RUN};
use crate::jobs::{NewJob, Queue, queue};
use crate::state::AppState;
use crate::store::runs::{self, RunRow, StepEnd};
use crate::store::{self, Tx, audit::Change};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::runbooks::{LogLevel, LogLine, RunPurpose, RunState, StepState};
use std::time::Duration;
use uuid::Uuid;

/// How often a running step looks for a cancel.
const CANCEL_POLL: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, Deserialize)]
pub struct RunPayload {
    pub run_id: Uuid,
    pub generation: i32,
}

fn queue_for(purpose: RunPurpose) -> Queue {
    match purpose {
        RunPurpose::Provision => Queue::Provision,
        RunPurpose::Deprovision | RunPurpose::Reinstall => Queue::Reclaim,
        RunPurpose::Manual | RunPurpose::Schedule => Queue::Default,
    }
}

/// Enqueues the job that carries the run on, after `delay`, as the run's next generation.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    run_id: Uuid,
    purpose: RunPurpose,
    delay: chrono::Duration,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let generation = runs::next_generation(tx, run_id).await?;
    let mut job = NewJob::new(
        queue_for(purpose),
        RUNBOOK_RUN,
        json!(RunPayload { run_id, generation }),
    );
    job.dedupe_key = Some(format!("{RUNBOOK_RUN}:{run_id}:{generation}"));
    // The steps' own retry policies decide; these attempts only cover a lost database.
    job.max_attempts = 20;
    job.run_at = Some(now + delay);
    queue::enqueue(tx, job, now).await?;
    Ok(())
}

/// Runs (or resumes) a run for its job.
pub async fn run(state: &AppState, payload: RunPayload) -> Result<(), JobError> {
    let run = runs::find(&state.db, payload.run_id)
        .await?
        .ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!("run {} does not exist", payload.run_id))
        })?;
    if run.generation != payload.generation || run.state().is_finished() {
        tracing::info!(run_id = %run.id, "the run has a newer job or has finished; nothing to do");
        return Ok(());
    }
    let span = tracing::info_span!("runbook_run", run_id = %run.id, runbook = %run.runbook_name,
        order_id = ?run.order_id);
    tracing::Instrument::instrument(walk(state, run, payload.generation), span).await
}

async fn walk(state: &AppState, run: RunRow, generation: i32) -> Result<(), JobError> {
    if !runs::begin(&state.db, run.id, state.clock.now()).await? {
        return Ok(());
    }
    let mut ctx = match context::build(state, &run).await {
        Ok(ctx) => ctx,
        Err(context::ContextError::Retry(e)) => return Err(JobError::Retry(e)),
        Err(context::ContextError::Fail(message)) => {
            return finish(state, &run, generation, RunState::Failed, Some(&message)).await;
        }
    };
    let secrets = ctx.secret_values();
    let scope = context::order_scope(state, &run).await?;
    let rows = runs::steps(&state.db, run.id).await?;

    for (step, row) in run.steps.0.iter().zip(rows.iter()) {
        match row.state() {
            StepState::Succeeded => {
                ctx.steps.insert(step.key.clone(), row.output.0.clone());
                continue;
            }
            StepState::Skipped => continue,
            _ => {}
        }
        if runs::generation(&state.db, run.id).await? != generation {
            tracing::info!("a newer job carries the run on");
            return Ok(());
        }
        if runs::cancel_requested(&state.db, run.id).await? {
            return cancelled(state, &run, generation).await;
        }
        let position = row.position;
        if !step.enabled {
            let end = StepEnd {
                state: StepState::Skipped,
                output: &json!({}),
                readback: &json!({}),
                log: &[line(state, LogLevel::Info, "the step is disabled")],
                error: None,
                generation,
            };
            runs::step_end(&state.db, run.id, position, &end, state.clock.now()).await?;
            continue;
        }

        let attempt = runs::step_begin(&state.db, run.id, position, state.clock.now()).await?;
        tracing::info!(step = %step.key, module = %step.module, attempt, "step started");
        let journal = Journal::default();
        let timeout = Duration::from_secs(u64::from(step.timeout_seconds.max(1)));
        let outcome = match Renderer::new(&ctx).params(&step.params) {
            Err(message) => Err(StepError::Fail(message)),
            Ok(params) => {
                let input = StepInput {
                    state,
                    params: &params,
                    timeout,
                    order: scope.as_ref(),
                    journal: &journal,
                    secrets: &secrets,
                };
                tokio::select! {
                    result = tokio::time::timeout(timeout, modules::run(&step.module, &input)) => {
                        result.unwrap_or_else(|_| Err(StepError::Retry(format!(
                            "the step ran longer than its timeout of {} s",
                            timeout.as_secs()
                        ))))
                    }
                    _ = watch_cancel(state, run.id, generation) => {
                        Err(StepError::Fail("cancelled while the step was running".into()))
                    }
                }
            }
        };
        let mut log: Vec<LogLine> = journal
            .take()
            .into_iter()
            .map(|mut l| {
                l.message = template::mask(&l.message, &secrets);
                l
            })
            .collect();
        let now = state.clock.now();
        match outcome {
            Ok(done) => {
                let output = template::mask_value(&object(done.output), &secrets);
                let readback = template::mask_value(&done.readback, &secrets);
                let end = StepEnd {
                    state: StepState::Succeeded,
                    output: &output,
                    readback: &readback,
                    log: &log,
                    error: None,
                    generation,
                };
                runs::step_end(&state.db, run.id, position, &end, now).await?;
                tracing::info!(step = %step.key, "step succeeded");
                ctx.steps.insert(step.key.clone(), output);
            }
            Err(error) => {
                let retryable = matches!(error, StepError::Retry(_));
                let message = template::mask(&error.to_string(), &secrets);
                let tries_left = retryable && (attempt as u32) < step.retry.max_attempts;
                if tries_left {
                    let delay = backoff(step.retry.backoff_seconds, attempt);
                    log.push(line(
                        state,
                        LogLevel::Warn,
                        &format!(
                            "attempt {attempt} failed: {message}; trying again in {} s",
                            delay.num_seconds()
                        ),
                    ));
                    let end = StepEnd {
                        state: StepState::Pending,
                        output: &json!({}),
                        readback: &json!({}),
                        log: &log,
                        error: Some(&message),
                        generation,
                    };
                    runs::step_end(&state.db, run.id, position, &end, now).await?;
                    tracing::warn!(step = %step.key, error = %message, "step failed; it will be tried again");
                    let mut tx = state.db.begin().await?;
                    enqueue(&mut tx, run.id, run.purpose(), delay, now).await?;
                    tx.commit().await?;
                    return Ok(());
                }
                log.push(line(state, LogLevel::Error, &message));
                let end = StepEnd {
                    state: StepState::Failed,
                    output: &json!({}),
                    readback: &json!({}),
                    log: &log,
                    error: Some(&message),
                    generation,
                };
                runs::step_end(&state.db, run.id, position, &end, now).await?;
                tracing::warn!(step = %step.key, error = %message, "step failed");
                if runs::cancel_requested(&state.db, run.id).await? {
                    return cancelled(state, &run, generation).await;
                }
                let summary = format!("step {} ({}) failed: {message}", step.key, step.name);
                runs::skip_rest(&state.db, run.id, now).await?;
                return finish(state, &run, generation, RunState::Failed, Some(&summary)).await;
            }
        }
    }
    finish(state, &run, generation, RunState::Succeeded, None).await
}

/// Returns the wait before attempt `attempt + 1`: the step's backoff doubled per failed
/// attempt, at most a day.
pub fn backoff(backoff_seconds: u32, attempt: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    let seconds = i64::from(backoff_seconds).saturating_mul(1i64 << doublings.min(16));
    chrono::Duration::seconds(seconds.min(86_400))
}

fn object(value: Value) -> Value {
    match value {
        Value::Object(_) => value,
        Value::Null => json!({}),
        other => json!({ "value": other }),
    }
}

fn line(state: &AppState, level: LogLevel, message: &str) -> LogLine {
    LogLine {
        at: state.clock.now(),
        level,
        message: message.to_string(),
    }
}

/// Returns once the run is asked to stop, or a newer job carries it.
async fn watch_cancel(state: &AppState, run_id: Uuid, generation: i32) {
    loop {
        tokio::time::sleep(CANCEL_POLL).await;
        let cancel = runs::cancel_requested(&state.db, run_id).await;
        let newer = runs::generation(&state.db, run_id)
            .await
            .is_ok_and(|current| current != generation);
        if newer || cancel.unwrap_or(false) {
            return;
        }
    }
}

async fn cancelled(state: &AppState, run: &RunRow, generation: i32) -> Result<(), JobError> {
    runs::skip_rest(&state.db, run.id, state.clock.now()).await?;
    let message = "cancelled by an admin";
    finish(state, run, generation, RunState::Cancelled, Some(message)).await
}

/// Ends a run and notifies whatever waits for it: the order's provisioning or deprovisioning,
/// or the instance being reinstalled.
async fn finish(
    state: &AppState,
    run: &RunRow,
    generation: i32,
    outcome: RunState,
    error: Option<&str>,
) -> Result<(), JobError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !runs::finish(&mut tx, run.id, generation, outcome, error, now).await? {
        return Ok(());
    }
    let actor = Actor::system(RUNBOOK_RUN);
    let change = Change {
        action: "runbook_run.finish",
        entity_type: "runbook_run",
        entity_id: run.id.to_string(),
        before: Some(json!({ "state": run.state })),
        after: Some(json!({
            "state": outcome.as_str(),
            "runbook": run.runbook_name,
            "purpose": run.purpose,
            "order_id": run.order_id,
            "asset_id": run.asset_id,
            "error": error,
        })),
    };
    store::audit::record(&mut tx, &actor, now, change).await?;
    super::outcome::after_run(&mut tx, run, outcome, error, now).await?;
    tx.commit().await?;
    tracing::info!(run_id = %run.id, state = outcome.as_str(), "run finished");
    Ok(())
}

/// Fails a run whose job was parked as dead (the database failed on every attempt), so the
/// run and its order do not wait forever. A job of an older generation changes nothing.
pub async fn give_up(
    tx: &mut Tx<'_>,
    payload: RunPayload,
    error: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let Some(run) = runs::lock(tx, payload.run_id).await? else {
        return Ok(());
    };
    if run.generation != payload.generation || run.state().is_finished() {
        return Ok(());
    }
    let message = format!("the run's job failed for good: {error}");
    if runs::finish(
        tx,
        run.id,
        payload.generation,
        RunState::Failed,
        Some(&message),
        now,
    )
    .await?
    {
        super::outcome::after_run(tx, &run, RunState::Failed, Some(&message), now).await?;
        tracing::error!(run_id = %run.id, error = %error, "run failed with its job");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_per_attempt() {
        assert_eq!(backoff(30, 1).num_seconds(), 30);
        assert_eq!(backoff(30, 2).num_seconds(), 60);
        assert_eq!(backoff(30, 3).num_seconds(), 120);
        assert_eq!(backoff(3600, 20).num_seconds(), 86_400);
    }
}
