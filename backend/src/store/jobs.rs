//! Queries of the admin Jobs page: queue depths, job lists, and the retry and purge of
//! finished jobs. Workers claim and finish jobs through `crate::jobs::queue`.

use super::{Tx, cursor};
use crate::jobs::handlers::{DEPROVISION_ORDER, PROVISION_ORDER};
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::jobs::{Job, JobState, QUEUES, QueueSummary};
use sqlx::{FromRow, PgPool, QueryBuilder};
use uuid::Uuid;

/// The kinds of job that move an order through its states. An admin retries them through the
/// order.
const ORDER_KINDS: [&str; 2] = [PROVISION_ORDER, DEPROVISION_ORDER];

const COLUMNS: &str = "id, queue, kind, state, attempts, max_attempts, run_at, locked_by,
    lease_until, last_error, created_at, started_at, finished_at,
    payload->>'order_id' as order_ref";

#[derive(Debug, Clone, FromRow)]
pub struct JobRecord {
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The payload's `order_id`, if it has one.
    pub order_ref: Option<String>,
}

impl JobRecord {
    pub fn state(&self) -> JobState {
        // The table's check constraint allows only the four states.
        JobState::parse(&self.state).unwrap_or(JobState::Dead)
    }

    /// Returns the order this job provisions or deprovisions.
    pub fn order_id(&self) -> Option<Uuid> {
        if !ORDER_KINDS.contains(&self.kind.as_str()) {
            return None;
        }
        self.order_ref.as_deref().and_then(|id| id.parse().ok())
    }

    pub fn dto(&self) -> Job {
        Job {
            id: self.id,
            queue: self.queue.clone(),
            kind: self.kind.clone(),
            state: self.state(),
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            run_at: self.run_at,
            locked_by: self.locked_by.clone(),
            lease_until: self.lease_until,
            last_error: self.last_error.clone(),
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            order_id: self.order_id(),
        }
    }
}

#[derive(FromRow)]
struct QueueCounts {
    queue: String,
    queued: i64,
    scheduled: i64,
    running: i64,
    dead: i64,
    succeeded_last_day: i64,
    oldest_due: Option<DateTime<Utc>>,
}

/// Counts each queue's jobs by state at `now`. Every queue is in the result, in the order of
/// [`QUEUES`], with zeros when it has no jobs.
pub async fn summary(db: &PgPool, now: DateTime<Utc>) -> sqlx::Result<Vec<QueueSummary>> {
    let day_ago = now - chrono::Duration::days(1);
    // Two scans joined by `union all`, because with `or` PostgreSQL read the whole table. The
    // second one reads only the last day of `jobs_finished`.
    let counts: Vec<QueueCounts> = sqlx::query_as(
        "select queue,
            count(*) filter (where state = 'queued' and run_at <= $1) as queued,
            count(*) filter (where state = 'queued' and run_at > $1) as scheduled,
            count(*) filter (where state = 'running') as running,
            count(*) filter (where state = 'dead') as dead,
            count(*) filter (where state = 'succeeded') as succeeded_last_day,
            min(run_at) filter (where state = 'queued' and run_at <= $1) as oldest_due
         from (
            select queue, state, run_at from jobs where state in ('queued', 'running', 'dead')
            union all
            select queue, state, null from jobs
            where state = 'succeeded' and finished_at >= $2
         ) as counted
         group by queue",
    )
    .bind(now)
    .bind(day_ago)
    .fetch_all(db)
    .await?;

    let summaries = QUEUES
        .iter()
        .map(|queue| {
            let found = counts.iter().find(|c| c.queue == *queue);
            QueueSummary {
                queue: queue.to_string(),
                queued: found.map_or(0, |c| c.queued),
                scheduled: found.map_or(0, |c| c.scheduled),
                running: found.map_or(0, |c| c.running),
                dead: found.map_or(0, |c| c.dead),
                succeeded_last_day: found.map_or(0, |c| c.succeeded_last_day),
                oldest_queued_age_seconds: found
                    .and_then(|c| c.oldest_due)
                    .map(|due| (now - due).num_seconds().max(0)),
            }
        })
        .collect();
    Ok(summaries)
}

#[derive(Debug, Default)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub queue: Option<String>,
    pub kind: Option<String>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Lists jobs newest first, after the keyset position in the filter, with one row more than
/// the limit when another page follows.
pub async fn list(db: &PgPool, filter: &JobFilter) -> sqlx::Result<Vec<JobRecord>> {
    let mut query = QueryBuilder::new(format!("select {COLUMNS} from jobs where true"));
    if let Some(state) = filter.state {
        query.push(" and state = ").push_bind(state.as_str());
    }
    if let Some(queue) = &filter.queue {
        query.push(" and queue = ").push_bind(queue);
    }
    if let Some(kind) = &filter.kind {
        query.push(" and kind = ").push_bind(kind);
    }
    if let Some((at, id)) = filter.after {
        query
            .push(" and (created_at, id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    query
        .push(" order by created_at desc, id desc limit ")
        .push_bind(filter.limit + 1);
    query.build_query_as().fetch_all(db).await
}

/// Returns the keyset cursor that continues a list after `job`.
pub fn cursor_after(job: &JobRecord) -> String {
    cursor::encode(job.created_at, job.id)
}

/// Returns one job and its payload.
pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<(JobRecord, Value)>> {
    #[derive(FromRow)]
    struct WithPayload {
        #[sqlx(flatten)]
        job: JobRecord,
        payload: Value,
    }
    let sql = format!("select {COLUMNS}, payload from jobs where id = $1");
    let row: Option<WithPayload> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| (row.job, row.payload)))
}

/// Puts a dead job back in its queue, due at `now` with no attempts used, and wakes the idle
/// workers of that queue when the transaction commits. The last error stays until an attempt
/// replaces or clears it. Returns the job, or `None` when it is not dead (any more).
pub async fn retry(
    tx: &mut Tx<'_>,
    id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<JobRecord>> {
    let sql = format!(
        "update jobs set state = 'queued', attempts = 0, run_at = $2, locked_by = null,
            lease_until = null, started_at = null, finished_at = null
         where id = $1 and state = 'dead'
         returning {COLUMNS}"
    );
    let job: Option<JobRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(job) = &job {
        // The insert trigger wakes workers for new jobs only, and this is an update.
        sqlx::query("select pg_notify('ipsolis_jobs', $1)")
            .bind(&job.queue)
            .execute(&mut **tx)
            .await?;
    }
    Ok(job)
}

/// Deletes the jobs in `state` that finished before `cutoff`, in `queue` or in every queue,
/// and returns how many it deleted. It keeps the newest job of each periodic task, because
/// that job's dedupe key is what stops a new scheduler leader from enqueuing the same slot
/// again.
pub async fn purge(
    tx: &mut Tx<'_>,
    state: JobState,
    cutoff: DateTime<Utc>,
    queue: Option<&str>,
) -> sqlx::Result<u64> {
    let deleted = sqlx::query(
        "delete from jobs
         where state = $1 and finished_at < $2 and ($3::text is null or queue = $3)
           and id not in (
               select distinct on (kind) id from jobs
               where dedupe_key is not null
               order by kind, created_at desc, id desc)",
    )
    .bind(state.as_str())
    .bind(cutoff)
    .bind(queue)
    .execute(&mut **tx)
    .await?;
    Ok(deleted.rows_affected())
}
