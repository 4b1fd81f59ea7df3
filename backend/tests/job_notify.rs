//! Workers are woken by NOTIFY when a job arrives in an idle queue. While jobs of the queue are
//! ready, new ones send no notification, because every notifying commit takes one
//! database-wide lock.

mod common;

use ipsolis::jobs::Queue;
use ipsolis::jobs::queue::{self, NewJob};
use ipsolis::state::AppState;
use serde_json::json;
use sqlx::postgres::PgListener;
use std::time::Duration;

async fn enqueue(state: &AppState, queue: Queue) {
    let mut tx = state.db.begin().await.unwrap();
    let job = NewJob::new(queue, "test.noop", json!({}));
    queue::enqueue(&mut tx, job, state.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Returns the queue named by the next notification, or None when none comes within 500 ms.
async fn next_notification(listener: &mut PgListener) -> Option<String> {
    tokio::time::timeout(Duration::from_millis(500), listener.recv())
        .await
        .ok()
        .map(|received| received.unwrap().payload().to_string())
}

#[tokio::test]
async fn notify_only_when_queue_idle() {
    let database_url = common::fresh_database().await;
    let prefix = format!("ipsolis-test:{}:", uuid::Uuid::now_v7().simple());
    let config = common::test_config(&database_url, &prefix, &[]);
    let state = AppState::connect(config).await.unwrap();
    let mut listener = PgListener::connect(&database_url).await.unwrap();
    listener.listen("ipsolis_jobs").await.unwrap();

    enqueue(&state, Queue::Provision).await;
    assert_eq!(
        next_notification(&mut listener).await.as_deref(),
        Some("provision"),
        "first job of an idle queue"
    );

    enqueue(&state, Queue::Provision).await;
    assert_eq!(
        next_notification(&mut listener).await,
        None,
        "second job while the first is still queued"
    );

    enqueue(&state, Queue::Notifications).await;
    assert_eq!(
        next_notification(&mut listener).await.as_deref(),
        Some("notifications"),
        "first job of another idle queue"
    );

    sqlx::query("update jobs set state = 'succeeded', finished_at = now()")
        .execute(&state.db)
        .await
        .unwrap();
    enqueue(&state, Queue::Provision).await;
    assert_eq!(
        next_notification(&mut listener).await.as_deref(),
        Some("provision"),
        "first job after the queue ran empty"
    );
}
