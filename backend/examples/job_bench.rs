//! Load driver of the job queue benchmark. It enqueues `bench.noop` jobs into a database that
//! real `ipsolis worker` processes serve, and prints markdown tables:
//!
//! - latency: the time from the enqueuing transaction's COMMIT to the job's `started_at`. Jobs
//!   are enqueued one at a time with a gap, so the workers are idle and LISTEN/NOTIFY wakes them.
//! - throughput: jobs per second from the COMMIT of a batch of jobs until the last of them
//!   finished.
//!
//! `e2e/bench/jobs.sh` builds it, starts the workers and runs it. Settings come from the
//! environment (defaults in brackets): DATABASE_URL (required), BENCH_LATENCY_JOBS [500],
//! BENCH_GAP_MS [50], BENCH_THROUGHPUT_JOBS [10000], BENCH_WAIT_SECONDS [300].

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use ipsolis::jobs::Queue;
use ipsolis::jobs::handlers::BENCH_NOOP;
use ipsolis::jobs::queue::{self, NewJob};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// The queue the workers under test serve.
const QUEUE: Queue = Queue::Default;

fn setting(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{name} must be a whole number, not {text:?}")),
        Err(_) => Ok(default),
    }
}

/// Returns the `p`th percentile (0 to 100) of `sorted` by the nearest-rank method.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn milliseconds(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0
}

/// Inserts one job and returns the time just before its COMMIT was sent.
async fn enqueue_one(db: &PgPool) -> anyhow::Result<(Uuid, DateTime<Utc>)> {
    let mut tx = db.begin().await?;
    let job = NewJob::new(QUEUE, BENCH_NOOP, json!({}));
    let id = queue::enqueue(&mut tx, job, Utc::now())
        .await?
        .context("a job without a dedupe key is always inserted")?;
    let committing = Utc::now();
    tx.commit().await?;
    Ok((id, committing))
}

/// Waits until the job with `id` has started and returns its `started_at`.
async fn started_at(db: &PgPool, id: Uuid, wait: Duration) -> anyhow::Result<DateTime<Utc>> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let started: Option<DateTime<Utc>> =
            sqlx::query_scalar("select started_at from jobs where id = $1")
                .bind(id)
                .fetch_one(db)
                .await?;
        if let Some(started) = started {
            return Ok(started);
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "job {id} did not start within {wait:?}; check that a worker serves the default queue"
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

async fn latency(db: &PgPool, count: u64, gap: Duration, wait: Duration) -> anyhow::Result<()> {
    let mut samples = Vec::new();
    for _ in 0..count {
        let (id, committing) = enqueue_one(db).await?;
        // The start time is read after the gap, so the driver's queries do not compete with
        // the workers while they claim the job.
        tokio::time::sleep(gap).await;
        let started = started_at(db, id, wait).await?;
        samples.push(milliseconds(committing, started));
    }
    samples.sort_by(f64::total_cmp);

    println!("| jobs | gap ms | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {count} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
        gap.as_millis(),
        percentile(&samples, 50.0),
        percentile(&samples, 90.0),
        percentile(&samples, 99.0),
        samples.last().copied().unwrap_or(f64::NAN),
    );
    Ok(())
}

async fn throughput(db: &PgPool, count: u64, wait: Duration) -> anyhow::Result<()> {
    let batch = Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    // One statement, so the batch costs the driver little time. The insert trigger sends one
    // NOTIFY, for the first row, because the other rows find a queued job before them. Each job
    // is due a microsecond after the previous one, as jobs enqueued one by one would be.
    sqlx::query(
        "insert into jobs (id, queue, kind, payload, state, max_attempts, run_at, created_at)
         select gen_random_uuid(), $1, $2, jsonb_build_object('batch', $3::text), 'queued', 8,
                $4 + n * interval '1 microsecond', $4
         from generate_series(1, $5) as n",
    )
    .bind(QUEUE.as_str())
    .bind(BENCH_NOOP)
    .bind(&batch)
    .bind(Utc::now())
    .bind(i64::try_from(count)?)
    .execute(&mut *tx)
    .await?;
    let committing = Utc::now();
    tx.commit().await?;

    // The wait reads the small `jobs_by_state` ranges of unfinished jobs, so it takes little
    // time from the workers. The start and finish times are read once, at the end.
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let open: i64 = sqlx::query_scalar(
            "select count(*) from jobs where state in ('queued', 'running') and kind = $1",
        )
        .bind(BENCH_NOOP)
        .fetch_one(db)
        .await?;
        if open == 0 {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{open} of {count} jobs were still open after {wait:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (succeeded, first_start, last_finish): (i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        sqlx::query_as(
            "select count(*) filter (where state = 'succeeded'), min(started_at), max(finished_at)
             from jobs where kind = $1 and payload->>'batch' = $2",
        )
        .bind(BENCH_NOOP)
        .bind(&batch)
        .fetch_one(db)
        .await?;
    if u64::try_from(succeeded)? != count {
        bail!("only {succeeded} of {count} jobs succeeded");
    }
    let first_start = first_start.context("finished jobs have started")?;
    let last_finish = last_finish.context("finished jobs have a finish time")?;

    let total = milliseconds(committing, last_finish) / 1000.0;
    let working = milliseconds(first_start, last_finish) / 1000.0;
    println!("| jobs | seconds from commit to last finish | jobs/s | jobs/s from first start |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {count} | {total:.2} | {:.0} | {:.0} |",
        count as f64 / total,
        count as f64 / working,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let latency_jobs = setting("BENCH_LATENCY_JOBS", 500)?;
    let gap = Duration::from_millis(setting("BENCH_GAP_MS", 50)?);
    let throughput_jobs = setting("BENCH_THROUGHPUT_JOBS", 10_000)?;
    let wait = Duration::from_secs(setting("BENCH_WAIT_SECONDS", 300)?);
    let db = ipsolis::db::connect(&url).await?;

    eprintln!("[bench] latency: {latency_jobs} jobs, one at a time, {gap:?} apart");
    latency(&db, latency_jobs, gap, wait).await?;
    println!();
    eprintln!("[bench] throughput: {throughput_jobs} jobs committed at once");
    throughput(&db, throughput_jobs, wait).await?;
    Ok(())
}
