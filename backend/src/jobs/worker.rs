//! Job workers: claim, run, renew the lease while running, and record the outcome.
//! `LISTEN ipsolis_jobs` wakes idle workers as soon as a job is inserted; a short poll covers
//! retries that come due and leases that run out.

use super::handlers::{self, JobError};
use super::queue::{self, JobRow};
use crate::observability::{metrics, traces};
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tracing::Instrument;
use uuid::Uuid;

const POLL: Duration = Duration::from_secs(1);

pub struct WorkerPool {
    pub queues: Vec<String>,
    pub concurrency: usize,
    /// Names this process in `jobs.locked_by`.
    pub name: String,
}

impl WorkerPool {
    pub fn new(queues: Vec<String>, concurrency: usize) -> WorkerPool {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        WorkerPool {
            queues,
            concurrency: concurrency.max(1),
            name: format!("{host}:{}", std::process::id()),
        }
    }

    /// Runs the workers until `shutdown` turns true; a running job finishes first.
    pub async fn run(self, state: AppState, shutdown: watch::Receiver<bool>) {
        let wake = Arc::new(Notify::new());
        tokio::spawn(listen(state.clone(), wake.clone(), shutdown.clone()));
        tracing::info!(queues = ?self.queues, concurrency = self.concurrency, worker = %self.name, "workers started");

        let mut tasks = Vec::new();
        for slot in 0..self.concurrency {
            let worker = format!("{}/{slot}", self.name);
            tasks.push(tokio::spawn(work(
                state.clone(),
                self.queues.clone(),
                worker,
                wake.clone(),
                shutdown.clone(),
            )));
        }
        for task in tasks {
            let _ = task.await;
        }
        tracing::info!(worker = %self.name, "workers stopped");
    }
}

async fn listen(state: AppState, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&state.db).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "job listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen("ipsolis_jobs").await {
            tracing::warn!(%error, "LISTEN ipsolis_jobs failed; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                received = listener.recv() => match received {
                    Ok(_) => wake.notify_waiters(),
                    Err(error) => {
                        tracing::warn!(%error, "job listener lost its connection");
                        break;
                    }
                },
            }
        }
    }
}

async fn work(
    state: AppState,
    queues: Vec<String>,
    worker: String,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let queue_names: Vec<&str> = queues.iter().map(String::as_str).collect();
    let lease = chrono::Duration::from_std(state.config.job_lease).unwrap_or_default();
    // A job this slot completed and has not recorded yet. The next claim records it.
    let mut finished: Option<Uuid> = None;
    while !*shutdown.borrow() {
        // A restore replaces the jobs table, so nothing is claimed until it ends. The job this
        // slot finished is recorded first, so the restore does not wait for its row.
        if state.maintenance.is_active() {
            if let Some(id) = finished.take()
                && let Err(error) = queue::succeed(&state.db, id, &worker, state.clock.now()).await
            {
                tracing::error!(job_id = %id, %error, "recording the job's success failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        let now = state.clock.now();
        let claimed = queue::claim(&state.db, &queue_names, &worker, lease, now, finished).await;
        match claimed {
            Ok(Some(job)) => finished = run(&state, &worker, job).await,
            Ok(None) => {
                finished = None;
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(error) => {
                // `finished` stays for the next claim. Should its lease run out first, another
                // worker runs the job again, which every handler allows.
                tracing::warn!(%error, "claiming a job failed");
                tokio::time::sleep(POLL).await;
            }
        }
    }
    if let Some(id) = finished
        && let Err(error) = queue::succeed(&state.db, id, &worker, state.clock.now()).await
    {
        tracing::error!(job_id = %id, %error, "recording the job's success failed");
    }
}

/// Runs a claimed job and records a failure. Returns the job's id when it succeeded, for the
/// worker's next claim to record.
async fn run(state: &AppState, worker: &str, job: JobRow) -> Option<Uuid> {
    let span = job_span(&job);
    async {
        tracing::info!("job started");
        let renewal = tokio::spawn(keep_lease(state.clone(), job.id, worker.to_string()));
        let result = handlers::run(state, &job).await;
        renewal.abort();
        metrics::record_job_attempt(&job.kind, &job.queue, result.is_err());

        match result {
            Ok(()) => {
                tracing::info!("job succeeded");
                Some(job.id)
            }
            Err(error) => {
                tracing::Span::current().record("otel.status_code", "ERROR");
                if let Err(error) = record_failure(state, worker, &job, error).await {
                    // The lease runs out and another worker takes the job again.
                    tracing::error!(%error, "recording the job's failure failed");
                }
                None
            }
        }
    }
    .instrument(span)
    .await
}

/// Builds the span of a job attempt. With trace export on, it continues the trace of the
/// request or job that enqueued the job, so an order's jobs appear in the trace of its API call.
fn job_span(job: &JobRow) -> tracing::Span {
    if !traces::is_enabled() {
        return tracing::info_span!("job", job_id = %job.id, kind = %job.kind, attempt = job.attempts);
    }
    let span = tracing::info_span!(
        "job",
        job_id = %job.id,
        kind = %job.kind,
        attempt = job.attempts,
        otel.name = %format!("job {}", job.kind),
        otel.kind = "consumer",
        otel.status_code = tracing::field::Empty,
        queue = %job.queue,
    );
    if let Some(traceparent) = &job.traceparent {
        traces::continue_trace(&span, traceparent);
    }
    span
}

async fn record_failure(
    state: &AppState,
    worker: &str,
    job: &JobRow,
    error: JobError,
) -> sqlx::Result<()> {
    let (message, permanent, delay) = match &error {
        JobError::Retry(e) => (format!("{e:#}"), false, None),
        JobError::RetryAfter { error, delay } => (format!("{error:#}"), false, Some(*delay)),
        JobError::Permanent(e) => (format!("{e:#}"), true, None),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let outcome = queue::Failure {
        error: &message,
        permanent,
        delay,
    };
    let dead = queue::fail(&mut tx, job, worker, outcome, now).await?;
    if dead {
        handlers::on_dead(&mut tx, job, &message, now).await?;
        tracing::error!(error = %message, "job failed for good and is parked as dead");
    } else {
        tracing::warn!(error = %message, "job failed; it will be retried");
    }
    tx.commit().await
}

async fn keep_lease(state: AppState, id: uuid::Uuid, worker: String) {
    let period = state.config.job_lease / 3;
    let lease = chrono::Duration::from_std(state.config.job_lease).unwrap_or_default();
    loop {
        tokio::time::sleep(period).await;
        match queue::renew(&state.db, id, &worker, state.clock.now() + lease).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job_id = %id, "job lease lost; another worker may run it");
                return;
            }
            Err(error) => tracing::warn!(job_id = %id, %error, "renewing the job lease failed"),
        }
    }
}
