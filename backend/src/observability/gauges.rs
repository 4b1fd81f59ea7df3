//! Gauges set at scrape time, and the rendering of the `/metrics` document.
//!
//! The gauges read from the database (orders, approvals, pool, job queues) cost one query
//! each. Their results are kept for [`CACHE_TTL`], and scrapes that arrive while a refresh runs
//! wait for it, so a burst of scrapes reads the database once.

use super::metrics::{
    APPROVALS_OLDEST_AGE, APPROVALS_PENDING, JOBS_DEAD, JOBS_OLDEST_DUE_AGE, JOBS_QUEUED,
    JOBS_RUNNING, JOBS_SCHEDULED, ORDERS, POOL_FREE, POOL_USED, REFRESH_FAILURES, SCHEDULER_LEADER,
    SIEM_OLDEST_AGE, SIEM_PENDING,
};
use crate::state::AppState;
use crate::store;
use chrono::{DateTime, Utc};
use shared::jobs::QueueSummary;
use shared::orders::OrderState;
use shared::pool::CapacityTile;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long database gauges are served from the cache.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// How long a refresh may take before the scrape serves the previous values. Prometheus
/// gives up on a scrape after 10 seconds unless configured otherwise.
const REFRESH_TIMEOUT: Duration = Duration::from_secs(4);

/// The maximum number of asset definitions the pool gauges report, first by name. Each definition is two
/// time series, so this bounds what one scrape sends.
const POOL_DEFINITIONS_MAX: i64 = 500;

/// Database gauges as last read.
struct Snapshot {
    orders: Vec<(String, i64)>,
    approvals_pending: i64,
    oldest_pending_approval: Option<DateTime<Utc>>,
    pool: Vec<CapacityTile>,
    queues: Vec<QueueSummary>,
    siem: shared::siem::SiemDelivery,
}

#[derive(Default)]
struct Cached {
    /// When the last refresh was tried, successful or not, so a failing database is asked
    /// again only after [`CACHE_TTL`].
    tried_at: Option<Instant>,
    snapshot: Option<Arc<Snapshot>>,
}

/// The database gauges of one app state, read at most once per [`CACHE_TTL`].
#[derive(Clone, Default)]
pub struct GaugeCache {
    inner: Arc<tokio::sync::Mutex<Cached>>,
}

/// Serializes setting gauges and rendering. The recorder is global to the process, so two app
/// states in one process (the test harness starts several) would otherwise mix their values in
/// one document.
static RENDER: Mutex<()> = Mutex::new(());

/// Sets every scrape-time gauge and renders the Prometheus text document.
pub async fn render(state: &AppState) -> String {
    let Some(handle) = super::metrics::handle() else {
        return String::new();
    };
    let snapshot = state.gauges.snapshot(state).await;
    let now = state.clock.now();

    let _rendering = RENDER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(snapshot) = snapshot {
        apply(&snapshot, now);
    }
    apply_scheduler(state);
    super::process::apply();
    handle.render()
}

impl GaugeCache {
    /// Returns the cached snapshot, reading the database first when it is older than
    /// [`CACHE_TTL`]. A failed read keeps the previous snapshot, which may be `None`.
    async fn snapshot(&self, state: &AppState) -> Option<Arc<Snapshot>> {
        let mut cached = self.inner.lock().await;
        if cached.tried_at.is_some_and(|at| at.elapsed() < CACHE_TTL) {
            return cached.snapshot.clone();
        }
        cached.tried_at = Some(Instant::now());
        match tokio::time::timeout(REFRESH_TIMEOUT, read(state)).await {
            Ok(Ok(snapshot)) => cached.snapshot = Some(Arc::new(snapshot)),
            Ok(Err(error)) => {
                metrics::counter!(REFRESH_FAILURES).increment(1);
                tracing::warn!(%error, "reading the metrics gauges failed; serving the previous values");
            }
            Err(_) => {
                metrics::counter!(REFRESH_FAILURES).increment(1);
                tracing::warn!(
                    timeout_seconds = REFRESH_TIMEOUT.as_secs(),
                    "reading the metrics gauges timed out; serving the previous values"
                );
            }
        }
        cached.snapshot.clone()
    }
}

