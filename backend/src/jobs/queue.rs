//! The durable job queue. A job row is inserted in the transaction of the change that needs
//! it, so an accepted change never loses its follow-up work. Workers claim jobs with
//! `FOR UPDATE SKIP LOCKED` and hold a lease; a job whose worker died is claimed again once
//! its lease runs out.

use crate::store::Tx;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Provision,
    Notifications,
    Default,
    Reclaim,
}

impl Queue {
    pub const ALL: [Queue; 4] = [
        Queue::Provision,
        Queue::Notifications,
        Queue::Default,
        Queue::Reclaim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Provision => "provision",
            Queue::Notifications => "notifications",
            Queue::Default => "default",
            Queue::Reclaim => "reclaim",
        }
    }

    pub fn parse(name: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == name)
    }
}

pub struct NewJob {
    pub queue: Queue,
    pub kind: &'static str,
    pub payload: Value,
    pub max_attempts: i32,
    /// Enqueues nothing when a job with this key already exists.
    pub dedupe_key: Option<String>,
    /// When the job may run first; now when unset.
    pub run_at: Option<DateTime<Utc>>,
}

impl NewJob {
    pub fn new(queue: Queue, kind: &'static str, payload: Value) -> NewJob {
        NewJob {
            queue,
            kind,
            payload,
            max_attempts: 8,
            dedupe_key: None,
            run_at: None,
        }
    }
}

/// Inserts a job; returns its id, or `None` when its dedupe key was taken. Inside a traced
/// request or job, the job row keeps the trace context, so the worker continues that trace.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    job: NewJob,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "insert into jobs (id, queue, kind, payload, state, max_attempts, run_at, dedupe_key,
            created_at, traceparent)
         values ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9)
         on conflict (dedupe_key) do nothing",
    )
    .bind(id)
    .bind(job.queue.as_str())
    .bind(job.kind)
    .bind(&job.payload)
    .bind(job.max_attempts)
    .bind(job.run_at.unwrap_or(now).max(now))
    .bind(&job.dedupe_key)
    .bind(now)
    .bind(crate::observability::traces::current_traceparent())
    .execute(&mut **tx)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(id))
}

#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    pub payload: Value,
    pub attempts: i32,
    pub max_attempts: i32,
    /// The W3C `traceparent` of the request or job that enqueued this one.
    pub traceparent: Option<String>,
}

/// Claims the next job of `queues`: first a running one whose lease expired because its worker
/// died, then the queued one that has been due longest. When `finished` names a job this
/// worker completed, the same statement records it as succeeded, so a busy worker commits once
/// per job instead of twice.
pub async fn claim(
    db: &PgPool,
    queues: &[&str],
    worker: &str,
    lease: Duration,
    now: DateTime<Utc>,
    finished: Option<Uuid>,
) -> sqlx::Result<Option<JobRow>> {
    // The two subqueries read an index each in the order they need (`jobs_leases`, `jobs_due`),
    // where one query with `or` sorted every due job. PostgreSQL runs the second only when
    // `coalesce` needs it. The finished job is left out of the first, because one statement
    // must not update a row twice.
    sqlx::query_as(
        "with done as (
            update jobs set state = 'succeeded', finished_at = $4, lease_until = null,
                last_error = null
            where id = $5 and locked_by = $2 and state = 'running')
         update jobs set state = 'running', locked_by = $2, lease_until = $3,
            attempts = attempts + 1, started_at = $4
         where id = coalesce(
            (select id from jobs
             where state = 'running' and lease_until < $4 and queue = any($1)
               and id is distinct from $5
             order by lease_until, id
             limit 1
             for update skip locked),
            (select id from jobs
             where state = 'queued' and run_at <= $4 and queue = any($1)
             order by run_at, id
             limit 1
             for update skip locked))
         returning id, queue, kind, payload, attempts, max_attempts, traceparent",
    )
    .bind(queues)
    .bind(worker)
    .bind(now + lease)
    .bind(now)
    .bind(finished)
    .fetch_optional(db)
    .await
}

/// Extends the lease of a job this worker still holds. Returns false when the lease was lost.
pub async fn renew(
    db: &PgPool,
    id: Uuid,
    worker: &str,
    until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "update jobs set lease_until = $3 where id = $1 and locked_by = $2 and state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(until)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub async fn succeed(db: &PgPool, id: Uuid, worker: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "update jobs set state = 'succeeded', finished_at = $3, lease_until = null,
            last_error = null
         where id = $1 and locked_by = $2 and state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The delay before attempt `attempts + 1`: 5 s doubled per attempt, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let seconds = 5i64.saturating_mul(1i64 << exponent.min(12));
    Duration::seconds(seconds.min(3600))
}

/// A failed attempt of a job.
pub struct Failure<'a> {
    pub error: &'a str,
    /// Another attempt cannot succeed.
    pub permanent: bool,
    /// Minimum delay before the next attempt, when the failed service requested one.
    pub delay: Option<Duration>,
}

/// Records a failed attempt: the job is queued again after a backoff (or the failure's delay,
/// when that is longer), or parked as dead once its attempts are used up. Returns true when it
/// is dead.
pub async fn fail(
    tx: &mut Tx<'_>,
    job: &JobRow,
    worker: &str,
    failure: Failure<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let dead = failure.permanent || job.attempts >= job.max_attempts;
    let wait = backoff(job.attempts).max(failure.delay.unwrap_or_default());
    sqlx::query(
        "update jobs set state = $3, run_at = $4, last_error = $5, lease_until = null,
            finished_at = case when $3 = 'dead' then $6 else null end
         where id = $1 and locked_by = $2 and state = 'running'",
    )
    .bind(job.id)
    .bind(worker)
    .bind(if dead { "dead" } else { "queued" })
    .bind(now + wait)
    .bind(failure.error)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(dead)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(5), Duration::seconds(80));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
