//! How workers claim jobs: a job whose lease ran out is taken over before queued ones, queued
//! jobs go in the order they came due, and a claim records the worker's finished job as
//! succeeded in the same statement.

mod common;

use chrono::{DateTime, Duration, Utc};
use ipsolis::jobs::Queue;
use ipsolis::jobs::queue::{self, NewJob};
use ipsolis::state::AppState;
use serde_json::json;
use uuid::Uuid;

const LEASE: Duration = Duration::seconds(30);

async fn state() -> AppState {
    let database_url = common::fresh_database().await;
    let prefix = format!("ipsolis-test:{}:", Uuid::now_v7().simple());
    let config = common::test_config(&database_url, &prefix, &[]);
    AppState::connect(config).await.unwrap()
}

/// Enqueues a job due at `due`.
async fn enqueue(state: &AppState, queue: Queue, due: DateTime<Utc>) -> Uuid {
    let mut tx = state.db.begin().await.unwrap();
    let job = NewJob::new(queue, "bench.noop", json!({}));
    let id = queue::enqueue(&mut tx, job, due).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

#[track_caller]
fn claimed_id(claimed: Option<queue::JobRow>) -> Uuid {
    claimed.expect("a job is claimed").id
}

async fn claim(
    state: &AppState,
    worker: &str,
    now: DateTime<Utc>,
    finished: Option<Uuid>,
) -> Option<queue::JobRow> {
    let queues = ["provision", "default"];
    queue::claim(&state.db, &queues, worker, LEASE, now, finished)
        .await
        .unwrap()
}

async fn row(state: &AppState, id: Uuid) -> (String, Option<String>, Option<DateTime<Utc>>) {
    sqlx::query_as("select state, locked_by, finished_at from jobs where id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn queued_jobs_go_in_due_order() {
    let state = state().await;
    let now = state.clock.now();
    let later = enqueue(&state, Queue::Default, now - Duration::seconds(10)).await;
    let earlier = enqueue(&state, Queue::Provision, now - Duration::seconds(20)).await;
    let future = enqueue(&state, Queue::Default, now + Duration::hours(1)).await;

    assert_eq!(claimed_id(claim(&state, "w/0", now, None).await), earlier);
    assert_eq!(claimed_id(claim(&state, "w/0", now, None).await), later);
    assert!(
        claim(&state, "w/0", now, None).await.is_none(),
        "not yet due"
    );

    let started: Option<DateTime<Utc>> =
        sqlx::query_scalar("select started_at from jobs where id = $1")
            .bind(earlier)
            .fetch_one(&state.db)
            .await
            .unwrap();
    assert_eq!(
        started.map(|t| t.timestamp_micros()),
        Some(now.timestamp_micros())
    );
    assert_eq!(row(&state, future).await.0, "queued");
}

#[tokio::test]
async fn expired_lease_is_taken_over_first() {
    let state = state().await;
    let now = state.clock.now();
    let stuck = enqueue(&state, Queue::Default, now - Duration::minutes(5)).await;
    let dead_worker_claim = claim(&state, "crashed/0", now - Duration::minutes(5), None).await;
    assert_eq!(claimed_id(dead_worker_claim), stuck);
    let waiting = enqueue(&state, Queue::Default, now - Duration::minutes(10)).await;

    let taken_over = claim(&state, "w/0", now, None)
        .await
        .expect("a job is claimed");
    assert_eq!(
        taken_over.id, stuck,
        "the expired lease before the job due earlier"
    );
    assert_eq!(taken_over.attempts, 2);
    assert_eq!(row(&state, stuck).await.1.as_deref(), Some("w/0"));
    assert_eq!(claimed_id(claim(&state, "w/1", now, None).await), waiting);
}

#[tokio::test]
async fn claim_records_finished_job() {
    let state = state().await;
    let now = state.clock.now();
    let first = enqueue(&state, Queue::Default, now - Duration::seconds(2)).await;
    let second = enqueue(&state, Queue::Default, now - Duration::seconds(1)).await;

    assert_eq!(claimed_id(claim(&state, "w/0", now, None).await), first);
    let next = claim(&state, "w/0", now, Some(first)).await;
    assert_eq!(claimed_id(next), second);
    let (first_state, _, finished_at) = row(&state, first).await;
    assert_eq!(first_state, "succeeded");
    assert_eq!(
        finished_at.map(|t| t.timestamp_micros()),
        Some(now.timestamp_micros())
    );

    assert!(claim(&state, "w/0", now, Some(second)).await.is_none());
    assert_eq!(
        row(&state, second).await.0,
        "succeeded",
        "recorded with no job left"
    );
}

#[tokio::test]
async fn finished_job_of_another_worker_stays() {
    let state = state().await;
    let now = state.clock.now();
    let id = enqueue(&state, Queue::Default, now).await;
    assert_eq!(claimed_id(claim(&state, "w/0", now, None).await), id);

    assert!(claim(&state, "w/1", now, Some(id)).await.is_none());
    let (job_state, locked_by, _) = row(&state, id).await;
    assert_eq!(
        job_state, "running",
        "only the lease holder records success"
    );
    assert_eq!(locked_by.as_deref(), Some("w/0"));
}

#[tokio::test]
async fn finished_job_not_claimed_again() {
    let state = state().await;
    let now = state.clock.now();
    let id = enqueue(&state, Queue::Default, now - Duration::minutes(5)).await;
    let early = claim(&state, "w/0", now - Duration::minutes(5), None).await;
    assert_eq!(claimed_id(early), id);

    assert!(claim(&state, "w/0", now, Some(id)).await.is_none());
    let (job_state, _, _) = row(&state, id).await;
    assert_eq!(job_state, "succeeded");
    let attempts: i32 = sqlx::query_scalar("select attempts from jobs where id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .unwrap();
    assert_eq!(attempts, 1);
}