fn open_states() -> impl Iterator<Item = OrderState> {
    OrderState::ALL
        .into_iter()
        .filter(|state| !state.is_closed())
}

async fn read(state: &AppState) -> sqlx::Result<Snapshot> {
    let open: Vec<&str> = open_states().map(OrderState::as_str).collect();
    let (orders, (approvals_pending, oldest_pending_approval), pool, queues, siem) = tokio::try_join!(
        store::orders::count_by_state(&state.db, &open),
        store::approvals::pending_summary(&state.db),
        store::assets::capacity(&state.db, None, POOL_DEFINITIONS_MAX),
        store::jobs::summary(&state.db, state.clock.now()),
        store::siem::delivery(&state.db),
    )?;
    Ok(Snapshot {
        orders,
        approvals_pending,
        oldest_pending_approval,
        pool: pool.iter().map(|row| row.tile()).collect(),
        queues,
        siem,
    })
}

/// Sets the database gauges. Every open order state and every queue is set, with 0 when it
/// has nothing, so a series never keeps a count that is no longer true.
fn apply(snapshot: &Snapshot, now: DateTime<Utc>) {
    for state in open_states() {
        let count = snapshot
            .orders
            .iter()
            .find(|(name, _)| name == state.as_str())
            .map_or(0, |(_, count)| *count);
        metrics::gauge!(ORDERS, "state" => state.as_str()).set(count as f64);
    }

    metrics::gauge!(APPROVALS_PENDING).set(snapshot.approvals_pending as f64);
    let oldest_age = snapshot
        .oldest_pending_approval
        .map_or(0.0, |created| seconds_since(created, now));
    metrics::gauge!(APPROVALS_OLDEST_AGE).set(oldest_age);

    for tile in &snapshot.pool {
        let labels = [
            ("definition_id", tile.definition_id.to_string()),
            ("definition", tile.name.clone()),
        ];
        metrics::gauge!(POOL_USED, &labels).set(tile.used as f64);
        if let Some(free) = tile.free {
            metrics::gauge!(POOL_FREE, &labels).set(free as f64);
        }
    }

    for queue in &snapshot.queues {
        let name = queue.queue.clone();
        metrics::gauge!(JOBS_QUEUED, "queue" => name.clone()).set(queue.queued as f64);
        metrics::gauge!(JOBS_SCHEDULED, "queue" => name.clone()).set(queue.scheduled as f64);
        metrics::gauge!(JOBS_RUNNING, "queue" => name.clone()).set(queue.running as f64);
        metrics::gauge!(JOBS_DEAD, "queue" => name.clone()).set(queue.dead as f64);
        let oldest = queue.oldest_queued_age_seconds.unwrap_or(0);
        metrics::gauge!(JOBS_OLDEST_DUE_AGE, "queue" => name).set(oldest as f64);
    }

    metrics::gauge!(SIEM_PENDING).set(snapshot.siem.pending as f64);
    let oldest = snapshot
        .siem
        .oldest_pending_at
        .map_or(0.0, |queued| seconds_since(queued, now));
    metrics::gauge!(SIEM_OLDEST_AGE).set(oldest);
}

fn seconds_since(then: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    ((now - then).num_milliseconds().max(0) as f64) / 1000.0
}

/// Sets the leader gauge in processes that run the scheduler. A worker process has never
/// ticked and reports nothing, so `max` over all replicas is 1 exactly when a leader exists.
fn apply_scheduler(state: &AppState) {
    if state.scheduler.last_tick().is_none() {
        return;
    }
    let leader = state.scheduler.is_leader.load(Ordering::Relaxed);
    metrics::gauge!(SCHEDULER_LEADER).set(if leader { 1.0 } else { 0.0 });
}
