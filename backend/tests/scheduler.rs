//! The scheduler's leader lock: of several processes only one enqueues periodic work, each
//! slot is enqueued once, and another process takes over when the leader stops.

mod common;

use ipsolis::state::AppState;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;

async fn replica(database_url: &str, prefix: &str) -> (AppState, watch::Sender<bool>) {
    let config = common::test_config(database_url, prefix, &[]);
    let state = AppState::connect(config).await.unwrap();
    let (stop, receiver) = watch::channel(false);
    tokio::spawn(ipsolis::jobs::schedule::run(state.clone(), receiver));
    (state, stop)
}

fn leaders(replicas: &[&AppState]) -> usize {
    replicas
        .iter()
        .filter(|s| s.scheduler.is_leader.load(Ordering::Relaxed))
        .count()
}

#[tokio::test]
async fn one_leader_enqueues_each_slot_once() {
    let database_url = common::fresh_database().await;
    let prefix = format!("ipsolis-test:{}:", uuid::Uuid::now_v7().simple());
    let mut replicas = vec![
        replica(&database_url, &prefix).await,
        replica(&database_url, &prefix).await,
    ];

    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(leaders(&[&replicas[0].0, &replicas[1].0]), 1);

    let (jobs, slots): (i64, i64) = sqlx::query_as(
        "select count(*), count(distinct dedupe_key) from jobs where kind = 'orders.expiry_check'",
    )
    .fetch_one(&replicas[0].0.db)
    .await
    .unwrap();
    assert!(jobs >= 2, "the every-second check ran {jobs} times");
    assert_eq!(jobs, slots, "a slot was enqueued twice");

    // The leader stops and gives the lock up; the other replica takes over.
    let leader = usize::from(!replicas[0].0.scheduler.is_leader.load(Ordering::Relaxed));
    let (_, stop) = replicas.remove(leader);
    stop.send(true).unwrap();
    // Keep the follower's sender: dropping it would stop that scheduler too.
    let (follower, _keep_running) = replicas.remove(0);
    common::TestApp::eventually(5, "the other replica to lead", || async {
        follower
            .scheduler
            .is_leader
            .load(Ordering::Relaxed)
            .then_some(())
    })
    .await;
}
